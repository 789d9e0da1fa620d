/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-recover: redo an interrupted hotzone after verifying keys and the
 * reencryption digest; or, after showing it and an explicit confirmation,
 * sign reencryption metadata that was written without that digest. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "applets/applet.h"
#include "applets/session.h"
#include "common/exitcode.h"
#include "common/log.h"
#include "common/passphrase.h"
#include "luks2/json.h"
#include "luks2/validate.h"

enum { OPT_REPAIR_UNVERIFIED = OPT_APPLET };

static const struct opt_spec opts[] = {
	{ "repair-unverified-metadata", OPT_REPAIR_UNVERIFIED, NULL,
	  "sign reencryption metadata that has no digest (it may be forged)" },
	{ NULL, 0, NULL, NULL },
};

static const struct applet_info info = {
	.name = "luks2-recover",
	.synopsis = "[OPTIONS] DEVICE",
	.about = "Recover an interrupted reencryption hotzone of DEVICE under its\n"
		 "resilience mode after verifying the reencryption digest with the\n"
		 "passphrase. Reencryption metadata without that digest (the old\n"
		 "'online-reencrypt' flag, or the digest missing) is unverified: anyone\n"
		 "able to write the device can forge it (CVE-2021-4122). It is shown\n"
		 "(operation, direction, segments, data left) and signed only when you\n"
		 "type YES on the terminal or give --repair-unverified-metadata; -q and a\n"
		 "stdin that is not a terminal are no confirmation.\n"
		 "Exit 0 when something was recovered or repaired, 10 when there was\n"
		 "nothing to do, 1 when the repair was not confirmed.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
};

static int opt_cb(void *ctx, int key, const char *arg)
{
	(void)arg;
	if (key != OPT_REPAIR_UNVERIFIED)
		return -EINVAL;
	*(int *)ctx = 1;
	return 0;
}

static void show_segment(FILE *f, const char *label, struct luks2_hdr *hdr, unsigned flag)
{
	struct luks2_segment s;
	char c[64], size[32];

	if (luks2_segment_get(hdr, luks2_segment_backup(hdr, flag), &s) < 0) {
		fprintf(f, "  %-11s none\n", label);
		return;
	}
	if (s.size == LUKS2_DYNAMIC)
		snprintf(size, sizeof(size), "to the end");
	else
		snprintf(size, sizeof(size), "%ju bytes", (uintmax_t)s.size);
	if (s.type == SEG_CRYPT)
		fprintf(f, "  %-11s encrypted, %s, sector %u, offset %ju, %s, key digest %d\n",
			label, log_printable(c, sizeof(c), s.cipher), s.sector_size,
			(uintmax_t)s.offset, size, s.digest);
	else
		fprintf(f, "  %-11s %s, offset %ju, %s\n", label,
			s.type == SEG_LINEAR ? "PLAINTEXT (linear)" : "unknown type",
			(uintmax_t)s.offset, size);
}

/* What the unverified metadata would do, for the user to judge. */
static void show(FILE *f, struct session *s)
{
	const struct reenc_status *ri = &s->ri;
	fprintf(f, "%s: UNVERIFIED reencryption metadata: %s.\n"
		"Anyone able to write to the device can write such metadata (CVE-2021-4122).\n"
		"Repair it only if you started this operation yourself. It would do:\n",
		s->d.path, ri->why);
	fprintf(f, "  %-11s %s, %s, resilience %s\n", "operation:",
		reenc_mode_name(ri->mode), reenc_direction_name(ri->direction),
		reenc_res_name(ri->resilience));
	show_segment(f, "from:", &s->d.hdr, SEGF_BACKUP_PREVIOUS);
	show_segment(f, "to:", &s->d.hdr, SEGF_BACKUP_FINAL);
	if (luks2_segment_backup(&s->d.hdr, SEGF_BACKUP_MOVED) >= 0)
		show_segment(f, "moved:", &s->d.hdr, SEGF_BACKUP_MOVED);
	fprintf(f, "  %-11s %ju of %ju bytes still to rewrite\n", "data:",
		(uintmax_t)(ri->total - ri->progress), (uintmax_t)ri->total);
	if (ri->mode == REENC_MODE_DECRYPT)
		fprintf(f, "  %-11s the data will be written out as PLAINTEXT\n", "result:");
	fflush(f);
}

