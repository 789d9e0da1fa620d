/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Full-length pread/pwrite and device queries that return -errno. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/io.h"
#include "common/log.h"

int io_open(const char *path, int flags)
{
	struct stat st;
	int fd, r;

	if (stat(path, &st) < 0) {
		r = -errno;
		log_err("cannot open %s: %s", path, strerror(errno));
		return r == -ENOENT ? -ENODEV : r;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		log_err("%s is neither a block device nor a regular file", path);
		return -ENODEV;
	}
	if (S_ISBLK(st.st_mode) && (flags & O_ACCMODE) != O_RDONLY)
		flags |= O_EXCL;
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (errno == EBUSY)
			log_err("%s is in use (mounted or mapped)", path);
		else
			log_err("cannot open %s: %s", path, strerror(errno));
		return r;
	}
	return fd;
}

/* An I/O error as the engine reports it. The kernel answers some reads
 * with EUCLEAN or EBADMSG (a file system's checksum error under a header
 * file, a device's uncorrectable sector); the engine keeps those two for
 * its own answers about the metadata (crash state, no digest: exits 11 and
 * 12, common/exitcode.c), so a failed read or write is -EIO there. */
static int io_err(void)
{
	return errno == EUCLEAN || errno == EBADMSG ? -EIO : -errno;
}

int io_pread(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return io_err();
		if (n == 0)
			return -EIO;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

int io_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return io_err();
		if (n == 0)
			return -EIO;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

int io_fsync(int fd)
{
	return fsync(fd) < 0 ? io_err() : 0;
}

int io_fdatasync(int fd)
{
	return fdatasync(fd) < 0 ? io_err() : 0;
}

int io_is_blockdev(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode))
		return 1;
	return S_ISREG(st.st_mode) ? 0 : -ENODEV;
}

int io_size(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	if (!S_ISBLK(st.st_mode))
		return -ENODEV;
	return ioctl(fd, BLKGETSIZE64, size) < 0 ? -errno : 0;
}

int io_logical_block(int fd, uint64_t *bs)
{
	int r = io_is_blockdev(fd), v;

	if (r < 0)
		return r;
	*bs = 512;
	if (r == 1) {
		if (ioctl(fd, BLKSSZGET, &v) < 0)
			return -errno;
		*bs = (uint64_t)v;
	}
	return 0;
}

void *io_alloc(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, len ? len : 1))
		return NULL;
	memset(p, 0, len);
	return p;
}
