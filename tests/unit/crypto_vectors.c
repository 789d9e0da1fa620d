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

static ssize_t hex_decode(const char *hex, unsigned char *out, size_t size)
{
	size_t i, n = strlen(hex);

	if (n % 2 || n / 2 > size || strspn(hex, "0123456789abcdefABCDEF") != n)
		return -1;
	for (i = 0; i < n / 2; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
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

/* 0 when got matches the hex string, else fail() once with both. */
static int expect_hex(const char *name, const unsigned char *got, size_t n,
		      const char *hex)
{
	char buf[2 * TV_MAX + 1];
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", got[i]);
	buf[2 * n] = '\0';
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

/* Does the selection reach the kernel at all? */
static int kernel_reachable(void)
{
	return be_id != CRYPT_BACKEND_USER && crypt_backend_kernel_available();
}

static enum want cipher_want(const char *cipher)
{
	if (!strcmp(cipher, "aes") || !strcmp(cipher, "cipher_null"))
		return WANT_OK;
	return kernel_reachable() ? WANT_MAYBE : WANT_ENOENT;
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

/*
 * Each message twice on one context (final must leave it ready for the
 * next), long ones as many repetitions per write as fit in the buffer.
 */
static int hash_message(struct crypt_hash *h, const struct hash_tv *tv,
			unsigned char *buf, size_t len, size_t per)
{
	size_t left, n;
	int r = 0;

	for (left = tv->repeat; !r && left; left -= n) {
		n = left < per ? left : per;
		r = crypt_hash_write(h, buf, n * len);
	}
	return r;
}

static void run_hashes(void)
{
	unsigned char buf[CHUNK], out[64];
	const struct hash_tv *tv;
	struct crypt_hash *h;
	size_t i, k, len, per;
	int r, size, round;

	for (i = 0; i < ARRAY_SIZE(hash_tvs); i++) {
		tv = &hash_tvs[i];
		size = crypt_hash_size(tv->hash);
		if (!check_init(tv->name, hash_want(tv->hash), size))
			continue;
		r = crypt_hash_init(&h, tv->hash);
		if (!check_init(tv->name, WANT_OK, r))
			continue;
		len = (size_t)tv_bytes(tv->msg, buf, sizeof(buf));
		per = len ? sizeof(buf) / len : 1;
		if (per > tv->repeat)
			per = tv->repeat;
		for (k = 1; k < per; k++)
			memcpy(buf + k * len, buf, len);
		for (round = 0; round < 2 && !r; round++) {
			r = hash_message(h, tv, buf, len, per);
			if (!r)
				r = crypt_hash_final(h, out, (size_t)size);
			if (!r && expect_hex(tv->name, out, (size_t)size,
					     tv->digest))
				r = 1;
		}
		crypt_hash_destroy(h);
		if (r < 0)
			fail(tv->name, "%s", strerror(-r));
		else if (!r)
			pass(tv->name);
	}
}

static void run_hmacs(void)
{
	unsigned char key[TV_MAX], msg[TV_MAX], out[64];
	const struct hmac_tv *tv;
	struct crypt_hmac *h;
	char name[80];
	ssize_t klen, mlen;
	size_t i, outlen;
	int r, round;

	for (i = 0; i < ARRAY_SIZE(hmac_tvs); i++) {
		tv = &hmac_tvs[i];
		snprintf(name, sizeof(name), "hmac-%s", tv->name);
		klen = tv_bytes(tv->key, key, sizeof(key));
		mlen = tv_bytes(tv->msg, msg, sizeof(msg));
		outlen = strlen(tv->mac) / 2;
		r = crypt_hmac_init(&h, tv->hash, key, (size_t)klen);
		if (!check_init(name, hash_want(tv->hash), r))
			continue;
		/* Twice: the key must survive final. */
		for (round = 0; round < 2 && !r; round++) {
			r = crypt_hmac_write(h, msg, (size_t)mlen / 2);
			if (!r)
				r = crypt_hmac_write(h, msg + mlen / 2,
						     (size_t)(mlen - mlen / 2));
			if (!r)
				r = crypt_hmac_final(h, out, outlen);
			if (!r && expect_hex(name, out, outlen, tv->mac))
				r = 1;
		}
		crypt_hmac_destroy(h);
		if (r < 0)
			fail(name, "%s", strerror(-r));
		else if (!r)
			pass(name);
	}
}

static void run_kdfs(void)
{
	unsigned char pw[TV_MAX], salt[TV_MAX], out[TV_MAX];
	const struct kdf_tv *tv;
	ssize_t plen, slen;
	size_t i, klen;
	int r;

	for (i = 0; i < ARRAY_SIZE(kdf_tvs); i++) {
		tv = &kdf_tvs[i];
		plen = tv_bytes(tv->password, pw, sizeof(pw));
		slen = tv_bytes(tv->salt, salt, sizeof(salt));
		klen = strlen(tv->key) / 2;
		r = crypt_pbkdf(tv->kdf, tv->hash, pw, (size_t)plen, salt,
				(size_t)slen, out, klen, tv->iterations,
				tv->memory_kb, tv->parallel);
		if (r < 0)
			fail(tv->name, "%s", strerror(-r));
		else if (!expect_hex(tv->name, out, klen, tv->key))
			pass(tv->name);
	}
}

/* Which backend must serve a cipher, given the selection. */
static const char *cipher_owner(const char *cipher)
{
	if (be_id == CRYPT_BACKEND_KERNEL)
		return "kernel";
	if (be_id == CRYPT_BACKEND_USER || !strcmp(cipher, "aes"))
		return "user";
	return "kernel";
}

static int xts_equal_halves(const struct cipher_tv *tv,
			    const unsigned char *key, size_t len)
{
	return !strcmp(tv->mode, "xts") && !memcmp(key, key + len / 2, len / 2);
}

static void run_one_cipher(const struct cipher_tv *tv)
{
	unsigned char key[64], iv[16], pt[TV_MAX], ct[TV_MAX], out[TV_MAX];
	ssize_t klen, ivlen = 0, len;
	struct crypt_cipher *c;
	const char *owner;
	int r, refuse;

	klen = tv_bytes(tv->key, key, sizeof(key));
	if (tv->iv)
		ivlen = tv_bytes(tv->iv, iv, sizeof(iv));
	len = tv_bytes(tv->pt, pt, sizeof(pt));
	if (klen < 0 || ivlen < 0 || len < 0 ||
	    tv_bytes(tv->ct, ct, sizeof(ct)) != len) {
		fail(tv->name, "bad vector");
		return;
	}
	r = crypt_cipher_init(&c, tv->cipher, tv->mode, key, (size_t)klen);
	if (!check_init(tv->name, cipher_want(tv->cipher), r))
		return;

	owner = crypt_cipher_backend(c);
	if (strcmp(owner, cipher_owner(tv->cipher))) {
		fail(tv->name, "served by %s", owner);
		goto out;
	}
	if (crypt_cipher_ivsize(c) != (size_t)ivlen) {
		fail(tv->name, "iv size %zu, want %zd", crypt_cipher_ivsize(c),
		     ivlen);
		goto out;
	}
	/* OpenSSL 3 will not encrypt with equal XTS halves (vector 1). */
	refuse = !strcmp(owner, "user") &&
		 xts_equal_halves(tv, key, (size_t)klen);
	r = crypt_cipher_encrypt(c, pt, out, (size_t)len, tv->iv ? iv : NULL,
				 (size_t)ivlen);
	if (refuse && r != -EINVAL) {
		fail(tv->name, "encrypt with equal XTS key halves: %d", r);
		goto out;
	}
	if (!refuse && (r < 0 || memcmp(out, ct, (size_t)len))) {
		fail(tv->name, "encrypt: %s", r < 0 ? strerror(-r) : "mismatch");
		goto out;
	}
	/* Decrypt in place. */
	memcpy(out, ct, (size_t)len);
	r = crypt_cipher_decrypt(c, out, out, (size_t)len, tv->iv ? iv : NULL,
				 (size_t)ivlen);
	if (r < 0 || memcmp(out, pt, (size_t)len))
		fail(tv->name, "decrypt: %s", r < 0 ? strerror(-r) : "mismatch");
	else
		pass(tv->name);
out:
	crypt_cipher_destroy(c);
}

static void run_ciphers(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cipher_tvs); i++)
		run_one_cipher(&cipher_tvs[i]);
}

static void fill_pattern(unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 31 + (i >> 9) * 101 + 7);
}

static int storage_pass(struct crypt_storage *s, const struct storage_tv *tv,
			unsigned char *buf, int encrypt)
{
	/* Two calls, the second at the IV offset where the first ended. */
	size_t half = tv->length / tv->sector_size / 2 * tv->sector_size;
	uint64_t off2 = tv->iv_offset + half / 512;
	int (*fn)(struct crypt_storage *, uint64_t, size_t, void *);
	int r;

	fn = encrypt ? crypt_storage_encrypt : crypt_storage_decrypt;
	r = fn(s, tv->iv_offset, half, buf);
	if (!r)
		r = fn(s, off2, tv->length - half, buf + half);
	return r;
}

static void run_one_storage(const struct storage_tv *tv)
{
	unsigned char key[64], *buf = NULL, *pt = NULL, digest[32];
	char name[128], cipher[32], mode[64];
	struct crypt_storage *s = NULL;
	size_t i;
	int r;

	snprintf(name, sizeof(name), "storage-%s-key%zu-sector%zu@0x%llx",
		 tv->spec, tv->key_len * 8, tv->sector_size,
		 (unsigned long long)tv->iv_offset);
	if (crypt_parse_spec(tv->spec, cipher, sizeof(cipher), mode,
			     sizeof(mode)) < 0) {
		fail(name, "crypt_parse_spec failed");
		return;
	}
	for (i = 0; i < tv->key_len; i++)
		key[i] = (unsigned char)(0x10 + 7 * i);

	r = crypt_storage_init(&s, tv->sector_size, tv->spec, key, tv->key_len);
	if (!check_init(name, cipher_want(cipher), r))
		return;
	buf = malloc(tv->length);
	pt = malloc(tv->length);
	if (!buf || !pt) {
		fail(name, "out of memory");
		goto out;
	}
	fill_pattern(pt, tv->length);
	memcpy(buf, pt, tv->length);

	r = storage_pass(s, tv, buf, 1);
	if (!r)
		r = crypt_hash_once("sha256", buf, tv->length, digest);
	if (r < 0) {
		fail(name, "encrypt: %s", strerror(-r));
		goto out;
	}
	if (expect_hex(name, buf, 16, tv->ct_head) ||
	    expect_hex(name, digest, sizeof(digest), tv->ct_sha256))
		goto out;
	r = storage_pass(s, tv, buf, 0);
	if (r < 0 || memcmp(buf, pt, tv->length))
		fail(name, "decrypt: %s", r < 0 ? strerror(-r) : "mismatch");
	else
		pass(name);
out:
	crypt_storage_destroy(s);
	free(buf);
	free(pt);
}

static void run_storage(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(storage_tvs); i++)
		run_one_storage(&storage_tvs[i]);
}

