/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hotzone-step: rewrite the next hotzone of a reencryption and commit. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "applets/applet.h"
#include "applets/session.h"
#include "common/exitcode.h"
#include "common/log.h"

enum { OPT_ALL = OPT_APPLET, OPT_HOTZONE, OPT_PROGRESS_JSON, OPT_RES, OPT_RES_HASH };

static const struct opt_spec opts[] = {
	{ "count", 'n', "COUNT", "rewrite up to COUNT hotzones (default 1)" },
	{ "all", OPT_ALL, NULL, "rewrite hotzones until the reencryption is finished" },
	{ "hotzone-size", OPT_HOTZONE, "SIZE", "upper bound of the hotzone length" },
	{ "progress-json", OPT_PROGRESS_JSON, NULL, "print one JSON progress line per hotzone" },
	{ "resilience", OPT_RES, "MODE", "first switch to checksum, journal or none (committed)" },
	{ "resilience-hash", OPT_RES_HASH, "HASH", "its checksum hash (default: stored, or sha256)" },
	{ NULL, 0, NULL, NULL },
};

static const struct applet_info info = {
	.name = "hotzone-step",
	.synopsis = "[OPTIONS] DEVICE",
	.about = "Rewrite the next hotzone of the reencryption recorded in DEVICE's LUKS2\n"
		 "header under its resilience mode, and commit. Exit 0: a hotzone was\n"
		 "committed and more remain; 10: nothing left (the reencryption is finished\n"
		 "and its metadata final); 11: an interrupted hotzone is recorded (run\n"
		 "luks2-recover). SIGINT and SIGTERM stop at the next hotzone boundary.\n"
		 "--resilience changes the mode in a clean state before the first hotzone,\n"
		 "as cryptsetup does on resume: checksum, journal and none among\n"
		 "themselves; a decryption moving its first segment keeps datashift\n"
		 "(checksum or journal name datashift-checksum / datashift-journal).\n"
		 "The digest is verified first and the metadata re-signed in one commit.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
};

