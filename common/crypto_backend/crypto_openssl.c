// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "user" backend: OpenSSL 3 libcrypto.
 *
 * Everything is fetched from a private library context holding the
 * default provider and, when it loads, the legacy one (whirlpool lives
 * there). A private context also keeps us independent of whatever the
 * system openssl.cnf says.
 *
 * A cipher context keeps one EVP_CIPHER_CTX per direction with the key
 * schedule done once; each call only sets the IV of that sector.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "crypto_backend.h"

#define XTS_BLOCK_SIZE 16

static struct {
	OSSL_LIB_CTX *libctx;
	OSSL_PROVIDER *def;
	OSSL_PROVIDER *legacy;
} ossl;

struct ossl_hash {
	EVP_MD_CTX *ctx;
	EVP_MD *md;
};

struct ossl_hmac {
	EVP_MAC_CTX *ctx;
};

struct ossl_cipher {
	EVP_CIPHER_CTX *enc;	/* NULL when OpenSSL refuses this key to encrypt */
	EVP_CIPHER_CTX *dec;
};

static int ossl_init(void)
{
	if (ossl.libctx)
		return 0;

	ossl.libctx = OSSL_LIB_CTX_new();
	if (!ossl.libctx)
		return -ENOMEM;
	ossl.def = OSSL_PROVIDER_try_load(ossl.libctx, "default", 0);
	if (!ossl.def) {
		OSSL_LIB_CTX_free(ossl.libctx);
		ossl.libctx = NULL;
		ERR_clear_error();
		return -ENOTSUP;
	}
	/* Optional: without it whirlpool is simply -ENOENT. */
	ossl.legacy = OSSL_PROVIDER_try_load(ossl.libctx, "legacy", 0);
	ERR_clear_error();
	return 0;
}

static void ossl_destroy(void)
{
	if (ossl.legacy)
		OSSL_PROVIDER_unload(ossl.legacy);
	if (ossl.def)
		OSSL_PROVIDER_unload(ossl.def);
	OSSL_LIB_CTX_free(ossl.libctx);
	memset(&ossl, 0, sizeof(ossl));
}

static void ossl_version(char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", OpenSSL_version(OPENSSL_VERSION),
		 ossl.legacy ? " [legacy]" : "");
}

static EVP_MD *md_fetch(const char *name)
{
	EVP_MD *md;

	if (!ossl.libctx)
		return NULL;
	md = EVP_MD_fetch(ossl.libctx, name, NULL);
	if (!md) {
		ERR_clear_error();
		return NULL;
	}
	/* XOFs (shake*) have no fixed size: not a hash for us. */
	if (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) {
		EVP_MD_free(md);
		return NULL;
	}
	return md;
}

static int ossl_hash_size(const char *name)
{
	EVP_MD *md = md_fetch(name);
	int size;

	if (!md)
		return -ENOENT;
	size = EVP_MD_get_size(md);
	EVP_MD_free(md);
	return size > 0 ? size : -ENOENT;
}

static void ossl_hash_destroy(void *priv)
{
	struct ossl_hash *h = priv;

	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
}

static int ossl_hash_init(void **priv, const char *name)
{
	struct ossl_hash *h;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->md = md_fetch(name);
	if (!h->md) {
		free(h);
		return -ENOENT;
	}
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx) {
		ossl_hash_destroy(h);
		return -ENOMEM;
	}
	if (EVP_DigestInit_ex2(h->ctx, h->md, NULL) != 1) {
		ERR_clear_error();
		ossl_hash_destroy(h);
		return -EINVAL;
	}
	*priv = h;
	return 0;
}

static int ossl_hash_write(void *priv, const void *buf, size_t len)
{
	struct ossl_hash *h = priv;

	if (EVP_DigestUpdate(h->ctx, buf, len) != 1) {
		ERR_clear_error();
		return -EINVAL;
	}
	return 0;
}