static void check_rc(const char *name, int got, int want)
{
	if (got == want)
		pass(name);
	else
		fail(name, "returned %d (%s), want %d", got, strerror(-got),
		     want);
}

static void check_true(const char *name, int ok)
{
	if (ok)
		pass(name);
	else
		fail(name, "wrong result");
}

static const struct {
	const char *name, *spec;
	size_t sector_size, length;
	uint64_t iv_offset;
	int want;
} bad_storage[] = {
	{ "storage-unknown-iv", "aes-xts-benbi", 512, 512, 0, -ENOENT },
	{ "storage-ecb-with-iv", "aes-ecb-plain64", 512, 512, 0, -EINVAL },
	{ "storage-xts-without-iv", "aes-xts", 512, 512, 0, -EINVAL },
	{ "storage-partial-sector", "aes-xts-plain64", 4096, 4608, 0, -EINVAL },
	{ "storage-misaligned-iv", "aes-xts-plain64", 4096, 4096, 1, -EINVAL },
	{ "storage-sector-8192", "aes-xts-plain64", 8192, 8192, 0, -EINVAL },
};

/* The error contract of crypto_backend.h, and the small helpers. */
static void run_api(void)
{
	static unsigned char buf[8192];
	unsigned char a[64], b[64], key[64] = { 0 };
	struct crypt_storage *st;
	enum crypt_backend_id id;
	struct crypt_cipher *c;
	char ci[16], mo[32];
	size_t i;
	int r;

	r = crypt_parse_spec("aes-cbc-essiv:sha256", ci, sizeof(ci), mo,
			     sizeof(mo));
	check_true("parse-spec", !r && !strcmp(ci, "aes") &&
		   !strcmp(mo, "cbc-essiv:sha256"));
	r = crypt_parse_spec("cipher_null", ci, sizeof(ci), mo, sizeof(mo));
	check_true("parse-spec-null", !r && !strcmp(mo, "ecb"));
	check_rc("parse-spec-capi", crypt_parse_spec("capi:xts(aes)-plain64",
		 ci, sizeof(ci), mo, sizeof(mo)), -EINVAL);
	check_rc("parse-spec-too-long", crypt_parse_spec("aes-xts-plain64",
		 ci, sizeof(ci), mo, 4), -EINVAL);
	check_rc("backend-parse-bad", crypt_backend_parse("openssl", &id),
		 -EINVAL);
	check_rc("hash-unknown", crypt_hash_size("nohash"), -ENOENT);
	check_rc("kdf-unknown", crypt_pbkdf("scrypt", NULL, "p", 1,
		 "saltsalt", 8, a, 32, 1, 0, 0), -ENOENT);
	check_rc("argon2-no-memory", crypt_pbkdf("argon2id", NULL, "p", 1,
		 "saltsalt", 8, a, 32, 1, 0, 1), -EINVAL);
	check_rc("pbkdf2-no-iterations", crypt_pbkdf("pbkdf2", "sha256", "p",
		 1, "s", 1, a, 32, 0, 0, 0), -EINVAL);
	r = crypt_cipher_init(&c, "aes", "cbc", key, 20);
	check_rc("aes-key-160-bits", r, -EINVAL);
	crypt_cipher_destroy(c);
	/* 2 x AES-192 XTS: the kernel has it, OpenSSL does not. */
	r = crypt_cipher_init(&c, "aes", "xts", key, 48);
	check_rc("aes-xts-key-384-bits", r, kernel_reachable() ? 0 : -ENOENT);
	crypt_cipher_destroy(c);

	for (i = 0; i < ARRAY_SIZE(bad_storage); i++) {
		r = crypt_storage_init(&st, bad_storage[i].sector_size,
				       bad_storage[i].spec, key, sizeof(key));
		if (!r) {
			r = crypt_storage_encrypt(st, bad_storage[i].iv_offset,
						  bad_storage[i].length, buf);
			crypt_storage_destroy(st);
		}
		check_rc(bad_storage[i].name, r, bad_storage[i].want);
	}

	memset(a, 0x5a, sizeof(a));
	memcpy(b, a, sizeof(b));
	r = crypt_backend_memeq(a, b, sizeof(a));
	b[63] ^= 1;
	check_true("memeq", !r && crypt_backend_memeq(a, b, sizeof(a)));
	crypt_backend_memzero(a, sizeof(a));
	memset(b, 0, sizeof(b));
	check_true("memzero", !memcmp(a, b, sizeof(a)));
	r = crypt_backend_rng(a, sizeof(a));
	if (!r)
		r = crypt_backend_rng(b, sizeof(b));
	check_true("rng", !r && memcmp(a, b, sizeof(a)));

	/* Kernel by name without AF_ALG: refused, selection unchanged. */
	if (!crypt_backend_kernel_available()) {
		check_rc("kernel-init-without-af-alg",
			 crypt_backend_init(CRYPT_BACKEND_KERNEL), -ENOTSUP);
		check_true("selection-kept", crypt_backend_selected() == be_id);
	}
}

