/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only LD_PRELOAD library for tests/crash: simulate a crash (process
 * death, page cache kept) or a power cut (volatile disk cache lost) at a
 * chosen write or sync.
 *
 * Wrapped: write, writev, pwrite, pwrite64, pwritev, pwritev64, pwritev2,
 * pwritev64v2, fsync, fdatasync; open and open64 only to note created files
 * (powercut). A call "counts" when its fd resolves (readlink of
 * /proc/self/fd/N) to a path starting with KILL_PATH_PREFIX; without that
 * variable every call on a regular file or block device counts. Writes to
 * terminals, pipes and sockets (stdout, stderr) never count.
 *
 * Environment:
 *   KILL_AT=N          act on the N-th counted call (1-based) of this process
 *   KILL_AT=end        (powercut only) cut the power when the process exits
 *                      normally, after its last call
 *   KILL_MODE=before   (default) _exit(137) instead of performing call N
 *             after    perform call N, then _exit(137)
 *             torn     write only the first half of call N's buffer, rounded
 *                      down to a multiple of 512 bytes, then _exit(137)
 *                      (a sync is not performed; a write shorter than 1024
 *                      bytes is not performed at all)
 *             signal   send KILL_SIGNAL (TERM or INT, default TERM) to this
 *                      process right before call N, then carry on normally
 *             powercut a power cut with a volatile write cache: instead of
 *                      performing call N, undo a random subset of the
 *                      writes not yet made durable, then _exit(137)
 *   KILL_SEED=S        (powercut) seed of the random choice (default 1)
 *   KILL_DROP=P        (powercut) each pending write is lost with
 *                      probability P percent (default 50)
 *   KILL_TEAR=G        (powercut) 0 (default): a write is lost or kept as a
 *                      whole; G > 0: each G-aligned piece of it is lost or
 *                      kept on its own (a torn write at sector granularity G)
 *   KILL_PATH_PREFIX=P only count calls on paths starting with P
 *   KILL_COUNT_FILE=F  at normal exit write this process's count ("N\n") to
 *                      F (truncating it); nothing is written after a kill
 *   KILL_LOG=F         append one line per counted call to F:
 *                      "N op path offset length" (offset -1 for write and
 *                      writev; length 0 for syncs)
 *
 * Power cut model: every counted write is logged with the bytes it
 * overwrites (read before performing it; zeros past the end of the file).
 * An fsync or fdatasync of any fd makes every logged write to the same
 * file (st_dev, st_ino) durable and drops it from the log. At the cut, each
 * logged write (or piece, with KILL_TEAR) is independently lost or kept;
 * the lost ones are undone newest first, and a byte keeps the value of the
 * newest kept write covering it, else its durable value. File sizes are
 * left as they are. Writes through an fd opened O_SYNC or O_DSYNC are
 * durable at once. A file that open or open64 creates (O_CREAT, it did not
 * exist) is in its directory durably only once an fsync of that directory
 * follows; at the cut the others are unlinked (their names are lost).
 *
 * The exit status 137 (128 + SIGKILL) tells the test the kill point was
 * reached; a run that ends with any other status never reached call N.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
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

enum mode { M_BEFORE, M_AFTER, M_TORN, M_SIGNAL, M_POWERCUT };

static unsigned long count, kill_at;
static int kill_at_end;
static __thread int counted_now;	/* the last gate() counted its call */
static enum mode mode;
static int kill_sig = SIGTERM;
static const char *prefix, *count_file, *log_file;
static size_t prefix_len;
static int ready;

