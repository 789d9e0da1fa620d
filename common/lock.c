/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flock-based locks shared with cryptsetup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "common/lock.h"
#include "common/log.h"

#define LOCK_DIR "/run/cryptsetup"
/* A luks2-status probe holds the lock for microseconds: a run that starts
 * in that instant tries again instead of failing as busy. */
#define BUSY_TRIES 5
#define BUSY_WAIT_NS (20L * 1000 * 1000)

static void reenc_lock_name(char *buf, size_t n, const char *uuid)
{
	snprintf(buf, n, LOCK_DIR "/LN_LUKS2-reencryption-%s", uuid);
}

/* Is fd still the file at path? A holder removes a named lock file on
 * release; a lock taken on the removed inode excludes nobody. */
static int same_file(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int flock_path(const char *path, int exclusive, const char *what)
{
	const struct timespec wait = { 0, BUSY_WAIT_NS };
	int fd, r, tries = 0;

	for (;;) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			r = -errno;
			log_err("cannot open lock file %s: %s", path, strerror(errno));
			return r;
		}
		if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0) {
			if (same_file(fd, path))
				return fd;
			r = -EWOULDBLOCK;	/* removed meanwhile: lock the new file */
		} else {
			r = -errno;
		}
		close(fd);
		if (r != -EWOULDBLOCK)
			return r;
		if (++tries >= BUSY_TRIES) {
			log_err("%s is locked by another process (%s)", what, path);
			return -EBUSY;
		}
		nanosleep(&wait, NULL);
	}
}

int lock_metadata(int hdr_fd, const char *path, int exclusive)
{
	char name[64];
	struct stat st;
	int r;

	if (fstat(hdr_fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode)) {
		/* a header in a file is locked through the file itself */
		if (flock(hdr_fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0) {
			r = -errno;
			if (r == -EWOULDBLOCK) {
				log_err("%s is locked by another process", path);
				return -EBUSY;
			}
			return r;
		}
		return dup(hdr_fd);
	}
	if (mkdir(LOCK_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	snprintf(name, sizeof(name), LOCK_DIR "/L_%u:%u", major(st.st_rdev),
		 minor(st.st_rdev));
	return flock_path(name, exclusive, path);
}

int lock_reencryption(const char *uuid)
{
	char name[128];

	if (mkdir(LOCK_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	reenc_lock_name(name, sizeof(name), uuid);
	return flock_path(name, 1, "the reencryption of this device");
}

int lock_reencryption_held(const char *uuid)
{
	char name[128];
	int fd, r;

	reenc_lock_name(name, sizeof(name), uuid);
	for (int tries = 0; tries < BUSY_TRIES; tries++) {
		fd = open(name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return errno == ENOENT ? 0 : -errno;
		if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
			r = errno == EWOULDBLOCK ? 1 : -errno;
			close(fd);
			return r;
		}
		r = same_file(fd, name);
		close(fd);
		/* free, unless a new run replaced the file we probed */
		if (r || access(name, F_OK) < 0)
			return 0;
	}
	return 0;
}

void lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}

void lock_reencryption_release(int fd, const char *uuid)
{
	char name[128];

	if (fd < 0)
		return;
	/* like cryptsetup: remove the named lock while still holding it */
	reenc_lock_name(name, sizeof(name), uuid);
	(void)unlink(name);
	close(fd);
}
