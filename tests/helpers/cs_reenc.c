/*
 * cs_reenc — test-only helper: resume a LUKS2 reencryption that was
 * initialised with "cryptsetup reencrypt --init-only" and run it offline
 * on an image file through libcryptsetup, optionally stopping cleanly or
 * "crashing" part way: a clean stop comes from the progress callback,
 * a crash from _exit() right after a hotzone's data was rewritten and
 * before its post commit (doc/format.md §4.2).
 *
 *   cs_reenc [--stop-after N] [--crash-after N] [--hotzone-size BYTES]
 *            [--no-benchmark] [--print-progress] [--debug]
 *            [--resilience R [--resilience-hash H]]
 *            --key-file K [--header H] IMG
 *   cs_reenc --status [--header H] IMG
 *
 * --stop-after N   the progress callback returns 1 on its N-th call, so
 *                  crypt_reencrypt_run() stops cleanly (consistent metadata).
 *                  The first call comes before any hotzone, so N-1 hotzones
 *                  are rewritten (--stop-after 2 = one hotzone).
 * --crash-after N  debug log enabled; on the N-th "Setting 'post' segments."
 *                  message the program calls _exit(0) at once, leaving the
 *                  hotzone segment flagged in-reencryption (crash state).
 * --hotzone-size   maximum hotzone size in bytes (multiple of 512); 0 = auto.
 * --no-benchmark   new digests (the reencryption digest is re-created on
 *                  resume for checksum resilience) get 1000 PBKDF2
 *                  iterations instead of a ~1 s benchmark (test speed only;
 *                  cryptsetup itself would benchmark).
 * --print-progress print "progress OFFSET SIZE" (bytes) on stdout for every
 *                  progress callback. libcryptsetup 2.6.1 calls it once
 *                  before the first hotzone with the stored progress, then
 *                  after each hotzone with the value from *before* that
 *                  hotzone; so "--stop-after 1 --print-progress" reports
 *                  the current progress and rewrites no data (it may still
 *                  commit the header: use a copy).
 * --resilience R   resume with params.resilience = R (libcryptsetup's exact
 *                  name, e.g. datashift-journal) and params.hash = H: the
 *                  library changes the resilience of the reencryption
 *                  (data_shift and, without H, the hash as stored).
 * --status         only load the header and print libcryptsetup's view,
 *                  crypt_reencrypt_status(), on one line:
 *                  "state=none|clean|crash|invalid repair_needed=0|1
 *                   mode=M direction=D resilience=R hash=H data_shift=BYTES
 *                   move_first_segment=0|1" (mode... only when not none).
 *                  No key file needed, never writes.
 *
 * Exit 0 on success (also after a clean stop or a simulated crash),
 * 1 on a libcryptsetup error, 2 on bad usage, 3 when --crash-after was
 * given but the reencryption finished before the N-th post commit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libcryptsetup.h>

static unsigned long stop_after;	/* 0 = run to the end */
static unsigned long crash_after;	/* 0 = no crash */
static unsigned long progress_calls;
static unsigned long post_seen;
static int debug;
static int print_progress;
static int status_only;
static int no_benchmark;

static void usage(void)
{
	fprintf(stderr, "usage: cs_reenc [--stop-after N] [--crash-after N] "
		"[--hotzone-size BYTES] [--no-benchmark]\n"
		"                [--print-progress] [--debug] [--resilience R [--resilience-hash H]]\n"
		"                --key-file K [--header H] IMG\n");
	exit(2);
}

static unsigned long long num_arg(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		usage();
	return v;
}