static void pc_init(void);
static void pc_cut(void);
static int counted(int fd, char *path, size_t size);
static void pc_track(int fd, off_t off, const struct iovec *iov, int n);

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off64_t);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static ssize_t (*real_pwritev64)(int, const struct iovec *, int, off64_t);
static ssize_t (*real_pwritev2)(int, const struct iovec *, int, off_t, int);
static ssize_t (*real_pwritev64v2)(int, const struct iovec *, int, off64_t, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);

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
	RESOLVE(real_pwritev64v2, "pwritev64v2");
	RESOLVE(real_fsync, "fsync");
	RESOLVE(real_fdatasync, "fdatasync");
	RESOLVE(real_open, "open");
	RESOLVE(real_open64, "open64");
	s = getenv("KILL_AT");
	kill_at = s && *s ? strtoul(s, NULL, 10) : 0;
	kill_at_end = s && !strcmp(s, "end");
	s = getenv("KILL_MODE");
	if (s && !strcmp(s, "after"))
		mode = M_AFTER;
	else if (s && !strcmp(s, "torn"))
		mode = M_TORN;
	else if (s && !strcmp(s, "signal"))
		mode = M_SIGNAL;
	else if (s && !strcmp(s, "powercut"))
		mode = M_POWERCUT;
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
	pc_init();
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

	if (mode == M_POWERCUT && kill_at_end) {
		pc_cut();
		_exit(KILL_STATUS);
	}
	if (!count_file || !*count_file)
		return;
	fd = real_open(count_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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

/* ------------------------------------------------------------ power cut */

struct pending {
	dev_t dev;
	ino_t ino;
	off_t off;
	size_t len;
	unsigned char *old, *new;	/* the bytes before and after the write */
	char *path;
};

static struct pending *pend;
static size_t npend, pend_cap;
static pthread_mutex_t pend_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t rng_state;
static unsigned drop_pct = 50;
static size_t tear;

static void pc_init(void)
{
	const char *s;

	s = getenv("KILL_SEED");
	rng_state = s && *s ? strtoull(s, NULL, 10) : 1;
	s = getenv("KILL_DROP");
	if (s && *s)
		drop_pct = (unsigned)strtoul(s, NULL, 10);
	s = getenv("KILL_TEAR");
	tear = s && *s ? strtoull(s, NULL, 10) : 0;
}

/* splitmix64: a fixed sequence per seed */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Read (wr 0; zeros past the end) or write (wr 1) len bytes of path at off
 * through a descriptor of its own.
 */
static void file_io(const char *path, off_t off, unsigned char *buf, size_t len, int wr)
{
	int fd = real_open(path, (wr ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	size_t done = 0;
	ssize_t n;

	if (fd < 0)
		die("powercut: cannot open a written file");
	while (done < len) {
		n = wr ? real_pwrite(fd, buf + done, len - done, off + (off_t)done) :
			 pread(fd, buf + done, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n == 0 && wr))
			die(wr ? "powercut: cannot undo a write" :
				 "powercut: cannot read the bytes a write replaces");
		if (n == 0)
			break;
		done += (size_t)n;
	}
	close(fd);
}

/*
 * Log a counted write about to be performed: where, the bytes it replaces
 * and the bytes it writes. off < 0: at the file position.
 */
static void pc_track(int fd, off_t off, const struct iovec *iov, int n)
{
	char path[4096];
	struct pending *e;
	struct stat st;
	size_t len = 0, at = 0;
	int saved = errno, fl;

	if (mode != M_POWERCUT || !counted_now)
		return;
	for (int i = 0; i < n; i++)
		len += iov[i].iov_len;
	fl = fcntl(fd, F_GETFL);
	if (!len || (fl >= 0 && (fl & (O_SYNC | O_DSYNC)))) {
		errno = saved;
		return;
	}
	if (fstat(fd, &st) < 0 || !fd_path(fd, path, sizeof(path)))
		die("powercut: cannot identify a written file");
	if (off < 0)
		off = (fl >= 0 && (fl & O_APPEND)) ? st.st_size : lseek(fd, 0, SEEK_CUR);
	if (off < 0)
		die("powercut: no file position");
	pthread_mutex_lock(&pend_lock);
	if (npend == pend_cap) {
		pend_cap = pend_cap ? 2 * pend_cap : 64;
		pend = realloc(pend, pend_cap * sizeof(*pend));
		if (!pend)
			die("powercut: out of memory");
	}
	e = &pend[npend++];
	*e = (struct pending){ .dev = st.st_dev, .ino = st.st_ino, .off = off, .len = len,
			       .old = calloc(1, len), .new = malloc(len), .path = strdup(path) };
	if (!e->old || !e->new || !e->path)
		die("powercut: out of memory");
	file_io(path, off, e->old, len, 0);
	for (int i = 0; i < n; i++) {
		memcpy(e->new + at, iov[i].iov_base, iov[i].iov_len);
		at += iov[i].iov_len;
	}
	pthread_mutex_unlock(&pend_lock);
	errno = saved;
}

/* Files created and not yet in their directory durably (powercut). */
struct created {
	dev_t dev;	/* the directory */
	ino_t ino;
	char *path;
};

static struct created *made;
static size_t nmade, made_cap;

/* fd was just created by open: note it when it is counted. */
static void pc_created(int fd)
{
	char path[4096], dir[4096];
	struct stat st;
	int saved = errno;

	if (!counted(fd, path, sizeof(path))) {
		errno = saved;
		return;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(dirname(dir), &st) < 0)
		die("powercut: cannot stat the directory of a created file");
	pthread_mutex_lock(&pend_lock);
	if (nmade == made_cap) {
		made_cap = made_cap ? 2 * made_cap : 8;
		made = realloc(made, made_cap * sizeof(*made));
		if (!made)
			die("powercut: out of memory");
	}
	made[nmade] = (struct created){ st.st_dev, st.st_ino, strdup(path) };
	if (!made[nmade++].path)
		die("powercut: out of memory");
	pthread_mutex_unlock(&pend_lock);
	errno = saved;
}

/* An fsync of directory st: the names created in it are durable. */
static void pc_dir_synced(const struct stat *st)
{
	size_t k = 0;

	for (size_t i = 0; i < nmade; i++) {
		if (made[i].dev == st->st_dev && made[i].ino == st->st_ino)
			free(made[i].path);
		else
			made[k++] = made[i];
	}
	nmade = k;
}

static int open_common(int (*real)(const char *, int, ...), const char *path,
		       int flags, va_list ap)
{
	mode_t m = 0;
	struct stat st;
	int fd, fresh = 0, saved = errno;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		m = (mode_t)va_arg(ap, int);
	init();
	if (mode == M_POWERCUT && (flags & O_CREAT))
		fresh = stat(path, &st) < 0 && errno == ENOENT;
	errno = saved;
	fd = real(path, flags, m);
	if (fd >= 0 && fresh)
		pc_created(fd);
	return fd;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = open_common(real_open, path, flags, ap);
	va_end(ap);
	return fd;
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = open_common(real_open64, path, flags, ap);
	va_end(ap);
	return fd;
}

/* A successful fsync or fdatasync of fd: its file's writes are durable. */
static void pc_synced(int fd)
{
	struct stat st;
	size_t k = 0;
	int saved = errno;

	if (mode != M_POWERCUT || !counted_now || fstat(fd, &st) < 0) {
		errno = saved;
		return;
	}
	pthread_mutex_lock(&pend_lock);
	if (S_ISDIR(st.st_mode))
		pc_dir_synced(&st);
	for (size_t i = 0; i < npend; i++) {
		if (pend[i].dev == st.st_dev && pend[i].ino == st.st_ino) {
			free(pend[i].old);
			free(pend[i].new);
			free(pend[i].path);
		} else {
			pend[k++] = pend[i];
		}
	}
	npend = k;
	pthread_mutex_unlock(&pend_lock);
	errno = saved;
}

/*
 * The power cut: back to the durable content (every pending write undone,
 * newest first), then the kept writes or pieces again, oldest first. A
 * line "powercut: kept K of N pieces" goes to KILL_LOG.
 */
static void pc_cut(void)
{
	unsigned long kept = 0, all = 0;
	char line[96];
	int fd, k;

	pthread_mutex_lock(&pend_lock);
	for (size_t i = npend; i-- > 0;)
		file_io(pend[i].path, pend[i].off, pend[i].old, pend[i].len, 1);
	for (size_t i = 0; i < npend; i++) {
		struct pending *e = &pend[i];
		off_t a = e->off, end = e->off + (off_t)e->len, b;

		for (; a < end; a = b) {
			b = tear ? (a / (off_t)tear + 1) * (off_t)tear : end;
			if (b > end)
				b = end;
			all++;
			if (rng_next() % 100 < drop_pct)
				continue;
			kept++;
			file_io(e->path, a, e->new + (a - e->off), (size_t)(b - a), 1);
		}
	}
	for (size_t i = 0; i < nmade; i++)
		if (unlink(made[i].path) < 0 && errno != ENOENT)
			die("powercut: cannot remove a created file");
	if (log_file && *log_file) {
		fd = real_open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		k = snprintf(line, sizeof(line), "powercut: kept %lu of %lu pieces, %zu names lost\n",
			     kept, all, nmade);
		if (fd >= 0 && k > 0)
			(void)!real_write(fd, line, (size_t)k);
		if (fd >= 0)
			close(fd);
	}
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
	fd = real_open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
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
	counted_now = 0;
	if (!counted(fd, path, sizeof(path))) {
		errno = saved;
		return 0;
	}
	counted_now = 1;
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
	case M_POWERCUT:
		pc_cut();
		_exit(KILL_STATUS);
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
	struct iovec v = { (void *)buf, len };

	if (a == 2) {
		if (torn_len(len))
			(void)!real_write(fd, buf, torn_len(len));
		_exit(KILL_STATUS);
	}
	pc_track(fd, -1, &v, 1);
	return done(a, real_write(fd, buf, len));
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	int a = gate(fd, "pwrite", (long long)off, len);
	struct iovec v = { (void *)buf, len };

	if (a == 2) {
		if (torn_len(len))
			(void)!real_pwrite(fd, buf, torn_len(len), off);
		_exit(KILL_STATUS);
	}
	pc_track(fd, off, &v, 1);
	return done(a, real_pwrite(fd, buf, len, off));
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
	int a = gate(fd, "pwrite64", (long long)off, len);
	struct iovec v = { (void *)buf, len };

	if (a == 2) {
		if (torn_len(len))
			(void)!real_pwrite64(fd, buf, torn_len(len), off);
		_exit(KILL_STATUS);
	}
	pc_track(fd, off, &v, 1);
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
	pc_track(fd, -1, iov, n);
	return done(a, real_writev(fd, iov, n));
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
	int a = gate(fd, "pwritev", (long long)off, iov_total(iov, n));

	if (a == 2)
		TEAR_IOV(real_pwritev(fd, cut, k, off));
	pc_track(fd, off, iov, n);
	return done(a, real_pwritev(fd, iov, n, off));
}

ssize_t pwritev64(int fd, const struct iovec *iov, int n, off64_t off)
{
	int a = gate(fd, "pwritev64", (long long)off, iov_total(iov, n));

	if (a == 2)
		TEAR_IOV(real_pwritev64(fd, cut, k, off));
	pc_track(fd, off, iov, n);
	return done(a, real_pwritev64(fd, iov, n, off));
}

ssize_t pwritev2(int fd, const struct iovec *iov, int n, off_t off, int flags)
{
	int a = gate(fd, "pwritev2", (long long)off, iov_total(iov, n));

	if (a == 2)
		TEAR_IOV(real_pwritev2(fd, cut, k, off, flags));
#if defined(RWF_DSYNC) && defined(RWF_SYNC)
	if (!(flags & (RWF_DSYNC | RWF_SYNC)))	/* else durable at once */
#endif
		pc_track(fd, off, iov, n);
	return done(a, real_pwritev2(fd, iov, n, off, flags));
}

ssize_t pwritev64v2(int fd, const struct iovec *iov, int n, off64_t off, int flags)
{
	int a = gate(fd, "pwritev64v2", (long long)off, iov_total(iov, n));

	if (a == 2)
		TEAR_IOV(real_pwritev64v2(fd, cut, k, off, flags));
#if defined(RWF_DSYNC) && defined(RWF_SYNC)
	if (!(flags & (RWF_DSYNC | RWF_SYNC)))
#endif
		pc_track(fd, off, iov, n);
	return done(a, real_pwritev64v2(fd, iov, n, off, flags));
}

int fsync(int fd)
{
	int a = gate(fd, "fsync", -1, 0), r;

	if (a == 2)
		_exit(KILL_STATUS);
	r = (int)done(a, real_fsync(fd));
	if (!r)
		pc_synced(fd);
	return r;
}

int fdatasync(int fd)
{
	int a = gate(fd, "fdatasync", -1, 0), r;

	if (a == 2)
		_exit(KILL_STATUS);
	r = (int)done(a, real_fdatasync(fd));
	if (!r)
		pc_synced(fd);
	return r;
}
