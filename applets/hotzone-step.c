/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hotzone-step: rewrite the next hotzone of a reencryption and commit. */
#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "applets/applet.h"
#include "common/exitcode.h"
#include "common/log.h"
#include "common/clock.h"
#include "common/passphrase.h"
#include "common/safemem.h"
#include "luks2/reenc.h"

enum { OPT_ALL = OPT_APPLET, OPT_HOTZONE, OPT_PROGRESS_JSON, OPT_RES, OPT_RES_HASH,
       OPT_ACTIVE };

static const struct opt_spec opts[] = {
	{ "count", 'n', "COUNT", "rewrite up to COUNT hotzones (default 1)" },
	{ "all", OPT_ALL, NULL, "rewrite hotzones until the reencryption is finished" },
	{ "hotzone-size", OPT_HOTZONE, "SIZE", "upper bound of the hotzone length" },
	{ "progress-json", OPT_PROGRESS_JSON, NULL, "print one JSON progress line per hotzone" },
	{ "resilience", OPT_RES, "MODE", "first switch to checksum, journal or none (committed)" },
	{ "resilience-hash", OPT_RES_HASH, "HASH", "its checksum hash (default: stored, or sha256)" },
	{ "active-name", OPT_ACTIVE, "NAME", "online: DEVICE is active as NAME (default: found)" },
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
		 "The digest is verified first and the metadata re-signed in one commit.\n"
		 "Online: when DEVICE is active (--active-name NAME, or the LUKS2 device\n"
		 "found over it), NAME stays in use: it is remapped onto cryptsetup's\n"
		 "helper devices NAME-overlay and NAME-hotzone-forward|backward for the\n"
		 "run, I/O to a hotzone waits only while it is rewritten, and NAME gets\n"
		 "the table of the metadata at the end. After a failure inside a hotzone\n"
		 "its I/O fails (error target): run luks2-recover --active-name NAME.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
};

struct step_opts {
	uint64_t count, hotzone;
	int all, json;
	const char *res, *res_hash, *active;
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
	case OPT_ACTIVE: o->active = arg; return 0;
	}
	return -EINVAL;
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

struct report {
	const struct step_opts *o;
	const char *path;
	double t0;
	uint64_t done0;
};

static void report(const struct reenc_progress *p, void *arg)
{
	struct report *rp = arg;
	double el = now_ms() - rp->t0;
	double speed = el > 0 ? (p->done - rp->done0) / el * 1e3 : 0;
	uint64_t eta = speed > 0 ? (uint64_t)((p->total - p->done) / speed * 1e3) : 0;

	if (rp->o->json)
		print_json(rp->path, p->done, p->total, (uint64_t)speed, eta, (uint64_t)el);
	if (!rp->o->json && log_get_level() >= LOG_NORMAL && isatty(STDERR_FILENO))
		fprintf(stderr, "\r%s: %5.1f%% %ju/%ju MiB, %.1f MiB/s, ETA %jus   ",
			rp->path, p->total ? 100.0 * p->done / p->total : 100.0,
			(uintmax_t)(p->done >> 20), (uintmax_t)(p->total >> 20), speed / 1048576,
			(uintmax_t)(eta / 1000));
	fflush(stdout);
}

static int run(struct reenc_dev *dev, struct reenc_ctx *c, const struct step_opts *o)
{
	struct report rp = { .o = o, .path = reenc_dev_path(dev), .t0 = now_ms() };
	struct reenc_run_params p = {
		.hotzones = o->all ? 0 : o->count ? o->count : 1,
		.progress = report, .arg = &rp, .stop = &stop,
	};
	uint64_t total;
	int r;

	reenc_get_progress(c, &rp.done0, &total);
	r = reenc_run(c, &p);
	if (isatty(STDERR_FILENO) && !o->json && log_get_level() >= LOG_NORMAL)
		fprintf(stderr, "\n");
	if (r == REENC_RUN_STOPPED)
		log_info("interrupted; metadata is clean, run again to resume");
	return r < 0 ? exit_from_errno(r) : r == REENC_RUN_FINISHED ? RC_DONE : RC_OK;
}

/* --resilience: the names cryptsetup takes on resume, parsed once. */
static int set_resilience(struct reenc_ctx *c, const struct step_opts *o)
{
	enum reenc_res res;

	if (reenc_res_parse(o->res, &res) < 0) {
		log_err("--resilience must be checksum, journal or none");
		return -EINVAL;
	}
	return reenc_set_resilience(c, res, o->res_hash);
}

static int load(struct reenc_dev *dev, const struct common_opts *co, uint64_t hotzone,
		struct reenc_ctx **c)
{
	char *pass = NULL;
	size_t len;
	int r;

	r = passphrase_read(co, "Enter passphrase: ", &pass, &len);
	if (r < 0)
		return r;
	r = reenc_load(dev, pass, len, co->key_slot, hotzone, c);
	safe_free(pass);
	return r;
}

int hotzone_step_main(int argc, char **argv)
{
	struct step_opts o = { 0 };
	struct reenc_ctx *c = NULL;
	struct reenc_dev *dev = NULL;
	struct reenc_status st;
	struct common_opts co;
	char found[128];
	int i, r, rc;

	i = opt_parse(argc, argv, &info, &co, opt_cb, &o, &rc);
	if (i < 0)
		return rc;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!o.active) {
		reenc_find_active_path(argv[i], co.header, found, sizeof(found));
		o.active = found[0] ? found : NULL;
	}
	r = reenc_dev_open(&dev, argv[i], co.header, REENC_OPEN_WRITE |
			   (o.active ? REENC_OPEN_ACTIVE : 0) |
			   (co.disable_locks ? REENC_OPEN_NO_LOCKS : 0));
	if (!r)
		r = reenc_status(dev, 0, &st);
	if (!r)
		r = reenc_state_check(&st, 0);
	if (!r && o.res_hash && !o.res) {
		log_err("--resilience-hash needs --resilience");
		r = -EINVAL;
	}
	if (!r)
		r = load(dev, &co, o.hotzone, &c);
	if (!r && o.res)
		r = set_resilience(c, &o);
	if (!r && o.active)
		r = reenc_set_active(c, o.active);
	rc = r < 0 ? exit_from_errno(r) : run(dev, c, &o);
	if (rc == RC_OK || rc == RC_DONE)
		rc = opt_finish_stdout() ? RC_FAIL : rc;
	reenc_free(c);
	reenc_dev_close(dev);
	return rc;
}