static int ossl_hash_final(void *priv, void *out, size_t len)
{
	struct ossl_hash *h = priv;
	unsigned char tmp[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int r = 0;

	if (EVP_DigestFinal_ex(h->ctx, tmp, &n) != 1 || len > n)
		r = -EINVAL;
	else
		memcpy(out, tmp, len);
	OPENSSL_cleanse(tmp, sizeof(tmp));

	/* Ready for the next message. */
	if (EVP_DigestInit_ex2(h->ctx, h->md, NULL) != 1 && !r)
		r = -EINVAL;
	if (r)
		ERR_clear_error();
	return r;
}

static void ossl_hmac_destroy(void *priv)
{
	struct ossl_hmac *h = priv;

	if (!h)
		return;
	EVP_MAC_CTX_free(h->ctx);
	free(h);
}

static int ossl_hmac_init(void **priv, const char *name, const void *key,
			  size_t key_len)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)name, 0),
		OSSL_PARAM_construct_end()
	};
	struct ossl_hmac *h;
	EVP_MAC *mac;

	if (ossl_hash_size(name) < 0)
		return -ENOENT;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;

	mac = EVP_MAC_fetch(ossl.libctx, OSSL_MAC_NAME_HMAC, NULL);
	if (!mac) {
		ERR_clear_error();
		free(h);
		return -ENOENT;
	}
	h->ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (!h->ctx) {
		free(h);
		return -ENOMEM;
	}
	/* A non-NULL key even when empty: NULL means "keep the old key". */
	if (EVP_MAC_init(h->ctx, key ? key : (const void *)"", key_len,
			 params) != 1) {
		ERR_clear_error();
		ossl_hmac_destroy(h);
		return -EINVAL;
	}
	*priv = h;
	return 0;
}

static int ossl_hmac_write(void *priv, const void *buf, size_t len)
{
	struct ossl_hmac *h = priv;

	if (EVP_MAC_update(h->ctx, buf, len) != 1) {
		ERR_clear_error();
		return -EINVAL;
	}
	return 0;
}

static int ossl_hmac_final(void *priv, void *out, size_t len)
{
	struct ossl_hmac *h = priv;
	unsigned char tmp[EVP_MAX_MD_SIZE];
	size_t n = 0;
	int r = 0;

	if (EVP_MAC_final(h->ctx, tmp, &n, sizeof(tmp)) != 1 || len > n)
		r = -EINVAL;
	else
		memcpy(out, tmp, len);
	OPENSSL_cleanse(tmp, sizeof(tmp));

	/* Same key, next message. */
	if (EVP_MAC_init(h->ctx, NULL, 0, NULL) != 1 && !r)
		r = -EINVAL;
	if (r)
		ERR_clear_error();
	return r;
}

/*
 * EVP_KDF rather than PKCS5_PBKDF2_HMAC(): the latter fetches from the
 * default library context, which has no legacy provider (whirlpool).
 * OSSL_KDF_PARAM_PKCS5 = 1 turns off the SP 800-132 minimums (salt, key
 * and iteration sizes) that LUKS1-era headers and RFC 6070 do not meet.
 */
static int ossl_pbkdf2(const char *hash, const void *password,
		       size_t password_len, const void *salt, size_t salt_len,
		       void *key, size_t key_len, uint32_t iterations)
{
	unsigned int iter = iterations;
	int pkcs5 = 1;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
			password ? (void *)password : (void *)"", password_len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
			salt ? (void *)salt : (void *)"", salt_len),
		OSSL_PARAM_construct_uint(OSSL_KDF_PARAM_ITER, &iter),
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						 (char *)hash, 0),
		OSSL_PARAM_construct_int(OSSL_KDF_PARAM_PKCS5, &pkcs5),
		OSSL_PARAM_construct_end()
	};
	EVP_KDF_CTX *kctx;
	EVP_KDF *kdf;
	int r = 0;

	if (ossl_hash_size(hash) < 0)
		return -ENOENT;
	kdf = EVP_KDF_fetch(ossl.libctx, OSSL_KDF_NAME_PBKDF2, NULL);
	if (!kdf) {
		ERR_clear_error();
		return -ENOENT;
	}
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (!kctx)
		return -ENOMEM;
	if (EVP_KDF_derive(kctx, key, key_len, params) != 1) {
		ERR_clear_error();
		OPENSSL_cleanse(key, key_len);
		r = -EINVAL;
	}
	EVP_KDF_CTX_free(kctx);
	return r;
}

static EVP_CIPHER *cipher_fetch(const char *name, const char *mode,
				size_t key_bits)
{
	EVP_CIPHER *c;
	char alg[160];

	snprintf(alg, sizeof(alg), "%s-%zu-%s", name, key_bits, mode);
	c = EVP_CIPHER_fetch(ossl.libctx, alg, NULL);
	if (!c)
		ERR_clear_error();
	return c;
}

/*
 * Why did the fetch fail? The block cipher exists with this key size in
 * ECB but OpenSSL lacks the mode (AES-192-XTS, which the kernel has):
 * -ENOENT, so "auto" asks the kernel. The cipher exists only with other
 * key sizes: -EINVAL. Nothing by that name: -ENOENT.
 */
static int cipher_missing(const char *name, size_t key_bits)
{
	static const size_t bits[] = { 128, 192, 256 };
	EVP_CIPHER *c;
	size_t i;

	c = cipher_fetch(name, "ecb", key_bits);
	if (c) {
		EVP_CIPHER_free(c);
		return -ENOENT;
	}
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		c = cipher_fetch(name, "ecb", bits[i]);
		if (c) {
			EVP_CIPHER_free(c);
			return -EINVAL;
		}
	}
	return -ENOENT;
}

