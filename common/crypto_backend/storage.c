// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sector layer: encrypt a buffer of whole sectors the way dm-crypt does,
 * one cipher call per sector with an IV derived from the sector number.
 *
 * The sector number always counts 512-byte units, whatever the sector
 * size (LUKS2 never sets iv_large_sectors): sector k of a buffer starting
 * at iv_offset uses iv_offset + k * (sector_size / 512).
 *
 * IV generators (as dm-crypt defines them; the IV is the cipher's IV size,
 * zero-filled first):
 *   null       all zero
 *   plain      low 32 bits of the sector number, little endian, at byte 0
 *   plain64    64-bit sector number, little endian, at byte 0
 *   plain64be  64-bit sector number, big endian, in the last 8 bytes
 *   essiv:H    the plain64 IV encrypted in ECB mode with the same block
 *              cipher keyed by H(volume key) (key length = size of H)
 * ECB and cipher_null take no IV.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto_backend.h"

#define SECTOR_UNIT	512
#define SECTOR_MAX	4096
#define IV_MAX		32
#define SPEC_MAX	64
#define HASH_MAX	64

enum iv_gen {
	IV_NONE,
	IV_NULL,
	IV_PLAIN,
	IV_PLAIN64,
	IV_PLAIN64BE,
	IV_ESSIV,
};

struct crypt_storage {
	struct crypt_cipher *cipher;
	struct crypt_cipher *essiv;	/* IV_ESSIV only */
	enum iv_gen iv_gen;
	size_t iv_size;
	size_t sector_size;
	uint64_t iv_step;		/* 512-byte units per sector */
};

