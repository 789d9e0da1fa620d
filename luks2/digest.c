/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pbkdf2 digests: which key belongs to which keyslots and segments
 * (doc/format.md §2.3). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/crypto_backend/crypto_backend.h"
#include "common/log.h"
#include "luks2/json.h"
#include "luks2/luks2.h"

#define DIGEST_MIN_ITER 1000

int luks2_digest_verify(struct luks2_hdr *hdr, int digest, const void *key,
			size_t key_len)
{
	struct json_object *d = ljson_get_id(ljson_get(hdr->jobj, "digests"), digest);
	uint8_t salt[LUKS2_SALT_LEN], want[64], got[64];
	const char *hash;
	uint32_t iter;
	int n, r;

	if (!d)
		return -ENOENT;
	if (strcmp(json_object_get_string(ljson_get(d, "type")), "pbkdf2"))
		return -ENOTSUP;
	hash = ljson_get_str(d, "hash");
	if (!hash || ljson_get_u32(d, "iterations", &iter) < 0 ||
	    ljson_get_b64(d, "salt", salt, sizeof(salt), LUKS2_SALT_LEN) < 0)
		return -EINVAL;
	n = ljson_get_b64(d, "digest", want, sizeof(want), 0);
	if (n <= 0)
		return -EINVAL;
	r = crypt_pbkdf("pbkdf2", hash, key, key_len, salt, sizeof(salt), got, n,
			iter, 0, 0);
	if (r < 0)
		return r;
	r = crypt_backend_memeq(got, want, n) ? -EPERM : 0;
	crypt_backend_memzero(got, sizeof(got));
	return r;
}

int luks2_pbkdf2_benchmark(const char *hash, uint32_t ms, size_t key_len,
			   uint32_t *iterations)
{
	static const char pw[] = "benchmark", salt[32] = { 0 };
	uint8_t out[128];
	uint32_t n = 1 << 12;
	double t0, el = 0;
	int r;

	if (key_len > sizeof(out))
		key_len = sizeof(out);
	for (;;) {
		t0 = now_ms();
		r = crypt_pbkdf("pbkdf2", hash, pw, sizeof(pw) - 1, salt, sizeof(salt),
				out, key_len, n, 0, 0);
		if (r < 0)
			return r;
		el = now_ms() - t0;
		if (el > 50 || n >= (1U << 30))
			break;
		n <<= 2;
	}
	if (el < 1)
		el = 1;
	*iterations = (uint32_t)((double)n * ms / el);
	if (*iterations < DIGEST_MIN_ITER)
		*iterations = DIGEST_MIN_ITER;
	return 0;
}

int luks2_digest_create(struct luks2_hdr *hdr, const void *key, size_t key_len,
			const char *hash, uint32_t iterations)
{
	struct json_object *digests = ljson_get(hdr->jobj, "digests"), *d;
	uint8_t salt[LUKS2_SALT_LEN], out[64];
	int id, n = crypt_hash_size(hash), r;
	char name[16];

	if (n <= 0 || n > 64)
		return -ENOENT;
	if (!iterations) {
		r = luks2_pbkdf2_benchmark(hash, 125, n, &iterations);
		if (r < 0)
			return r;
	}
	r = crypt_backend_rng(salt, sizeof(salt));
	if (!r)
		r = crypt_pbkdf("pbkdf2", hash, key, key_len, salt, sizeof(salt), out, n,
				iterations, 0, 0);
	if (r < 0)
		return r;
	id = ljson_free_id(digests);
	d = json_object_new_object();
	ljson_set_str(d, "type", "pbkdf2");
	json_object_object_add(d, "keyslots", json_object_new_array());
	json_object_object_add(d, "segments", json_object_new_array());
	ljson_set_str(d, "hash", hash);
	ljson_set_int(d, "iterations", iterations);
	ljson_set_b64(d, "salt", salt, sizeof(salt));
	ljson_set_b64(d, "digest", out, n);
	crypt_backend_memzero(out, sizeof(out));
	snprintf(name, sizeof(name), "%d", id);
	json_object_object_add(digests, name, d);
	return id;
}

/* The digest whose `what` array lists `id`, or -ENOENT. */
static int digest_by(struct luks2_hdr *hdr, const char *what, int id)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", id);
	json_object_object_foreach(ljson_get(hdr->jobj, "digests"), dname, d) {
		if (ljson_array_has_str(ljson_get(d, what), name))
			return ljson_id(dname);
	}
	return -ENOENT;
}

int luks2_digest_by_keyslot(struct luks2_hdr *hdr, int keyslot)
{
	return digest_by(hdr, "keyslots", keyslot);
}

int luks2_digest_by_segment(struct luks2_hdr *hdr, int segment)
{
	return digest_by(hdr, "segments", segment);
}

static int assign(struct luks2_hdr *hdr, const char *what, int digest, int id,
		  int on)
{
	struct json_object *d = ljson_get_id(ljson_get(hdr->jobj, "digests"), digest);
	char name[16];

	if (!d)
		return -ENOENT;
	snprintf(name, sizeof(name), "%d", id);
	return on ? ljson_array_add_str(ljson_get(d, what), name)
		  : ljson_array_del_str(ljson_get(d, what), name);
}

int luks2_digest_assign_keyslot(struct luks2_hdr *hdr, int digest, int keyslot,
				int on)
{
	return assign(hdr, "keyslots", digest, keyslot, on);
}

int luks2_digest_assign_segment(struct luks2_hdr *hdr, int digest, int segment,
				int on)
{
	return assign(hdr, "segments", digest, segment, on);
}
