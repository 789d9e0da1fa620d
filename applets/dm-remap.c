/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dm-remap: the device-mapper side of a LUKS2 device, as cryptsetup makes
 * it (luks2/reenc.h reenc_dm_*): table, open, close, status. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "applets/applet.h"
#include "common/exitcode.h"
#include "common/log.h"
#include "common/opt.h"
#include "common/passphrase.h"
#include "common/safemem.h"
#include "luks2/reenc.h"

enum { OPT_READONLY = 'r' };

static const struct opt_spec opts[] = {
	{ "readonly", OPT_READONLY, NULL, "open: create a read-only device" },
	{ NULL, 0, NULL, NULL },
};

static const struct applet_info info = {
	.name = "dm-remap",
	.synopsis = "[OPTIONS] table DEVICE | open DEVICE NAME | close NAME | status NAME |\n"
		    "       stack NAME | unstack NAME",
	.about = "The device-mapper devices of a LUKS2 device, as cryptsetup makes them\n"
		 "(same table, dm uuid CRYPT-LUKS2-<uuid>-NAME, volume keys as kernel\n"
		 "keyring logon keys), so either tool closes what the other opened.\n"
		 "table: print the table the metadata implies (keys as keyring references;\n"
		 "needs no kernel; image files work). open: read the passphrase and create\n"
		 "/dev/mapper/NAME; during a clean reencryption with the multi-segment table\n"
		 "cryptsetup builds; a crash state (11) and unverified metadata (12) are\n"
		 "refused. close: remove NAME and the reencryption helpers under it (not\n"
		 "while a reencryption runs). status: key=value lines; with -q only the\n"
		 "exit code: 0 an active LUKS2 device, 4 not active or not LUKS2.\n"
		 "stack: for a reencryption in progress (clean), remap NAME onto\n"
		 "cryptsetup's helpers NAME-overlay and NAME-hotzone-forward|backward, as\n"
		 "an online run does at its start; unstack: give NAME the table of the\n"
		 "metadata and remove the helpers (both read the passphrase).",
	.opts = opts,
	.min_args = 2,
	.max_args = 3,
};

struct remap_opts {
	int readonly;
};

static int opt_cb(void *ctx, int key, const char *arg)
{
	struct remap_opts *o = ctx;

	(void)arg;
	if (key == OPT_READONLY) {
		o->readonly = 1;
		return 0;
	}
	return -EINVAL;
}

static int cmd_table(const char *path, const struct common_opts *co)
{
	struct reenc_dev *dev;
	char *text = NULL;
	int r;

	r = reenc_dev_open(&dev, path, co->header, 0);
	if (r < 0)
		return exit_from_errno(r);
	r = reenc_dm_table(dev, &text);
	if (!r)
		fputs(text, stdout);
	reenc_dm_free_text(text);
	reenc_dev_close(dev);
	return r < 0 ? exit_from_errno(r) : opt_finish_stdout();
}

/* Every check first (no prompt for a device that cannot be opened), then
 * the passphrase. */
static int cmd_open(const char *path, const char *name, const struct common_opts *co,
		    const struct remap_opts *o)
{
	unsigned flags = o->readonly ? REENC_DM_READONLY : 0;
	struct reenc_dev *dev;
	char *pass = NULL;
	size_t len = 0;
	int r;

	r = reenc_dev_open(&dev, path, co->header, co->disable_locks ? REENC_OPEN_NO_LOCKS : 0);
	if (r < 0)
		return exit_from_errno(r);
	r = reenc_dm_open(dev, name, NULL, 0, co->key_slot, flags);
	if (!r)
		r = passphrase_read(co, "Enter passphrase: ", &pass, &len);
	if (!r)
		r = reenc_dm_open(dev, name, pass, len, co->key_slot, flags);
	safe_free(pass);
	reenc_dev_close(dev);
	if (!r)
		log_verbose("%s opened as /dev/mapper/%s", path, name);
	return exit_from_errno(r);
}

/* stack / unstack NAME: the reencryption of the device under NAME is
 * loaded (keys, digest verified) and NAME put onto cryptsetup's helper
 * devices, or given back the table of its metadata. */
static int cmd_stack(const char *name, const struct common_opts *co, int stack)
{
	unsigned flags = REENC_OPEN_WRITE | REENC_OPEN_ACTIVE |
			 (co->disable_locks ? REENC_OPEN_NO_LOCKS : 0);
	struct reenc_dev *dev = NULL;
	struct reenc_ctx *ctx = NULL;
	struct reenc_status st;
	char path[160], *pass = NULL;
	size_t len = 0;
	int r;

	r = reenc_dm_backing_device(name, path, sizeof(path));
	if (!r)
		r = reenc_dev_open(&dev, path, co->header, flags);
	if (!r)
		r = reenc_status(dev, 0, &st);
	if (!r)
		r = reenc_state_check(&st, 0);
	if (!r)
		r = passphrase_read(co, "Enter passphrase: ", &pass, &len);
	if (!r)
		r = reenc_load(dev, pass, len, co->key_slot, 0, &ctx);
	safe_free(pass);
	if (!r)
		r = stack ? reenc_dm_stack(ctx, name) : reenc_dm_unstack(ctx, name);
	reenc_free(ctx);
	reenc_dev_close(dev);
	return exit_from_errno(r);
}

