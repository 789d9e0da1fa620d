/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reenc_init, mode reencrypt: a new volume key (or cipher, key size, sector
 * size) for a LUKS2 device, in one metadata commit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"

struct unlocked {
	int ks[LUKS2_KEYSLOTS_MAX], pass_of[LUKS2_KEYSLOTS_MAX], n;
	const struct json_object *kdf[LUKS2_KEYSLOTS_MAX];
	struct volume_key *vk;
};

/* The new segment's parameters. */
struct target {
	struct luks2_segment s0;	/* the old one */
	const char *cipher;
	size_t key_len;
	uint32_t sector;
	uint64_t block;
};

/* Try every passphrase on every keyslot of the data key. */
static int unlock_all(struct luks2_dev *d, int digest, int only,
		      const struct reenc_params *p, struct unlocked *u)
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
		for (int i = 0; i < p->npass; i++) {
			r = luks2_keyslot_unlock(d, id, p->pass[i].data, p->pass[i].len, &vk);
			if (r == -EPERM) {
				saw_perm = 1;
				continue;
			}
			if (r < 0)
				continue;
			u->ks[u->n] = id;
			u->pass_of[u->n] = i;
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
		log_err("no key available with %s", p->npass > 1 ? "these passphrases" : "this passphrase");
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
 * end: only when asked (keyslot N, cryptsetup's --key-slot way to say "keep
 * only this one", or REENC_INIT_REMOVE_OTHERS). Otherwise refuse, naming them.
 */
static int check_lost(struct luks2_dev *d, int digest, const struct unlocked *u,
		      const struct reenc_params *p)
{
	char list[LUKS2_KEYSLOTS_MAX * 4] = "";
	int id, n = 0;

	if (p->flags & (REENC_INIT_KEEP_KEY | REENC_INIT_REMOVE_OTHERS) || p->keyslot >= 0)
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

/* One encrypted data segment, no integrity, IV from sector 0. The IV rule:
 * the engine takes a hotzone's IV sector as its logical offset / 512
 * (luks2/reenc_par.c run_transform), right only when iv_tweak is 0. */
static int check_segment(struct luks2_dev *d, struct luks2_segment *s0)
{
	if (luks2_segment_count(&d->hdr) != 1 || luks2_segment_get(&d->hdr, 0, s0) < 0 ||
	    s0->type != SEG_CRYPT) {
		log_err("%s: expected one encrypted data segment", d->path);
		return -EINVAL;
	}
	if (ljson_get(ljson_get_id(ljson_get(d->hdr.jobj, "segments"), 0), "integrity")) {
		log_err("authenticated (integrity) segments cannot be reencrypted");
		return -ENOTSUP;
	}
	if (s0->iv_tweak) {
		log_err("segment 0 has iv_tweak %ju; only 0 is supported", (uintmax_t)s0->iv_tweak);
		return -ENOTSUP;
	}
	return 0;
}

/* The new cipher, key size and sector size; the checks before any unlock. */
static int plan_target(struct luks2_dev *d, const struct reenc_params *p, struct target *t)
{
	struct luks2_segment *s0 = &t->s0;
	int r = check_segment(d, s0);

	if (r < 0)
		return r;
	t->cipher = p->cipher ? p->cipher : s0->cipher;
	t->key_len = p->key_size ? p->key_size : strstr(t->cipher, "-xts-") ? 64 : 32;
	t->sector = p->sector_size ? p->sector_size : s0->sector_size;
	if (t->sector > s0->sector_size && !(p->flags & REENC_INIT_FORCE_OFFLINE)) {
		log_err("raising the encryption sector size offline can break the filesystem; "
			"add --force-offline-reencrypt if you are sure");
		return -EINVAL;
	}
	t->block = reenc_init_alignment(d->fd, s0->sector_size, t->sector);
	r = reenc_init_device_size(p, d->size > s0->offset ? d->size - s0->offset : 0, t->block);
	if (r < 0)
		return r;
	if (p->hotzone % t->block) {	/* cryptsetup: reencrypt_load_by_passphrase */
		log_err("--hotzone-size must be a multiple of the reencryption alignment "
			"(%ju bytes)", (uintmax_t)t->block);
		return -EINVAL;
	}
	return 0;
}

/* The checks that need the old key (its size) and the keyslots given. */
static int check_unlocked(struct luks2_dev *d, const struct reenc_params *p,
			  struct target *t, const struct unlocked *u)
{
	int keep = (p->flags & REENC_INIT_KEEP_KEY) != 0, r;

	if (!p->key_size && !strcmp(t->cipher, t->s0.cipher))
		t->key_len = u->vk->len;
	if (keep && t->key_len != u->vk->len) {
		log_err("--keep-key needs the key size of the current key (%zu bits)", u->vk->len * 8);
		return -EINVAL;
	}
	if (keep && !strcmp(t->cipher, t->s0.cipher) && t->sector == t->s0.sector_size) {
		log_err("--keep-key with the same cipher and sector size changes nothing");
		return -EINVAL;
	}
	r = reenc_init_cipher_check(t->cipher, t->key_len, t->sector);
	if (r < 0)
		return r;
	if (luks2_keyslots_room(&d->hdr, keep ? 0 : u->n, t->key_len, 4096) < 0) {
		log_err("no room in the keyslots area (or no free keyslot) for %d new keyslot%s "
			"and the reencryption area; the old keyslots stay until the end",
			keep ? 0 : u->n, u->n == 1 || keep ? "" : "s");
		return -EINVAL;
	}
	return 0;
}

/* A new volume key, its digest and a keyslot for every passphrase that
 * opened an old one. Returns the new digest. */
static int new_key(struct luks2_dev *d, const struct reenc_init_args *a,
		   const struct target *t, const struct unlocked *u, struct volume_key **vk)
{
	struct reenc_init_slots s = { u->pass_of, u->ks, u->kdf, u->n, t->s0.cipher, u->vk->len };
	int force = (a->p->flags & REENC_INIT_FORCE_ITERATIONS) != 0, digest, r;

	/* New keyslots are encrypted as cryptsetup does while the old segment
	 * is still the default one (lib/setup.c crypt_keyslot_get_encryption):
	 * the old cipher and key size, aes-xts-plain64/512 for cipher_null. */
	if (!strncmp(t->s0.cipher, "cipher_null", 11)) {
		s.cipher = "aes-xts-plain64";
		s.cipher_key_len = 64;
	}
	*vk = vk_alloc(t->key_len, NULL);
	r = *vk ? crypt_backend_rng((*vk)->key, t->key_len) : -ENOMEM;
	if (r < 0)
		return r;
	/* as cryptsetup: the digest hash is the PBKDF hash (--hash) */
	digest = luks2_digest_create(&d->hdr, (*vk)->key, t->key_len, a->pbkdf.hash,
				     force ? 1000 : 0);
	if (digest < 0)
		return digest;
	r = reenc_init_keyslots(d, digest, *vk, a, &s);
	return r < 0 ? r : digest;
}

/* Segment 0 stays; backup-previous is its copy, backup-final the new one. */
static void put_segments(struct luks2_dev *d, const struct reenc_params *p,
			 const struct target *t, int d_new)
{
	const struct luks2_segment *s0 = &t->s0;

	reenc_init_put_seg(&d->hdr, 1, reenc_init_dup_seg(&d->hdr, 0), "backup-previous");
	reenc_init_put_seg(&d->hdr, 2, reenc_json_crypt(s0->offset, 0, NULL, t->cipher,
							t->sector, 0), "backup-final");
	luks2_digest_assign_segment(&d->hdr, s0->digest, 1, 1);
	luks2_digest_assign_segment(&d->hdr, d_new, 2, 1);
	if (p->device_size)
		ljson_set_u64(ljson_get_id(ljson_get(d->hdr.jobj, "segments"), 0), "size",
			      p->device_size);
}

int reenc_init_reencrypt(struct luks2_dev *d, const struct reenc_init_args *a)
{
	const struct reenc_params *p = a->p;
	int keep = (p->flags & REENC_INIT_KEEP_KEY) != 0, d_new, r;
	struct reenc_init_plan pl = { REENC_MODE_REENCRYPT, 0, a->res, 0, 0, 2 };
	struct volume_key *vk_new = NULL;
	struct unlocked u = { 0 };
	struct target t;

	r = plan_target(d, p, &t);
	if (!r)
		r = unlock_all(d, t.s0.digest, p->keyslot, p, &u);
	if (r < 0)
		return r;
	r = check_lost(d, t.s0.digest, &u, p);
	if (!r)
		r = check_unlocked(d, p, &t, &u);
	/* online: NAME maps what the segments imply (--device-size applied),
	 * checked before new keyslots are written */
	if (!r && p->active_name) {
		if (p->device_size)
			ljson_set_u64(ljson_get_id(ljson_get(d->hdr.jobj, "segments"), 0), "size",
				      p->device_size);
		r = reenc_init_online_compare(d, p->active_name, t.s0.digest, u.vk);
	}
	if (r < 0)
		goto out;
	tell_plan(d, t.s0.digest, &u, keep);
	d_new = keep ? t.s0.digest : new_key(d, a, &t, &u, &vk_new);
	if (d_new < 0) {
		r = d_new;
		goto out;
	}
	put_segments(d, p, &t, d_new);
	pl.block = (uint32_t)t.block;
	r = reenc_init_finish(d, &pl, a, u.vk, keep ? NULL : vk_new);
out:
	vk_free(u.vk);
	vk_free(vk_new);
	return r;
}
