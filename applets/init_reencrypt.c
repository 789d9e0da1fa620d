/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-init-reencrypt, default mode: a new volume key (or cipher, key size,
 * sector size) for a LUKS2 device, in one metadata commit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets/init.h"
#include "common/log.h"
#include "luks2/json.h"

struct unlocked {
	int ks[LUKS2_KEYSLOTS_MAX], pass_of[LUKS2_KEYSLOTS_MAX], n;
	const struct json_object *kdf[LUKS2_KEYSLOTS_MAX];
	struct volume_key *vk;
};

/* Try every passphrase on every keyslot of the data key. */
static int unlock_all(struct luks2_dev *d, int digest, int only,
		      const struct passlist *pl, struct unlocked *u)
{
	struct json_object *keyslots = ljson_get(d->hdr.jobj, "keyslots");
	struct volume_key *vk;
	int id, r, saw_perm = 0;

	memset(u, 0, sizeof(*u));
	for (id = 0; id < LUKS2_KEYSLOTS_MAX; id++) {
		struct json_object *ks = ljson_get_id(keyslots, id);

		if (!ks || luks2_digest_by_keyslot(&d->hdr, id) != digest ||
		    (only >= 0 && id != only))
			continue;
		for (int p = 0; p < pl->n; p++) {
			r = luks2_keyslot_unlock(d, id, pl->p[p], pl->len[p], &vk);
			if (r == -EPERM) {
				saw_perm = 1;
				continue;
			}
			if (r < 0)
				continue;
			u->ks[u->n] = id;
			u->pass_of[u->n] = p;
			u->kdf[u->n] = ljson_get(ks, "kdf");
			u->n++;
			if (!u->vk)
				u->vk = vk;
			else
				vk_free(vk);
			break;
		}
	}
	if (u->n)
		return 0;
	if (saw_perm)
		log_err("no key available with %s", pl->n > 1 ? "these passphrases" : "this passphrase");
	else	/* unknown kdf, unbound keyslots only: cryptsetup answers 1 */
		log_err("keyslot open failed: no keyslot of the volume key can be used");
	return saw_perm ? -EPERM : -ENOENT;
}

/* Keyslot id holds the old key; its passphrase was given (in u). */
static int old_slot(struct luks2_dev *d, int digest, int id)
{
	return ljson_get_id(ljson_get(d->hdr.jobj, "keyslots"), id) &&
	       luks2_digest_by_keyslot(&d->hdr, id) == digest;
}

static int given(const struct unlocked *u, int id)
{
	for (int i = 0; i < u->n; i++)
		if (u->ks[i] == id)
			return 1;
	return 0;
}

/*
 * Keyslots of the old key whose passphrase was not given are removed at the
 * end: only when asked (--key-slot N, cryptsetup's way to say "keep only
 * this one", or --remove-other-keyslots). Otherwise refuse, naming them.
 */
static int check_lost(struct luks2_dev *d, int digest, const struct unlocked *u,
		      const struct init_opts *o, const struct common_opts *co)
{
	char list[LUKS2_KEYSLOTS_MAX * 4] = "";
	int id, n = 0;

	if (o->keep_key || o->remove_others || co->key_slot >= 0)
		return 0;
	for (id = 0; id < LUKS2_KEYSLOTS_MAX; id++)
		if (old_slot(d, digest, id) && !given(u, id))
			n += snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d",
				      n ? ", " : "", id) > 0;
	if (!n)
		return 0;
	log_err("no passphrase given for keyslot%s %s, which a new volume key would remove; "
		"give %s passphrase (another --key-file), keep only one keyslot with "
		"--key-slot N, or add --remove-other-keyslots", n > 1 ? "s" : "", list,
		n > 1 ? "their" : "its");
	return -EINVAL;
}

static void tell_plan(struct luks2_dev *d, int digest, const struct unlocked *u, int keep)
{
	for (int id = 0; id < LUKS2_KEYSLOTS_MAX; id++) {
		if (!old_slot(d, digest, id))
			continue;
		if (keep)
			log_info("keyslot %d: kept as it is (same volume key)", id);
		else if (given(u, id))
			log_info("keyslot %d: its passphrase gets a new keyslot; the old one is removed at the end", id);
		else
			log_info("keyslot %d: REMOVED at the end, as asked", id);
	}
}

static size_t default_key_len(const char *cipher, const char *old, size_t old_len)
{
	if (!strcmp(cipher, old))
		return old_len;
	return strstr(cipher, "-xts-") ? 64 : 32;
}