static int copy_field(char *dst, size_t size, const char *src, size_t len)
{
	if (!len || len >= size)
		return -EINVAL;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

int crypt_parse_spec(const char *spec, char *cipher, size_t cipher_size,
		     char *mode, size_t mode_size)
{
	const char *dash, *def;
	size_t n;
	int r;

	if (!spec || !cipher || !mode)
		return -EINVAL;
	/* Kernel crypto API syntax ("capi:xts(aes)-plain64") is not ours. */
	if (!strncmp(spec, "capi:", 5))
		return -EINVAL;
	n = strlen(spec);
	if (strspn(spec, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:") != n)
		return -EINVAL;

	dash = strchr(spec, '-');
	if (!dash) {
		/* A bare cipher name: dm-crypt's historical default mode. */
		r = copy_field(cipher, cipher_size, spec, n);
		if (r < 0)
			return r;
		def = !strcmp(spec, "cipher_null") ? "ecb" : "cbc-plain";
		return copy_field(mode, mode_size, def, strlen(def));
	}
	if (memchr(spec, ':', (size_t)(dash - spec)))
		return -EINVAL;	/* "aes:64-..." key count: not supported */
	r = copy_field(cipher, cipher_size, spec, (size_t)(dash - spec));
	if (r < 0)
		return r;
	return copy_field(mode, mode_size, dash + 1, strlen(dash + 1));
}

static int essiv_init(struct crypt_storage *s, const char *cipher,
		      const char *hash, const void *key, size_t key_len)
{
	unsigned char salt[HASH_MAX];
	int size, r;

	size = crypt_hash_size(hash);
	if (size < 0)
		return size;
	if ((size_t)size > sizeof(salt))
		return -EINVAL;

	r = crypt_hash_once(hash, key, key_len, salt);
	if (!r)
		r = crypt_cipher_init(&s->essiv, cipher, "ecb", salt,
				      (size_t)size);
	crypt_backend_memzero(salt, sizeof(salt));
	if (r < 0)
		return r;

	/* One ECB block must be exactly one IV. */
	if (crypt_cipher_blocksize(s->essiv) != s->iv_size)
		return -EINVAL;
	return 0;
}

static int iv_init(struct crypt_storage *s, const char *cipher,
		   const char *mode, const char *iv, const void *key,
		   size_t key_len)
{
	int no_iv = !strcmp(cipher, "cipher_null") || !strcasecmp(mode, "ecb");

	s->iv_size = crypt_cipher_ivsize(s->cipher);
	if (no_iv) {
		if (iv || s->iv_size)
			return -EINVAL;
		s->iv_gen = IV_NONE;
		return 0;
	}
	if (!iv || s->iv_size < sizeof(uint64_t) || s->iv_size > IV_MAX)
		return -EINVAL;

	if (!strcasecmp(iv, "null"))
		s->iv_gen = IV_NULL;
	else if (!strcasecmp(iv, "plain"))
		s->iv_gen = IV_PLAIN;
	else if (!strcasecmp(iv, "plain64"))
		s->iv_gen = IV_PLAIN64;
	else if (!strcasecmp(iv, "plain64be"))
		s->iv_gen = IV_PLAIN64BE;
	else if (!strncasecmp(iv, "essiv:", 6) && iv[6]) {
		s->iv_gen = IV_ESSIV;
		return essiv_init(s, cipher, iv + 6, key, key_len);
	} else
		return -ENOENT;
	return 0;
}

int crypt_storage_init(struct crypt_storage **ctx, size_t sector_size,
		       const char *spec, const void *key, size_t key_len)
{
	char cipher[SPEC_MAX], mode[SPEC_MAX], *iv;
	struct crypt_storage *s;
	int r;

	if (!ctx)
		return -EINVAL;
	*ctx = NULL;
	if (sector_size < SECTOR_UNIT || sector_size > SECTOR_MAX ||
	    (sector_size & (sector_size - 1)))
		return -EINVAL;
	r = crypt_parse_spec(spec, cipher, sizeof(cipher), mode, sizeof(mode));
	if (r < 0)
		return r;

	/* "xts-plain64" -> mode "xts", IV generator "plain64" */
	iv = strchr(mode, '-');
	if (iv)
		*iv++ = '\0';

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sector_size = sector_size;
	s->iv_step = sector_size / SECTOR_UNIT;

	r = crypt_cipher_init(&s->cipher, cipher, mode, key, key_len);
	if (!r)
		r = iv_init(s, cipher, mode, iv, key, key_len);
	if (!r && sector_size % crypt_cipher_blocksize(s->cipher))
		r = -EINVAL;
	if (r < 0) {
		crypt_storage_destroy(s);
		return r;
	}
	*ctx = s;
	return 0;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[7 - i] = (unsigned char)(v >> (8 * i));
}

static int iv_generate(const struct crypt_storage *s, uint64_t sector,
		       unsigned char *iv)
{
	memset(iv, 0, s->iv_size);

	switch (s->iv_gen) {
	case IV_NONE:
	case IV_NULL:
		break;
	case IV_PLAIN:
		put_le64(iv, sector & 0xffffffffULL);
		break;
	case IV_PLAIN64:
		put_le64(iv, sector);
		break;
	case IV_PLAIN64BE:
		put_be64(iv + s->iv_size - 8, sector);
		break;
	case IV_ESSIV:
		put_le64(iv, sector);
		return crypt_cipher_encrypt(s->essiv, iv, iv, s->iv_size,
					    NULL, 0);
	}
	return 0;
}

static int storage_run(struct crypt_storage *s, uint64_t iv_offset,
		       size_t length, void *buf, int encrypt)
{
	unsigned char iv[IV_MAX], *p = buf;
	uint64_t sector = iv_offset;
	size_t off;
	int r = 0;

	if (!s || (!buf && length) || length % s->sector_size)
		return -EINVAL;
	/* dm-crypt refuses IV offsets not aligned to the sector size. */
	if (iv_offset % s->iv_step)
		return -EINVAL;

	for (off = 0; off < length; off += s->sector_size) {
		r = iv_generate(s, sector, iv);
		if (r < 0)
			break;
		if (encrypt)
			r = crypt_cipher_encrypt(s->cipher, p + off, p + off,
						 s->sector_size,
						 s->iv_size ? iv : NULL,
						 s->iv_size);
		else
			r = crypt_cipher_decrypt(s->cipher, p + off, p + off,
						 s->sector_size,
						 s->iv_size ? iv : NULL,
						 s->iv_size);
		if (r < 0)
			break;
		sector += s->iv_step;
	}
	return r;
}

int crypt_storage_encrypt(struct crypt_storage *ctx, uint64_t iv_offset,
			  size_t length, void *buf)
{
	return storage_run(ctx, iv_offset, length, buf, 1);
}

int crypt_storage_decrypt(struct crypt_storage *ctx, uint64_t iv_offset,
			  size_t length, void *buf)
{
	return storage_run(ctx, iv_offset, length, buf, 0);
}

void crypt_storage_destroy(struct crypt_storage *ctx)
{
	if (!ctx)
		return;
	crypt_cipher_destroy(ctx->essiv);
	crypt_cipher_destroy(ctx->cipher);
	free(ctx);
}
