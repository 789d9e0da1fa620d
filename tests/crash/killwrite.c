/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only LD_PRELOAD library for tests/crash: simulate a crash (process
 * death, page cache kept) at a chosen write or sync.
 *
 * Wrapped: write, writev, pwrite, pwrite64, pwritev, pwritev64, pwritev2,
 * fsync, fdatasync. A call "counts" when its fd resolves (readlink of
 * /proc/self/fd/N) to a path starting with KILL_PATH_PREFIX; without that
 * variable every call on a regular file or block device counts. Writes to
 * terminals, pipes and sockets (stdout, stderr) never count.
 *
 * Environment:
 *   KILL_AT=N          act on the N-th counted call (1-based) of this process
 *   KILL_MODE=before   (default) _exit(137) instead of performing call N
 *             after    perform call N, then _exit(137)
 *             torn     write only the first half of call N's buffer, rounded
 *                      down to a multiple of 512 bytes, then _exit(137)
 *                      (a sync is not performed; a write shorter than 1024
 *                      bytes is not performed at all)
 *             signal   send KILL_SIGNAL (TERM or INT, default TERM) to this
 *                      process right before call N, then carry on normally
 *   KILL_PATH_PREFIX=P only count calls on paths starting with P
 *   KILL_COUNT_FILE=F  at normal exit write this process's count ("N\n") to
 *                      F (truncating it); nothing is written after a kill
 *   KILL_LOG=F         append one line per counted call to F:
 *                      "N op path offset length" (offset -1 for write and
 *                      writev; length 0 for syncs)
 *
 * The exit status 137 (128 + SIGKILL) tells the test the kill point was
 * reached; a run that ends with any other status never reached call N.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define KILL_STATUS 137

enum mode { M_BEFORE, M_AFTER, M_TORN, M_SIGNAL };

static unsigned long count, kill_at;
static enum mode mode;
static int kill_sig = SIGTERM;
static const char *prefix, *count_file, *log_file;
static size_t prefix_len;
static int ready;

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off64_t);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static ssize_t (*real_pwritev64)(int, const struct iovec *, int, off64_t);
static ssize_t (*real_pwritev2)(int, const struct iovec *, int, off_t, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

static void die(const char *why)
{
	static const char msg[] = "killwrite: cannot resolve ";

	/* the wrappers are not usable: say so with the raw system call */
	(void)!syscall(SYS_write, 2, msg, sizeof(msg) - 1);
	(void)!syscall(SYS_write, 2, why, strlen(why));
	(void)!syscall(SYS_write, 2, "\n", 1);
	_exit(126);
}

#define RESOLVE(var, name) do { \
	*(void **)&var = dlsym(RTLD_NEXT, name); \
	if (!var) die(name); \
} while (0)

static void init(void)
{
	const char *s;

	if (ready)
		return;
	RESOLVE(real_write, "write");
	RESOLVE(real_writev, "writev");
	RESOLVE(real_pwrite, "pwrite");
	RESOLVE(real_pwrite64, "pwrite64");
	RESOLVE(real_pwritev, "pwritev");
	RESOLVE(real_pwritev64, "pwritev64");
	RESOLVE(real_pwritev2, "pwritev2");
	RESOLVE(real_fsync, "fsync");
	RESOLVE(real_fdatasync, "fdatasync");
	s = getenv("KILL_AT");
	kill_at = s && *s ? strtoul(s, NULL, 10) : 0;
	s = getenv("KILL_MODE");
	if (s && !strcmp(s, "after"))
		mode = M_AFTER;
	else if (s && !strcmp(s, "torn"))
		mode = M_TORN;
	else if (s && !strcmp(s, "signal"))
		mode = M_SIGNAL;
	else
		mode = M_BEFORE;
	s = getenv("KILL_SIGNAL");
	if (s && (!strcmp(s, "INT") || !strcmp(s, "SIGINT") || !strcmp(s, "2")))
		kill_sig = SIGINT;
	prefix = getenv("KILL_PATH_PREFIX");
	if (prefix && !*prefix)
		prefix = NULL;
	prefix_len = prefix ? strlen(prefix) : 0;
	count_file = getenv("KILL_COUNT_FILE");
	log_file = getenv("KILL_LOG");
	ready = 1;
}

__attribute__((constructor)) static void kw_ctor(void)
{
	init();
}

__attribute__((destructor)) static void kw_dtor(void)
{
	char line[32];
	int fd, n;

	if (!count_file || !*count_file)
		return;
	fd = open(count_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%lu\n", count);
	(void)!real_write(fd, line, (size_t)n);
	close(fd);
}

/* The path of fd into buf; 0 when it is not there. */
static int fd_path(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return 1;
}

static int counted(int fd, char *path, size_t size)
{
	struct stat st;

	if (!fd_path(fd, path, size))
		return 0;
	if (prefix)
		return !strncmp(path, prefix, prefix_len);
	return fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode));
}

