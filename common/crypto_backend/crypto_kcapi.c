// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "kernel" backend: the Linux kernel crypto API through AF_ALG, by way of
 * libkcapi. Ciphers are named as the kernel knows them, "mode(cipher)"
 * ("xts(aes)"); the key is set once per handle and each call passes one
 * sector with its IV.
 *
 * Setting up a handle is the expensive part (socket, bind, a netlink query
 * of the algorithm, accept): about 0.35 ms in the VM tier's emulated CPU
 * against a few microseconds for a short hash. luks2/af.c opens one hash
 * per 32-64 bytes of a 4000-stripe key, so unkeyed hash handles whose
 * message is complete go back to a small cache (kc_pool) and are reused
 * for the next hash of the same algorithm. Keyed (HMAC) handles hold a
 * secret and are always closed.
 *
 * Errors: libkcapi hands back -errno of the socket calls. A kernel without
 * AF_ALG answers socket() with EAFNOSUPPORT, which becomes -ENOTSUP here;
 * a missing algorithm fails bind() with ENOENT, which is kept.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>
#include <kcapi.h>
#include <linux/if_alg.h>

#include "crypto_backend.h"

/* Below libkcapi's vmsplice threshold: one plain send() per chunk. */
#define KC_MD_CHUNK	16384
#define KC_MAX_DIGEST	64
/* Idle unkeyed hash handles kept for reuse (two sockets each). */
#define KC_POOL_SIZE	8

struct kc_hash_alg {
	const char *name;	/* cryptsetup's name */
	const char *kname;	/* the kernel's */
	int size;
};

static const struct kc_hash_alg kc_hashes[] = {
	{ "sha1",	 "sha1",	20 },
	{ "sha224",	 "sha224",	28 },
	{ "sha256",	 "sha256",	32 },
	{ "sha384",	 "sha384",	48 },
	{ "sha512",	 "sha512",	64 },
	{ "ripemd160",	 "rmd160",	20 },
	{ "whirlpool",	 "wp512",	64 },
	{ "sha3-224",	 "sha3-224",	28 },
	{ "sha3-256",	 "sha3-256",	32 },
	{ "sha3-384",	 "sha3-384",	48 },
	{ "sha3-512",	 "sha3-512",	64 },
	{ "sm3",	 "sm3",		32 },
	{ "stribog256",	 "streebog256",	32 },
	{ "stribog512",	 "streebog512",	64 },
	{ "blake2b-256", "blake2b-256",	32 },
	{ "blake2b-512", "blake2b-512",	64 },
	{ "blake2s-256", "blake2s-256",	32 },
};

struct kc_md {
	struct kcapi_handle *h;
	const struct kc_hash_alg *alg;
	int size;
	int keyed;
	int pending;	/* data written since the last final */
};

static struct {
	pthread_mutex_t lock;
	struct kc_md *idle[KC_POOL_SIZE];
	int count;
} kc_pool = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const struct kc_hash_alg *kc_hash_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kc_hashes) / sizeof(kc_hashes[0]); i++)
		if (!strcasecmp(kc_hashes[i].name, name))
			return &kc_hashes[i];
	return NULL;
}

static int kc_err(long r)
{
	if (r == -EAFNOSUPPORT || r == -EOPNOTSUPP || r == -EPROTONOSUPPORT)
		return -ENOTSUP;
	/* A bare -1 is a failed call libkcapi did not turn into -errno. */
	if (r == -1 || r >= 0)
		return -EIO;
	return (int)r;
}

static int kc_init(void)
{
	if (!crypt_backend_kernel_available())
		return -ENOTSUP;
	/* The library must not print; we return codes instead. */
	kcapi_set_verbosity(KCAPI_LOG_NONE);
	return 0;
}

/* An idle handle for alg from the pool, or NULL. */
static struct kc_md *kc_pool_take(const struct kc_hash_alg *alg)
{
	struct kc_md *m = NULL;
	int i;

