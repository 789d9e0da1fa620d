/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-status: read and validate a LUKS2 header and report its state. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "applets/applet.h"
#include "applets/status_kv.h"
#include "common/exitcode.h"
#include "common/log.h"
#include "common/opt.h"
#include "common/passphrase.h"
#include "common/safemem.h"
#include "luks2/reenc.h"

enum { OPT_JSON = OPT_APPLET, OPT_TEST_PASS };

static const struct opt_spec opts[] = {
	{ "json", OPT_JSON, NULL, "print one JSON object" },
	{ "output", 'o', "KEY[,KEY]", "print the bare values of these keys, one per line" },
	{ "test-passphrase", OPT_TEST_PASS, NULL, "check a passphrase: exit 0 right, 2 wrong, 1 no usable keyslot" },
	{ NULL, 0, NULL, NULL },
};

static const struct applet_info info = {
	.name = "luks2-status",
	.synopsis = "[OPTIONS] DEVICE",
	.about = "Read and validate the LUKS2 header of DEVICE (both copies) and print\n"
		 "the device, keyslots, segments and reencryption state as key=value\n"
		 "lines. State \"running\": a live process holds the reencryption lock\n"
		 "(never with --disable-locks, which does not look at the lock).\n"
		 "With -q print nothing and answer with the exit code: 0 reencryption\n"
		 "in progress (clean or running), 10 none, 11 crash (run luks2-recover),\n"
		 "12 metadata needs repair, 4 not LUKS2. Never writes.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
};

struct status_opts {
	int json, test_pass;
	const char *keys;
};

static int opt_cb(void *ctx, int key, const char *arg)
{
	struct status_opts *o = ctx;

	switch (key) {
	case OPT_JSON: o->json = 1; return 0;
	case OPT_TEST_PASS: o->test_pass = 1; return 0;
	case 'o': o->keys = arg; return 0;
	}
	return -EINVAL;
}

/* Metadata in need of repair is refused before the prompt (the engine
 * then never looks at the passphrase). */
static int test_passphrase(struct reenc_dev *dev, const struct common_opts *co,
			   const struct reenc_status *st)
{
	char *pass = NULL;
	size_t len = 0;
	int r = 0;

	if (st->state != REENC_STATE_REPAIR)
		r = passphrase_read(co, "Enter passphrase: ", &pass, &len);
	if (r >= 0)
		r = reenc_test_passphrase(dev, co->key_slot, pass, len);
	safe_free(pass);
	return r;
}

/* -q: the state as an exit code, or what every writer answers to a
 * foreign signature beside a broken header copy. */
static int quiet_answer(const struct reenc_status *st)
{
	int rc = exit_from_errno(reenc_state_result(st));

	if (st->foreign[0]) {
		log_err("device contains ambiguous signatures (%s); writers refuse it",
			st->foreign);
		rc = RC_NODEV;
	}
	return rc;
}

static int print_status(struct reenc_dev *dev, const struct reenc_status *st,
			const struct status_opts *o)
{
	struct kv_list kv = { 0 };
	int r;

	if (o->json) {
		char *json = reenc_describe_json(dev, st);

		if (!json)
			return -ENOMEM;
		printf("%s\n", json);
		free(json);
		return 0;
	}
	r = reenc_describe(dev, st, kv_emit, &kv);
	if (!r)
		r = o->keys ? kv_print_keys(&kv, o->keys) : kv_print_all(&kv);
	kv_free(&kv);
	return r;
}

int luks2_status_main(int argc, char **argv)
{
	struct status_opts o = { 0 };
	struct common_opts co;
	struct reenc_status st;
	struct reenc_dev *dev;
	unsigned flags = 0;
	int i, r, rc;

	i = opt_parse(argc, argv, &info, &co, opt_cb, &o, &rc);
	if (i < 0)
		return rc;
	r = reenc_dev_open(&dev, argv[i], co.header, 0);
	if (r < 0)
		return exit_from_errno(r);
	/* --disable-locks: the lock is not looked at; an in-flight marker
	 * then reads as a crash, as a --disable-locks run leaves it */
	if (!o.test_pass && !co.disable_locks)
		flags |= REENC_STATUS_PROBE_RUNNING;
	r = reenc_status(dev, flags, &st);
	if (r < 0)
		rc = exit_from_errno(r);
	else if (o.test_pass) {
		r = test_passphrase(dev, &co, &st);
		rc = r == -EINVAL ? RC_FAIL : exit_from_errno(r);
	} else if (co.quiet && !o.keys && !o.json)
		rc = quiet_answer(&st);
	else
		rc = print_status(dev, &st, &o) < 0 ? RC_FAIL : opt_finish_stdout();
	reenc_dev_close(dev);
	return rc;
}
