/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reenc_init of an active device (luks2/reenc.h, reenc_params.active_name),
 * as cryptsetup 2.6.1 lib/luks2/luks2_reencrypt.c reencrypt_init and
 * reencrypt_decrypt_with_datashift_init do it, our own code:
 *   - NAME must be a dm device of this LUKS2 header (its dm uuid) whose live
 *     table is the one the metadata implies; cryptsetup compares the two
 *     with lib/setup.c crypt_compare_dm_devices (cipher, key, offsets,
 *     sector size, data device), and so do we, target by target, before
 *     the first write;
 *   - a header removal then loads NAME's table of the new segments
 *     (inactive), suspends NAME with flush (skip lockfs only), moves the
 *     first chunk, commits and resumes NAME, which makes the new table
 *     live; on failure the inactive table is cleared and NAME resumed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/log.h"
#include "common/safemem.h"
#include "luks2/dm_table.h"
#include "luks2/reenc_dm_internal.h"
#include "luks2/reenc_internal.h"

/* What differs between the live target l and the expected one e (their
 * key words lk, ek); NULL when they match (lib/setup.c
 * _compare_crypt_devices, and a linear target's device and offset). */
static const char *differs(const struct reenc_dm_target *l, const char *lk,
			   const struct reenc_dm_target *e, const char *ek)
{
	int crypt = !strcmp(e->type, "crypt");

	if (strcmp(l->type, e->type))
		return "target type";
	if (l->start != e->start || l->length != e->length)
		return "start or length";
	if (crypt && strcmp(l->cipher, e->cipher))
		return "cipher";
	if (crypt && (!lk || !ek || strcmp(lk, ek)))
		return "key";
	if (crypt && l->iv_offset != e->iv_offset)
		return "IV offset";
	if (strcmp(l->device, e->device))
		return "data device";
	if (l->offset != e->offset)
		return "offset";
	if (crypt && l->sector_size != e->sector_size)
		return "sector size";
	return NULL;
}