	pthread_mutex_lock(&kc_pool.lock);
	for (i = kc_pool.count - 1; i >= 0; i--) {
		if (kc_pool.idle[i]->alg != alg)
			continue;
		m = kc_pool.idle[i];
		kc_pool.idle[i] = kc_pool.idle[--kc_pool.count];
		break;
	}
	pthread_mutex_unlock(&kc_pool.lock);
	return m;
}

/* 1 when the pool took m, 0 when it is full. */
static int kc_pool_put(struct kc_md *m)
{
	int r = 0;

	pthread_mutex_lock(&kc_pool.lock);
	if (kc_pool.count < KC_POOL_SIZE) {
		kc_pool.idle[kc_pool.count++] = m;
		r = 1;
	}
	pthread_mutex_unlock(&kc_pool.lock);
	return r;
}

static void kc_destroy(void)
{
	pthread_mutex_lock(&kc_pool.lock);
	while (kc_pool.count) {
		struct kc_md *m = kc_pool.idle[--kc_pool.count];

		kcapi_md_destroy(m->h);
		free(m);
	}
	pthread_mutex_unlock(&kc_pool.lock);
}

static void kc_version(char *buf, size_t size)
{
	char v[64];

	kcapi_versionstring(v, sizeof(v));
	snprintf(buf, size, "%s", v);
}

static int kc_hash_size(const char *name)
{
	const struct kc_hash_alg *alg = kc_hash_find(name);

	return alg ? alg->size : -ENOENT;
}

static void kc_md_destroy(void *priv)
{
	struct kc_md *m = priv;

	if (!m)
		return;
	/* A complete message leaves an unkeyed handle as good as new. */
	if (!m->keyed && !m->pending && kc_pool_put(m))
		return;
	kcapi_md_destroy(m->h);
	free(m);
}

static int kc_md_new(void **priv, const char *name, int keyed,
		     const void *key, size_t key_len)
{
	const struct kc_hash_alg *alg = kc_hash_find(name);
	char kname[80];
	struct kc_md *m;
	int r;

	if (!alg)
		return -ENOENT;
	if (key_len > UINT32_MAX)
		return -EINVAL;
	if (!keyed) {
		m = kc_pool_take(alg);
		if (m) {
			*priv = m;
			return 0;
		}
	}
	if (keyed)
		snprintf(kname, sizeof(kname), "hmac(%s)", alg->kname);
	else
		snprintf(kname, sizeof(kname), "%s", alg->kname);

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->alg = alg;
	m->size = alg->size;
	m->keyed = keyed;
	r = kcapi_md_init(&m->h, kname, 0);
	if (r < 0) {
		free(m);
		return kc_err(r);
	}
	if (keyed) {
		r = kcapi_md_setkey(m->h, key, (uint32_t)key_len);
		if (r < 0) {
			kc_md_destroy(m);
			return -EINVAL;
		}
	}
	*priv = m;
	return 0;
}

static int kc_hash_init(void **priv, const char *name)
{
	return kc_md_new(priv, name, 0, NULL, 0);
}

static int kc_hmac_init(void **priv, const char *name, const void *key,
			size_t key_len)
{
	return kc_md_new(priv, name, 1, key, key_len);
}

static int kc_md_write(void *priv, const void *buf, size_t len)
{
	struct kc_md *m = priv;
	const uint8_t *p = buf;
	size_t n;
	ssize_t r;

	m->pending = 1;
	while (len) {
		n = len < KC_MD_CHUNK ? len : KC_MD_CHUNK;
		r = kcapi_md_update(m->h, p, n);
		if (r < 0)
			return kc_err(r);
		p += n;
		len -= n;
	}
	return 0;
}

