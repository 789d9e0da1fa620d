// SPDX-License-Identifier: GPL-2.0-or-later
/* Helpers of the fuzz targets: checksum fix-up, in-memory images. */
#include <endian.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/crypto_backend/crypto_backend.h"
#include "common/log.h"
#include "luks2/luks2.h"
#include "tests/fuzz/fuzz_common.h"

/* 1 when a copy with the right magic and a usable hdr_size sits at off. */
static int fix_one(uint8_t *img, size_t len, uint64_t off, int secondary)
{
	struct luks2_hdr_disk *bin;
	struct crypt_hash *h;
	uint8_t zero[LUKS2_CSUM_LEN] = { 0 };
	char alg[33];
	uint64_t hs;
	int n;

	if (off + sizeof(*bin) > len)
		return 0;
	bin = (struct luks2_hdr_disk *)(img + off);
	if (memcmp(bin->magic, secondary ? LUKS2_MAGIC_2ND : LUKS2_MAGIC_1ST, LUKS2_MAGIC_LEN))
		return 0;
	hs = be64toh(bin->hdr_size);
	if (!luks2_hdr_size_allowed(hs) || off + hs > len || memcmp(bin->csum, zero, sizeof(zero)))
		return 1;
	memcpy(alg, bin->checksum_alg, 32);
	alg[32] = '\0';
	n = crypt_hash_size(alg);
	if (n <= 0 || n > LUKS2_CSUM_LEN || crypt_hash_init(&h, alg) < 0)
		return 1;
	if (!crypt_hash_write(h, img + off, hs))
		crypt_hash_final(h, bin->csum, (size_t)n);
	crypt_hash_destroy(h);
	return 1;
}

void fuzz_fix_checksums(uint8_t *img, size_t len)
{
	uint64_t hs = 0;

	if (fix_one(img, len, 0, 0))
		hs = be64toh(((struct luks2_hdr_disk *)img)->hdr_size);
	if (luks2_hdr_size_allowed(hs) && fix_one(img, len, hs, 1))
		return;
	for (size_t i = 0; i < LUKS2_HDR2_OFFSETS_N; i++)
		fix_one(img, len, luks2_hdr2_offsets[i], 1);
}

int fuzz_memfd(const uint8_t *img, size_t len, uint64_t size, char *path,
	       size_t path_len)
{
	int fd = memfd_create("luks2box-fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)(size > len ? size : len)) < 0 ||
	    (len && pwrite(fd, img, len, 0) != (ssize_t)len)) {
		close(fd);
		return -1;
	}
	snprintf(path, path_len, "/proc/self/fd/%d", fd);
	return fd;
}

void fuzz_init(void)
{
	int null = open("/dev/null", O_WRONLY);

	if (crypt_backend_init(CRYPT_BACKEND_AUTO) < 0)
		abort();
	log_set_prog("fuzz");
	log_set_level(LOG_QUIET);
	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		close(null);
	}
}

void fuzz_dump(const uint8_t *img, size_t len)
{
	const char *name = getenv("LUKS2BOX_FUZZ_DUMP");
	FILE *f;

	if (!name || !(f = fopen(name, "wb")))
		return;
	if (fwrite(img, 1, len, f) != len)
		perror(name);
	fclose(f);
}