static void run_backend(enum crypt_backend_id id, const char *name,
			int explicit)
{
	int r;

	be_id = id;
	be_name = name;
	r = crypt_backend_init(id);
	if (r == -ENOTSUP && id == CRYPT_BACKEND_KERNEL &&
	    !crypt_backend_kernel_available()) {
		if (explicit)
			printf("SKIP: crypto_vectors: kernel: AF_ALG not "
			       "available on this machine (socket(AF_ALG) "
			       "fails); --crypto-backend kernel cannot be "
			       "tested here\n");
		else
			printf("SKIP: crypto_vectors: kernel: AF_ALG not "
			       "available\n");
		n_skip++;
		return;
	}
	if (r < 0) {
		fail("init", "crypt_backend_init: %s", strerror(-r));
		return;
	}
	printf("crypto_vectors: %s: %s\n", name, crypt_backend_version());
	run_api();
	run_hashes();
	run_hmacs();
	run_kdfs();
	run_ciphers();
	run_storage();
}

int main(int argc, char **argv)
{
	enum crypt_backend_id id;
	const char *arg = NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--crypto-backend"))
		arg = argv[2];
	else if (argc == 2 && !strncmp(argv[1], "--crypto-backend=", 17))
		arg = argv[1] + 17;
	if (argc > 1 && (!arg || crypt_backend_parse(arg, &id) < 0)) {
		fprintf(stderr, "usage: crypto_vectors "
			"[--crypto-backend auto|user|kernel]\n");
		return 1;
	}

	if (arg) {
		run_backend(id, arg, 1);
	} else {
		run_backend(CRYPT_BACKEND_USER, "user", 0);
		run_backend(CRYPT_BACKEND_KERNEL, "kernel", 0);
	}
	crypt_backend_destroy();

	if (n_fail)
		return 1;
	return n_pass ? 0 : 77;
}