/* The data device as the kernel names it in a table: MAJ:MIN. */
static int devstr_of(struct luks2_dev *d, char *buf, size_t len)
{
	struct stat st;

	if (fstat(d->fd, &st) < 0 || !S_ISBLK(st.st_mode)) {
		log_err("%s is not a block device: nothing can be active over it", d->path);
		return -ENOTBLK;
	}
	snprintf(buf, len, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	return 0;
}

int reenc_init_online_name(struct luks2_dev *d, const char *name)
{
	char want[LDM_UUID_LEN];
	struct ldm_info in;
	int r;

	if (!*name || strlen(name) >= LDM_NAME_LEN - 20 || strchr(name, '/')) {
		log_err("invalid active device name %s", name);
		return -EINVAL;
	}
	r = luks2_dm_uuid(d->hdr.uuid, name, 0, want, sizeof(want));
	if (r < 0)
		return r;
	if (ldm_info(name, &in) < 0 || !in.exists) {
		log_err("%s: no such active device", name);
		return -ENODEV;
	}
	if (strcmp(in.uuid, want)) {
		log_err("%s is not an active device of %s (dm uuid %s)", name, d->path,
			in.uuid[0] ? in.uuid : "none");
		return -EINVAL;
	}
	if (in.suspended || in.inactive_table) {
		/* after a killed header removal a plain resume could make the
		 * wrong layout live: the recovery loads the table of the
		 * metadata first (luks2/reenc_online_recover.c unblock) */
		log_err("%s is %s: if a header removal was killed, run luks2-recover "
			"--active-name %s (with its --header) first; see luks2-init-reencrypt(8)",
			name, in.suspended && in.inactive_table ? "suspended with an inactive table" :
			in.suspended ? "suspended" : "holding an inactive table", name);
		return -EBUSY;
	}
	return 0;
}

/* The table of d's regular segments in memory, as long as NAME, with key
 * references when NAME has them (else hex keys, compared too). */
static int expected(struct luks2_dev *d, const char *name, int hex, int digest,
		    const struct volume_key *vk, struct luks2_dm_table *tab)
{
	struct luks2_dm_key k = { digest, vk };
	char dev[32];
	uint64_t sectors = 0;
	int r = devstr_of(d, dev, sizeof(dev));

	memset(tab, 0, sizeof(*tab));
	if (!r)
		r = reenc_online_sectors(name, &sectors);
	if (!r)
		r = luks2_dm_table_segments(d, dev, NULL, sectors, &k, 1,
					    hex ? LUKS2_DM_HEX_KEYS : 0, tab);
	return r;
}

/* The expected target i of tab parsed into e; its line is copied to
 * safe memory (the params may hold a hex key), *line to be freed. */
static const char *expected_target(const struct luks2_dm_table *tab, size_t i,
				   struct reenc_dm_target *e, const char **ek, char **line)
{
	size_t len = strlen(tab->t[i].params) + strlen(tab->t[i].type) + 48;

	*line = safe_alloc(len);
	if (!*line)
		return "out of memory";
	snprintf(*line, len, "%" PRIu64 " %" PRIu64 " %s %s", tab->t[i].start, tab->t[i].len,
		 tab->t[i].type, tab->t[i].params);
	return reenc_dm_parse_target(e, *line, ek) ? "parameters" : NULL;
}

static int compare(struct luks2_dev *d, const char *name, char *live,
		   const struct volume_key *vk, int digest)
{
	struct reenc_dm_target l[LUKS2_DM_MAX_TARGETS], e;
	const char *lk[LUKS2_DM_MAX_TARGETS], *ek = NULL, *why = NULL;
	struct luks2_dm_table tab;
	char *save = NULL, *line, *p;
	size_t n = 0;
	int hex = 0, r = 0;

	for (line = strtok_r(live, "\n", &save); line && !r; line = strtok_r(NULL, "\n", &save)) {
		/* a field cut to fit could hide a difference: refused */
		if (n >= LUKS2_DM_MAX_TARGETS || reenc_dm_parse_target(&l[n], line, &lk[n]) ||
		    !l[n].length)
			r = -EINVAL;
		else if (!strcmp(l[n].type, "crypt") && !strcmp(l[n].key, "hex"))
			hex = 1;
		n++;
	}
	if (r < 0 || !n) {
		log_err("%s: cannot read its live table", name);
		return -EINVAL;
	}
	r = expected(d, name, hex, digest, vk, &tab);
	if (r < 0)
		return r;
	if (tab.n != n)
		why = "number of targets";
	for (size_t i = 0; !why && i < n; i++) {
		why = expected_target(&tab, i, &e, &ek, &p);
		if (!why)
			why = differs(&l[i], lk[i], &e, ek);
		safe_free(p);
	}
	luks2_dm_table_free(&tab);
	if (!why)
		return 0;
	log_err("%s: its live table does not match the metadata of %s (%s); refusing", name,
		d->path, why);
	return -EINVAL;
}

int reenc_init_online_compare(struct luks2_dev *d, const char *name, int digest,
			      const struct volume_key *vk)
{
	char *live = NULL;
	int r = reenc_init_online_name(d, name);

	if (!r)
		r = ldm_table(name, LDM_SHOWKEYS, 0, &live);
	if (!r)
		r = compare(d, name, live, vk, digest);
	ldm_free_text(live);
	if (!r)
		log_verbose("%s is active as %s with the table of its metadata: online", d->path,
			    name);
	return r;
}

int reenc_init_online_suspend(struct luks2_dev *d, const char *name, int digest,
			      const struct volume_key *vk)
{
	struct luks2_dm_key k = { digest, vk };
	struct luks2_dm_table tab = { 0 };
	struct ldm_info in;
	char dev[32];
	uint64_t sectors = 0;
	int r = devstr_of(d, dev, sizeof(dev));

	if (!r && (ldm_info(name, &in) < 0 || in.read_only)) {
		log_err("%s is read-only (or gone): its table cannot be replaced", name);
		r = -EROFS;
	}
	if (!r)
		r = reenc_online_sectors(name, &sectors);
	if (!r)
		r = luks2_dm_table_segments(d, dev, NULL, sectors, &k, 1,
					    reenc_online_flags(name), &tab);
	if (r < 0)
		return r;
	if (!(reenc_online_table_flags() & LUKS2_DM_HEX_KEYS))
		r = luks2_dm_keys_upload(&d->hdr, &tab, &k, 1);
	if (!r)
		r = ldm_load(name, tab.t, tab.n);
	if (!(reenc_online_table_flags() & LUKS2_DM_HEX_KEYS))
		luks2_dm_keys_drop(&d->hdr, &tab);
	luks2_dm_table_free(&tab);
	if (r < 0) {
		log_err("cannot load the table of the new layout into %s", name);
		ldm_clear(name);
		return r;
	}
	/* with flush: what was written through NAME is on the device before
	 * the data under it moves (cryptsetup: DM_SUSPEND_SKIP_LOCKFS only) */
	r = ldm_suspend(name, LDM_SKIP_LOCKFS);
	if (r < 0) {
		log_err("cannot suspend %s", name);
		ldm_clear(name);
		return r;
	}
	/* our page cache of the data device may predate writes through NAME */
	posix_fadvise(d->fd, 0, 0, POSIX_FADV_DONTNEED);
	return 0;
}

int reenc_init_online_resume(struct luks2_dev *d, const char *name, int r)
{
	int s = 0;

	posix_fadvise(d->fd, 0, 0, POSIX_FADV_DONTNEED);
	if (r < 0 && (s = ldm_clear(name)) < 0)
		log_err("cannot clear the new table of %s: it stays suspended; run "
			"'dmsetup clear %s' and 'dmsetup resume %s' if the metadata shows no "
			"decryption, else 'dmsetup resume %s'", name, name, name, name);
	if (!s && (s = ldm_resume(name, LDM_SKIP_LOCKFS)) < 0)
		log_err("cannot resume %s", name);
	if (!s && r >= 0)
		log_info("%s now maps the data moved down by the header removal", name);
	return r < 0 ? r : s;
}

/* The block device whose /sys/dev/block entry holds file (M:m\n). */
static int sys_dev(const char *dir, const char *file, dev_t *out)
{
	char path[PATH_MAX], buf[32], *colon, *end;
	unsigned long ma, mi;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return 0;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	ma = ok ? strtoul(buf, &colon, 10) : 0;
	ok = ok && colon != buf && *colon == ':';
	mi = ok ? strtoul(colon + 1, &end, 10) : 0;
	ok = ok && end != colon + 1;
	if (ok)
		*out = makedev(ma, mi);
	return ok;
}

#define DEP_MAX 32

/* Push what block device dev sits on: its slaves, the disk of a
 * partition, a loop device's backing file's device. */
static void push_lower(dev_t dev, dev_t *todo, int *n)
{
	char dir[64], path[128], sub[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d;
	FILE *f;

	snprintf(dir, sizeof(dir), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	snprintf(path, sizeof(path), "%s/slaves", dir);
	if ((d = opendir(path))) {
		while ((e = readdir(d)) && *n < DEP_MAX)
			if (e->d_name[0] != '.') {
				snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
				*n += sys_dev(sub, "dev", &todo[*n]);
			}
		closedir(d);
	}
	snprintf(path, sizeof(path), "%s/partition", dir);
	if (*n < DEP_MAX && !access(path, F_OK))
		*n += sys_dev(dir, "../dev", &todo[*n]);
	snprintf(path, sizeof(path), "%s/loop/backing_file", dir);
	if (*n < DEP_MAX && (f = fopen(path, "re"))) {
		if (fgets(sub, sizeof(sub), f)) {
			sub[strcspn(sub, "\n")] = '\0';
			if (!stat(sub, &st))
				todo[(*n)++] = st.st_dev;
		}
		fclose(f);
	}
}

/* 1 when block device dev is target or sits on it, at any depth. */
static int depends_on(dev_t dev, dev_t target)
{
	dev_t todo[DEP_MAX] = { 0 };
	int n = 0, looked = 0;

	todo[n++] = dev;
	while (n && looked++ < 4 * DEP_MAX) {
		dev = todo[--n];
		if (dev == target)
			return 1;
		if (major(dev))
			push_lower(dev, todo, &n);
	}
	return 0;
}

int reenc_init_online_header_place(const char *name, const char *header)
{
	char dir[PATH_MAX], *slash;
	struct ldm_info in;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", header);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		slash[slash == dir] = '\0';
	if (ldm_info(name, &in) < 0 || !in.exists || stat(dir, &st) < 0)
		return 0;	/* the checks before and the export say why */
	if (!depends_on(st.st_dev, makedev(in.major, in.minor)))
		return 0;
	log_err("the new header file %s is on a file system over %s: its commit would wait "
		"for %s while %s is suspended; put it on another device", header, name, name,
		name);
	return -EINVAL;
}
