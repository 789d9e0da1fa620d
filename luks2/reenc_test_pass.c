/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reenc_test_passphrase (luks2/reenc.h): does a passphrase open the key,
 * as cryptsetup open --test-passphrase answers it. */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "common/safemem.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"

/* A keyslot named by the caller, bound to a segment or not. */
static int unlock_named(struct luks2_dev *d, int keyslot, const char *pass, size_t len,
			struct volume_key **vk)
{
	struct json_object *ks = ljson_get_id(ljson_get(d->hdr.jobj, "keyslots"), keyslot);
	const char *type;

	if (!ks)
		return -ENOENT;
	type = luks2_kdf_unknown(ks);
	if (type && luks2_digest_by_keyslot(&d->hdr, keyslot) >= 0) {
		char buf[40];

		log_err("keyslot open failed: keyslot %d has an unknown kdf type '%s'",
			keyslot, log_printable(buf, sizeof(buf), type));
		return -ENOTSUP;
	}
	return luks2_keyslot_unlock(d, keyslot, pass, len, vk);
}

/* No reencryption (or metadata we do not understand): the key of the
 * default segment, backup-final's when there is one. */
static int test_plain(struct luks2_dev *d, int keyslot, const char *pass, size_t len,
		      struct volume_key **vk)
{
	struct luks2_segment seg;
	int r, id;

	if (keyslot >= 0)
		return unlock_named(d, keyslot, pass, len, vk);
	id = luks2_segment_backup(&d->hdr, SEGF_BACKUP_FINAL);
	r = luks2_segment_get(&d->hdr, id >= 0 ? id : 0, &seg);
	if (r < 0 || seg.digest < 0)
		return -ENOENT;
	return luks2_keyslot_open_digest(d, seg.digest, -1, pass, len, vk);
}

/* In reencryption both keys must open and the reencryption digest verify. */
static int test_reenc(struct luks2_dev *d, const struct reenc_status *st, int keyslot,
		      const char *pass, size_t len)
{
	struct volume_key *vk_old = NULL, *vk_new = NULL;
	int r;

	r = reenc_unlock_keys(d, keyslot, pass, len, &vk_old, &vk_new);
	if (r >= 0) {
		r = reenc_digest_verify(&d->hdr, st->version, vk_old, vk_new);
		if (r < 0)
			log_err("reencryption metadata is invalid (digest check failed)");
		if (r == -EPERM)	/* a forged header, not a wrong passphrase */
			r = -EINVAL;
	}
	vk_free(vk_old);
	vk_free(vk_new);
	return r;
}

/* Metadata in need of repair is refused before pass is looked at: a caller
 * may ask with pass NULL before it prompts. */
int reenc_test_passphrase(struct reenc_dev *dev, int keyslot, const char *pass,
			  size_t pass_len)
{
	struct luks2_dev *d = &dev->d;
	struct volume_key *vk = NULL;
	struct reenc_status st;
	int r;

	r = reenc_status_read(&d->hdr, d->size, &st);
	if (r < 0) {
		log_err("cannot read the reencryption state: %s", strerror(-r));
		return -ENODEV;
	}
	if (st.state == REENC_STATE_REPAIR) {
		log_err("reencryption metadata is invalid: %s (unverified; luks2-recover "
			"shows what it would do)", st.why);
		return -EINVAL;
	}
	if (!pass)
		return -EINVAL;
	if (st.state == REENC_STATE_NONE || st.state == REENC_STATE_INVALID) {
		r = test_plain(d, keyslot, pass, pass_len, &vk);
		vk_free(vk);
	} else {
		r = test_reenc(d, &st, keyslot, pass, pass_len);
	}
	if (r == -EPERM)
		log_err("no key available with this passphrase");
	else if (r == -ENOENT)
		log_err("no usable keyslot");
	else if (r >= 0)
		log_verbose("passphrase accepted");
	return r < 0 ? r : 0;
}
