// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Crypto backend selection and dispatch.
 *
 * Two tables of operations exist, one per library (crypto_openssl.c,
 * crypto_kcapi.c). crypt_backend_init() decides once which tables are
 * consulted and in which order; each *_init call below then asks them in
 * turn and keeps the first that has the algorithm (-ENOENT means "ask the
 * next one", any other error is final). The opaque types of the public
 * header are thin wrappers holding the chosen table and its private state.
 *
 * What does not depend on the library lives in backend_util.c: Argon2
 * (always libargon2), the AF_ALG probe, the RNG (getrandom), the memory
 * helpers and base64.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "crypto_backend.h"

#define NAME_MAX_LEN 64

struct crypt_hash {
	const struct crypt_backend_ops *ops;
	void *priv;
	size_t size;
};

struct crypt_hmac {
	const struct crypt_backend_ops *ops;
	void *priv;
	size_t size;
};

struct crypt_cipher {
	const struct crypt_backend_ops *ops;	/* NULL for cipher_null */
	void *priv;
	size_t block_size;
	size_t iv_size;
};

static struct {
	int initialised;
	enum crypt_backend_id id;
	const struct crypt_backend_ops *order[2];
	int count;
	char version[256];
} be;

int crypt_backend_parse(const char *name, enum crypt_backend_id *id)
{
	if (!name || !id)
		return -EINVAL;
	if (!strcmp(name, "auto"))
		*id = CRYPT_BACKEND_AUTO;
	else if (!strcmp(name, "kernel"))
		*id = CRYPT_BACKEND_KERNEL;
	else if (!strcmp(name, "user"))
		*id = CRYPT_BACKEND_USER;
	else
		return -EINVAL;
	return 0;
}

static void backend_set_version(enum crypt_backend_id id)
{
	char ossl[128], kc[64];

	crypt_openssl_ops.version(ossl, sizeof(ossl));
	crypt_kcapi_ops.version(kc, sizeof(kc));

	switch (id) {
	case CRYPT_BACKEND_USER:
		snprintf(be.version, sizeof(be.version), "user (%s)", ossl);
		break;
	case CRYPT_BACKEND_KERNEL:
		snprintf(be.version, sizeof(be.version), "kernel (%s)", kc);
		break;
	default:
		snprintf(be.version, sizeof(be.version), "auto (%s, %s%s)",
			 ossl, kc, be.count > 1 ? "" : ": no AF_ALG");
		break;
	}
}

/* At exit, with --debug: which implementation served each primitive. */
static void backend_report(void)
{
	char line[512];

	if (crypt_backend_usage(line, sizeof(line)) > 0)
		log_dbg("crypto backend %s served: %s", crypt_backend_label(), line);
}

void crypt_backend_report_at_exit(void)
{
	static int registered;

	if (!__atomic_exchange_n(&registered, 1, __ATOMIC_RELAXED))
		atexit(backend_report);
}

int crypt_backend_init(enum crypt_backend_id id)
{
	const struct crypt_backend_ops *order[2];
	int count = 0, r;

	switch (id) {
	case CRYPT_BACKEND_KERNEL:
		/* Asked for by name: no silent fallback to OpenSSL. */
		r = crypt_kcapi_ops.init();
		if (r < 0)
			return r;
		order[count++] = &crypt_kcapi_ops;
		break;
	case CRYPT_BACKEND_USER:
	case CRYPT_BACKEND_AUTO:
		r = crypt_openssl_ops.init();
		if (r < 0)
			return r;
		order[count++] = &crypt_openssl_ops;
		if (id == CRYPT_BACKEND_AUTO && crypt_kcapi_ops.init() == 0)
			order[count++] = &crypt_kcapi_ops;
		break;
	default:
		return -EINVAL;
	}

	memcpy(be.order, order, sizeof(order));
	be.count = count;
	be.id = id;
	be.initialised = 1;
	backend_set_version(id);
	crypt_backend_report_at_exit();
	return 0;
}

void crypt_backend_destroy(void)
{
	crypt_openssl_ops.destroy();
	crypt_kcapi_ops.destroy();
	memset(&be, 0, sizeof(be));
}

/* Library code may use crypto before any applet chose a backend. */
static int backend_ready(void)
{
	if (be.initialised)
		return 0;
	return crypt_backend_init(CRYPT_BACKEND_AUTO);
}

enum crypt_backend_id crypt_backend_selected(void)
{
	return be.id;
}

const char *crypt_backend_version(void)
{
	if (backend_ready() < 0)
		return "none (no usable crypto backend)";
	return be.version;
}

/* Algorithm and mode names: short, [A-Za-z0-9_-] only. */
static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= NAME_MAX_LEN)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

