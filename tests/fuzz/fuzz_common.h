/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the libFuzzer targets in tests/fuzz/ (see tests/fuzz/README). */
#ifndef TESTS_FUZZ_FUZZ_COMMON_H
#define TESTS_FUZZ_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Largest input a target accepts (a header region, 2 x 4 MiB at most). */
#define FUZZ_MAX_INPUT (8U << 20)

/*
 * Give every header copy in img whose checksum field is all zero the right
 * checksum, so that mutations reach the JSON parser and the validator; a
 * non-zero field is left as it is (and then usually fails, which covers
 * that path). Copies: the primary at 0 and the secondary at the primary's
 * hdr_size, or at any of the fixed secondary offsets.
 */
void fuzz_fix_checksums(uint8_t *img, size_t len);

/* A memfd of size bytes (sparse) starting with img; its /proc path in
 * path. Returns the fd or -1. */
int fuzz_memfd(const uint8_t *img, size_t len, uint64_t size, char *path,
	       size_t path_len);

/* Common start: crypto backend, no log output, stdout to /dev/null. */
void fuzz_init(void);

/* With LUKS2BOX_FUZZ_DUMP=FILE set, write img there (the image the target
 * really reads, checksums fixed): a reproducer luks2-status can read. */
void fuzz_dump(const uint8_t *img, size_t len);

#endif