int init_reencrypt(struct luks2_dev *d, const struct init_opts *o,
		   const struct common_opts *co, const struct passlist *pl)
{
	struct luks2_segment s0;
	struct unlocked u = { 0 };
	struct volume_key *vk_new = NULL;
	struct json_object *prev = NULL, *segs = ljson_get(d->hdr.jobj, "segments");
	const char *cipher, *ks_cipher;
	size_t ks_len;
	uint32_t sector;
	uint64_t block;
	size_t key_len;
	enum reenc_res res;
	int d_old, d_new, r;

	if (luks2_segment_count(&d->hdr) != 1 || luks2_segment_get(&d->hdr, 0, &s0) < 0 ||
	    s0.type != SEG_CRYPT) {
		log_err("%s: expected one encrypted data segment", d->path);
		return -EINVAL;
	}
	if (ljson_get(ljson_get_id(segs, 0), "integrity")) {
		log_err("authenticated (integrity) segments cannot be reencrypted");
		return -ENOTSUP;
	}
	if (s0.iv_tweak) {
		log_err("segment 0 has iv_tweak %ju; only 0 is supported", (uintmax_t)s0.iv_tweak);
		return -ENOTSUP;
	}
	r = init_resilience(o, REENC_RES_CHECKSUM, &res);
	if (r < 0)
		return r;
	cipher = o->cipher ? o->cipher : s0.cipher;
	key_len = o->key_bits ? o->key_bits / 8 : default_key_len(cipher, s0.cipher, 0);
	sector = o->sector_size ? (uint32_t)o->sector_size : s0.sector_size;
	if (sector > s0.sector_size && !o->force_offline) {
		log_err("raising the encryption sector size offline can break the filesystem; "
			"add --force-offline-reencrypt if you are sure");
		return -EINVAL;
	}
	block = init_alignment(d->fd, s0.sector_size, sector);
	r = init_check_device_size(o, d->size > s0.offset ? d->size - s0.offset : 0, block);
	if (r < 0)
		return r;
	if (o->hotzone % block) {	/* cryptsetup: reencrypt_load_by_passphrase */
		log_err("--hotzone-size must be a multiple of the reencryption alignment "
			"(%ju bytes)", (uintmax_t)block);
		return -EINVAL;
	}
	d_old = s0.digest;
	r = unlock_all(d, d_old, co->key_slot, pl, &u);
	if (r < 0)
		return r;
	r = check_lost(d, d_old, &u, o, co);
	if (r < 0)
		goto out;
	if (!o->key_bits && !strcmp(cipher, s0.cipher))
		key_len = u.vk->len;
	if (o->keep_key && key_len != u.vk->len) {
		log_err("--keep-key needs the key size of the current key (%zu bits)", u.vk->len * 8);
		r = -EINVAL;
		goto out;
	}
	if (o->keep_key && !strcmp(cipher, s0.cipher) && sector == s0.sector_size) {
		log_err("--keep-key with the same cipher and sector size changes nothing");
		r = -EINVAL;
		goto out;
	}
	r = init_cipher_check(cipher, key_len, sector);
	if (r < 0)
		goto out;
	r = luks2_keyslots_room(&d->hdr, o->keep_key ? 0 : u.n, key_len, 4096);
	if (r < 0) {
		log_err("no room in the keyslots area (or no free keyslot) for %d new keyslot%s "
			"and the reencryption area; the old keyslots stay until the end",
			o->keep_key ? 0 : u.n, u.n == 1 || o->keep_key ? "" : "s");
		r = -EINVAL;
		goto out;
	}
	tell_plan(d, d_old, &u, o->keep_key);
	/* New keyslots are encrypted as cryptsetup does while the old segment
	 * is still the default one (lib/setup.c crypt_keyslot_get_encryption):
	 * the old cipher and key size, aes-xts-plain64/512 for cipher_null. */
	if (!strncmp(s0.cipher, "cipher_null", 11)) {
		ks_cipher = "aes-xts-plain64";
		ks_len = 64;
	} else {
		ks_cipher = s0.cipher;
		ks_len = u.vk->len;
	}
	if (o->keep_key) {
		d_new = d_old;
	} else {
		vk_new = vk_alloc(key_len, NULL);
		r = vk_new ? crypt_backend_rng(vk_new->key, key_len) : -ENOMEM;
		if (r < 0)
			goto out;
		/* as cryptsetup: the digest hash is the PBKDF hash (--hash) */
		d_new = luks2_digest_create(&d->hdr, vk_new->key, key_len, o->pbkdf.hash,
					    o->force_iter ? 1000 : 0);
		r = d_new < 0 ? d_new : init_new_keyslots(d, d_new, vk_new, o, pl, u.pass_of,
							  u.ks, u.kdf, u.n, ks_cipher, ks_len);
		if (r < 0)
			goto out;
	}
	json_object_deep_copy(ljson_get_id(segs, 0), &prev, NULL);
	reenc_segment_flag(prev, "backup-previous");
	json_object_object_add(segs, "1", prev);
	json_object_object_add(segs, "2", reenc_json_crypt(s0.offset, 0, NULL, cipher, sector, 0));
	reenc_segment_flag(ljson_get_id(segs, 2), "backup-final");
	luks2_digest_assign_segment(&d->hdr, d_old, 1, 1);
	luks2_digest_assign_segment(&d->hdr, d_new, 2, 1);
	if (o->device_size)
		ljson_set_u64(ljson_get_id(segs, 0), "size", o->device_size);
	r = init_finish_metadata(d, REENC_MODE_REENCRYPT, 0, res, o, (uint32_t)block, 0, 2,
				 u.vk, o->keep_key ? NULL : vk_new);
out:
	vk_free(u.vk);
	vk_free(vk_new);
	return r;
}
