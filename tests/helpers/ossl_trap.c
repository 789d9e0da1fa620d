/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only LD_PRELOAD library: counts the OpenSSL crypto calls a process
 * makes, so that a test can show that --crypto-backend kernel never uses
 * OpenSSL (tests/vm/kernel-e2e.test). Each interposed function counts one
 * call and then runs the real one (dlsym RTLD_NEXT): the run is unchanged.
 * Interposed: the fetches and the digest, MAC, KDF, cipher and RNG entry
 * points common/crypto_backend/crypto_openssl.c uses, and the one-shot and
 * legacy ones (EVP_Digest, HMAC, PKCS5_PBKDF2_HMAC, EVP_{En,De}crypt*).
 * OpenSSL_version() and provider loading are not crypto: not counted.
 *
 * Environment:
 *   OSSL_TRAP_LOG=F    at exit, when any call was counted, append one line
 *                      "PID NAME=COUNT..." to F (nothing when none was)
 *   OSSL_TRAP_ABORT=1  abort() at the first counted call instead
 */
#define _GNU_SOURCE
#define OPENSSL_SUPPRESS_DEPRECATED
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

enum {
	T_MD_FETCH, T_DIGEST_INIT2, T_DIGEST_INIT, T_DIGEST_UPDATE,
	T_DIGEST_FINAL, T_DIGEST, T_MAC_FETCH, T_MAC_INIT, T_MAC_UPDATE,
	T_KDF_FETCH, T_KDF_DERIVE, T_PBKDF2, T_HMAC, T_CIPHER_FETCH,
	T_CIPHER_INIT2, T_CIPHER_INIT, T_CIPHER_UPDATE, T_ENC_INIT,
	T_ENC_UPDATE, T_DEC_INIT, T_DEC_UPDATE, T_RAND, T_MAX
};

static const char *const names[T_MAX] = {
	"EVP_MD_fetch", "EVP_DigestInit_ex2", "EVP_DigestInit_ex",
	"EVP_DigestUpdate", "EVP_DigestFinal_ex", "EVP_Digest",
	"EVP_MAC_fetch", "EVP_MAC_init", "EVP_MAC_update", "EVP_KDF_fetch",
	"EVP_KDF_derive", "PKCS5_PBKDF2_HMAC", "HMAC", "EVP_CIPHER_fetch",
	"EVP_CipherInit_ex2", "EVP_CipherInit_ex", "EVP_CipherUpdate",
	"EVP_EncryptInit_ex", "EVP_EncryptUpdate", "EVP_DecryptInit_ex",
	"EVP_DecryptUpdate", "RAND_bytes",
};

static unsigned long counts[T_MAX];

/* Count call t and return the real function. */
static void *real(int t)
{
	static void *fn[T_MAX];
	const char *a = getenv("OSSL_TRAP_ABORT");

	__atomic_add_fetch(&counts[t], 1, __ATOMIC_RELAXED);
	if (a && !strcmp(a, "1")) {
		fprintf(stderr, "ossl_trap: %s called\n", names[t]);
		abort();
	}
	if (!fn[t])
		fn[t] = dlsym(RTLD_NEXT, names[t]);
	if (!fn[t])
		abort();
	return fn[t];
}

__attribute__((destructor)) static void ossl_trap_report(void)
{
	const char *path = getenv("OSSL_TRAP_LOG");
	char line[2048];
	size_t n;
	FILE *f;
	int i;

	if (!path || !*path)
		return;
	n = (size_t)snprintf(line, sizeof(line), "%ld", (long)getpid());
	for (i = 0; i < T_MAX && n < sizeof(line); i++)
		if (counts[i])
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%lu",
					      names[i], counts[i]);
	if (!strchr(line, '='))
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, "%s\n", line);
	fclose(f);
}

#define CALL(t, type, ...) (((type)real(t))(__VA_ARGS__))

EVP_MD *EVP_MD_fetch(OSSL_LIB_CTX *c, const char *a, const char *p)
{
	return CALL(T_MD_FETCH, EVP_MD *(*)(OSSL_LIB_CTX *, const char *, const char *), c, a, p);
}

int EVP_DigestInit_ex2(EVP_MD_CTX *c, const EVP_MD *t, const OSSL_PARAM p[])
{
	return CALL(T_DIGEST_INIT2, int (*)(EVP_MD_CTX *, const EVP_MD *, const OSSL_PARAM *),
		    c, t, p);
}

int EVP_DigestInit_ex(EVP_MD_CTX *c, const EVP_MD *t, ENGINE *e)
{
	return CALL(T_DIGEST_INIT, int (*)(EVP_MD_CTX *, const EVP_MD *, ENGINE *), c, t, e);
}

int EVP_DigestUpdate(EVP_MD_CTX *c, const void *d, size_t n)
{
	return CALL(T_DIGEST_UPDATE, int (*)(EVP_MD_CTX *, const void *, size_t), c, d, n);
}

int EVP_DigestFinal_ex(EVP_MD_CTX *c, unsigned char *md, unsigned int *s)
{
	return CALL(T_DIGEST_FINAL, int (*)(EVP_MD_CTX *, unsigned char *, unsigned int *),
		    c, md, s);
}

