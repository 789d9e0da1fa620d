/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2 keyslots: unlock (KDF, area decrypt, AF merge, digest check),
 * keyslot area allocation (doc/format.md §1.1, §2) and random wipes of
 * areas. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/crypto_backend/crypto_backend.h"
#include "common/io.h"
#include "common/log.h"
#include "common/size.h"
#include "luks2/json.h"
#include "luks2/luks2.h"

/* Bytes read/written for AF material: whole 512-byte sectors. */
static size_t af_sectors_bytes(size_t key_len)
{
	return size_round_up(luks2_af_size(key_len), 512);
}

int luks2_kdf_derive(struct json_object *kdf, const char *pass, size_t pass_len,
		     void *out, size_t out_len)
{
	const char *type = ljson_get_str(kdf, "type");
	uint8_t salt[LUKS2_SALT_LEN];
	uint32_t iter = 0, mem = 0, par = 0;

	if (!type || ljson_get_b64(kdf, "salt", salt, sizeof(salt), sizeof(salt)) < 0)
		return -EINVAL;
	if (!strcmp(type, "pbkdf2")) {
		if (ljson_get_u32(kdf, "iterations", &iter) < 0)
			return -EINVAL;
		return crypt_pbkdf(type, ljson_get_str(kdf, "hash"), pass, pass_len,
				   salt, sizeof(salt), out, out_len, iter, 0, 0);
	}
	if (strcmp(type, "argon2i") && strcmp(type, "argon2id"))
		return -ENOTSUP;
	if (ljson_get_u32(kdf, "time", &iter) < 0 ||
	    ljson_get_u32(kdf, "memory", &mem) < 0 ||
	    ljson_get_u32(kdf, "cpus", &par) < 0)
		return -EINVAL;
	return crypt_pbkdf(type, NULL, pass, pass_len, salt, sizeof(salt), out,
			   out_len, iter, mem, par);
}

int luks2_keyslot_unlock(struct luks2_dev *d, int keyslot, const char *pass,
			 size_t pass_len, struct volume_key **vkp)
{
	struct json_object *ks = ljson_get_id(ljson_get(d->hdr.jobj, "keyslots"), keyslot);
	struct json_object *area = ljson_get(ks, "area"), *af = ljson_get(ks, "af");
	struct crypt_storage *st = NULL;
	struct volume_key *vk = NULL;
	uint32_t key_len, area_key_len;
	uint64_t off;
	uint8_t *dkey = NULL, *buf = NULL;
	size_t len;
	int digest, r;

	if (!ks || strcmp(json_object_get_string(ljson_get(ks, "type")), "luks2"))
		return -ENOENT;
	digest = luks2_digest_by_keyslot(&d->hdr, keyslot);
	if (digest < 0)
		return -ENOENT;
	if (ljson_get_u32(ks, "key_size", &key_len) < 0 || !key_len ||
	    ljson_get_u32(area, "key_size", &area_key_len) < 0 ||
	    ljson_get_u64(area, "offset", &off) < 0)
		return -EINVAL;
	len = af_sectors_bytes(key_len);
	dkey = safe_alloc(area_key_len);
	buf = safe_alloc(len);
	vk = vk_alloc(key_len, NULL);
	if (!dkey || !buf || !vk) {
		r = -ENOMEM;
		goto out;
	}
	r = luks2_kdf_derive(ljson_get(ks, "kdf"), pass, pass_len, dkey, area_key_len);
	if (r < 0)
		goto out;
	r = io_pread(d->hdr_fd, buf, len, off);
	if (r < 0) {
		log_err("cannot read keyslot %d area: %s", keyslot, strerror(-r));
		goto out;
	}
	r = crypt_storage_init(&st, 512, ljson_get_str(area, "encryption"), dkey,
			       area_key_len);
	if (r == -ENOENT || r == -ENOTSUP)
		log_err("keyslot %d: cipher %s is not available in the %s crypto backend",
			keyslot, ljson_get_str(area, "encryption"),
			crypt_backend_label());
	if (!r)
		r = crypt_storage_decrypt(st, 0, len, buf);
	if (!r)
		r = luks2_af_merge(buf, vk->key, key_len, ljson_get_str(af, "hash"));
	if (!r)
		r = luks2_digest_verify(&d->hdr, digest, vk->key, key_len);
out:
	crypt_storage_destroy(st);
	safe_free(dkey);
	safe_free(buf);
	if (r < 0)
		vk_free(vk);
	else
		*vkp = vk;
	return r;
}

static int keyslot_priority(struct json_object *ks)
{
	uint32_t p;

	return ljson_get_u32(ks, "priority", &p) < 0 ? 1 : (int)p;
}

const char *luks2_kdf_unknown(struct json_object *ks)
{
	const char *t = ljson_get_str(ljson_get(ks, "kdf"), "type");

	if (t && (!strcmp(t, "pbkdf2") || !strcmp(t, "argon2i") || !strcmp(t, "argon2id")))
		return NULL;
	return t ? t : "";
}

