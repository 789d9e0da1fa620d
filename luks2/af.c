/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LUKS anti-forensic information splitter (doc/format.md §2.2; cryptsetup
 * lib/luks1/af.c AF_split(), AF_merge()). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto_backend/crypto_backend.h"
#include "common/safemem.h"
#include "luks2/luks2.h"

size_t luks2_af_size(size_t key_len)
{
	return key_len * LUKS2_STRIPES;
}

/* Each digest-sized block i becomes H(be32(i) || block), the last one
 * truncated to what is left. */
static int diffuse(uint8_t *buf, size_t len, const char *hash)
{
	int hs = crypt_hash_size(hash), r = 0;
	uint8_t out[64];
	struct crypt_hash *h;
	uint32_t be;
	size_t i, blk;

	if (hs <= 0 || hs > 64)
		return -ENOENT;
	for (i = 0; i * hs < len && !r; i++) {
		blk = len - i * hs < (size_t)hs ? len - i * hs : (size_t)hs;
		be = htonl((uint32_t)i);
		r = crypt_hash_init(&h, hash);
		if (r < 0)
			break;
		r = crypt_hash_write(h, &be, sizeof(be));
		if (!r)
			r = crypt_hash_write(h, buf + i * hs, blk);
		if (!r)
			r = crypt_hash_final(h, out, hs);
		crypt_hash_destroy(h);
		if (!r)
			memcpy(buf + i * hs, out, blk);
	}
	crypt_backend_memzero(out, sizeof(out));
	return r;
}

static void xor_into(uint8_t *d, const uint8_t *s, size_t n)
{
	while (n--)
		*d++ ^= *s++;
}

int luks2_af_merge(const void *src, void *key, size_t key_len, const char *hash)
{
	const uint8_t *s = src;
	uint8_t *d = safe_alloc(key_len);
	int r = 0;

	if (!d)
		return -ENOMEM;
	for (int i = 0; i < LUKS2_STRIPES - 1 && !r; i++) {
		xor_into(d, s + (size_t)i * key_len, key_len);
		r = diffuse(d, key_len, hash);
	}
	if (!r) {
		memcpy(key, s + (size_t)(LUKS2_STRIPES - 1) * key_len, key_len);
		xor_into(key, d, key_len);
	}
	safe_free(d);
	return r;
}

int luks2_af_split(const void *key, void *dst, size_t key_len, const char *hash)
{
	uint8_t *s = dst;
	uint8_t *d = safe_alloc(key_len);
	int r;

	if (!d)
		return -ENOMEM;
	r = crypt_backend_rng(s, (size_t)(LUKS2_STRIPES - 1) * key_len);
	for (int i = 0; i < LUKS2_STRIPES - 1 && !r; i++) {
		xor_into(d, s + (size_t)i * key_len, key_len);
		r = diffuse(d, key_len, hash);
	}
	if (!r) {
		memcpy(s + (size_t)(LUKS2_STRIPES - 1) * key_len, key, key_len);
		xor_into(s + (size_t)(LUKS2_STRIPES - 1) * key_len, d, key_len);
	}
	safe_free(d);
	return r;
}