int EVP_Digest(const void *d, size_t n, unsigned char *md, unsigned int *s,
	       const EVP_MD *t, ENGINE *e)
{
	return CALL(T_DIGEST, int (*)(const void *, size_t, unsigned char *, unsigned int *,
				      const EVP_MD *, ENGINE *), d, n, md, s, t, e);
}

EVP_MAC *EVP_MAC_fetch(OSSL_LIB_CTX *c, const char *a, const char *p)
{
	return CALL(T_MAC_FETCH, EVP_MAC *(*)(OSSL_LIB_CTX *, const char *, const char *), c, a, p);
}

int EVP_MAC_init(EVP_MAC_CTX *c, const unsigned char *k, size_t n, const OSSL_PARAM p[])
{
	return CALL(T_MAC_INIT, int (*)(EVP_MAC_CTX *, const unsigned char *, size_t,
					const OSSL_PARAM *), c, k, n, p);
}

int EVP_MAC_update(EVP_MAC_CTX *c, const unsigned char *d, size_t n)
{
	return CALL(T_MAC_UPDATE, int (*)(EVP_MAC_CTX *, const unsigned char *, size_t), c, d, n);
}

EVP_KDF *EVP_KDF_fetch(OSSL_LIB_CTX *c, const char *a, const char *p)
{
	return CALL(T_KDF_FETCH, EVP_KDF *(*)(OSSL_LIB_CTX *, const char *, const char *), c, a, p);
}

int EVP_KDF_derive(EVP_KDF_CTX *c, unsigned char *k, size_t n, const OSSL_PARAM p[])
{
	return CALL(T_KDF_DERIVE, int (*)(EVP_KDF_CTX *, unsigned char *, size_t,
					  const OSSL_PARAM *), c, k, n, p);
}

int PKCS5_PBKDF2_HMAC(const char *pw, int pwn, const unsigned char *s, int sn, int it,
		      const EVP_MD *md, int kn, unsigned char *out)
{
	return CALL(T_PBKDF2, int (*)(const char *, int, const unsigned char *, int, int,
				      const EVP_MD *, int, unsigned char *),
		    pw, pwn, s, sn, it, md, kn, out);
}

unsigned char *HMAC(const EVP_MD *md, const void *k, int kn, const unsigned char *d,
		    size_t n, unsigned char *out, unsigned int *outn)
{
	return CALL(T_HMAC, unsigned char *(*)(const EVP_MD *, const void *, int,
					       const unsigned char *, size_t, unsigned char *,
					       unsigned int *), md, k, kn, d, n, out, outn);
}

EVP_CIPHER *EVP_CIPHER_fetch(OSSL_LIB_CTX *c, const char *a, const char *p)
{
	return CALL(T_CIPHER_FETCH, EVP_CIPHER *(*)(OSSL_LIB_CTX *, const char *, const char *),
		    c, a, p);
}

int EVP_CipherInit_ex2(EVP_CIPHER_CTX *c, const EVP_CIPHER *t, const unsigned char *k,
		       const unsigned char *iv, int enc, const OSSL_PARAM p[])
{
	return CALL(T_CIPHER_INIT2, int (*)(EVP_CIPHER_CTX *, const EVP_CIPHER *,
					    const unsigned char *, const unsigned char *, int,
					    const OSSL_PARAM *), c, t, k, iv, enc, p);
}

int EVP_CipherInit_ex(EVP_CIPHER_CTX *c, const EVP_CIPHER *t, ENGINE *e,
		      const unsigned char *k, const unsigned char *iv, int enc)
{
	return CALL(T_CIPHER_INIT, int (*)(EVP_CIPHER_CTX *, const EVP_CIPHER *, ENGINE *,
					   const unsigned char *, const unsigned char *, int),
		    c, t, e, k, iv, enc);
}

typedef int (*update_fn)(EVP_CIPHER_CTX *, unsigned char *, int *, const unsigned char *, int);
typedef int (*init_fn)(EVP_CIPHER_CTX *, const EVP_CIPHER *, ENGINE *,
		       const unsigned char *, const unsigned char *);

int EVP_CipherUpdate(EVP_CIPHER_CTX *c, unsigned char *o, int *on, const unsigned char *i, int n)
{
	return CALL(T_CIPHER_UPDATE, update_fn, c, o, on, i, n);
}

int EVP_EncryptInit_ex(EVP_CIPHER_CTX *c, const EVP_CIPHER *t, ENGINE *e,
		       const unsigned char *k, const unsigned char *iv)
{
	return CALL(T_ENC_INIT, init_fn, c, t, e, k, iv);
}

int EVP_EncryptUpdate(EVP_CIPHER_CTX *c, unsigned char *o, int *on, const unsigned char *i, int n)
{
	return CALL(T_ENC_UPDATE, update_fn, c, o, on, i, n);
}

int EVP_DecryptInit_ex(EVP_CIPHER_CTX *c, const EVP_CIPHER *t, ENGINE *e,
		       const unsigned char *k, const unsigned char *iv)
{
	return CALL(T_DEC_INIT, init_fn, c, t, e, k, iv);
}

int EVP_DecryptUpdate(EVP_CIPHER_CTX *c, unsigned char *o, int *on, const unsigned char *i, int n)
{
	return CALL(T_DEC_UPDATE, update_fn, c, o, on, i, n);
}

int RAND_bytes(unsigned char *buf, int n)
{
	return CALL(T_RAND, int (*)(unsigned char *, int), buf, n);
}
