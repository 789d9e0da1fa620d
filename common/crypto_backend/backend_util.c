// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parts of the crypto backend that do not depend on the selected
 * library (backend.c selects): Argon2 (libargon2), the AF_ALG probe, the RNG
 * (getrandom), the memory helpers and base64. Nothing here calls backend.c
 * or a library table, so crypto_kcapi.c may use the probe.
 */
#include <argon2.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "crypto_backend.h"

#ifndef AF_ALG
#define AF_ALG 38
#endif

int crypt_backend_kernel_available(void)
{
	static int cached = -1;
	int fd;

	if (cached < 0) {
		fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		cached = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	return cached;
}

static const char *const prim_names[CRYPT_PRIM_MAX] = {
	"hash", "hmac", "pbkdf2", "argon2", "cipher"
};
static const char *const impl_names[] = { "user", "kernel", "libargon2", "copy" };
#define IMPL_COUNT (sizeof(impl_names) / sizeof(impl_names[0]))
static unsigned long usage[CRYPT_PRIM_MAX][IMPL_COUNT];

void crypt_backend_count(enum crypt_prim prim, const char *impl)
{
	size_t i;

	if ((unsigned)prim >= CRYPT_PRIM_MAX || !impl)
		return;
	for (i = 0; i < IMPL_COUNT; i++)
		if (!strcmp(impl, impl_names[i]))
			__atomic_add_fetch(&usage[prim][i], 1, __ATOMIC_RELAXED);
}

int crypt_backend_usage(char *buf, size_t size)
{
	size_t i, o = 0;
	int p, n, any;

	for (p = 0; p < CRYPT_PRIM_MAX; p++) {
		n = snprintf(buf + o, size - o, "%s%s", p ? ", " : "", prim_names[p]);
		for (i = 0, any = 0; n >= 0 && (size_t)n < size - o && i < IMPL_COUNT; i++) {
			unsigned long c = __atomic_load_n(&usage[p][i], __ATOMIC_RELAXED);

			if (!c)
				continue;
			o += (size_t)n;
			n = snprintf(buf + o, size - o, " %s:%lu", impl_names[i], c);
			any = 1;
		}
		if (n >= 0 && (size_t)n < size - o && !any) {
			o += (size_t)n;
			n = snprintf(buf + o, size - o, " -");
		}
		if (n < 0 || (size_t)n >= size - o)
			return -ENOBUFS;
		o += (size_t)n;
	}
	return (int)o;
}

static int argon2_derive(argon2_type type, const void *password,
			 size_t password_len, const void *salt,
			 size_t salt_len, void *key, size_t key_len,
			 uint32_t iterations, uint32_t memory_kb,
			 uint32_t parallel)
{
	int r;

	if (!iterations || !memory_kb || !parallel ||
	    password_len > UINT32_MAX || salt_len > UINT32_MAX ||
	    key_len > UINT32_MAX)
		return -EINVAL;

	r = argon2_hash(iterations, memory_kb, parallel, password,
			password_len, salt, salt_len, key, key_len, NULL, 0,
			type, ARGON2_VERSION_13);
	switch (r) {
	case ARGON2_OK:
		return 0;
	case ARGON2_MEMORY_ALLOCATION_ERROR:
		return -ENOMEM;
	case ARGON2_THREAD_FAIL:
		return -EAGAIN;
	default:
		return -EINVAL;
	}
}

int crypt_argon2(const char *kdf, const void *password, size_t password_len,
		 const void *salt, size_t salt_len, void *key, size_t key_len,
		 uint32_t iterations, uint32_t memory_kb, uint32_t parallel)
{
	if (!strcmp(kdf, "argon2i"))
		return argon2_derive(Argon2_i, password, password_len, salt,
				     salt_len, key, key_len, iterations,
				     memory_kb, parallel);
	if (!strcmp(kdf, "argon2id"))
		return argon2_derive(Argon2_id, password, password_len, salt,
				     salt_len, key, key_len, iterations,
				     memory_kb, parallel);
	return -ENOENT;
}

int crypt_backend_rng(void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t n;

	if (!buf && len)
		return -EINVAL;
	while (len) {
		n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void crypt_backend_memzero(void *buf, size_t len)
{
	if (buf && len)
		explicit_bzero(buf, len);
}

int crypt_backend_memeq(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	return diff != 0;
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value 0..63 of an alphabet character, -1 for any other. */
static int b64_value(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

int crypt_base64_encode(const void *in, size_t len, char *out, size_t out_size)
{
	const unsigned char *p = in;
	size_t i, o = 0, text_len;
	uint32_t v;

	if ((!in && len) || !out || len > INT32_MAX / 4 * 3 - 2)
		return -EINVAL;
	text_len = (len + 2) / 3 * 4;
	if (out_size <= text_len)
		return -ENOBUFS;
	for (i = 0; i < len; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? b64_alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return (int)text_len;
}

/* Count of trailing '=' (0..2) when every other character is in the
 * alphabet and the length is a multiple of 4, else -EINVAL. */
static int b64_padding(const char *text, size_t text_len)
{
	size_t i, pad = 0;

	if (text_len % 4 || text_len / 4 * 3 > INT32_MAX)
		return -EINVAL;
	if (text_len && text[text_len - 1] == '=')
		pad++;
	if (text_len > 1 && text[text_len - 2] == '=')
		pad++;
	for (i = 0; i < text_len - pad; i++)
		if (b64_value(text[i]) < 0)
			return -EINVAL;
	return (int)pad;
}

int crypt_base64_decode(const char *text, size_t text_len, void *out,
			size_t out_size)
{
	unsigned char *o = out;
	size_t i, j, n;
	uint32_t v;
	int pad, d;

	if (!text && text_len)
		return -EINVAL;
	pad = b64_padding(text, text_len);
	if (pad < 0)
		return pad;
	n = text_len / 4 * 3 - (size_t)pad;
	if (!out)
		return (int)n;
	if (out_size < n)
		return -ENOBUFS;
	for (i = 0, j = 0; i < text_len; i += 4) {
		v = 0;
		for (d = 0; d < 4; d++)
			v = v << 6 | (uint32_t)(text[i + d] == '=' ? 0 : b64_value(text[i + d]));
		if (j < n)
			o[j++] = (unsigned char)(v >> 16);
		if (j < n)
			o[j++] = (unsigned char)(v >> 8);
		if (j < n)
			o[j++] = (unsigned char)v;
	}
	crypt_backend_memzero(&v, sizeof(v));
	return (int)n;
}
