/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device-mapper pieces of an online reencryption (luks2/reenc.h): sizes,
 * error targets, the table of the metadata loaded into the active device
 * at the end (cryptsetup 2.6.1 lib/luks2/luks2_reencrypt.c
 * reencrypt_teardown_ok, reencrypt_teardown_fatal), finding the active
 * device and recovering a killed online run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/log.h"
#include "luks2/dm_table.h"
#include "luks2/reenc_internal.h"

#define SUSPEND_FLAGS (LDM_NOFLUSH | LDM_SKIP_LOCKFS)

int reenc_online_sectors(const char *name, uint64_t *sectors)
{
	uint64_t start, len;
	char *text, *p, *end;
	int r = ldm_table(name, 0, 0, &text);

	if (r < 0)
		return r;
	*sectors = 0;
	/* one "start len type params" line per target */
	for (p = text; *p; p = *end ? end + 1 : end) {
		start = strtoull(p, &end, 10);
		len = end != p ? strtoull(end, &p, 10) : 0;
		if (!len) {
			r = -EINVAL;
			break;
		}
		if (start + len > *sectors)
			*sectors = start + len;
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
	}
	ldm_free_text(text);
	if (!r && !*sectors)
		r = -EINVAL;
	if (r < 0)
		log_err("%s: cannot read its size from its table", name);
	return r;
}

int reenc_online_devstr(const char *name, char *buf, size_t len)
{
	struct ldm_info in;
	int r = ldm_info(name, &in);

	if (r < 0)
		return r;
	r = snprintf(buf, len, "%u:%u", in.major, in.minor);
	return r < 0 || (size_t)r >= len ? -EINVAL : 0;
}

int reenc_online_error(const char *name)
{
	struct ldm_target t = { 0, 0, "error", "" };
	int r = reenc_online_sectors(name, &t.len);

	if (!r)
		r = ldm_load(name, &t, 1);
	if (!r)
		r = ldm_resume(name, 0);
	if (r < 0)
		log_err("cannot replace %s with an error target: do not resume it unless it "
			"is replaced with an error target by hand", name);
	else
		log_verbose("%s now fails its I/O (error target)", name);
	return r;
}

unsigned reenc_online_table_flags(void)
{
	return luks2_dm_keyring_ok() ? 0 : LUKS2_DM_HEX_KEYS;
}

/* The options of name's first crypt target into *opts: 1, or 0 when it
 * has none. */
static int crypt_opts(const char *name, unsigned *opts)
{
	char *text, *line, *next, type[16];
	int r = ldm_table(name, 0, 0, &text), off;

	if (r < 0)
		return r;
	for (line = text; line && *line && !r; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		off = 0;
		/* "start length crypt params" */
		if (sscanf(line, "%*u %*u %15s %n", type, &off) == 1 && off &&
		    !strcmp(type, "crypt")) {
			*opts = luks2_dm_live_opts(line + off);
			r = 1;
		}
	}
	ldm_free_text(text);
	return r;
}

unsigned reenc_online_flags(const char *name)
{
	char ov[LDM_NAME_LEN + 32];
	unsigned o = 0;

	if (crypt_opts(name, &o) <= 0 &&
	    luks2_dm_helper_name(name, LUKS2_DM_OVERLAY, ov, sizeof(ov)) == 0)
		crypt_opts(ov, &o);
	return reenc_online_table_flags() | o;
}

void reenc_online_remove_helpers(const char *name)
{
	static const enum luks2_dm_helper h[] = { LUKS2_DM_OVERLAY, LUKS2_DM_HOTZONE_FORWARD,
						  LUKS2_DM_HOTZONE_BACKWARD };
	char hn[LDM_NAME_LEN + 32];
	struct ldm_info in;

	for (size_t i = 0; i < 3; i++)
		if (luks2_dm_helper_name(name, h[i], hn, sizeof(hn)) == 0 &&
		    ldm_info(hn, &in) == 0 && in.exists)
			ldm_remove(hn);
}

/* The header on disk: what NAME must map once the helpers are gone. */
static int disk_table(struct luks2_dev *d, const char *name, uint64_t sectors,
		      const struct luks2_dm_key *keys, size_t nkeys, struct luks2_dm_table *tab)
{
	struct luks2_dev tmp = *d;
	struct seg_table t;
	int r;

	memset(tab, 0, sizeof(*tab));
	r = luks2_hdr_read(d->hdr_fd, &tmp.hdr);
	if (r < 0)
		return r;
	r = luks2_segment_table(&tmp.hdr, &t);
	if (!r && luks2_segment_in_reenc(&t) >= 0) {
		log_err("%s: the metadata records an interrupted hotzone: run luks2-recover "
			"--active-name first", d->path);
		r = -EUCLEAN;
	}
	if (!r)
		r = luks2_dm_table_segments(&tmp, NULL, NULL, sectors, keys, nkeys,
					    reenc_online_flags(name), tab);
	if (!r && !(reenc_online_table_flags() & LUKS2_DM_HEX_KEYS))
		r = luks2_dm_keys_upload(&tmp.hdr, tab, keys, nkeys);
	if (r < 0 && tab->n)
		luks2_dm_table_free(tab);
	luks2_hdr_free(&tmp.hdr);
	return r;
}

