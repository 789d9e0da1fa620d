/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-status: read and validate a LUKS2 header and report its state. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets/applet.h"
#include "applets/status_kv.h"
#include "common/exitcode.h"
#include "common/lock.h"
#include "common/log.h"
#include "common/opt.h"
#include "common/passphrase.h"
#include "luks2/json.h"
#include "luks2/luks2.h"
#include "luks2/reenc_internal.h"

enum { OPT_JSON = OPT_APPLET, OPT_TEST_PASS };

static const struct opt_spec opts[] = {
	{ "json", OPT_JSON, NULL, "print one JSON object" },
	{ "output", 'o', "KEY[,KEY]", "print the bare values of these keys, one per line" },
	{ "test-passphrase", OPT_TEST_PASS, NULL, "check a passphrase: exit 0 right, 2 wrong, 1 no usable keyslot" },
	{ NULL, 0, NULL, NULL },
};

static const struct applet_info info = {
	.name = "luks2-status",
	.synopsis = "[OPTIONS] DEVICE",
	.about = "Read and validate the LUKS2 header of DEVICE (both copies) and print\n"
		 "the device, keyslots, segments and reencryption state as key=value\n"
		 "lines. State \"running\": a live process holds the reencryption lock\n"
		 "(never with --disable-locks, which does not look at the lock).\n"
		 "With -q print nothing and answer with the exit code: 0 reencryption\n"
		 "in progress (clean or running), 10 none, 11 crash (run luks2-recover),\n"
		 "12 metadata needs repair, 4 not LUKS2. Never writes.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
};

struct status_opts {
	int json, test_pass;
	const char *keys;
};

static int opt_cb(void *ctx, int key, const char *arg)
{
	struct status_opts *o = ctx;

	switch (key) {
	case OPT_JSON: o->json = 1; return 0;
	case OPT_TEST_PASS: o->test_pass = 1; return 0;
	case 'o': o->keys = arg; return 0;
	}
	return -EINVAL;
}

/* A keyslot named by --key-slot, bound to a segment or not. */
static int unlock_named(struct luks2_dev *d, int keyslot, const char *pass, size_t len,
			struct volume_key **vk)
{
	const char *type;
	char buf[40];

	if (!ljson_get_id(ljson_get(d->hdr.jobj, "keyslots"), keyslot))
		return -ENOENT;
	type = luks2_kdf_unknown(ljson_get_id(ljson_get(d->hdr.jobj, "keyslots"), keyslot));
	if (type && luks2_digest_by_keyslot(&d->hdr, keyslot) >= 0) {
		log_err("keyslot open failed: keyslot %d has an unknown kdf type '%s'",
			keyslot, log_printable(buf, sizeof(buf), type));
		return -ENOTSUP;
	}
	return luks2_keyslot_unlock(d, keyslot, pass, len, vk);
}

/* As cryptsetup open --test-passphrase: a named keyslot is tried alone;
 * otherwise the keyslots of the default segment's key (backup-final during
 * a reencryption); in reencryption both keys must open and D_re verify. */
static int test_passphrase(struct luks2_dev *d, const struct common_opts *co,
			   const struct reenc_status *ri)
{
	struct volume_key *vk_old = NULL, *vk_new = NULL;
	struct luks2_segment seg;
	char *pass = NULL;
	size_t len;
	int r, id;

	if (ri->state == REENC_STATE_REPAIR) {
		log_err("reencryption metadata is invalid: %s (unverified; luks2-recover "
			"shows what it would do)", ri->why);
		return -EINVAL;
	}
	r = passphrase_read(co, "Enter passphrase: ", &pass, &len);
	if (r < 0)
		return r;
	if (ri->state == REENC_STATE_NONE || ri->state == REENC_STATE_INVALID) {
		id = luks2_segment_backup(&d->hdr, SEGF_BACKUP_FINAL);
		r = luks2_segment_get(&d->hdr, id >= 0 ? id : 0, &seg);
		if (co->key_slot >= 0)
			r = unlock_named(d, co->key_slot, pass, len, &vk_old);
		else
			r = r < 0 || seg.digest < 0 ? -ENOENT :
			    luks2_keyslot_open_digest(d, seg.digest, -1, pass, len, &vk_old);
	} else {
		r = reenc_unlock_keys(d, co->key_slot, pass, len, &vk_old, &vk_new);
		if (r >= 0) {
			r = reenc_digest_verify(&d->hdr, ri->version, vk_old, vk_new);
			if (r < 0)
				log_err("reencryption metadata is invalid (digest check failed)");
			if (r == -EPERM)	/* a forged header, not a wrong passphrase */
				r = -EINVAL;
		}
	}
	safe_free(pass);
	vk_free(vk_old);
	vk_free(vk_new);
	if (r == -EPERM)
		log_err("no key available with this passphrase");
	else if (r == -ENOENT)
		log_err("no usable keyslot");
	else if (r >= 0)
		log_verbose("passphrase accepted");
	return r < 0 ? r : 0;
}