int crypt_hash_size(const char *name)
{
	int i, r;

	if (!name || !valid_name(name))
		return -EINVAL;
	r = backend_ready();
	if (r < 0)
		return r;

	r = -ENOENT;
	for (i = 0; i < be.count && r == -ENOENT; i++)
		r = be.order[i]->hash_size(name);
	return r;
}

/* First backend that has the hash; key != NULL asks for its HMAC. */
static int md_open(const struct crypt_backend_ops **ops, void **priv,
		   size_t *size, const char *name, const void *key,
		   size_t key_len)
{
	int i, r;

	r = backend_ready();
	if (r < 0)
		return r;

	r = -ENOENT;
	for (i = 0; i < be.count && r == -ENOENT; i++) {
		r = be.order[i]->hash_size(name);
		if (r < 0)
			continue;
		*size = (size_t)r;
		if (key)
			r = be.order[i]->hmac_init(priv, name, key, key_len);
		else
			r = be.order[i]->hash_init(priv, name);
		if (!r) {
			*ops = be.order[i];
			crypt_backend_count(key ? CRYPT_PRIM_HMAC : CRYPT_PRIM_HASH,
					    be.order[i]->name);
		}
	}
	return r;
}

int crypt_hash_init(struct crypt_hash **ctx, const char *name)
{
	struct crypt_hash *h;
	int r;

	if (!ctx)
		return -EINVAL;
	*ctx = NULL;
	if (!name || !valid_name(name))
		return -EINVAL;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	r = md_open(&h->ops, &h->priv, &h->size, name, NULL, 0);
	if (r < 0) {
		free(h);
		return r;
	}
	*ctx = h;
	return 0;
}

int crypt_hash_write(struct crypt_hash *ctx, const void *buf, size_t len)
{
	if (!ctx || (!buf && len))
		return -EINVAL;
	if (!len)
		return 0;
	return ctx->ops->hash_write(ctx->priv, buf, len);
}

int crypt_hash_final(struct crypt_hash *ctx, void *out, size_t len)
{
	if (!ctx || !out || !len || len > ctx->size)
		return -EINVAL;
	return ctx->ops->hash_final(ctx->priv, out, len);
}

void crypt_hash_destroy(struct crypt_hash *ctx)
{
	if (!ctx)
		return;
	ctx->ops->hash_destroy(ctx->priv);
	free(ctx);
}

int crypt_hash_once(const char *name, const void *buf, size_t len, void *out)
{
	struct crypt_hash *h;
	int r, size;

	size = crypt_hash_size(name);
	if (size < 0)
		return size;
	r = crypt_hash_init(&h, name);
	if (r < 0)
		return r;
	r = crypt_hash_write(h, buf, len);
	if (!r)
		r = crypt_hash_final(h, out, size);
	crypt_hash_destroy(h);
	return r;
}

int crypt_hmac_init(struct crypt_hmac **ctx, const char *name,
		    const void *key, size_t key_len)
{
	struct crypt_hmac *h;
	int r;

	if (!ctx)
		return -EINVAL;
	*ctx = NULL;
	if (!name || !valid_name(name) || (!key && key_len))
		return -EINVAL;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	/* An empty key is still a key: never pass NULL down. */
	r = md_open(&h->ops, &h->priv, &h->size, name, key ? key : "",
		    key_len);
	if (r < 0) {
		free(h);
		return r;
	}
	*ctx = h;
	return 0;
}

int crypt_hmac_write(struct crypt_hmac *ctx, const void *buf, size_t len)
{
	if (!ctx || (!buf && len))
		return -EINVAL;
	if (!len)
		return 0;
	return ctx->ops->hmac_write(ctx->priv, buf, len);
}

int crypt_hmac_final(struct crypt_hmac *ctx, void *out, size_t len)
{
	if (!ctx || !out || !len || len > ctx->size)
		return -EINVAL;
	return ctx->ops->hmac_final(ctx->priv, out, len);
}

void crypt_hmac_destroy(struct crypt_hmac *ctx)
{
	if (!ctx)
		return;
	ctx->ops->hmac_destroy(ctx->priv);
	free(ctx);
}

static int pbkdf2_dispatch(const char *hash, const void *password,
			   size_t password_len, const void *salt,
			   size_t salt_len, void *key, size_t key_len,
			   uint32_t iterations)
{
	int i, r;

	if (!hash || !valid_name(hash) || !iterations)
		return -EINVAL;
	r = backend_ready();
	if (r < 0)
		return r;

	r = -ENOENT;
	for (i = 0; i < be.count && r == -ENOENT; i++) {
		if (be.order[i]->hash_size(hash) < 0)
			continue;
		r = be.order[i]->pbkdf2(hash, password, password_len, salt,
					salt_len, key, key_len, iterations);
		if (!r)
			crypt_backend_count(CRYPT_PRIM_PBKDF2, be.order[i]->name);
	}
	return r;
}

