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
#include "common/exitcode.h"
#include "common/log.h"
#include "common/passphrase.h"
#include "common/safemem.h"
#include "luks2/reenc.h"

enum { OPT_REPAIR_UNVERIFIED = OPT_APPLET, OPT_ACTIVE };

static const struct opt_spec opts[] = {
	{ "repair-unverified-metadata", OPT_REPAIR_UNVERIFIED, NULL,
	  "sign reencryption metadata that has no digest (it may be forged)" },
	{ "active-name", OPT_ACTIVE, "NAME", "recover a killed online run on active device NAME" },
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
		 "--active-name NAME recovers a killed online run: a suspended hotzone\n"
		 "device gets an error target and suspended devices are resumed (I/O is\n"
		 "answered again), the hotzone is recovered, NAME gets the table of the\n"
		 "metadata and the helper devices are removed.\n"
		 "Exit 0 when something was recovered or repaired, 10 when there was\n"
		 "nothing to do, 1 when the repair was not confirmed.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
};

struct recover_opts {
	int by_option;
	const char *active;
};

static int opt_cb(void *ctx, int key, const char *arg)
{
	struct recover_opts *o = ctx;

	if (key == OPT_ACTIVE) {
		o->active = arg;
		return 0;
	}
	if (key != OPT_REPAIR_UNVERIFIED)
		return -EINVAL;
	o->by_option = 1;
	return 0;
}

static void show_segment(FILE *f, const char *label, const struct reenc_segment_info *s)
{
	char c[64], size[32];

	if (!strcmp(s->type, "none")) {
		fprintf(f, "  %-11s none\n", label);
		return;
	}
	if (s->size == UINT64_MAX)
		snprintf(size, sizeof(size), "to the end");
	else
		snprintf(size, sizeof(size), "%ju bytes", (uintmax_t)s->size);
	if (!strcmp(s->type, "crypt"))
		fprintf(f, "  %-11s encrypted, %s, sector %u, offset %ju, %s, key digest %d\n",
			label, log_printable(c, sizeof(c), s->cipher), s->sector_size,
			(uintmax_t)s->offset, size, s->digest);
	else
		fprintf(f, "  %-11s %s, offset %ju, %s\n", label,
			!strcmp(s->type, "linear") ? "PLAINTEXT (linear)" : "unknown type",
			(uintmax_t)s->offset, size);
}

/* What the unverified metadata would do, for the user to judge. */
static void show(FILE *f, const char *path, const struct reenc_status *st)
{
	fprintf(f, "%s: UNVERIFIED reencryption metadata: %s.\n"
		"Anyone able to write to the device can write such metadata (CVE-2021-4122).\n"
		"Repair it only if you started this operation yourself. It would do:\n",
		path, st->why);
	fprintf(f, "  %-11s %s, %s, resilience %s\n", "operation:",
		reenc_mode_name(st->mode), reenc_direction_name(st->direction),
		reenc_res_name(st->resilience));
	show_segment(f, "from:", &st->previous);
	show_segment(f, "to:", &st->final);
	if (strcmp(st->moved.type, "none"))
		show_segment(f, "moved:", &st->moved);
	fprintf(f, "  %-11s %ju of %ju bytes still to rewrite\n", "data:",
		(uintmax_t)(st->total - st->progress), (uintmax_t)st->total);
	if (st->mode == REENC_MODE_DECRYPT)
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
static int confirm(const char *path, const struct reenc_status *st,
		   const struct common_opts *co, int by_option)
{
	FILE *f;
	int tty, ok;

	if (by_option) {
		if (!co->quiet)
			show(stdout, path, st);
		return 0;
	}
	tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (tty < 0) {
		if (!co->quiet)
			show(stdout, path, st);
		log_err("unverified reencryption metadata not repaired: type YES on a terminal "
			"or give --repair-unverified-metadata");
		return -EINVAL;
	}
	f = fdopen(dup(tty), "w");
	if (f) {
		show(f, path, st);
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

static int repair(struct reenc_dev *dev, const struct reenc_status *st,
		  const struct common_opts *co, int by_option)
{
	char *pass = NULL;
	size_t len;
	int r;

	r = confirm(reenc_dev_path(dev), st, co, by_option);
	if (!r)
		r = passphrase_read(co, "Enter passphrase: ", &pass, &len);
	if (!r)
		r = reenc_repair(dev, pass, len, co->key_slot);
	safe_free(pass);
	if (r < 0)
		return r;
	log_info("reencryption metadata signed (online-reencrypt-v%d)%s", r,
		 st->state == REENC_STATE_CRASH ? "; run luks2-recover again to recover the "
						  "interrupted hotzone" : "");
	return 0;
}

static int recover(struct reenc_dev *dev, const struct common_opts *co, const char *active)
{
	char *pass = NULL;
	size_t len;
	int r;

	r = passphrase_read(co, "Enter passphrase: ", &pass, &len);
	if (!r && active)
		r = reenc_recover_active(dev, active, pass, len, co->key_slot);
	else if (!r)
		r = reenc_recover(dev, pass, len, co->key_slot);
	safe_free(pass);
	if (r < 0)
		return r;
	if (active)
		log_info("%s recovered; run hotzone-step to continue", active);
	else
		log_info(r == REENC_RUN_FINISHED ? "hotzone recovered; reencryption finished"
						 : "hotzone recovered; run hotzone-step to continue");
	return 0;
}

int luks2_recover_main(int argc, char **argv)
{
	struct recover_opts o = { 0 };
	struct reenc_dev *dev = NULL;
	struct reenc_status st;
	struct common_opts co;
	int i, r, rc;

	i = opt_parse(argc, argv, &info, &co, opt_cb, &o, &rc);
	if (i < 0)
		return rc;
	r = reenc_dev_open(&dev, argv[i], co.header, REENC_OPEN_WRITE |
			   (o.active ? REENC_OPEN_ACTIVE : 0) |
			   (co.disable_locks ? REENC_OPEN_NO_LOCKS : 0));
	if (!r)
		r = reenc_status(dev, 0, &st);
	if (!r && st.state == REENC_STATE_REPAIR)
		r = repair(dev, &st, &co, o.by_option);
	else if (!r && (st.state == REENC_STATE_CRASH || o.active))
		r = recover(dev, &co, o.active);
	else if (!r)	/* nothing to recover, or unsupported: no passphrase */
		r = reenc_recover(dev, NULL, 0, co.key_slot);
	rc = exit_from_errno(r);
	reenc_dev_close(dev);
	return rc;
}
