/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only LD_PRELOAD library: a read error at a chosen offset, and a look
 * at the process while it writes hotzone data (is it dumpable, is the
 * buffer excluded from core dumps, is locked memory excluded too).
 *
 * Environment:
 *   IOPROBE_PATH=P        only files whose path (readlink /proc/self/fd/N)
 *                         starts with P count
 *   IOPROBE_EIO_AT=OFF    pread/pread64 of a counted file whose range holds
 *                         byte OFF fails with EIO
 *   IOPROBE_ERRNO=N       that read fails with errno N instead of EIO
 *   IOPROBE_REPORT=F      at the first pwrite/pwrite64 of at least
 *                         IOPROBE_MIN bytes (default 65536) on a counted
 *                         file, write to F:
 *                           dumpable=N   prctl(PR_GET_DUMPABLE)
 *                           buf_dd=0|1   the written buffer's mapping has
 *                                        VmFlags "dd" (not in core dumps)
 *                           locked=N     mappings with VmFlags "lo"
 *                           locked_dd=N  of those, also "dd"
 *                         then carry on normally.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

static ssize_t (*real_pread)(int, void *, size_t, off_t);
static ssize_t (*real_pread64)(int, void *, size_t, off64_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off64_t);
static int reported;

static int counted(int fd)
{
	const char *p = getenv("IOPROBE_PATH");
	char link[64], path[4096];
	ssize_t n;

	if (!p)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	return !strncmp(path, p, strlen(p));
}

static int eio(int fd, size_t len, uint64_t off)
{
	const char *at = getenv("IOPROBE_EIO_AT");
	uint64_t o;

	if (!at || !counted(fd))
		return 0;
	o = strtoull(at, NULL, 0);
	return o >= off && o < off + len;
}

static int fail_errno(void)
{
	const char *e = getenv("IOPROBE_ERRNO");

	return e ? atoi(e) : EIO;
}

/* VmFlags of the mapping holding addr, and the counts over all mappings. */
static void scan_smaps(uintptr_t addr, FILE *out)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long lo, hi;
	int in_buf = 0, buf_dd = 0, locked = 0, locked_dd = 0;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in_buf = addr >= lo && addr < hi;
			continue;
		}
		if (strncmp(line, "VmFlags:", 8))
			continue;
		if (in_buf)
			buf_dd = strstr(line, " dd") != NULL;
		if (strstr(line, " lo")) {
			locked++;
			locked_dd += strstr(line, " dd") != NULL;
		}
	}
	fclose(f);
	fprintf(out, "buf_dd=%d\nlocked=%d\nlocked_dd=%d\n", buf_dd, locked, locked_dd);
}

static void report(int fd, const void *buf, size_t len)
{
	const char *file = getenv("IOPROBE_REPORT"), *m = getenv("IOPROBE_MIN");
	FILE *out;

	if (reported || !file || len < (m ? strtoull(m, NULL, 0) : 65536) || !counted(fd))
		return;
	reported = 1;
	out = fopen(file, "w");
	if (!out)
		return;
	fprintf(out, "dumpable=%d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	scan_smaps((uintptr_t)buf, out);
	fclose(out);
}

#define RESOLVE(var, name) do { \
	if (!var) \
		*(void **)&var = dlsym(RTLD_NEXT, name); \
} while (0)

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	RESOLVE(real_pread, "pread");
	if (eio(fd, len, (uint64_t)off)) {
		errno = fail_errno();
		return -1;
	}
	return real_pread(fd, buf, len, off);
}

ssize_t pread64(int fd, void *buf, size_t len, off64_t off)
{
	RESOLVE(real_pread64, "pread64");
	if (eio(fd, len, (uint64_t)off)) {
		errno = fail_errno();
		return -1;
	}
	return real_pread64(fd, buf, len, off);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	RESOLVE(real_pwrite, "pwrite");
	report(fd, buf, len);
	return real_pwrite(fd, buf, len, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
	RESOLVE(real_pwrite64, "pwrite64");
	report(fd, buf, len);
	return real_pwrite64(fd, buf, len, off);
}
