/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Secrets come from files, stdin, the terminal or the keyring, never argv. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "common/log.h"
#include "common/passphrase.h"
#include "common/safemem.h"

#define KEYCTL_READ_ 11

static int read_fd(int fd, uint64_t skip, uint64_t max, int stop_at_nl,
		   char **pass, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = safe_alloc(cap), c;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			safe_free(buf);
			return (int)r;
		}
		if (r == 0 || (stop_at_nl && c == '\n'))
			break;
		if (skip) {
			skip--;
			continue;
		}
		if (n + 1 >= cap) {
			if (cap >= (size_t)PASSPHRASE_MAX) {
				safe_free(buf);
				log_err("passphrase longer than %d bytes", PASSPHRASE_MAX);
				return -EINVAL;
			}
			buf = safe_realloc(buf, cap * 2);
			if (!buf)
				return -ENOMEM;
			cap *= 2;
		}
		buf[n++] = c;
		if (max && n == max)
			break;
	}
	if (skip || (max && n < max)) {
		safe_free(buf);
		log_err(skip ? "cannot seek to the requested key file offset"
			     : "cannot read the requested amount of key file data");
		return -EINVAL;
	}
	*pass = buf;
	*len = n;
	return 0;
}

static int read_keyring(const char *desc, char **pass, size_t *len)
{
	long id, n;
	char *buf;

	id = syscall(SYS_request_key, "user", desc, NULL, 0);
	if (id < 0) {
		log_err("no user key '%s' in the kernel keyring: %s", desc, strerror(errno));
		return -ENOENT;
	}
	n = syscall(SYS_keyctl, KEYCTL_READ_, id, NULL, 0);
	if (n < 0 || n > (long)PASSPHRASE_MAX)
		return -EINVAL;
	buf = safe_alloc(n + 1);
	if (!buf)
		return -ENOMEM;
	if (syscall(SYS_keyctl, KEYCTL_READ_, id, buf, n) != n) {
		safe_free(buf);
		return -EIO;
	}
	*pass = buf;
	*len = (size_t)n;
	return 0;
}

static int read_tty(const char *prompt, char **pass, size_t *len)
{
	struct termios old, quiet;
	int fd, r;

	fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fd = STDIN_FILENO;
	if (tcgetattr(fd, &old) < 0) {
		r = -errno;
		goto out;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	if (write(fd, prompt, strlen(prompt)) < 0 ||
	    tcsetattr(fd, TCSAFLUSH, &quiet) < 0) {
		r = -errno;
		goto out;
	}
	r = read_fd(fd, 0, 0, 1, pass, len);
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) {
		/* the passphrase was read; a lost newline does not matter */
	}
out:
	if (fd != STDIN_FILENO)
		close(fd);
	return r;
}

int passphrase_read(const struct common_opts *co, const char *prompt,
		    char **pass, size_t *len)
{
	struct stat st;
	int fd, r;

	if (co->key_description)
		return read_keyring(co->key_description, pass, len);
	if (co->key_file && strcmp(co->key_file, "-")) {
		fd = open(co->key_file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			log_err("cannot open key file %s: %s", co->key_file, strerror(errno));
			return r;
		}
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			log_err("key file %s is a directory", co->key_file);
			close(fd);
			return -EISDIR;
		}
		r = read_fd(fd, co->keyfile_offset, co->keyfile_size, 0, pass, len);
		close(fd);
		if (r < 0 && r != -EINVAL)
			log_err("cannot read key file %s: %s", co->key_file, strerror(-r));
		return r;
	}
	if (co->key_file)
		r = read_fd(STDIN_FILENO, co->keyfile_offset, co->keyfile_size, 0, pass, len);
	else if (isatty(STDIN_FILENO))
		r = read_tty(prompt, pass, len);
	else
		r = read_fd(STDIN_FILENO, 0, 0, 1, pass, len);
	if (r < 0 && r != -EINVAL)
		log_err("cannot read the passphrase: %s", strerror(-r));
	return r;
}
