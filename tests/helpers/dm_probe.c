/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only: the device-mapper groundwork (common/dm.h, luks2/dm_table.h)
 * from the command line, for tests/vm/dm-table.test.
 *   dm_probe table [--hex] [-k VKFILE]... [-d PASSFILE] DEV
 *       the table cryptsetup would load for DEV (data device as MAJ:MIN
 *       when it is a block device), keyring references unless --hex
 *   dm_probe open [--hex] [-k VKFILE]... [-d PASSFILE] DEV NAME
 *       create NAME from it, volume keys (files of raw key bytes, or
 *       unlocked with the passphrase) as logon keys in the thread keyring
 *   (--header FILE: a detached header)
 *   dm_probe close|suspend|resume|info|status|deps|clear NAME
 *   dm_probe load-error NAME    an inactive table: one error target of
 *       NAME's size (resume makes it live)
 *   (open --inactive: the table is loaded inactive, resume makes it live)
 *   dm_probe table-of [--hide] NAME   NAME's live table, keys shown
 *       unless --hide
 *   dm_probe holders DEV        the dm devices holding DEV, one a line
 *   dm_probe uuid UUID NAME [subdev]   the dm uuid of NAME
 *   dm_probe helpers NAME       overlay, hotzone-forward/backward names
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/dm.h"
#include "common/log.h"
#include "common/passphrase.h"
#include "luks2/dm_table.h"
#include "luks2/luks2.h"

struct args {
	int hex;
	const char *vkfile[4];
	int nvk;
	const char *passfile;
	const char *header;
	int hide;
	int inactive;
	char **pos;
	int npos;
};

static struct luks2_dm_key keys[LUKS2_DM_MAX_TARGETS];
static size_t nkeys;

static int read_file(const char *file, char **p, size_t *len)
{
	struct common_opts co = { .key_file = file, .key_slot = -1 };

	return passphrase_read(&co, "", p, len);
}

/* Match each volume key file to a digest of the table. */
static int load_vk_files(struct luks2_dev *d, const struct args *a,
			 const struct luks2_dm_table *tab)
{
	char *buf;
	size_t len;
	int r;

	for (int i = 0; i < a->nvk; i++) {
		if ((r = read_file(a->vkfile[i], &buf, &len)) < 0)
			return r;
		for (size_t j = 0; j < tab->ndigests; j++)
			if (luks2_digest_verify(&d->hdr, tab->digest[j], buf, len) == 0) {
				keys[nkeys].digest = tab->digest[j];
				keys[nkeys++].vk = vk_alloc(len, buf);
				break;
			}
		safe_free(buf);
	}
	return 0;
}

static int unlock_keys(struct luks2_dev *d, const struct args *a,
		       const struct luks2_dm_table *tab)
{
	struct volume_key *vk;
	char *pass;
	size_t len;
	int r;

	if ((r = read_file(a->passfile, &pass, &len)) < 0)
		return r;
	for (size_t j = 0; j < tab->ndigests && r >= 0; j++) {
		r = luks2_keyslot_open_digest(d, tab->digest[j], -1, pass, len, &vk);
		if (r >= 0) {
			keys[nkeys].digest = tab->digest[j];
			keys[nkeys++].vk = vk;
		}
	}
	safe_free(pass);
	return r < 0 ? r : 0;
}