/* A line typed on the controlling terminal: exactly "YES" confirms. */
static int ask_tty(int tty)
{
	static const char q[] = "Type YES (in capital letters) to sign this metadata: ";
	char line[16];
	size_t n = 0;
	char c;

	if (write(tty, q, sizeof(q) - 1) < 0)
		return 0;
	while (read(tty, &c, 1) == 1 && c != '\n')
		if (n < sizeof(line) - 1)
			line[n++] = c;
	line[n] = 0;
	return !strcmp(line, "YES");
}

/* Show the metadata and get the confirmation: the option, or YES typed on
 * /dev/tty (never stdin, which may carry the passphrase). */
static int confirm(struct session *s, const struct common_opts *co, int by_option)
{
	FILE *f;
	int tty, ok;

	if (by_option) {
		if (!co->quiet)
			show(stdout, s);
		return 0;
	}
	tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (tty < 0) {
		if (!co->quiet)
			show(stdout, s);
		log_err("unverified reencryption metadata not repaired: type YES on a terminal "
			"or give --repair-unverified-metadata");
		return -EINVAL;
	}
	f = fdopen(dup(tty), "w");
	if (f) {
		show(f, s);
		fclose(f);
	}
	ok = f && ask_tty(tty);
	close(tty);
	if (!ok) {
		log_err("not confirmed; nothing was written");
		return -EINVAL;
	}
	return 0;
}

static int repair(struct session *s, const struct common_opts *co, int by_option)
{
	char *pass = NULL;
	size_t len;
	int r;

	r = confirm(s, co, by_option);
	if (!r)
		r = passphrase_read(co, "Enter passphrase: ", &pass, &len);
	if (!r)
		r = reenc_repair_sign(&s->d, co->key_slot, pass, len);
	safe_free(pass);
	if (r < 0)
		return r;
	log_info("reencryption metadata signed (online-reencrypt-v%d)%s", r,
		 s->ri.state == REENC_STATE_CRASH ? "; run luks2-recover again to recover the "
					      "interrupted hotzone" : "");
	return 0;
}

static int recover(struct session *s, const struct common_opts *co)
{
	struct reenc_ctx *c = NULL;
	int r;

	r = session_load(s, co, 0, &c);
	if (!r)
		r = reenc_recover_hotzone(c);
	reenc_free(c);
	if (r < 0) {
		if (r != -EPERM && r != -ENOENT && r != -ENOTSUP)
			log_err("recovery failed; the metadata still records the interrupted hotzone");
		return r == -EINVAL ? RC_FAIL : exit_from_errno(r);
	}
	log_info(r == 1 ? "hotzone recovered; reencryption finished"
			: "hotzone recovered; run hotzone-step to continue");
	return RC_OK;
}

int luks2_recover_main(int argc, char **argv)
{
	struct common_opts co;
	struct session s;
	int i, r, rc, by_option = 0;

	i = opt_parse(argc, argv, &info, &co, opt_cb, &by_option, &rc);
	if (i < 0)
		return rc;
	r = session_open(&s, argv[i], &co);
	if (r < 0) {
		rc = exit_from_errno(r);
		goto out;
	}
	switch (s.ri.state) {
	case REENC_STATE_NONE:
	case REENC_STATE_CLEAN:
		log_info("nothing to recover");
		rc = RC_DONE;
		break;
	case REENC_STATE_REPAIR:
		r = repair(&s, &co, by_option);
		rc = r == -EINVAL ? RC_FAIL : exit_from_errno(r);
		break;
	case REENC_STATE_CRASH:
		rc = recover(&s, &co);
		break;
	default:
		rc = session_state_rc(&s.ri, 0);
		break;
	}
out:
	session_close(&s);
	return rc;
}