/* A run holds the reencryption lock for its whole length (common/lock.c),
 * and the in-flight marker of its current hotzone is on disk meanwhile: a
 * held lock means a live process, not a crash. After a free probe the
 * header is read again; a changed seqid means a writer was active (it
 * finished, or one started): look again. 1 running, 0 not, -errno. */
static int probe_running(struct luks2_dev *d, struct reenc_status *ri)
{
	uint64_t seqid;
	int r;

	for (int tries = 0; tries < 5; tries++) {
		if (ri->state != REENC_STATE_CLEAN && ri->state != REENC_STATE_CRASH)
			return 0;
		r = lock_reencryption_held(d->hdr.uuid);
		if (r < 0)
			log_dbg("cannot probe the reencryption lock: %s", strerror(-r));
		if (r != 0)
			return r > 0;
		seqid = d->hdr.seqid;
		luks2_hdr_free(&d->hdr);
		r = luks2_hdr_read(d->hdr_fd, &d->hdr);
		if (r < 0)
			return r;
		r = reenc_status_read(&d->hdr, d->size, ri);
		if (r < 0 || d->hdr.seqid == seqid)
			return r;
	}
	return 0;
}

static int quiet_answer(const struct reenc_status *ri, int running)
{
	if (running)
		return RC_OK;
	switch (ri->state) {
	case REENC_STATE_NONE: return RC_DONE;
	case REENC_STATE_CLEAN: return RC_OK;
	case REENC_STATE_CRASH: return RC_RECOVER;
	case REENC_STATE_REPAIR: return RC_REPAIR;
	default:
		log_err("unsupported metadata: %s", ri->why);
		return RC_NODEV;
	}
}

int luks2_status_main(int argc, char **argv)
{
	struct status_opts o = { 0 };
	struct common_opts co;
	struct reenc_status ri;
	struct luks2_dev d;
	struct kv_list kv = { 0 };
	int i, r, rc, running;

	i = opt_parse(argc, argv, &info, &co, opt_cb, &o, &rc);
	if (i < 0)
		return rc;
	r = luks2_dev_open(&d, argv[i], co.header, 0);
	if (r < 0)
		return r == -EINVAL ? RC_NODEV : exit_from_errno(r);
	r = reenc_status_read(&d.hdr, d.size, &ri);
	if (r < 0) {
		log_err("cannot read the reencryption state: %s", strerror(-r));
		rc = RC_NODEV;
		goto out;
	}
	if (o.test_pass) {
		r = test_passphrase(&d, &co, &ri);
		rc = r == -EINVAL ? RC_FAIL : exit_from_errno(r);
		goto out;
	}
	/* --disable-locks: the lock is not looked at; an in-flight marker
	 * then reads as a crash, as a --disable-locks run leaves it */
	running = co.disable_locks ? 0 : probe_running(&d, &ri);
	if (running < 0) {
		log_err("cannot read the header again: %s", strerror(-running));
		rc = running == -EINVAL ? RC_NODEV : exit_from_errno(running);
		goto out;
	}
	if (co.quiet && !o.keys && !o.json) {
		rc = quiet_answer(&ri, running);
		if (d.hdr.foreign[0]) {	/* what every writer answers */
			log_err("device contains ambiguous signatures (%s); writers refuse it",
				d.hdr.foreign);
			rc = RC_NODEV;
		}
		goto out;
	}
	if (o.json) {
		r = status_print_json(&d, &ri, running);
	} else {
		r = status_collect(&d, &ri, running, &kv);
		if (!r)
			r = o.keys ? kv_print_keys(&kv, o.keys) : kv_print_all(&kv);
	}
	rc = r < 0 ? RC_FAIL : opt_finish_stdout();
out:
	kv_free(&kv);
	luks2_dev_close(&d);
	return rc;
}