static int cipher_ctx_new(EVP_CIPHER_CTX **out, const EVP_CIPHER *c,
			  const void *key, int enc)
{
	EVP_CIPHER_CTX *ctx;

	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (EVP_CipherInit_ex2(ctx, c, key, NULL, enc, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
		ERR_clear_error();
		EVP_CIPHER_CTX_free(ctx);
		return -EINVAL;
	}
	*out = ctx;
	return 0;
}

static void ossl_cipher_destroy(void *priv)
{
	struct ossl_cipher *oc = priv;

	if (!oc)
		return;
	EVP_CIPHER_CTX_free(oc->enc);
	EVP_CIPHER_CTX_free(oc->dec);
	free(oc);
}

static int ossl_cipher_init(void **priv, const char *name, const char *mode,
			    const void *key, size_t key_len,
			    size_t *block_size, size_t *iv_size)
{
	struct ossl_cipher *oc;
	size_t key_bits;
	EVP_CIPHER *c;
	int xts, r;

	xts = !strcasecmp(mode, "xts");
	if (!xts && strcasecmp(mode, "cbc") && strcasecmp(mode, "ecb"))
		return -ENOENT;
	if (!key_len || (xts && key_len % 2))
		return -EINVAL;

	key_bits = key_len * 8 / (xts ? 2 : 1);
	c = cipher_fetch(name, mode, key_bits);
	if (!c)
		return cipher_missing(name, key_bits);
	if ((size_t)EVP_CIPHER_get_key_length(c) != key_len) {
		EVP_CIPHER_free(c);
		return -EINVAL;
	}

	oc = calloc(1, sizeof(*oc));
	if (!oc) {
		EVP_CIPHER_free(c);
		return -ENOMEM;
	}
	r = cipher_ctx_new(&oc->dec, c, key, 0);
	/*
	 * OpenSSL 3 refuses to encrypt with an XTS key whose two halves are
	 * equal, but still decrypts with it; keep decryption usable so data
	 * written by the kernel with such a key can be read back.
	 */
	if (!r && cipher_ctx_new(&oc->enc, c, key, 1) < 0)
		oc->enc = NULL;

	*block_size = xts ? XTS_BLOCK_SIZE : (size_t)EVP_CIPHER_get_block_size(c);
	*iv_size = EVP_CIPHER_get_iv_length(c);
	EVP_CIPHER_free(c);
	if (r < 0) {
		ossl_cipher_destroy(oc);
		return r;
	}
	*priv = oc;
	return 0;
}

static int cipher_run(EVP_CIPHER_CTX *ctx, const void *in, void *out,
		      size_t len, const void *iv)
{
	int outl = 0;

	if (!ctx || len > INT_MAX)
		return -EINVAL;
	/* Key schedule stays; only this sector's IV is set. */
	if (iv && EVP_CipherInit_ex2(ctx, NULL, NULL, iv, -1, NULL) != 1)
		goto err;
	if (EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1 ||
	    outl != (int)len)
		goto err;
	return 0;
err:
	ERR_clear_error();
	return -EINVAL;
}

static int ossl_cipher_encrypt(void *priv, const void *in, void *out,
			       size_t len, const void *iv, size_t iv_len)
{
	struct ossl_cipher *oc = priv;

	(void)iv_len;
	return cipher_run(oc->enc, in, out, len, iv);
}

static int ossl_cipher_decrypt(void *priv, const void *in, void *out,
			       size_t len, const void *iv, size_t iv_len)
{
	struct ossl_cipher *oc = priv;

	(void)iv_len;
	return cipher_run(oc->dec, in, out, len, iv);
}

const struct crypt_backend_ops crypt_openssl_ops = {
	.name		= "user",
	.init		= ossl_init,
	.destroy	= ossl_destroy,
	.version	= ossl_version,
	.hash_size	= ossl_hash_size,
	.hash_init	= ossl_hash_init,
	.hash_write	= ossl_hash_write,
	.hash_final	= ossl_hash_final,
	.hash_destroy	= ossl_hash_destroy,
	.hmac_init	= ossl_hmac_init,
	.hmac_write	= ossl_hmac_write,
	.hmac_final	= ossl_hmac_final,
	.hmac_destroy	= ossl_hmac_destroy,
	.pbkdf2		= ossl_pbkdf2,
	.cipher_init	= ossl_cipher_init,
	.cipher_encrypt	= ossl_cipher_encrypt,
	.cipher_decrypt	= ossl_cipher_decrypt,
	.cipher_destroy	= ossl_cipher_destroy,
};