struct step_opts {
	uint64_t count, hotzone;
	int all, json;
	const char *res, *res_hash;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int opt_cb(void *ctx, int key, const char *arg)
{
	struct step_opts *o = ctx;

	switch (key) {
	case 'n':
		if (opt_parse_uint(arg, UINT32_MAX, &o->count) < 0 || !o->count)
			return -EINVAL;
		return 0;
	case OPT_ALL: o->all = 1; return 0;
	case OPT_HOTZONE: return opt_parse_size(arg, &o->hotzone);
	case OPT_PROGRESS_JSON: o->json = 1; return 0;
	case OPT_RES: o->res = arg; return 0;
	case OPT_RES_HASH: o->res_hash = arg; return 0;
	}
	return -EINVAL;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One line with cryptsetup's fields, all strings; json-c escapes the path. */
static void print_json(const char *path, uint64_t done, uint64_t total, uint64_t speed,
		       uint64_t eta, uint64_t el)
{
	const char *keys[] = { "device_bytes", "device_size", "speed", "eta_ms", "time_ms" };
	uint64_t vals[] = { done, total, speed, eta, el };
	struct json_object *o = json_object_new_object();
	char v[24];

	json_object_object_add(o, "device", json_object_new_string(path));
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		snprintf(v, sizeof(v), "%ju", (uintmax_t)vals[i]);
		json_object_object_add(o, keys[i], json_object_new_string(v));
	}
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void report(struct reenc_ctx *c, const struct step_opts *o, double t0,
		   uint64_t done0, int finished)
{
	uint64_t total = c->device_size, done = finished ? total : reenc_progress(c);
	double el = now_ms() - t0, speed = el > 0 ? (done - done0) / el * 1e3 : 0;
	uint64_t eta = speed > 0 ? (uint64_t)((total - done) / speed * 1e3) : 0;

	if (o->json)
		print_json(c->d->path, done, total, (uint64_t)speed, eta, (uint64_t)el);
	log_verbose("offset=%ju length=%ju remaining=%ju", (uintmax_t)c->offset,
		    (uintmax_t)c->length, (uintmax_t)(total - done));
	if (!o->json && log_get_level() >= LOG_NORMAL && isatty(STDERR_FILENO))
		fprintf(stderr, "\r%s: %5.1f%% %ju/%ju MiB, %.1f MiB/s, ETA %jus   ",
			c->d->path, total ? 100.0 * done / total : 100.0,
			(uintmax_t)(done >> 20), (uintmax_t)(total >> 20), speed / 1048576,
			(uintmax_t)(eta / 1000));
	fflush(stdout);
}

static int run(struct reenc_ctx *c, const struct step_opts *o)
{
	uint64_t n = 0, done0 = reenc_progress(c);
	double t0 = now_ms();
	int r = 0, fatal = 0;

	while (!stop && (o->all || n < (o->count ? o->count : 1))) {
		r = reenc_step(c, &fatal);
		if (r < 0)
			break;
		n++;
		report(c, o, t0, done0, r == 1);
		if (r == 1)
			break;
	}
	if (isatty(STDERR_FILENO) && !o->json && log_get_level() >= LOG_NORMAL)
		fprintf(stderr, "\n");
	if (r == 0 && c->res == REENC_RES_NONE && n) {
		r = reenc_commit_progress(c);
		if (r < 0) {
			log_err("resilience none: cannot commit the progress of this run (%s); the "
				"header still describes its start", strerror(-r));
			return RC_FAIL;
		}
	}
	if (r < 0)
		return fatal ? RC_RECOVER : exit_from_errno(r);
	if (stop)
		log_info("interrupted; metadata is clean, run again to resume");
	return r == 1 ? RC_DONE : RC_OK;
}

/* --resilience: cryptsetup's names on resume (src/utils_reencrypt.c
 * reencrypt_verify_and_update_params), then the engine's transaction. */
static int set_resilience(struct reenc_ctx **c, const struct step_opts *o)
{
	enum reenc_res res;
	const char *hash;
	int r;

	if (reenc_res_parse(o->res, &res) < 0 || res == REENC_RES_DATASHIFT) {
		log_err("--resilience must be checksum, journal or none");
		return -EINVAL;
	}
	if ((*c)->res == REENC_RES_DS_CHECKSUM || (*c)->res == REENC_RES_DS_JOURNAL) {
		if (res == REENC_RES_CHECKSUM)
			res = REENC_RES_DS_CHECKSUM;
		else if (res == REENC_RES_JOURNAL)
			res = REENC_RES_DS_JOURNAL;
	}
	hash = o->res_hash ? o->res_hash : (*c)->hash[0] ? (*c)->hash : "sha256";
	r = reenc_set_resilience(*c, res, hash);
	if (r <= 0)
		return r;
	log_verbose("resilience is now %s", reenc_res_name(res));
	return reenc_reload(c, o->hotzone);
}

int hotzone_step_main(int argc, char **argv)
{
	struct step_opts o = { 0 };
	struct reenc_ctx *c = NULL;
	struct common_opts co;
	struct session s;
	int i, r, rc;

	i = opt_parse(argc, argv, &info, &co, opt_cb, &o, &rc);
	if (i < 0)
		return rc;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	r = session_open(&s, argv[i], &co);
	if (r < 0) {
		rc = exit_from_errno(r);
		goto out;
	}
	rc = session_state_rc(&s.ri, 0);
	if (rc != RC_OK)
		goto out;
	if (o.res_hash && !o.res) {
		log_err("--resilience-hash needs --resilience");
		rc = RC_FAIL;
		goto out;
	}
	r = session_load(&s, &co, o.hotzone, &c);
	if (r >= 0 && o.res)
		r = set_resilience(&c, &o);
	if (r < 0) {
		rc = exit_from_errno(r);
		goto out;
	}
	r = reenc_finish_if_done(c);
	if (r != 0) {
		rc = r < 0 ? RC_FAIL : RC_DONE;
		goto out;
	}
	rc = run(c, &o);
	if (rc == RC_OK || rc == RC_DONE)
		rc = opt_finish_stdout() ? RC_FAIL : rc;
out:
	reenc_free(c);
	session_close(&s);
	return rc;
}
