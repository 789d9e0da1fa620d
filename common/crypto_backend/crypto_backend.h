/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Crypto backend interface. Two implementations are linked into the one
 * binary: "user" (OpenSSL libcrypto + libargon2) and "kernel" (AF_ALG
 * through libkcapi + libargon2). The choice is made once at run time with
 * crypt_backend_init(). Every call returns 0 (or a count) on success and a
 * negative errno on failure:
 *   -ENOTSUP  the selected backend is not usable here (e.g. no AF_ALG)
 *   -ENOENT   the backend lacks this algorithm
 *   -EINVAL   bad parameters (key length, buffer length, name syntax)
 *   -ENOMEM   out of memory
 * Names follow cryptsetup's crypto_backend.h so the two can be compared.
 */
#ifndef CRYPTO_BACKEND_H
#define CRYPTO_BACKEND_H

#include <stddef.h>
#include <stdint.h>

enum crypt_backend_id {
	CRYPT_BACKEND_AUTO = 0,	/* user for what OpenSSL has, kernel for the rest */
	CRYPT_BACKEND_KERNEL,	/* AF_ALG only; -ENOTSUP without AF_ALG */
	CRYPT_BACKEND_USER,	/* OpenSSL only */
};

/* "auto", "kernel", "user" -> id; -EINVAL for anything else. */
int crypt_backend_parse(const char *name, enum crypt_backend_id *id);
/* Select and initialise. Kernel asked by name and AF_ALG missing: -ENOTSUP. */
int crypt_backend_init(enum crypt_backend_id id);
enum crypt_backend_id crypt_backend_selected(void);
/* The selected backend for messages: "user (OpenSSL)", "kernel", "auto". */
static inline const char *crypt_backend_label(void)
{
	enum crypt_backend_id b = crypt_backend_selected();

	return b == CRYPT_BACKEND_USER ? "user (OpenSSL)" :
	       b == CRYPT_BACKEND_KERNEL ? "kernel" : "auto";
}
/* e.g. "user (OpenSSL 3.0.17 1 Jul 2025)" or "kernel (libkcapi 1.4.0)". */
const char *crypt_backend_version(void);
/* 1 when the kernel crypto API (AF_ALG) can be used on this machine. */
int crypt_backend_kernel_available(void);

/* Hashes: "sha1", "sha256", "sha512", "ripemd160", "whirlpool", ... */
struct crypt_hash;
int crypt_hash_size(const char *name);	/* bytes, or -ENOENT */
int crypt_hash_init(struct crypt_hash **ctx, const char *name);
int crypt_hash_write(struct crypt_hash *ctx, const void *buf, size_t len);
int crypt_hash_final(struct crypt_hash *ctx, void *out, size_t len);
void crypt_hash_destroy(struct crypt_hash *ctx);
/* One-shot; out must hold crypt_hash_size(name) bytes. */
int crypt_hash_once(const char *name, const void *buf, size_t len, void *out);

struct crypt_hmac;
int crypt_hmac_init(struct crypt_hmac **ctx, const char *name,
		    const void *key, size_t key_len);
int crypt_hmac_write(struct crypt_hmac *ctx, const void *buf, size_t len);
int crypt_hmac_final(struct crypt_hmac *ctx, void *out, size_t len);
void crypt_hmac_destroy(struct crypt_hmac *ctx);

/*
 * kdf "pbkdf2" (hash = HMAC hash, iterations), "argon2i" / "argon2id"
 * (iterations = time cost, memory_kb, parallel; version 0x13, no secret or
 * associated data, as LUKS2 uses it).
 */
int crypt_pbkdf(const char *kdf, const char *hash,
		const void *password, size_t password_len,
		const void *salt, size_t salt_len,
		void *key, size_t key_len,
		uint32_t iterations, uint32_t memory_kb, uint32_t parallel);

/*
 * Block ciphers: name "aes", "serpent", "twofish", "cipher_null";
 * mode "xts", "cbc", "ecb". The IV (iv_len bytes, 0 for ecb) is used for
 * this call only: one call = one dm-crypt sector.
 */
struct crypt_cipher;
int crypt_cipher_init(struct crypt_cipher **ctx, const char *name,
		      const char *mode, const void *key, size_t key_len);
int crypt_cipher_encrypt(struct crypt_cipher *ctx, const void *in, void *out,
			 size_t len, const void *iv, size_t iv_len);
int crypt_cipher_decrypt(struct crypt_cipher *ctx, const void *in, void *out,
			 size_t len, const void *iv, size_t iv_len);
size_t crypt_cipher_blocksize(const struct crypt_cipher *ctx);
size_t crypt_cipher_ivsize(const struct crypt_cipher *ctx);
/* Which backend serves this context: "user" or "kernel". */
const char *crypt_cipher_backend(const struct crypt_cipher *ctx);
void crypt_cipher_destroy(struct crypt_cipher *ctx);

/*
 * Sector storage layer (dm-crypt semantics, as cryptsetup's crypto_storage.c):
 * spec is a dm-crypt cipher string "aes-xts-plain64", "aes-cbc-essiv:sha256",
 * "serpent-xts-plain64", "aes-cbc-plain", "aes-xts-plain64be", "aes-ecb",
 * "cipher_null-ecb". IV generators: plain, plain64, plain64be, essiv:HASH,
 * null. The IV of the k-th sector of buf is iv_offset + k * (sector_size/512):
 * IVs always count 512-byte units (LUKS2 never uses iv_large_sectors).
 * length must be a multiple of sector_size. buf is transformed in place.
 */
