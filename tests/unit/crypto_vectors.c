// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Known-answer tests of the crypto backend (hashes, HMAC, PBKDF2, Argon2,
 * block ciphers, the sector storage layer) plus its error contract.
 *
 * usage: crypto_vectors [--crypto-backend auto|user|kernel]
 * Without the option: user, then kernel (SKIP when there is no AF_ALG).
 * Asked for kernel explicitly without AF_ALG: one SKIP line, exit 77.
 * Output: PASS/FAIL/SKIP lines; exit 0 all passed, 1 any failure,
 * 77 everything skipped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "common/crypto_backend/crypto_backend.h"
#include "crypto_vectors_data.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define TV_MAX		1024	/* largest byte string in the tables */
#define CHUNK		4096

static const char *be_name;
static enum crypt_backend_id be_id;
static int n_pass, n_fail, n_skip;

static void pass(const char *name)
{
	printf("PASS: crypto_vectors: %s: %s\n", be_name, name);
	n_pass++;
}

__attribute__((format(printf, 2, 3)))
static void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: crypto_vectors: %s: %s: ", be_name, name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	n_fail++;
}

static void skip(const char *name, const char *why)
{
	printf("SKIP: crypto_vectors: %s: %s: %s\n", be_name, name, why);
	n_skip++;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static ssize_t hex_decode(const char *hex, unsigned char *out, size_t size)
{
	size_t i, n = strlen(hex);

	if (n % 2 || n / 2 > size)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (ssize_t)(n / 2);
}

/* The byte notation described in crypto_vectors_data.h. */
static ssize_t tv_bytes(const char *s, unsigned char *out, size_t size)
{
	unsigned int byte;
	size_t i, n;

	if (!strncmp(s, "0x", 2))
		return hex_decode(s + 2, out, size);
	if (sscanf(s, "rep:%2x:%zu", &byte, &n) == 2) {
		if (n > size)
			return -1;
		memset(out, (int)byte, n);
		return (ssize_t)n;
	}
	if (sscanf(s, "seq:%zu", &n) == 1) {
		if (n > size)
			return -1;
		for (i = 0; i < n; i++)
			out[i] = (unsigned char)i;
		return (ssize_t)n;
	}
	n = strlen(s);
	if (n > size)
		return -1;
	memcpy(out, s, n);
	return (ssize_t)n;
}

static void to_hex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

/* 0 when got matches the hex string, else fail() once with both. */
static int expect_hex(const char *name, const unsigned char *got, size_t n,
		      const char *hex)
{
	char buf[2 * TV_MAX + 1];

	to_hex(got, n, buf);
	if (!strcmp(buf, hex))
		return 0;
	fail(name, "got %s, want %s", buf, hex);
	return -1;
}

/*
 * AES and SHA-2 every backend must have. The rest may be missing: OpenSSL
 * has no serpent/twofish (user must say -ENOENT, and so must auto without
 * AF_ALG); a kernel may lack a module (then SKIP).
 */
enum want { WANT_OK, WANT_ENOENT, WANT_MAYBE };

static enum want cipher_want(const char *cipher)
{
	if (!strcmp(cipher, "aes") || !strcmp(cipher, "cipher_null"))
		return WANT_OK;
	if (be_id == CRYPT_BACKEND_USER ||
	    (be_id == CRYPT_BACKEND_AUTO && !crypt_backend_kernel_available()))
		return WANT_ENOENT;
	return WANT_MAYBE;
}

static enum want hash_want(const char *hash)
{
	return strncmp(hash, "sha", 3) ? WANT_MAYBE : WANT_OK;
}

/* 1: go on with the vector; 0: handled (pass/skip/fail reported). */
static int check_init(const char *name, enum want want, int r)
{
	char buf[160];

	if (want == WANT_ENOENT) {
		snprintf(buf, sizeof(buf), "%s-enoent", name);
		if (r == -ENOENT)
			pass(buf);
		else
			fail(buf, "init returned %d, want -ENOENT", r);
		return 0;
	}
	if (r == -ENOENT && want == WANT_MAYBE) {
		skip(name, "algorithm not available in this backend");
		return 0;
	}
	if (r < 0) {
		fail(name, "init: %s", strerror(-r));
		return 0;
	}
	return 1;
}

static void run_hashes(void)
{
	unsigned char msg[CHUNK], out[64];
	const struct hash_tv *tv;
	struct crypt_hash *h;
	size_t i, len, per;
	int r, size;

	for (i = 0; i < ARRAY_SIZE(hash_tvs); i++) {
		tv = &hash_tvs[i];
		size = crypt_hash_size(tv->hash);
		if (!check_init(tv->name, hash_want(tv->hash), size))
			continue;
		r = crypt_hash_init(&h, tv->hash);
		if (!check_init(tv->name, WANT_OK, r))
			continue;
		/* Long messages go in chunks of whole repetitions. */
		len = (size_t)tv_bytes(tv->msg, msg, sizeof(msg));
		per = 1;
		while (len && per * 2 * len <= sizeof(msg) &&
		       per * 2 <= tv->repeat) {
			memcpy(msg + per * len, msg, per * len);
			per *= 2;
		}
		for (len *= per; tv->repeat / per && !r; len = len)
			r = crypt_hash_write(h, msg, len);
		(void)len;
		crypt_hash_destroy(h);
		(void)r;
	}
}