static void log_cb(int level, const char *msg, void *usrptr)
{
	(void)usrptr;
	if (debug || level != CRYPT_LOG_DEBUG)
		fprintf(stderr, "%s%s", msg,
			msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
	if (crash_after && level == CRYPT_LOG_DEBUG &&
	    strstr(msg, "Setting 'post' segments.") &&
	    ++post_seen == crash_after) {
		fprintf(stderr, "cs_reenc: simulated crash before post "
			"segments commit #%lu\n", post_seen);
		_exit(0);
	}
}

static int progress_cb(uint64_t size, uint64_t offset, void *usrptr)
{
	(void)usrptr;
	progress_calls++;
	if (debug)
		fprintf(stderr, "cs_reenc: progress #%lu %llu/%llu\n",
			progress_calls, (unsigned long long)offset,
			(unsigned long long)size);
	if (print_progress) {
		printf("progress %llu %llu\n", (unsigned long long)offset,
		       (unsigned long long)size);
		fflush(stdout);
	}
	return stop_after && progress_calls >= stop_after;
}

static char *read_key_file(const char *path, size_t *len)
{
	char *buf = NULL;
	size_t n = 0, cap = 0;
	ssize_t r;
	int fd = strcmp(path, "-") ? open(path, O_RDONLY) : 0;

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			if (cap > 8u << 20 || !(buf = realloc(buf, cap))) {
				fprintf(stderr, "%s: too large\n", path);
				exit(1);
			}
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror(path);
			exit(1);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (fd)
		close(fd);
	*len = n;
	return buf;
}

static int print_status(const char *header, const char *img)
{
	static const char *const states[] = { "none", "clean", "crash", "invalid" };
	static const char *const modes[] = { "reencrypt", "encrypt", "decrypt" };
	struct crypt_params_reencrypt params;
	struct crypt_device *cd = NULL;
	crypt_reencrypt_info ri;
	int r;

	crypt_set_log_callback(NULL, log_cb, NULL);
	r = header ? crypt_init_data_device(&cd, header, img)
		   : crypt_init(&cd, img);
	if (r < 0) {
		fprintf(stderr, "cs_reenc: crypt_init %s: %s\n", img, strerror(-r));
		return 1;
	}
	crypt_metadata_locking(cd, 0);
	r = crypt_load(cd, CRYPT_LUKS2, NULL);
	if (r < 0) {
		fprintf(stderr, "cs_reenc: crypt_load: %s\n", strerror(-r));
		crypt_free(cd);
		return 1;
	}
	memset(&params, 0, sizeof(params));
	ri = crypt_reencrypt_status(cd, &params);
	printf("state=%s repair_needed=%d", (unsigned)ri < 4 ? states[ri] : "?",
	       !!(params.flags & CRYPT_REENCRYPT_REPAIR_NEEDED));
	if (ri == CRYPT_REENCRYPT_CLEAN || ri == CRYPT_REENCRYPT_CRASH)
		printf(" mode=%s direction=%s resilience=%s hash=%s "
		       "data_shift=%llu move_first_segment=%d",
		       (unsigned)params.mode < 3 ? modes[params.mode] : "?",
		       params.direction == CRYPT_REENCRYPT_BACKWARD ?
		       "backward" : "forward",
		       params.resilience ? params.resilience : "",
		       params.hash ? params.hash : "",
		       (unsigned long long)params.data_shift * 512,
		       !!(params.flags & CRYPT_REENCRYPT_MOVE_FIRST_SEGMENT));
	printf("\n");
	crypt_free(cd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *key_file = NULL, *header = NULL, *img, *res = NULL, *res_hash = NULL;
	struct crypt_params_reencrypt params;
	struct crypt_device *cd = NULL;
	unsigned long long hotzone = 0;
	char *pass;
	size_t pass_len;
	int i, r;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "--debug")) {
			debug = 1;
			continue;
		}
		if (!strcmp(o, "--no-benchmark")) {
			no_benchmark = 1;
			continue;
		}
		if (!strcmp(o, "--status")) {
			status_only = 1;
			continue;
		}
		if (!strcmp(o, "--print-progress")) {
			print_progress = 1;
			continue;
		}
		if (!strcmp(o, "--")) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(o, "--stop-after"))
			stop_after = num_arg(argv[++i]);
		else if (!strcmp(o, "--crash-after"))
			crash_after = num_arg(argv[++i]);
		else if (!strcmp(o, "--hotzone-size"))
			hotzone = num_arg(argv[++i]);
		else if (!strcmp(o, "--key-file"))
			key_file = argv[++i];
		else if (!strcmp(o, "--header"))
			header = argv[++i];
		else if (!strcmp(o, "--resilience"))
			res = argv[++i];
		else if (!strcmp(o, "--resilience-hash"))
			res_hash = argv[++i];
		else
			usage();
	}
	if (i != argc - 1 || (!key_file && !status_only) || hotzone % 512)
		usage();
	img = argv[i];
	if (status_only)
		return print_status(header, img);

	pass = read_key_file(key_file, &pass_len);

	crypt_set_log_callback(NULL, log_cb, NULL);
	if (crash_after || debug)
		crypt_set_debug_level(CRYPT_DEBUG_ALL);

	r = header ? crypt_init_data_device(&cd, header, img)
		   : crypt_init(&cd, img);
	if (r < 0) {
		fprintf(stderr, "cs_reenc: crypt_init %s: %s\n", img, strerror(-r));
		return 1;
	}
	crypt_set_log_callback(cd, log_cb, NULL);
	r = crypt_metadata_locking(cd, 0);
	if (r < 0) {
		fprintf(stderr, "cs_reenc: crypt_metadata_locking: %s\n", strerror(-r));
		goto out;
	}
	r = crypt_load(cd, CRYPT_LUKS2, NULL);
	if (r < 0) {
		fprintf(stderr, "cs_reenc: crypt_load: %s\n", strerror(-r));
		goto out;
	}

	if (no_benchmark) {
		struct crypt_pbkdf_type pbkdf = {
			.type = CRYPT_KDF_PBKDF2,
			.hash = "sha256",
			.iterations = 1000,
			.flags = CRYPT_PBKDF_NO_BENCHMARK,
		};

		r = crypt_set_pbkdf_type(cd, &pbkdf);
		if (r < 0) {
			fprintf(stderr, "cs_reenc: crypt_set_pbkdf_type: %s\n",
				strerror(-r));
			goto out;
		}
	}

	memset(&params, 0, sizeof(params));
	if (res) {
		/* as cryptsetup's CLI: the stored parameters (data_shift),
		 * the stored hash unless one is given, else sha256 */
		crypt_reencrypt_status(cd, &params);
		params.resilience = res;
		if (res_hash)
			params.hash = res_hash;
		else if (!params.hash)
			params.hash = "sha256";
	}
	params.flags = CRYPT_REENCRYPT_RESUME_ONLY;
	params.max_hotzone_size = hotzone / 512;
	params.device_size = 0;
	r = crypt_reencrypt_init_by_passphrase(cd, NULL, pass, pass_len,
					       CRYPT_ANY_SLOT, CRYPT_ANY_SLOT,
					       NULL, NULL, &params);
	if (r < 0) {
		fprintf(stderr, "cs_reenc: crypt_reencrypt_init_by_passphrase: %s\n",
			strerror(-r));
		goto out;
	}
	r = crypt_reencrypt_run(cd, progress_cb, NULL);
	if (r < 0)
		fprintf(stderr, "cs_reenc: crypt_reencrypt_run: %s\n", strerror(-r));
	if (crash_after && r >= 0) {
		fprintf(stderr, "cs_reenc: finished before crash point "
			"(%lu post commits)\n", post_seen);
		r = 3;
	}
out:
	crypt_free(cd);
	memset(pass, 0, pass_len);
	free(pass);
	return r < 0 ? 1 : r == 3 ? 3 : 0;
}
