/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-recover: redo an interrupted hotzone, or repair digest-less
 * reencryption metadata, after verifying keys and the reencryption digest. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "applets/applet.h"
#include "applets/session.h"
#include "common/exitcode.h"
#include "common/log.h"
#include "common/passphrase.h"
#include "luks2/json.h"
#include "luks2/validate.h"

static const struct opt_spec opts[] = {
	{ NULL, 0, NULL, NULL },
};

static const struct applet_info info = {
	.name = "luks2-recover",
	.synopsis = "[OPTIONS] DEVICE",
	.about = "Recover an interrupted reencryption hotzone of DEVICE under its\n"
		 "resilience mode (checksum, journal, datashift, datashift-checksum,\n"
		 "datashift-journal) after verifying the reencryption digest with the\n"
		 "passphrase; or repair reencryption metadata written without that digest\n"
		 "(the old 'online-reencrypt' flag) into online-reencrypt-v2/-v3.\n"
		 "Exit 0 when something was recovered or repaired, 10 when there was\n"
		 "nothing to do.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
};

/* v3 for decryption with a moved segment and datashift-*, else v2 (§3.4). */
static int repair_version(struct luks2_hdr *hdr, const struct reenc_info *ri)
{
	if (!strcmp(ri->mode, "decrypt") && !strncmp(ri->resilience, "datashift-", 10) &&
	    luks2_segment_backup(hdr, SEGF_BACKUP_MOVED) >= 0)
		return 3;
	return 2;
}

/* Digest-less metadata: unlock both keys, then write D_re and the flag. */
static int repair(struct session *s, const struct common_opts *co)
{
	struct volume_key *vk_old = NULL, *vk_new = NULL;
	int v = repair_version(&s->d.hdr, &s->ri), r;
	char *pass = NULL;
	size_t len;

	r = passphrase_read(co, "Enter passphrase: ", &pass, &len);
	if (!r)
		r = luks2_reenc_unlock(&s->d, co->key_slot, pass, len, &vk_old, &vk_new);
	safe_free(pass);
	if (r == -EPERM)
		log_err("no key available with this passphrase");
	if (r < 0)
		goto out;
	reenc_set_flag(&s->d.hdr, v);
	r = luks2_reenc_digest_create(&s->d.hdr, v, vk_old, vk_new, 0);
	if (r >= 0)
		r = luks2_hdr_write(s->d.hdr_fd, &s->d.hdr);
	if (r >= 0)
		log_info("reencryption metadata repaired (online-reencrypt-v%d)", v);
out:
	vk_free(vk_old);
	vk_free(vk_new);
	return r < 0 ? r : 0;
}

int luks2_recover_main(int argc, char **argv)
{
	struct reenc_ctx *c = NULL;
	struct common_opts co;
	struct session s;
	int i, r, rc;

	i = opt_parse(argc, argv, &info, &co, NULL, NULL, &rc);
	if (i < 0)
		return rc;
	r = session_open(&s, argv[i], &co);
	if (r < 0) {
		rc = exit_from_errno(r);
		goto out;
	}
	switch (s.ri.state) {
	case REENC_NONE:
	case REENC_CLEAN:
		log_info("nothing to recover");
		rc = RC_DONE;
		goto out;
	case REENC_REPAIR:
		rc = exit_from_errno(repair(&s, &co));
		goto out;
	case REENC_CRASH:
		break;
	default:
		rc = session_state_rc(&s.ri, 0);
		goto out;
	}
	r = session_load(&s, &co, 0, &c);
	if (!r)
		r = reenc_recover(c);
	if (r < 0) {
		if (r != -EPERM && r != -ENOENT)
			log_err("recovery failed; the metadata still records the interrupted hotzone");
		rc = r == -EINVAL ? RC_FAIL : exit_from_errno(r);
		goto out;
	}
	log_info(r == 1 ? "hotzone recovered; reencryption finished"
			: "hotzone recovered; run hotzone-step to continue");
	rc = RC_OK;
out:
	reenc_free(c);
	session_close(&s);
	return rc;
}