static void print_target(int i, const struct reenc_dm_target *t)
{
	printf("target.%d.type=%s\ntarget.%d.start=%" PRIu64 "\ntarget.%d.length=%" PRIu64 "\n",
	       i, t->type, i, t->start, i, t->length);
	if (!strcmp(t->type, "crypt"))
		printf("target.%d.cipher=%s\ntarget.%d.key=%s\ntarget.%d.iv_offset=%" PRIu64
		       "\ntarget.%d.sector_size=%u\n", i, t->cipher, i, t->key, i, t->iv_offset,
		       i, t->sector_size);
	if (t->device[0])
		printf("target.%d.device=%s\ntarget.%d.offset=%" PRIu64 "\n", i, t->device, i,
		       t->offset);
}

/* The helpers, comma-separated; suspended: only the suspended ones. */
static void print_helpers(const char *key, const struct reenc_dm_status *st, int suspended)
{
	const char *sep = "";

	printf("%s=", key);
	for (int i = 0; i < st->nhelpers; i++)
		if (!suspended || st->helper_suspended[i]) {
			printf("%s%s", sep, st->helper[i]);
			sep = ",";
		}
	printf("\n");
}

static void print_status(const struct reenc_dm_status *st)
{
	const struct reenc_dm_target *t0 = st->ntargets ? &st->t[0] : NULL;

	printf("name=%s\ndm_uuid=%s\ntype=%s\nuuid=%s\n", st->name, st->dm_uuid, st->type,
	       st->uuid);
	printf("device=%s\noffset=%" PRIu64 "\nsize=%" PRIu64 "\n", t0 ? t0->device : "",
	       t0 ? t0->offset : 0, st->size);
	printf("dm_device=%u:%u\nsuspended=%d\nread_only=%d\nopen_count=%d\ntargets=%d\n",
	       st->major, st->minor, st->suspended, st->read_only, st->open_count,
	       st->ntargets);
	for (int i = 0; i < st->ntargets; i++)
		print_target(i, &st->t[i]);
	print_helpers("helpers", st, 0);
	print_helpers("helpers_suspended", st, 1);
}

static int cmd_status(const char *name, const struct common_opts *co)
{
	struct reenc_dm_status st;
	int r = reenc_dm_status(name, &st);

	if (r == -ENODEV && !co->quiet)
		log_err("device %s is not active", name);
	if (r < 0)
		return exit_from_errno(r);
	if (!co->quiet) {
		print_status(&st);
		if (opt_finish_stdout())
			return RC_FAIL;
	}
	if (!st.type[0]) {
		if (!co->quiet)
			log_err("device %s is not a LUKS2 device", name);
		return RC_NODEV;
	}
	return RC_OK;
}

/* The operands each subcommand takes after its name. */
static int nargs(const char *cmd)
{
	if (!strcmp(cmd, "open"))
		return 2;
	if (!strcmp(cmd, "table") || !strcmp(cmd, "close") || !strcmp(cmd, "status") ||
	    !strcmp(cmd, "stack") || !strcmp(cmd, "unstack"))
		return 1;
	return -1;
}

/* Options before the subcommand (dm-remap -q status NAME) or after it
 * (dm-remap open --key-file K DEVICE NAME); the parser stops at the
 * first operand. *args: the operands after the subcommand. Returns their
 * count, -1 with *rc set. */
static int parse(int argc, char **argv, struct common_opts *co, struct remap_opts *o,
		 const char **cmd, char ***args, int *rc)
{
	struct applet_info sub = info;
	int i;

	if (argc < 2 || argv[1][0] == '-') {
		i = opt_parse(argc, argv, &info, co, opt_cb, o, rc);
		if (i < 0)
			return -1;
		*cmd = argv[i];
		*args = argv + i + 1;
		return argc - i - 1;
	}
	sub.min_args = 1;
	sub.max_args = 2;
	i = opt_parse(argc - 1, argv + 1, &sub, co, opt_cb, o, rc);
	if (i < 0)
		return -1;
	*cmd = argv[1];
	*args = argv + 1 + i;
	return argc - 1 - i;
}

int dm_remap_main(int argc, char **argv)
{
	struct remap_opts o = { 0 };
	struct common_opts co;
	const char *cmd;
	char **args;
	int n, rc;

	n = parse(argc, argv, &co, &o, &cmd, &args, &rc);
	if (n < 0)
		return rc;
	if (nargs(cmd) < 0) {
		log_err("unknown subcommand '%s' (table, open, close, status, stack, unstack)", cmd);
		return RC_FAIL;
	}
	if (n != nargs(cmd)) {
		log_err("%s takes %s", cmd, nargs(cmd) == 2 ? "DEVICE NAME" :
			!strcmp(cmd, "table") ? "DEVICE" : "NAME");
		return RC_FAIL;
	}
	if (o.readonly && strcmp(cmd, "open")) {
		log_err("--readonly is for open");
		return RC_FAIL;
	}
	if (!strcmp(cmd, "table"))
		return cmd_table(args[0], &co);
	if (!strcmp(cmd, "open"))
		return cmd_open(args[0], args[1], &co, &o);
	if (!strcmp(cmd, "close"))
		return exit_from_errno(reenc_dm_close(args[0], co.disable_locks ?
						       REENC_OPEN_NO_LOCKS : 0));
	if (!strcmp(cmd, "stack") || !strcmp(cmd, "unstack"))
		return cmd_stack(args[0], &co, !strcmp(cmd, "stack"));
	return cmd_status(args[0], &co);
}