int crypt_pbkdf(const char *kdf, const char *hash,
		const void *password, size_t password_len,
		const void *salt, size_t salt_len,
		void *key, size_t key_len,
		uint32_t iterations, uint32_t memory_kb, uint32_t parallel)
{
	int r;

	if (!kdf || !key || !key_len || (!password && password_len) ||
	    (!salt && salt_len))
		return -EINVAL;

	if (!strcmp(kdf, "pbkdf2"))
		return pbkdf2_dispatch(hash, password, password_len, salt,
				       salt_len, key, key_len, iterations);
	r = crypt_argon2(kdf, password, password_len, salt, salt_len, key,
			 key_len, iterations, memory_kb, parallel);
	if (!r)
		crypt_backend_count(CRYPT_PRIM_ARGON2, "libargon2");
	return r;
}

int crypt_cipher_init(struct crypt_cipher **ctx, const char *name,
		      const char *mode, const void *key, size_t key_len)
{
	const struct crypt_backend_ops *ops;
	struct crypt_cipher *c;
	int i, r;

	if (!ctx)
		return -EINVAL;
	*ctx = NULL;
	if (!name || !mode || !valid_name(name) ||
	    !valid_name(mode) || (!key && key_len))
		return -EINVAL;
	r = backend_ready();
	if (r < 0)
		return r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;

	if (!strcmp(name, "cipher_null")) {
		/* dm-crypt's "cipher_null-ecb": data passes unchanged. */
		if (strcmp(mode, "ecb")) {
			free(c);
			return -ENOENT;
		}
		c->block_size = 1;
		crypt_backend_count(CRYPT_PRIM_CIPHER, "copy");
		*ctx = c;
		return 0;
	}

	r = -ENOENT;
	for (i = 0; i < be.count && r == -ENOENT; i++) {
		ops = be.order[i];
		r = ops->cipher_init(&c->priv, name, mode, key, key_len,
				     &c->block_size, &c->iv_size);
		if (!r)
			c->ops = ops;
	}
	if (!r && !c->block_size) {
		c->ops->cipher_destroy(c->priv);
		r = -EINVAL;
	}
	if (r < 0) {
		free(c);
		return r;
	}
	crypt_backend_count(CRYPT_PRIM_CIPHER, c->ops->name);
	*ctx = c;
	return 0;
}

static int cipher_args_ok(const struct crypt_cipher *ctx, const void *in,
			  const void *out, size_t len, const void *iv,
			  size_t iv_len)
{
	if (!ctx || !in || !out || !len || len % ctx->block_size)
		return 0;
	return iv_len == ctx->iv_size && (iv || !iv_len);
}

int crypt_cipher_encrypt(struct crypt_cipher *ctx, const void *in, void *out,
			 size_t len, const void *iv, size_t iv_len)
{
	if (!cipher_args_ok(ctx, in, out, len, iv, iv_len))
		return -EINVAL;
	if (!ctx->ops) {
		memmove(out, in, len);
		return 0;
	}
	return ctx->ops->cipher_encrypt(ctx->priv, in, out, len, iv, iv_len);
}

int crypt_cipher_decrypt(struct crypt_cipher *ctx, const void *in, void *out,
			 size_t len, const void *iv, size_t iv_len)
{
	if (!cipher_args_ok(ctx, in, out, len, iv, iv_len))
		return -EINVAL;
	if (!ctx->ops) {
		memmove(out, in, len);
		return 0;
	}
	return ctx->ops->cipher_decrypt(ctx->priv, in, out, len, iv, iv_len);
}

size_t crypt_cipher_blocksize(const struct crypt_cipher *ctx)
{
	return ctx ? ctx->block_size : 0;
}

size_t crypt_cipher_ivsize(const struct crypt_cipher *ctx)
{
	return ctx ? ctx->iv_size : 0;
}

const char *crypt_cipher_backend(const struct crypt_cipher *ctx)
{
	/* cipher_null is a copy in user space. */
	return ctx && ctx->ops ? ctx->ops->name : "user";
}

void crypt_cipher_destroy(struct crypt_cipher *ctx)
{
	if (!ctx)
		return;
	if (ctx->ops)
		ctx->ops->cipher_destroy(ctx->priv);
	free(ctx);
}