/* A keyslot nobody can open: say so, as cryptsetup's "Keyslot open failed". */
static int kdf_refused(int keyslot, const char *type)
{
	char buf[40];

	log_err("keyslot open failed: keyslot %d has an unknown kdf type '%s'",
		keyslot, log_printable(buf, sizeof(buf), type));
	return -ENOTSUP;
}

int luks2_keyslot_open_digest(struct luks2_dev *d, int digest, int keyslot,
			      const char *pass, size_t pass_len,
			      struct volume_key **vk)
{
	struct json_object *keyslots = ljson_get(d->hdr.jobj, "keyslots");
	const char *unknown = NULL;
	int found = 0, r, id, unusable = -1;

	if (keyslot >= 0) {
		if (luks2_digest_by_keyslot(&d->hdr, keyslot) != digest)
			return -ENOENT;
		unknown = luks2_kdf_unknown(ljson_get_id(keyslots, keyslot));
		if (unknown)
			return kdf_refused(keyslot, unknown);
		r = luks2_keyslot_unlock(d, keyslot, pass, pass_len, vk);
		return r < 0 ? r : keyslot;
	}
	/* priority 2 (prefer) first, then 1 (normal); 0 (ignore) only by name.
	 * -EPERM only when a keyslot could have opened with another passphrase */
	for (int prio = 2; prio >= 1; prio--) {
		json_object_object_foreach(keyslots, name, ks) {
			id = ljson_id(name);
			if (keyslot_priority(ks) != prio ||
			    luks2_digest_by_keyslot(&d->hdr, id) != digest)
				continue;
			if (luks2_kdf_unknown(ks)) {
				if (unusable < 0)
					unusable = id;
				continue;
			}
			r = luks2_keyslot_unlock(d, id, pass, pass_len, vk);
			if (r == 0)
				return id;
			if (r != -EPERM && r != -ENOTSUP)
				return r;
			found |= r == -EPERM;
			if (r == -ENOTSUP && unusable < 0)
				unusable = id;
		}
	}
	if (found)
		return -EPERM;
	if (unusable >= 0) {
		unknown = luks2_kdf_unknown(ljson_get_id(keyslots, unusable));
		if (unknown)
			return kdf_refused(unusable, unknown);
		log_err("keyslot open failed: keyslot %d cannot be used here", unusable);
		return -ENOTSUP;
	}
	return -ENOENT;
}

struct area { uint64_t off, len; };

static int cmp_area(const void *a, const void *b)
{
	const struct area *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

int luks2_area_find(struct luks2_hdr *hdr, uint64_t len, int max_gap,
		    uint64_t *offset, uint64_t *size)
{
	struct area a[LUKS2_KEYSLOTS_MAX + 1];
	uint64_t pos = 2 * hdr->hdr_size, end = pos + luks2_keyslots_size(hdr);
	uint64_t best_off = 0, best_len = 0;
	int n = 0;

	json_object_object_foreach(ljson_get(hdr->jobj, "keyslots"), name, ks) {
		(void)name;
		if (n < LUKS2_KEYSLOTS_MAX &&
		    !ljson_get_u64(ljson_get(ks, "area"), "offset", &a[n].off) &&
		    !ljson_get_u64(ljson_get(ks, "area"), "size", &a[n].len))
			n++;
	}
	qsort(a, n, sizeof(a[0]), cmp_area);
	a[n].off = end;
	a[n].len = 0;
	for (int i = 0; i <= n; i++) {
		uint64_t gap = a[i].off > pos ? a[i].off - pos : 0;

		if (!max_gap && gap >= len) {
			*offset = pos;
			*size = len;
			return 0;
		}
		if (max_gap && gap > best_len) {
			best_off = pos;
			best_len = gap;
		}
		if (a[i].off + a[i].len > pos)
			pos = a[i].off + a[i].len;
	}
	if (!max_gap || best_len < len)
		return -ENOSPC;
	*offset = best_off;
	*size = best_len;
	return 0;
}

/* Random data, as cryptsetup's crypt_wipe_device(CRYPT_WIPE_RANDOM) writes
 * over keyslot areas and moved data; durable when this returns 0. */
int luks2_wipe_random(int fd, uint64_t off, uint64_t len)
{
	size_t chunk = len < (1 << 20) ? (size_t)len : 1 << 20;
	uint8_t *b = io_alloc(chunk);
	int r = b ? 0 : -ENOMEM;

	while (!r && len) {
		size_t n = len < chunk ? (size_t)len : chunk;

		r = crypt_backend_rng(b, n);
		if (!r)
			r = io_pwrite(fd, b, n, off);
		off += n;
		len -= n;
	}
	if (!r)
		r = io_fsync(fd);
	free(b);
	return r;
}
