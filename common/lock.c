/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flock-based locks shared with cryptsetup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/lock.h"
#include "common/log.h"

#define LOCK_DIR "/run/cryptsetup"

static int flock_path(const char *path, int exclusive, const char *what)
{
	int fd, r;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		log_err("cannot open lock file %s: %s", path, strerror(errno));
		return r;
	}
	if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0) {
		r = -errno;
		close(fd);
		if (r == -EWOULDBLOCK) {
			log_err("%s is locked by another process (%s)", what, path);
			return -EBUSY;
		}
		return r;
	}
	return fd;
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
	snprintf(name, sizeof(name), LOCK_DIR "/LN_LUKS2-reencryption-%s", uuid);
	return flock_path(name, 1, "the reencryption of this device");
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
	snprintf(name, sizeof(name), LOCK_DIR "/LN_LUKS2-reencryption-%s", uuid);
	(void)unlink(name);
	close(fd);
}