/* The table of DEV, with the keys the arguments give. */
static int build(struct luks2_dev *d, const struct args *a, char *devstr,
		 size_t len, struct luks2_dm_table *tab)
{
	struct stat st;
	int r;

	if ((r = luks2_dev_open(d, a->pos[0], a->header, 0)) < 0)
		return r;
	snprintf(devstr, len, "%s", a->pos[0]);
	if (fstat(d->fd, &st) == 0 && S_ISBLK(st.st_mode))
		snprintf(devstr, len, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	if ((r = luks2_dm_table_build(d, devstr, NULL, 0, 0, tab)) < 0)
		return r;
	if ((r = load_vk_files(d, a, tab)) < 0 ||
	    (a->passfile && (r = unlock_keys(d, a, tab)) < 0))
		return r;
	if (!a->hex)
		return 0;
	luks2_dm_table_free(tab);
	return luks2_dm_table_build(d, devstr, keys, nkeys, LUKS2_DM_HEX_KEYS, tab);
}

static int cmd_table(struct luks2_dev *d, const struct args *a)
{
	struct luks2_dm_table tab;
	char devstr[256], *text;
	int r = build(d, a, devstr, sizeof(devstr), &tab);

	if (r < 0)
		return r;
	text = safe_alloc(16384);
	r = text ? luks2_dm_table_text(&tab, text, 16384) : -ENOMEM;
	if (!r)
		fputs(text, stdout);
	safe_free(text);
	luks2_dm_table_free(&tab);
	return r;
}

static int cmd_open(struct luks2_dev *d, const struct args *a)
{
	struct luks2_dm_table tab;
	char devstr[256], uuid[LDM_UUID_LEN];
	struct args b = *a;
	int r;

	if (!a->hex && !luks2_dm_keyring_ok()) {
		fprintf(stderr, "dm_probe: no keyring for dm-crypt: hex keys\n");
		b.hex = 1;
	}
	if ((r = build(d, &b, devstr, sizeof(devstr), &tab)) < 0)
		return r;
	r = luks2_dm_uuid(d->hdr.uuid, a->pos[1], 0, uuid, sizeof(uuid));
	if (!r && !b.hex)
		r = luks2_dm_keys_upload(&d->hdr, &tab, keys, nkeys);
	if (!r) {
		r = ldm_create(a->pos[1], uuid, tab.t, tab.n, a->inactive ? LDM_INACTIVE : 0);
		if (!b.hex)
			luks2_dm_keys_drop(&d->hdr, &tab);
	}
	luks2_dm_table_free(&tab);
	return r;
}

static int cmd_info(const char *name)
{
	struct ldm_info i;
	int r = ldm_info(name, &i);

	if (r < 0)
		return r;
	printf("uuid=%s suspended=%d live=%d inactive=%d open=%d targets=%d dev=%u:%u\n",
	       i.uuid, i.suspended, i.live_table, i.inactive_table, i.open_count,
	       i.target_count, i.major, i.minor);
	return 0;
}

static int cmd_holders(const char *dev)
{
	char names[16][LDM_NAME_LEN];
	struct stat st;
	int n;

	if (stat(dev, &st) < 0 || !S_ISBLK(st.st_mode))
		return -ENOTBLK;
	n = ldm_holders(st.st_rdev, names, 16);
	for (int i = 0; i < n; i++)
		printf("%s\n", names[i]);
	return n < 0 ? n : 0;
}

static int cmd_name(char **pos, int npos)
{
	char buf[LDM_UUID_LEN];
	int r;

	if (!strcmp(pos[-1], "uuid")) {
		if (npos < 2)
			return -EINVAL;
		r = luks2_dm_uuid(pos[0], pos[1], npos > 2, buf, sizeof(buf));
		if (!r)
			printf("%s\n", buf);
		return r;
	}
	for (int h = LUKS2_DM_OVERLAY; h <= LUKS2_DM_HOTZONE_BACKWARD; h++) {
		if ((r = luks2_dm_helper_name(pos[0], h, buf, sizeof(buf))) < 0)
			return r;
		printf("%s\n", buf);
	}
	return 0;
}

/* NAME's size in sectors: the end of its last target. */
static int dev_sectors(const char *name, uint64_t *sectors)
{
	unsigned long long start, len;
	char *text, *line;
	int r = ldm_table(name, 0, 0, &text);

	if (r < 0)
		return r;
	*sectors = 0;
	for (line = text; *line; line = strchr(line, '\n') + 1) {
		if (sscanf(line, "%llu %llu", &start, &len) == 2)
			*sectors = start + len;
		if (!strchr(line, '\n'))
			break;
	}
	ldm_free_text(text);
	return *sectors ? 0 : -EINVAL;
}

static int cmd_query(const char *cmd, const char *name)
{
	struct ldm_target t = { 0, 0, "error", "" };
	dev_t devs[16];
	char *text;
	int r;

	if (!strcmp(cmd, "deps")) {
		r = ldm_deps(name, devs, 16);
		for (int i = 0; i < r; i++)
			printf("%u:%u\n", major(devs[i]), minor(devs[i]));
		return r < 0 ? r : 0;
	}
	if (!strcmp(cmd, "status")) {
		if ((r = ldm_status(name, &text)) < 0)
			return r;
		fputs(text, stdout);
		ldm_free_text(text);
		return 0;
	}
	if (!strcmp(cmd, "clear"))
		return ldm_clear(name);
	if (strcmp(cmd, "load-error"))
		return -EINVAL;
	if ((r = dev_sectors(name, &t.len)) < 0)
		return r;
	return ldm_load(name, &t, 1);
}

static int cmd_dev(const char *cmd, const char *name, int hide)
{
	char *text;
	int r;

	if (!strcmp(cmd, "close"))
		return ldm_remove(name);
	if (!strcmp(cmd, "suspend"))
		return ldm_suspend(name, LDM_NOFLUSH | LDM_SKIP_LOCKFS);
	if (!strcmp(cmd, "resume"))
		return ldm_resume(name, 0);
	if (!strcmp(cmd, "info"))
		return cmd_info(name);
	if (strcmp(cmd, "table-of"))
		return cmd_query(cmd, name);
	if ((r = ldm_table(name, hide ? 0 : LDM_SHOWKEYS, 0, &text)) < 0)
		return r;
	fputs(text, stdout);
	ldm_free_text(text);
	return 0;
}

static int parse(int argc, char **argv, struct args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 2; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--hex"))
			a->hex = 1;
		else if (!strcmp(argv[i], "-k") && i + 1 < argc && a->nvk < 4)
			a->vkfile[a->nvk++] = argv[++i];
		else if (!strcmp(argv[i], "-d") && i + 1 < argc)
			a->passfile = argv[++i];
		else if (!strcmp(argv[i], "--header") && i + 1 < argc)
			a->header = argv[++i];
		else if (!strcmp(argv[i], "--hide"))
			a->hide = 1;
		else if (!strcmp(argv[i], "--inactive"))
			a->inactive = 1;
		else
			return -EINVAL;
	}
	a->pos = argv + i;
	a->npos = argc - i;
	return 0;
}