static void log_call(unsigned long n, const char *op, const char *path, long long off,
		     size_t len)
{
	char line[4200];
	int fd, k;

	if (!log_file || !*log_file)
		return;
	fd = open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	k = snprintf(line, sizeof(line), "%lu %s %s %lld %zu\n", n, op, path, off, len);
	if (k > 0)
		(void)!real_write(fd, line, (size_t)k);
	close(fd);
}

/*
 * Called before every wrapped call. Returns the action for this call:
 * 0 perform normally, 1 perform then die, 2 tear (write a prefix, die).
 * Dies itself for M_BEFORE.
 */
static int gate(int fd, const char *op, long long off, size_t len)
{
	char path[4096];
	int saved = errno;
	unsigned long n;

	init();
	if (!counted(fd, path, sizeof(path))) {
		errno = saved;
		return 0;
	}
	n = __atomic_add_fetch(&count, 1, __ATOMIC_SEQ_CST);
	log_call(n, op, path, off, len);
	errno = saved;
	if (!kill_at || n != kill_at)
		return 0;
	switch (mode) {
	case M_BEFORE:
		_exit(KILL_STATUS);
	case M_AFTER:
		return 1;
	case M_TORN:
		return 2;
	case M_SIGNAL:
		kill(getpid(), kill_sig);
		errno = saved;
		return 0;
	}
	return 0;
}

static size_t torn_len(size_t len)
{
	return (len / 2) / 512 * 512;
}

static ssize_t done(int action, ssize_t r)
{
	if (action)
		_exit(KILL_STATUS);
	return r;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	int a = gate(fd, "write", -1, len);

	if (a == 2) {
		if (torn_len(len))
			(void)!real_write(fd, buf, torn_len(len));
		_exit(KILL_STATUS);
	}
	return done(a, real_write(fd, buf, len));
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	int a = gate(fd, "pwrite", (long long)off, len);

	if (a == 2) {
		if (torn_len(len))
			(void)!real_pwrite(fd, buf, torn_len(len), off);
		_exit(KILL_STATUS);
	}
	return done(a, real_pwrite(fd, buf, len, off));
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
	int a = gate(fd, "pwrite64", (long long)off, len);

	if (a == 2) {
		if (torn_len(len))
			(void)!real_pwrite64(fd, buf, torn_len(len), off);
		_exit(KILL_STATUS);
	}
	return done(a, real_pwrite64(fd, buf, len, off));
}

static size_t iov_total(const struct iovec *iov, int n)
{
	size_t t = 0;

	for (int i = 0; i < n; i++)
		t += iov[i].iov_len;
	return t;
}

/* Copy iov, cut to want bytes; returns the new count. */
static int iov_cut(const struct iovec *iov, int n, size_t want, struct iovec *out)
{
	int k = 0;

	for (int i = 0; i < n && want; i++, k++) {
		out[k] = iov[i];
		if (out[k].iov_len > want)
			out[k].iov_len = want;
		want -= out[k].iov_len;
	}
	return k;
}

#define TEAR_IOV(call_expr_cut) do { \
	size_t want = torn_len(iov_total(iov, n)); \
	if (want && n <= 1024) { \
		struct iovec cut[1024]; \
		int k = iov_cut(iov, n, want, cut); \
		(void)k; \
		(void)!call_expr_cut; \
	} \
	_exit(KILL_STATUS); \
} while (0)

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	int a = gate(fd, "writev", -1, iov_total(iov, n));

	if (a == 2)
		TEAR_IOV(real_writev(fd, cut, k));
	return done(a, real_writev(fd, iov, n));
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
	int a = gate(fd, "pwritev", (long long)off, iov_total(iov, n));

	if (a == 2)
		TEAR_IOV(real_pwritev(fd, cut, k, off));
	return done(a, real_pwritev(fd, iov, n, off));
}

ssize_t pwritev64(int fd, const struct iovec *iov, int n, off64_t off)
{
	int a = gate(fd, "pwritev64", (long long)off, iov_total(iov, n));

	if (a == 2)
		TEAR_IOV(real_pwritev64(fd, cut, k, off));
	return done(a, real_pwritev64(fd, iov, n, off));
}

ssize_t pwritev2(int fd, const struct iovec *iov, int n, off_t off, int flags)
{
	int a = gate(fd, "pwritev2", (long long)off, iov_total(iov, n));

	if (a == 2)
		TEAR_IOV(real_pwritev2(fd, cut, k, off, flags));
	return done(a, real_pwritev2(fd, iov, n, off, flags));
}

int fsync(int fd)
{
	int a = gate(fd, "fsync", -1, 0);

	if (a == 2)
		_exit(KILL_STATUS);
	return (int)done(a, real_fsync(fd));
}

int fdatasync(int fd)
{
	int a = gate(fd, "fdatasync", -1, 0);

	if (a == 2)
		_exit(KILL_STATUS);
	return (int)done(a, real_fdatasync(fd));
}
