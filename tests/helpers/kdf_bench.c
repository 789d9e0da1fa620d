// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test-only timing of the crypto backend's small-call paths (the VM tier
 * measures the kernel backend with it, tests/vm/kernel-e2e.test):
 *
 *   kdf_bench BACKEND pbkdf2 HASH ITERATIONS   one 32-byte PBKDF2 derivation
 *   kdf_bench BACKEND hash HASH COUNT          COUNT init/write/final/destroy
 *                                              of 36 bytes (AF diffusion's
 *                                              pattern, luks2/af.c)
 *
 * Prints "BACKEND WHAT HASH N: MS ms HEX" (HEX: the first 8 bytes of the
 * last result, so both backends can be compared); exit 0, 1 on error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/crypto_backend/crypto_backend.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int hash_loop(const char *hash, unsigned long n, unsigned char *out)
{
	unsigned char in[36] = { 1, 2, 3 };
	struct crypt_hash *h;
	int size = crypt_hash_size(hash), r = 0;
	unsigned long i;

	if (size < 0)
		return size;
	for (i = 0; i < n && !r; i++) {
		in[0] = (unsigned char)i;
		r = crypt_hash_init(&h, hash);
		if (r < 0)
			break;
		r = crypt_hash_write(h, in, sizeof(in));
		if (!r)
			r = crypt_hash_final(h, out, (size_t)size);
		crypt_hash_destroy(h);
	}
	return r;
}

int main(int argc, char **argv)
{
	static const char salt[32] = "kdf_bench salt";
	enum crypt_backend_id id;
	unsigned char out[64] = { 0 };
	unsigned long n;
	double t0, t1;
	int r, i;

	if (argc != 5 || crypt_backend_parse(argv[1], &id) < 0) {
		fprintf(stderr, "usage: kdf_bench auto|user|kernel pbkdf2|hash HASH N\n");
		return 1;
	}
	n = strtoul(argv[4], NULL, 10);
	r = crypt_backend_init(id);
	if (r < 0) {
		fprintf(stderr, "kdf_bench: backend %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	t0 = now_ms();
	if (!strcmp(argv[2], "pbkdf2"))
		r = crypt_pbkdf("pbkdf2", argv[3], "password", 8, salt, sizeof(salt),
				out, 32, (uint32_t)n, 0, 0);
	else if (!strcmp(argv[2], "hash"))
		r = hash_loop(argv[3], n, out);
	else
		r = -EINVAL;
	t1 = now_ms();
	if (r < 0) {
		fprintf(stderr, "kdf_bench: %s: %s\n", argv[2], strerror(-r));
		return 1;
	}
	printf("%s %s %s %lu: %.1f ms ", argv[1], argv[2], argv[3], n, t1 - t0);
	for (i = 0; i < 8; i++)
		printf("%02x", out[i]);
	printf("\n");
	crypt_backend_destroy();
	return 0;
}
