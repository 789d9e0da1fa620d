/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pattern_io DEV READY STOP: the user of an online reencryption
 * (tests/vm/online.test). Fills DEV with a known pattern (4 KiB blocks,
 * O_DIRECT), creates the file READY, then until the file STOP exists
 * writes random blocks with a new generation and reads random blocks
 * back, comparing each with what it last wrote there. A block whose write
 * failed (EIO: a hotzone device with an error target) is unknown until
 * written again. At the end every known block is read once more. Prints
 * "writes= reads= errors= mismatches=" and exits 1 on any mismatch.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <unistd.h>

#define BS 4096

static uint32_t *gen;	/* per block: generation, 0 = unknown */
static uint64_t nblocks, writes, reads, errors, mismatches;
static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void fill(uint64_t *buf, uint64_t b, uint32_t g)
{
	for (size_t i = 0; i < BS / 8; i++)
		buf[i] = (b << 32 | g) ^ (i * 0x9e3779b97f4a7c15ULL);
}

static void put(int fd, uint64_t *buf, uint64_t b, uint32_t g)
{
	fill(buf, b, g);
	if (pwrite(fd, buf, BS, (off_t)(b * BS)) == BS) {
		gen[b] = g;
		writes++;
	} else {
		gen[b] = 0;
		errors++;
	}
}

static void get(int fd, uint64_t *buf, uint64_t *want, uint64_t b)
{
	if (pread(fd, buf, BS, (off_t)(b * BS)) != BS) {
		errors++;
		return;
	}
	reads++;
	if (!gen[b])
		return;
	fill(want, b, gen[b]);
	if (memcmp(buf, want, BS)) {
		mismatches++;
		fprintf(stderr, "mismatch: block %ju (generation %u)\n", (uintmax_t)b, gen[b]);
	}
}

int main(int argc, char **argv)
{
	uint64_t *buf, *want, size, b;
	uint32_t g = 1;
	int fd;

	if (argc != 4)
		return 2;
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) < 0) {
		perror(argv[1]);
		return 2;
	}
	nblocks = size / BS;
	gen = calloc(nblocks, sizeof(*gen));
	if (!gen || posix_memalign((void **)&buf, BS, BS) ||
	    posix_memalign((void **)&want, BS, BS))
		return 2;
	for (b = 0; b < nblocks; b++)
		put(fd, buf, b, g);
	fsync(fd);
	close(open(argv[2], O_WRONLY | O_CREAT, 0600));
	while (access(argv[3], F_OK) < 0) {
		b = next() % nblocks;
		if (next() & 1)
			put(fd, buf, b, ++g);
		else
			get(fd, buf, want, b);
	}
	for (b = 0; b < nblocks; b++)
		get(fd, buf, want, b);
	printf("writes=%ju reads=%ju errors=%ju mismatches=%ju\n", (uintmax_t)writes,
	       (uintmax_t)reads, (uintmax_t)errors, (uintmax_t)mismatches);
	return mismatches ? 1 : 0;
}
