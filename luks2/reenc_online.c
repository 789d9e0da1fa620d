/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Online reencryption (luks2/reenc.h): the device stack of cryptsetup
 * 2.6.1 lib/luks2/luks2_reencrypt.c, our own code:
 *   start (reencrypt_init_device_stack): NAME-hotzone-<direction> = linear
 *     over the data device at the new data offset; NAME-overlay = NAME's
 *     live table; NAME = linear onto the overlay, resumed with noflush and
 *     skip-lockfs.
 *   per hotzone (reencrypt_refresh_overlay_devices, reenc_refresh_helper_
 *     devices): the hot table into the overlay, suspend overlay then
 *     hotzone helper (top to bottom), resume the overlay; the data is
 *     rewritten on the data device directly; then resume the helper.
 *   end (reencrypt_teardown_ok): NAME gets the table of the metadata, the
 *     helpers go. A failure with the helper suspended gives it an error
 *     target (reencrypt_teardown_fatal): its I/O fails, never hangs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/io.h"
#include "common/log.h"
#include "luks2/dm_table.h"
#include "luks2/reenc_internal.h"

#define SUSPEND_FLAGS (LDM_NOFLUSH | LDM_SKIP_LOCKFS)

static int reopen_fd(int *fd, const char *path)
{
	struct stat a, b;
	int n = open(path, O_RDWR | O_CLOEXEC);

	if (n < 0) {
		log_err("cannot open %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(n, &a) < 0 || fstat(*fd, &b) < 0 || a.st_rdev != b.st_rdev ||
	    a.st_ino != b.st_ino) {
		close(n);
		log_err("%s changed while it was opened", path);
		return -EBUSY;
	}
	close(*fd);
	*fd = n;
	return 0;
}

int reenc_online_reopen(struct luks2_dev *d)
{
	int same = d->hdr_fd == d->fd, r = reopen_fd(&d->fd, d->path);

	if (r < 0)
		return r;
	if (same)
		d->hdr_fd = d->fd;
	else if ((r = reopen_fd(&d->hdr_fd, d->hdr_path)) < 0)
		return r;
	d->writable = 1;
	/* user I/O through NAME bypasses our page cache of the data device */
	posix_fadvise(d->fd, 0, 0, POSIX_FADV_DONTNEED);
	return 0;
}

/* Both volume keys of the run, by digest. */
static size_t run_keys(struct reenc_ctx *c, struct luks2_dm_key k[2])
{
	size_t n = 0;

	if (c->vk_old)
		k[n++] = (struct luks2_dm_key){ c->d_old, c->vk_old };
	if (c->vk_new && (!n || c->d_new != c->d_old))
		k[n++] = (struct luks2_dm_key){ c->d_new, c->vk_new };
	return n;
}

/* Upload (up) or drop the logon keys of the run (thread keyring). */
static int keys_for_load(struct reenc_ctx *c, int up)
{
	struct luks2_dm_key k[2];
	struct luks2_dm_table kt;
	size_t n = run_keys(c, k);

	if (reenc_online_table_flags() & LUKS2_DM_HEX_KEYS)
		return 0;
	memset(&kt, 0, sizeof(kt));
	for (size_t i = 0; i < n; i++)
		kt.digest[kt.ndigests++] = k[i].digest;
	if (!up) {
		luks2_dm_keys_drop(&c->d->hdr, &kt);
		return 0;
	}
	return luks2_dm_keys_upload(&c->d->hdr, &kt, k, n);
}

static int check_name(struct reenc_ctx *c, const char *name)
{
	char want[LDM_UUID_LEN];
	struct ldm_info in;
	int r;

	if (strlen(name) >= sizeof(c->online.name) - 20 || strchr(name, '/')) {
		log_err("invalid active device name %s", name);
		return -EINVAL;
	}
	r = luks2_dm_uuid(c->d->hdr.uuid, name, 0, want, sizeof(want));
	if (!r && (ldm_info(name, &in) < 0 || !in.exists)) {
		log_err("%s: no such active device", name);
		return -ENODEV;
	}
	if (!r && strcmp(in.uuid, want)) {
		log_err("%s is not an active device of %s (dm uuid %s)", name, c->d->path,
			in.uuid[0] ? in.uuid : "none");
		r = -EINVAL;
	}
	return r;
}

int reenc_set_active(struct reenc_ctx *c, const char *name)
{
	struct reenc_online *o = &c->online;
	int r = check_name(c, name);

	if (r < 0)
		return r;
	if (name != o->name)
		snprintf(o->name, sizeof(o->name), "%s", name);
	name = o->name;
	luks2_dm_helper_name(name, LUKS2_DM_OVERLAY, o->overlay, sizeof(o->overlay));
	luks2_dm_helper_name(name, c->backward ? LUKS2_DM_HOTZONE_BACKWARD :
			     LUKS2_DM_HOTZONE_FORWARD, o->hotzone, sizeof(o->hotzone));
	return 0;
}

/* NAME's live table (keys included) as targets; free with free_copy. */
static int copy_table(const char *name, struct ldm_target *t, size_t *n, char **text)
{
	char *p, *line, *save = NULL;
	int r = ldm_table(name, LDM_SHOWKEYS, 0, text);

	*n = 0;
	if (r < 0)
		return r;
	for (line = strtok_r(*text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (*n >= LUKS2_DM_MAX_TARGETS)
			return -E2BIG;
		t[*n].start = strtoull(line, &p, 10);
		t[*n].len = strtoull(p, &p, 10);
		while (*p == ' ')
			p++;
		t[*n].type = p;
		p = strchr(p, ' ');
		if (p)
			*p++ = '\0';
		t[*n].params = p ? p : "";
		if (!t[*n].len)
			return -EINVAL;
		(*n)++;
	}
	return *n ? 0 : -EINVAL;
}

/* The helpers: the hotzone device, then the overlay with NAME's table. */
static int make_helpers(struct reenc_ctx *c, const char *name)
{
	struct reenc_online *o = &c->online;
	struct ldm_target t[LUKS2_DM_MAX_TARGETS];
	char uuid[LDM_UUID_LEN], params[4200], *text = NULL;
	size_t n;
	int r;

	snprintf(params, sizeof(params), "%s %ju", c->d->path, (uintmax_t)(c->data_offset / 512));
	t[0] = (struct ldm_target){ 0, c->device_size / 512, "linear", params };
	r = luks2_dm_uuid(c->d->hdr.uuid, o->hotzone, 1, uuid, sizeof(uuid));
	if (!r)
		r = ldm_create(o->hotzone, uuid, t, 1, 0);
	if (!r)
		r = reenc_online_devstr(o->hotzone, o->hz_dev, sizeof(o->hz_dev));
	if (r < 0) {
		log_err("cannot create the hotzone device %s", o->hotzone);
		return r;
	}
	r = copy_table(name, t, &n, &text);
	if (!r)
		r = luks2_dm_uuid(c->d->hdr.uuid, o->overlay, 1, uuid, sizeof(uuid));
	if (!r)
		r = ldm_create(o->overlay, uuid, t, n, 0);
	ldm_free_text(text);
	if (r < 0)
		log_err("cannot create the overlay device %s with the table of %s", o->overlay,
			name);
	return r;
}

int reenc_dm_stack(struct reenc_ctx *c, const char *name)
{
	struct reenc_online *o = &c->online;
	struct ldm_target t = { 0, 0, "linear", NULL };
	char ov[32], params[48];
	struct ldm_info in;
	int r = reenc_set_active(c, name);

	if (!r && (ldm_info(o->overlay, &in) == 0 || ldm_info(o->hotzone, &in) == 0)) {
		log_err("%s is stacked already (helper devices exist): run luks2-recover "
			"--active-name %s first", name, name);
		r = -EBUSY;
	}
	if (!r)
		r = reenc_online_sectors(name, &o->sectors);
	if (!r)
		r = keys_for_load(c, 1);
	if (r < 0)
		return r;
	r = make_helpers(c, name);
	if (!r)
		r = reenc_online_devstr(o->overlay, ov, sizeof(ov));
	snprintf(params, sizeof(params), "%s 0", ov);
	t.len = o->sectors;
	t.params = params;
	if (!r)
		r = ldm_load(name, &t, 1);
	if (!r && (r = ldm_resume(name, SUSPEND_FLAGS)) < 0)
		ldm_clear(name);
	keys_for_load(c, 0);
	if (r < 0) {
		log_err("cannot remap %s onto %s", name, o->overlay);
		ldm_remove(o->overlay);
		ldm_remove(o->hotzone);
		return r;
	}
	o->stacked = 1;
	log_verbose("%s -> %s, hotzone device %s", name, o->overlay, o->hotzone);
	return 0;
}

int reenc_dm_unstack(struct reenc_ctx *c, const char *name)
{
	struct luks2_dm_key k[2];
	size_t n = run_keys(c, k);
	uint64_t sectors;
	int r;

	if (c->online.hz_suspended) {
		log_err("%s: a hotzone is in flight", name);
		return -EBUSY;
	}
	r = reenc_online_sectors(name, &sectors);
	if (!r)
		r = reenc_online_load_top(c->d, name, sectors, k, n);
	if (!r)
		c->online.stacked = 0;
	return r;
}

/* Before the old data of a hotzone is read: the overlay maps the hot
 * segments, the hotzone's I/O waits in the suspended hotzone device. */
int reenc_online_hot(struct reenc_ctx *c)
{
	struct reenc_online *o = &c->online;
	struct luks2_dm_hot hot = { o->hz_dev, c->data_offset, c->d_new };
	struct luks2_dm_key k[2];
	struct luks2_dm_table tab;
	size_t n = run_keys(c, k);
	int r;

	if (!o->stacked)
		return 0;
	r = luks2_dm_table_segments(c->d, NULL, &hot, o->sectors, k, n,
				    reenc_online_flags(o->name), &tab);
	if (r < 0)
		return r;
	r = keys_for_load(c, 1);
	if (!r)
		r = ldm_load(o->overlay, tab.t, tab.n);
	keys_for_load(c, 0);
	luks2_dm_table_free(&tab);
	/* top to bottom: resuming the overlay only after the hotzone device
	 * is suspended (reenc_refresh_helper_devices) */
	if (!r && (r = ldm_suspend(o->overlay, SUSPEND_FLAGS)) == 0 &&
	    (r = ldm_suspend(o->hotzone, SUSPEND_FLAGS)) < 0) {
		ldm_clear(o->overlay);
		ldm_resume(o->overlay, 0);
	}
	if (r < 0) {
		log_err("cannot switch %s to the hotzone at offset %ju", o->overlay,
			(uintmax_t)c->offset);
		ldm_clear(o->overlay);
		return r;
	}
	o->hz_suspended = 1;
	r = ldm_resume(o->overlay, 0);
	if (r < 0)
		log_err("cannot resume %s", o->overlay);
	/* what was written through NAME is on disk: no stale cached page */
	posix_fadvise(c->fd_data, 0, 0, POSIX_FADV_DONTNEED);
	return r;
}

int reenc_online_step_end(struct reenc_ctx *c, int r)
{
	struct reenc_online *o = &c->online;
	int s;

	if (!o->hz_suspended)
		return r;
	if (r >= 0) {
		/* resilience none did not sync: the helper reads the disk */
		s = io_fdatasync(c->fd_data);
		if (!s)
			s = ldm_resume(o->hotzone, 0);
		if (!s) {
			o->hz_suspended = 0;
			return r;
		}
		log_err("cannot resume %s: %s", o->hotzone, strerror(-s));
		r = s;
	}
	/* the cause is logged where it happened: one error line per failure */
	log_verbose("online step failed at hotzone offset %ju (%ju bytes)", (uintmax_t)c->offset,
		    (uintmax_t)c->length);
	reenc_online_error(o->hotzone);
	o->hz_suspended = 0;
	return r;
}

int reenc_online_begin(struct reenc_ctx *c)
{
	int r;

	if (!c->online.name[0] || c->online.stacked)
		return 0;
	r = reenc_dm_stack(c, c->online.name);
	if (!r)
		c->online.own = 1;
	return r;
}

int reenc_online_end(struct reenc_ctx *c, int r)
{
	struct reenc_online *o = &c->online;
	int s;

	if (!o->own)
		return r;
	o->own = 0;
	/* I/O through NAME goes past our page cache of the data device:
	 * leave none behind that a later reader of the device could see */
	io_fdatasync(c->fd_data);
	posix_fadvise(c->fd_data, 0, 0, POSIX_FADV_DONTNEED);
	if (r == -EUCLEAN) {
		/* the failure itself is the error line; this is what to do */
		log_info("%s stays on its helper devices, I/O to the interrupted hotzone fails: "
			 "run luks2-recover --active-name %s", o->name, o->name);
		return r;
	}
	s = reenc_dm_unstack(c, o->name);
	if (s < 0)
		log_err("%s stays on its helper devices: run luks2-recover --active-name %s",
			o->name, o->name);
	return r < 0 ? r : s < 0 ? s : r;
}