int main(int argc, char **argv)
{
	struct luks2_dev d = { .fd = -1, .hdr_fd = -1 };
	struct args a;
	const char *cmd = argc > 1 ? argv[1] : "";
	int r;

	log_set_prog("dm_probe");
	if (getenv("DM_PROBE_DEBUG"))
		log_set_level(LOG_DEBUG);
	if (parse(argc, argv, &a) < 0 || a.npos < 1) {
		fprintf(stderr, "usage: dm_probe table|open|close|suspend|resume|info|"
			"table-of|status|deps|load-error|clear|holders|uuid|helpers [options] ARGS (see the source)\n");
		return 1;
	}
	if (!strcmp(cmd, "table"))
		r = cmd_table(&d, &a);
	else if (!strcmp(cmd, "open"))
		r = a.npos < 2 ? -EINVAL : cmd_open(&d, &a);
	else if (!strcmp(cmd, "holders"))
		r = cmd_holders(a.pos[0]);
	else if (!strcmp(cmd, "uuid") || !strcmp(cmd, "helpers"))
		r = cmd_name(a.pos, a.npos);
	else
		r = cmd_dev(cmd, a.pos[0], a.hide);
	for (size_t i = 0; i < nkeys; i++)
		vk_free((struct volume_key *)keys[i].vk);
	if (d.fd >= 0)
		luks2_dev_close(&d);
	if (r < 0)
		fprintf(stderr, "dm_probe: %s: %s\n", cmd, strerror(-r));
	return r < 0 ? 1 : 0;
}
