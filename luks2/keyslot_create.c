/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Creating and destroying luks2 keyslots (AF split, KDF, area write). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/crypto_backend/crypto_backend.h"
#include "common/io.h"
#include "common/log.h"
#include "common/size.h"
#include "luks2/json.h"
#include "luks2/luks2.h"

/* Argon2 time cost that takes about ms with the given memory/threads. */
static int argon2_benchmark(const char *type, uint32_t mem, uint32_t par,
			    uint32_t ms, uint32_t *t_cost)
{
	static const char salt[32];
	uint8_t out[32];
	double t0, el;
	int r;

	t0 = now_ms();
	r = crypt_pbkdf(type, NULL, "bench", 5, salt, sizeof(salt), out,
			sizeof(out), 4, mem, par);
	if (r < 0)
		return r;
	el = now_ms() - t0;
	*t_cost = el > 0 ? (uint32_t)(4.0 * ms / el) : 4;
	if (*t_cost < 4)
		*t_cost = 4;
	return 0;
}

int luks2_pbkdf_check(const struct luks2_pbkdf *p, char *why, size_t len)
{
	int pbkdf2 = p->type && !strcmp(p->type, "pbkdf2");
	uint32_t min = pbkdf2 ? 1000 : 4;

	if (!pbkdf2 && (!p->type || (strcmp(p->type, "argon2i") && strcmp(p->type, "argon2id"))))
		snprintf(why, len, "unknown PBKDF %s", p->type ? p->type : "(none)");
	else if (pbkdf2 && (!p->hash || crypt_hash_size(p->hash) <= 0))
		snprintf(why, len, "hash %s is not available", p->hash ? p->hash : "(none)");
	else if (p->iterations && p->iterations < min)
		snprintf(why, len, "PBKDF iterations too low for %s: %u (minimum %u)", p->type,
			 p->iterations, min);
	else if (!pbkdf2 && (p->memory_kb < 32 || p->memory_kb > 4194304))
		snprintf(why, len, "argon2 memory too low or too high: %u KiB (32 KiB to 4 GiB)",
			 p->memory_kb);
	else if (!pbkdf2 && !p->parallel)
		snprintf(why, len, "argon2 needs at least one thread");
	else
		return 0;
	return -EINVAL;
}

static struct json_object *make_kdf(const struct luks2_pbkdf *p, size_t key_len,
				    uint8_t *salt, int *r)
{
	struct json_object *kdf = json_object_new_object();
	uint32_t iter = p->iterations, ms = p->iter_time_ms ? p->iter_time_ms : 2000;

	*r = crypt_backend_rng(salt, LUKS2_SALT_LEN);
	ljson_set_str(kdf, "type", p->type);
	if (!strcmp(p->type, "pbkdf2")) {
		if (!iter && !*r)
			*r = luks2_pbkdf2_benchmark(p->hash, ms, key_len, &iter);
		ljson_set_str(kdf, "hash", p->hash);
		ljson_set_int(kdf, "iterations", iter);
	} else {
		if (!iter && !*r)
			*r = argon2_benchmark(p->type, p->memory_kb, p->parallel, ms, &iter);
		ljson_set_int(kdf, "time", iter);
		ljson_set_int(kdf, "memory", p->memory_kb);
		ljson_set_int(kdf, "cpus", p->parallel);
	}
	ljson_set_b64(kdf, "salt", salt, LUKS2_SALT_LEN);
	return kdf;
}

static struct json_object *make_keyslot(const struct volume_key *vk,
					struct json_object *kdf, const char *hash,
					uint64_t off, uint64_t size,
					const char *cipher, size_t area_key_len)
{
	struct json_object *ks = json_object_new_object();
	struct json_object *af = json_object_new_object();
	struct json_object *area = json_object_new_object();

	ljson_set_str(ks, "type", "luks2");
	ljson_set_int(ks, "key_size", vk->len);
	ljson_set_str(af, "type", "luks1");
	ljson_set_int(af, "stripes", LUKS2_STRIPES);
	ljson_set_str(af, "hash", hash);
	json_object_object_add(ks, "af", af);
	ljson_set_str(area, "type", "raw");
	ljson_set_u64(area, "offset", off);
	ljson_set_u64(area, "size", size);
	ljson_set_str(area, "encryption", cipher);
	ljson_set_int(area, "key_size", area_key_len);
	json_object_object_add(ks, "area", area);
	json_object_object_add(ks, "kdf", kdf);
	return ks;
}