int reenc_online_load_top(struct luks2_dev *d, const char *name, uint64_t sectors,
			  const struct luks2_dm_key *keys, size_t nkeys)
{
	struct luks2_dm_table tab;
	int r = disk_table(d, name, sectors, keys, nkeys, &tab);

	if (r < 0)
		return r;
	r = ldm_load(name, tab.t, tab.n);
	luks2_dm_keys_drop(&d->hdr, &tab);
	luks2_dm_table_free(&tab);
	if (!r)
		r = ldm_resume(name, SUSPEND_FLAGS);
	if (r < 0) {
		log_err("cannot load the table of the metadata into %s", name);
		return r;
	}
	reenc_online_remove_helpers(name);
	return 0;
}

/* NAME from a holder's dm uuid: CRYPT-LUKS2-<hex>-NAME, or one of our
 * helpers CRYPT-SUBDEV-<hex>-NAME-overlay / -hotzone-*. */
static int name_of(const char *uuid32, const char *holder, char *name, size_t len)
{
	static const char *const sfx[] = { "-overlay", "-hotzone-forward", "-hotzone-backward" };
	char pre[64];
	struct ldm_info in;
	size_t n;

	if (ldm_info(holder, &in) < 0 || !in.exists)
		return 0;
	snprintf(pre, sizeof(pre), "CRYPT-LUKS2-%s-", uuid32);
	if (!strncmp(in.uuid, pre, strlen(pre)))
		return snprintf(name, len, "%s", holder) < (int)len;
	snprintf(pre, sizeof(pre), "CRYPT-SUBDEV-%s-", uuid32);
	if (strncmp(in.uuid, pre, strlen(pre)))
		return 0;
	n = strlen(holder);
	for (size_t i = 0; i < 3; i++) {
		size_t k = strlen(sfx[i]);

		if (n > k && !strcmp(holder + n - k, sfx[i]) && n - k < len) {
			memcpy(name, holder, n - k);
			name[n - k] = '\0';
			return 1;
		}
	}
	return 0;
}

int reenc_find_active(struct reenc_dev *dev, char *name, size_t len)
{
	char holders[8][LDM_NAME_LEN], uuid32[40];
	struct stat st;
	size_t k = 0;
	int n;

	if (fstat(dev->d.fd, &st) < 0 || !S_ISBLK(st.st_mode))
		return 0;	/* a file: nothing can be active over it */
	for (const char *p = dev->d.hdr.uuid; *p && k < sizeof(uuid32) - 1; p++)
		if (*p != '-')
			uuid32[k++] = *p;
	uuid32[k] = '\0';
	n = ldm_holders(st.st_rdev, holders, 8);
	for (int i = 0; i < n; i++)
		if (name_of(uuid32, holders[i], name, len))
			return 1;
	return n < 0 && n != -ENODEV ? n : 0;
}

/* "/dev/<DEVNAME>" of a block device, from sysfs (no udev needed). */
static int dev_path(dev_t devno, char *path, size_t len)
{
	char f[64], line[128];
	FILE *fp;
	int r = -ENODEV;

	snprintf(f, sizeof(f), "/sys/dev/block/%u:%u/uevent", major(devno), minor(devno));
	fp = fopen(f, "re");
	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = '\0';
			r = snprintf(path, len, "/dev/%s", line + 8) >= (int)len ? -ENAMETOOLONG : 0;
			break;
		}
	fclose(fp);
	return r;
}

int reenc_dm_backing_device(const char *name, char *path, size_t len)
{
	char cur[LDM_NAME_LEN];
	dev_t dev[8];
	int r;

	snprintf(cur, sizeof(cur), "%s", name);
	/* through our helpers, if stacked: NAME -> NAME-overlay -> data */
	for (int depth = 0; depth < 4; depth++) {
		r = ldm_deps(cur, dev, 8);
		if (r == 0)
			r = -ENODEV;
		if (r < 0) {
			log_err("%s: cannot find the device under it: %s", cur, strerror(-r));
			return r;
		}
		if (ldm_name(dev[0], cur, sizeof(cur)) < 0)
			return dev_path(dev[0], path, len);
	}
	log_err("%s: too many device-mapper layers", name);
	return -ELOOP;
}