struct crypt_storage;
int crypt_storage_init(struct crypt_storage **ctx, size_t sector_size,
		       const char *spec, const void *key, size_t key_len);
int crypt_storage_encrypt(struct crypt_storage *ctx, uint64_t iv_offset,
			  size_t length, void *buf);
int crypt_storage_decrypt(struct crypt_storage *ctx, uint64_t iv_offset,
			  size_t length, void *buf);
void crypt_storage_destroy(struct crypt_storage *ctx);
/* Split "aes-xts-plain64" into cipher "aes" and mode "xts-plain64". */
int crypt_parse_spec(const char *spec, char *cipher, size_t cipher_size,
		     char *mode, size_t mode_size);

/* getrandom(2) whichever backend is selected: the kernel's CSPRNG, not a
 * backend primitive (cryptsetup's kernel backend has no RNG of its own). */
int crypt_backend_rng(void *buf, size_t len);
void crypt_backend_memzero(void *buf, size_t len);
/* 0 when equal, in time independent of the contents. */
int crypt_backend_memeq(const void *a, const void *b, size_t len);

/*
 * Standard base64 (alphabet A-Z a-z 0-9 + /, '=' padding, no line breaks),
 * the same whichever backend is selected (backend_util.c).
 * encode: writes (len + 2) / 3 * 4 characters and a NUL into out; returns
 * the text length, -ENOBUFS when out_size is too small.
 * decode: text_len a multiple of 4, only alphabet characters but for at most
 * two trailing '='; the bits past the last whole byte are ignored. Returns
 * the decoded length; out may be NULL to only check the text and get the
 * length. -EINVAL for a malformed text, -ENOBUFS when out_size is too small
 * (nothing written then).
 */
int crypt_base64_encode(const void *in, size_t len, char *out, size_t out_size);
int crypt_base64_decode(const char *text, size_t text_len, void *out,
			size_t out_size);

/*
 * Which implementation served each primitive, for --debug and tests
 * (backend_util.c). Counted once per hash/HMAC/cipher context and per KDF
 * call. crypt_backend_usage() writes e.g. "hash kernel:8012, hmac -,
 * pbkdf2 kernel:3, argon2 libargon2:1, cipher kernel:6" (returns its
 * length, -ENOBUFS when it does not fit); the first crypt_backend_init()
 * arranges for one debug line (log_dbg) with it at exit (backend.c).
 */
enum crypt_prim {
	CRYPT_PRIM_HASH, CRYPT_PRIM_HMAC, CRYPT_PRIM_PBKDF2, CRYPT_PRIM_ARGON2,
	CRYPT_PRIM_CIPHER, CRYPT_PRIM_MAX
};
/* impl: "user", "kernel", "libargon2" or "copy" (cipher_null). */
void crypt_backend_count(enum crypt_prim prim, const char *impl);
int crypt_backend_usage(char *buf, size_t size);
void crypt_backend_report_at_exit(void);

/* Free what crypt_backend_init() set up (OpenSSL library context). */
void crypt_backend_destroy(void);

/*
 * Implementation interface: only backend.c, backend_util.c, crypto_openssl.c
 * and crypto_kcapi.c use what follows. Each library fills one table; backend.c
 * chooses per algorithm and wraps priv in the opaque types above. Length,
 * key and IV checks common to both are done by backend.c before a call.
 */
struct crypt_backend_ops {
	const char *name;		/* "user" or "kernel" */
	int (*init)(void);		/* 0, or -ENOTSUP when unusable here */
	void (*destroy)(void);
	void (*version)(char *buf, size_t size);

	int (*hash_size)(const char *name);
	int (*hash_init)(void **priv, const char *name);
	int (*hash_write)(void *priv, const void *buf, size_t len);
	/* len <= hash size; the context is ready for a new message after. */
	int (*hash_final)(void *priv, void *out, size_t len);
	void (*hash_destroy)(void *priv);

	int (*hmac_init)(void **priv, const char *name,
			 const void *key, size_t key_len);
	int (*hmac_write)(void *priv, const void *buf, size_t len);
	int (*hmac_final)(void *priv, void *out, size_t len);
	void (*hmac_destroy)(void *priv);

	int (*pbkdf2)(const char *hash, const void *password,
		      size_t password_len, const void *salt, size_t salt_len,
		      void *key, size_t key_len, uint32_t iterations);

	int (*cipher_init)(void **priv, const char *name, const char *mode,
			   const void *key, size_t key_len,
			   size_t *block_size, size_t *iv_size);
	int (*cipher_encrypt)(void *priv, const void *in, void *out,
			      size_t len, const void *iv, size_t iv_len);
	int (*cipher_decrypt)(void *priv, const void *in, void *out,
			      size_t len, const void *iv, size_t iv_len);
	void (*cipher_destroy)(void *priv);
};

/* kdf "argon2i" or "argon2id" through libargon2 for either backend, version
 * 0x13 (backend_util.c); -ENOENT for another kdf. */
int crypt_argon2(const char *kdf, const void *password, size_t password_len,
		 const void *salt, size_t salt_len, void *key, size_t key_len,
		 uint32_t iterations, uint32_t memory_kb, uint32_t parallel);

extern const struct crypt_backend_ops crypt_openssl_ops;
extern const struct crypt_backend_ops crypt_kcapi_ops;

#endif