static int kc_md_final(void *priv, void *out, size_t len)
{
	struct kc_md *m = priv;
	uint8_t tmp[KC_MAX_DIGEST];
	ssize_t r;

	/* The kernel starts a new message after this read. */
	r = kcapi_md_final(m->h, tmp, sizeof(tmp));
	if (r < 0 || (size_t)r < len || r != m->size) {
		kcapi_memset_secure(tmp, 0, sizeof(tmp));
		return r < 0 ? kc_err(r) : -EIO;
	}
	m->pending = 0;
	memcpy(out, tmp, len);
	kcapi_memset_secure(tmp, 0, sizeof(tmp));
	return 0;
}

/*
 * PBKDF2 (RFC 8018 section 5.2) over the kernel's hmac(HASH): the kernel
 * has no PBKDF2, so the loop is ours, as in cryptsetup's kernel backend
 * (lib/crypto_backend/crypto_kernel.c crypt_pbkdf() over pkcs5_pbkdf2() in
 * pbkdf2_generic.c). The password is set as the HMAC key once and one
 * operation socket is accepted once; each iteration is then one send()
 * without MSG_MORE (the kernel computes the whole HMAC there) and one
 * read() of the result: two system calls, no socket set-up.
 */
struct kc_prf {
	int tfm, op;
	size_t h;
};

static void kc_prf_close(struct kc_prf *p)
{
	if (p->op >= 0)
		close(p->op);
	if (p->tfm >= 0)
		close(p->tfm);
	p->op = p->tfm = -1;
}