int luks2_keyslot_create(struct luks2_dev *d, int keyslot, int digest,
			 const struct volume_key *vk, const char *pass,
			 size_t pass_len, const struct luks2_pbkdf *pbkdf,
			 const char *area_cipher, size_t area_key_len)
{
	const char *af_hash = pbkdf->hash ? pbkdf->hash : "sha256";
	size_t len = size_round_up(luks2_af_size(vk->len), 512);
	uint64_t area_size = size_round_up(luks2_af_size(vk->len), 4096), off, got;
	struct json_object *keyslots = ljson_get(d->hdr.jobj, "keyslots"), *kdf, *ks;
	struct crypt_storage *st = NULL;
	uint8_t salt[LUKS2_SALT_LEN], *dkey, *buf;
	char name[16], why[96];
	int r;

	if (keyslot < 0 || keyslot >= LUKS2_KEYSLOTS_MAX || ljson_get_id(keyslots, keyslot))
		return -EEXIST;
	r = luks2_pbkdf_check(pbkdf, why, sizeof(why));
	if (r < 0) {
		log_err("%s", why);
		return r;
	}
	r = luks2_area_find(&d->hdr, area_size, 0, &off, &got);
	if (r < 0) {
		log_err("no room for a new keyslot in the keyslots area");
		return r;
	}
	dkey = safe_alloc(area_key_len);
	buf = safe_alloc(area_size);
	if (!dkey || !buf) {
		r = -ENOMEM;
		goto out;
	}
	kdf = make_kdf(pbkdf, area_key_len, salt, &r);
	if (!r)
		r = luks2_af_split(vk->key, buf, vk->len, af_hash);
	if (!r)
		r = crypt_backend_rng(buf + luks2_af_size(vk->len),
				      area_size - luks2_af_size(vk->len));
	if (!r)
		r = luks2_kdf_derive(kdf, pass, pass_len, dkey, area_key_len);
	if (!r)
		r = crypt_storage_init(&st, 512, area_cipher, dkey, area_key_len);
	if (!r)
		r = crypt_storage_encrypt(st, 0, len, buf);
	if (!r)
		r = io_pwrite(d->hdr_fd, buf, area_size, off);
	if (!r)
		r = io_fsync(d->hdr_fd);
	if (r < 0) {
		json_object_put(kdf);
		goto out;
	}
	ks = make_keyslot(vk, kdf, af_hash, off, area_size, area_cipher, area_key_len);
	snprintf(name, sizeof(name), "%d", keyslot);
	json_object_object_add(keyslots, name, ks);
	r = luks2_digest_assign_keyslot(&d->hdr, digest, keyslot, 1);
out:
	crypt_storage_destroy(st);
	safe_free(dkey);
	safe_free(buf);
	return r;
}

int luks2_keyslots_room(struct luks2_hdr *hdr, int count, size_t key_len, uint64_t extra)
{
	struct json_object *keyslots = ljson_get(hdr->jobj, "keyslots"), *copy = NULL, *ks, *area;
	uint64_t len = size_round_up(luks2_af_size(key_len), 4096), off, got;
	struct luks2_hdr tmp = *hdr;
	char name[16];
	int r = 0;

	if (json_object_object_length(keyslots) + count + 1 > LUKS2_KEYSLOTS_MAX)
		return -ENOSPC;
	if (json_object_deep_copy(keyslots, &copy, NULL) < 0)
		return -ENOMEM;
	tmp.jobj = json_object_new_object();
	json_object_object_add(tmp.jobj, "config", json_object_get(ljson_get(hdr->jobj, "config")));
	json_object_object_add(tmp.jobj, "keyslots", copy);
	/* place them as luks2_keyslot_create and reenc_add_keyslot would */
	for (int i = 0; !r && i < count; i++) {
		r = luks2_area_find(&tmp, len, 0, &off, &got);
		if (r < 0)
			break;
		area = json_object_new_object();
		ljson_set_u64(area, "offset", off);
		ljson_set_u64(area, "size", len);
		ks = json_object_new_object();
		json_object_object_add(ks, "area", area);
		snprintf(name, sizeof(name), "new%d", i);
		json_object_object_add(copy, name, ks);
	}
	if (!r && extra)
		r = luks2_area_find(&tmp, extra, 1, &off, &got);
	json_object_put(tmp.jobj);
	return r;
}

int luks2_keyslot_destroy(struct luks2_dev *d, int keyslot)
{
	struct json_object *keyslots = ljson_get(d->hdr.jobj, "keyslots");
	struct json_object *ks = ljson_get_id(keyslots, keyslot);
	uint64_t off, size;
	char name[16];
	int digest, r;

	if (!ks)
		return -ENOENT;
	if (ljson_get_u64(ljson_get(ks, "area"), "offset", &off) < 0 ||
	    ljson_get_u64(ljson_get(ks, "area"), "size", &size) < 0 || size > LUKS2_MAX_KEYSLOTS_SIZE)
		return -EINVAL;
	r = luks2_wipe_random(d->hdr_fd, off, size);
	if (r < 0)
		return r;
	digest = luks2_digest_by_keyslot(&d->hdr, keyslot);
	if (digest >= 0)
		luks2_digest_assign_keyslot(&d->hdr, digest, keyslot, 0);
	luks2_tokens_keyslot(&d->hdr, keyslot, -1);
	snprintf(name, sizeof(name), "%d", keyslot);
	json_object_object_del(keyslots, name);
	return 0;
}

/* Tokens name keyslots: a copied keyslot joins them, a removed one leaves. */
void luks2_tokens_keyslot(struct luks2_hdr *hdr, int from, int to)
{
	char f[12], t[12];

	snprintf(f, sizeof(f), "%d", from);
	snprintf(t, sizeof(t), "%d", to);
	json_object_object_foreach(ljson_get(hdr->jobj, "tokens"), name, tok) {
		struct json_object *ks = ljson_get(tok, "keyslots");

		(void)name;
		if (!ljson_array_has_str(ks, f))
			continue;
		if (to >= 0)
			ljson_array_add_str(ks, t);
		else
			ljson_array_del_str(ks, f);
	}
}