static int kc_prf_open(struct kc_prf *p, const struct kc_hash_alg *alg,
		       const void *key, size_t key_len)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int r = 0;

	p->op = p->tfm = -1;
	p->h = (size_t)alg->size;
	memcpy(sa.salg_type, "hash", 5);
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "hmac(%s)",
		 alg->kname);
	p->tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (p->tfm < 0)
		return kc_err(-errno);
	/* A refused key is a bad parameter; anything else, the socket's. */
	if (bind(p->tfm, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		r = kc_err(-errno);
	else if (setsockopt(p->tfm, SOL_ALG, ALG_SET_KEY, key ? key : "",
			    (socklen_t)key_len) < 0)
		r = -EINVAL;
	else
		p->op = accept4(p->tfm, NULL, NULL, SOCK_CLOEXEC);
	if (!r && p->op < 0)
		r = kc_err(-errno);
	if (r < 0)
		kc_prf_close(p);
	return r;
}

/* out = HMAC(key, in): one message, two system calls. */
static int kc_prf(const struct kc_prf *p, const void *in, size_t len,
		  uint8_t *out)
{
	if (send(p->op, in, len, 0) != (ssize_t)len)
		return -EIO;
	return read(p->op, out, p->h) == (ssize_t)p->h ? 0 : -EIO;
}

/* T = U_1 ^ ... ^ U_c of block number blk (RFC 8018 function F). */
static int kc_pbkdf2_block(const struct kc_prf *p, uint8_t *first,
			   size_t salt_len, uint32_t blk, uint32_t iterations,
			   uint8_t *t)
{
	uint8_t u[KC_MAX_DIGEST];
	uint32_t n;
	size_t k;
	int r;

	first[salt_len] = (uint8_t)(blk >> 24);
	first[salt_len + 1] = (uint8_t)(blk >> 16);
	first[salt_len + 2] = (uint8_t)(blk >> 8);
	first[salt_len + 3] = (uint8_t)blk;
	r = kc_prf(p, first, salt_len + 4, u);
	memcpy(t, u, p->h);
	for (n = 1; n < iterations && !r; n++) {
		r = kc_prf(p, u, p->h, u);
		for (k = 0; k < p->h; k++)
			t[k] ^= u[k];
	}
	kcapi_memset_secure(u, 0, sizeof(u));
	return r;
}

static int kc_pbkdf2(const char *hash, const void *password,
		     size_t password_len, const void *salt, size_t salt_len,
		     void *key, size_t key_len, uint32_t iterations)
{
	const struct kc_hash_alg *alg = kc_hash_find(hash);
	uint8_t t[KC_MAX_DIGEST], *first, *out = key;
	struct kc_prf p;
	uint32_t blk;
	size_t n;
	int r;

	if (!alg)
		return -ENOENT;
	if (password_len > INT32_MAX || salt_len > INT32_MAX - 4 ||
	    key_len / (size_t)alg->size >= UINT32_MAX)
		return -EINVAL;
	first = malloc(salt_len + 4);
	if (!first)
		return -ENOMEM;
	if (salt_len)
		memcpy(first, salt, salt_len);
	r = kc_prf_open(&p, alg, password, password_len);
	for (blk = 1; !r && key_len; blk++) {
		r = kc_pbkdf2_block(&p, first, salt_len, blk, iterations, t);
		if (r < 0)
			break;
		n = key_len < p.h ? key_len : p.h;
		memcpy(out, t, n);
		out += n;
		key_len -= n;
	}
	kc_prf_close(&p);
	kcapi_memset_secure(t, 0, sizeof(t));
	kcapi_memset_secure(first, 0, salt_len + 4);
	free(first);
	if (r < 0)
		kcapi_memset_secure(key, 0, (size_t)(out - (uint8_t *)key) + key_len);
	return r;
}

static int kc_cipher_init(void **priv, const char *name, const char *mode,
			  const void *key, size_t key_len,
			  size_t *block_size, size_t *iv_size)
{
	struct kcapi_handle *h = NULL;
	char capi[160];
	int r;

	if (!key_len || key_len > UINT32_MAX)
		return -EINVAL;
	snprintf(capi, sizeof(capi), "%s(%s)", mode, name);
	r = kcapi_cipher_init(&h, capi, 0);
	if (r < 0)
		return kc_err(r);
	r = kcapi_cipher_setkey(h, key, (uint32_t)key_len);
	if (r < 0) {
		kcapi_cipher_destroy(h);
		return -EINVAL;
	}
	*block_size = kcapi_cipher_blocksize(h);
	*iv_size = kcapi_cipher_ivsize(h);
	*priv = h;
	return 0;
}

static int kc_cipher_encrypt(void *priv, const void *in, void *out,
			     size_t len, const void *iv, size_t iv_len)
{
	ssize_t r;

	(void)iv_len;
	r = kcapi_cipher_encrypt(priv, in, len, iv, out, len,
				 KCAPI_ACCESS_HEURISTIC);
	if (r < 0)
		return kc_err(r);
	return (size_t)r == len ? 0 : -EIO;
}

static int kc_cipher_decrypt(void *priv, const void *in, void *out,
			     size_t len, const void *iv, size_t iv_len)
{
	ssize_t r;

	(void)iv_len;
	r = kcapi_cipher_decrypt(priv, in, len, iv, out, len,
				 KCAPI_ACCESS_HEURISTIC);
	if (r < 0)
		return kc_err(r);
	return (size_t)r == len ? 0 : -EIO;
}

static void kc_cipher_destroy(void *priv)
{
	if (priv)
		kcapi_cipher_destroy(priv);
}

const struct crypt_backend_ops crypt_kcapi_ops = {
	.name		= "kernel",
	.init		= kc_init,
	.destroy	= kc_destroy,
	.version	= kc_version,
	.hash_size	= kc_hash_size,
	.hash_init	= kc_hash_init,
	.hash_write	= kc_md_write,
	.hash_final	= kc_md_final,
	.hash_destroy	= kc_md_destroy,
	.hmac_init	= kc_hmac_init,
	.hmac_write	= kc_md_write,
	.hmac_final	= kc_md_final,
	.hmac_destroy	= kc_md_destroy,
	.pbkdf2		= kc_pbkdf2,
	.cipher_init	= kc_cipher_init,
	.cipher_encrypt	= kc_cipher_encrypt,
	.cipher_decrypt	= kc_cipher_decrypt,
	.cipher_destroy	= kc_cipher_destroy,
};
