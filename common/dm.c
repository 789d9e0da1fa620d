/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libdevmapper wrapper (common/dm.h). The udev handling follows
 * cryptsetup's lib/libdevmapper.c (_dm_create_device, _dm_resume_device,
 * _dm_remove): with udev synchronisation a cookie flagged
 * DM_UDEV_DISABLE_LIBRARY_FALLBACK and dm_udev_wait(); without it no
 * cookie, and dm_task_update_nodes() makes libdevmapper create or remove
 * the /dev/mapper node itself.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <libdevmapper.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "common/dm.h"
#include "common/log.h"
#include "common/safemem.h"

static int use_udev = -1;

/* libdevmapper's messages go to the debug log: ours are one line. */
__attribute__((format(printf, 5, 6)))
static void dm_logger(int level, const char *file, int line, int dm_errno,
		      const char *f, ...)
{
	char msg[256];
	va_list ap;

	(void)file, (void)line, (void)dm_errno;
	(void)level;
	if (log_get_level() < LOG_DEBUG)
		return;
	va_start(ap, f);
	vsnprintf(msg, sizeof(msg), f, ap);
	va_end(ap);
	log_dbg("libdevmapper: %s", msg);
}

static void dm_setup(void)
{
	if (use_udev >= 0)
		return;
	dm_log_with_errno_init(dm_logger);
	/* 0 when udev is not running (libdevmapper checks its control
	 * socket) or DM_DISABLE_UDEV is set. */
	use_udev = dm_udev_get_sync_support();
	if (!use_udev)
		dm_udev_set_sync_support(0);
}

/* A task for NAME; NULL (-ENOMEM, logged) on failure. */
/* Why the last task_new() failed: -ENODEV without device-mapper (no
 * dm_mod, no /dev/mapper/control), -EINVAL for a bad name. */
static int task_error;

static struct dm_task *task_new(int type, const char *name)
{
	struct dm_task *dmt;

	dm_setup();
	dmt = dm_task_create(type);
	if (!dmt) {
		log_err("device-mapper: cannot create a task (is dm_mod loaded?)");
		task_error = -ENODEV;
		return NULL;
	}
	if (name && !dm_task_set_name(dmt, name)) {
		log_err("device-mapper: bad device name %s", name);
		dm_task_destroy(dmt);
		task_error = -EINVAL;
		return NULL;
	}
	return dmt;
}

/* Run dmt; -errno from the ioctl (-EINVAL when unknown) on failure. */
static int task_run(struct dm_task *dmt)
{
	int e;

	if (dm_task_run(dmt))
		return 0;
	e = dm_task_get_errno(dmt);
	return e > 0 ? -e : -EINVAL;
}

/* Run a task that changes nodes, with cryptsetup's cookie handling. */
static int task_run_nodes(struct dm_task *dmt)
{
	uint32_t cookie = 0;
	int r;

	if (use_udev && !dm_task_set_cookie(dmt, &cookie, DM_UDEV_DISABLE_LIBRARY_FALLBACK))
		return -EINVAL;
	r = task_run(dmt);
	if (use_udev)
		dm_udev_wait(cookie);
	dm_task_update_nodes();
	return r;
}

static int add_targets(struct dm_task *dmt, const struct ldm_target *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!dm_task_add_target(dmt, t[i].start, t[i].len, t[i].type,
					t[i].params ? t[i].params : ""))
			return -ENOMEM;
	return 0;
}

static int load_task(int type, const char *name, const char *uuid,
		     const struct ldm_target *t, size_t n, unsigned flags)
{
	struct dm_task *dmt = task_new(type, name);
	int r = -EINVAL;

	if (!dmt)
		return task_error;
	if (uuid && !dm_task_set_uuid(dmt, uuid))
		goto out;
	if (!dm_task_secure_data(dmt))	/* the kernel wipes the ioctl buffer */
		goto out;
	if ((flags & LDM_READONLY) && !dm_task_set_ro(dmt))
		goto out;
	if ((r = add_targets(dmt, t, n)) < 0)
		goto out;
	r = type == DM_DEVICE_CREATE ? task_run_nodes(dmt) : task_run(dmt);
out:
	dm_task_destroy(dmt);
	return r;
}

int ldm_create(const char *name, const char *uuid, const struct ldm_target *t,
	       size_t n, unsigned flags)
{
	int r;

	if (flags & LDM_INACTIVE) {
		/* no table: created without one, then the inactive load */
		r = load_task(DM_DEVICE_CREATE, name, uuid, NULL, 0, flags);
		if (!r && n && (r = load_task(DM_DEVICE_RELOAD, name, NULL, t, n, flags)) < 0)
			ldm_remove(name);
	} else
		r = load_task(DM_DEVICE_CREATE, name, uuid, t, n, flags);
	if (r == -EBUSY)
		r = -EEXIST;
	if (r < 0)
		log_err("cannot create device-mapper device %s: %s", name, strerror(-r));
	return r;
}

int ldm_load(const char *name, const struct ldm_target *t, size_t n)
{
	int r = load_task(DM_DEVICE_RELOAD, name, NULL, t, n, 0);

	if (r < 0)
		log_err("cannot load a table into %s: %s", name, strerror(-r));
	return r;
}

static int simple(int type, const char *name, unsigned flags, const char *what)
{
	struct dm_task *dmt = task_new(type, name);
	int r = -EINVAL;

	if (!dmt)
		return task_error;
	if ((flags & LDM_SKIP_LOCKFS) && !dm_task_skip_lockfs(dmt))
		goto out;
	if ((flags & LDM_NOFLUSH) && !dm_task_no_flush(dmt))
		goto out;
	if (type == DM_DEVICE_REMOVE && !dm_task_retry_remove(dmt))
		goto out;
	if (type == DM_DEVICE_RESUME || type == DM_DEVICE_REMOVE)
		r = task_run_nodes(dmt);
	else
		r = task_run(dmt);
out:
	dm_task_destroy(dmt);
	if (r == -ENXIO)
		r = -ENODEV;	/* no such device */
	if (r < 0)
		log_err("cannot %s device-mapper device %s: %s", what, name, strerror(-r));
	return r;
}

int ldm_clear(const char *name)
{
	return simple(DM_DEVICE_CLEAR, name, 0, "clear the inactive table of");
}

int ldm_suspend(const char *name, unsigned flags)
{
	return simple(DM_DEVICE_SUSPEND, name, flags, "suspend");
}

int ldm_resume(const char *name, unsigned flags)
{
	return simple(DM_DEVICE_RESUME, name, flags, "resume");
}

int ldm_remove(const char *name)
{
	return simple(DM_DEVICE_REMOVE, name, 0, "remove");
}

/* Run an info-like task; -ENODEV when the device does not exist. */
static int run_query(struct dm_task *dmt, struct dm_info *dmi)
{
	int r = task_run(dmt);

	if (r == -ENXIO || r == -ENODEV)
		return -ENODEV;
	if (r < 0)
		return r;
	if (!dm_task_get_info(dmt, dmi))
		return -EINVAL;
	return dmi->exists ? 0 : -ENODEV;
}

int ldm_info(const char *name, struct ldm_info *info)
{
	struct dm_task *dmt = task_new(DM_DEVICE_INFO, name);
	struct dm_info dmi;
	const char *uuid;
	int r;

	memset(info, 0, sizeof(*info));
	if (!dmt)
		return task_error;
	r = run_query(dmt, &dmi);
	if (!r) {
		info->exists = 1;
		info->suspended = dmi.suspended;
		info->live_table = dmi.live_table;
		info->inactive_table = dmi.inactive_table;
		info->read_only = dmi.read_only;
		info->open_count = dmi.open_count;
		info->target_count = dmi.target_count;
		info->major = dmi.major;
		info->minor = dmi.minor;
		uuid = dm_task_get_uuid(dmt);
		snprintf(info->uuid, sizeof(info->uuid), "%s", uuid ? uuid : "");
	}
	dm_task_destroy(dmt);
	return r;
}

/* "0000" over a hex key of a crypt target's params, as dmsetup without
 * --showkeys; a keyring reference (":<len>:<type>:<desc>") is no secret
 * and stays. */
static void hide_key(char *params)
{
	char *k = strchr(params, ' ');

	if (!k || k[1] == ':')
		return;
	for (k++; *k && *k != ' '; k++)
		*k = '0';
}

/* Append "start len type params\n" to *text (safe memory). */
static int append_line(char **text, size_t *used, uint64_t start, uint64_t len,
		       const char *type, const char *params)
{
	int n = snprintf(NULL, 0, "%llu %llu %s %s\n", (unsigned long long)start,
			 (unsigned long long)len, type, params);
	char *p = safe_realloc(*text, *used + (size_t)n + 1);

	if (!p) {
		*text = NULL;
		return -ENOMEM;
	}
	snprintf(p + *used, (size_t)n + 1, "%llu %llu %s %s\n", (unsigned long long)start,
		 (unsigned long long)len, type, params);
	*used += (size_t)n;
	*text = p;
	return 0;
}

static int table_task(int type, const char *name, unsigned flags, int inactive,
		      char **text)
{
	struct dm_task *dmt = task_new(type, name);
	struct dm_info dmi;
	uint64_t start, len;
	char *ttype, *params;
	void *next = NULL;
	size_t used = 0;
	int r;

	*text = safe_alloc(1);
	if (!dmt || !*text) {
		if (dmt)
			dm_task_destroy(dmt);
		safe_free(*text);
		*text = NULL;
		return dmt ? -ENOMEM : task_error;
	}
	r = -EINVAL;
	if ((!inactive || dm_task_query_inactive_table(dmt)) &&
	    dm_task_secure_data(dmt))
		r = run_query(dmt, &dmi);
	while (!r) {
		next = dm_get_next_target(dmt, next, &start, &len, &ttype, &params);
		if (!ttype)
			break;
		if (type == DM_DEVICE_TABLE && !(flags & LDM_SHOWKEYS) && !strcmp(ttype, "crypt"))
			hide_key(params);
		r = append_line(text, &used, start, len, ttype, params ? params : "");
		if (!next)
			break;
	}
	dm_task_destroy(dmt);
	if (r < 0) {
		safe_free(*text);
		*text = NULL;
		if (r != -ENODEV)
			log_err("cannot read the table of %s: %s", name, strerror(-r));
	}
	return r;
}

int ldm_table(const char *name, unsigned flags, int inactive, char **text)
{
	return table_task(DM_DEVICE_TABLE, name, flags, inactive, text);
}

int ldm_status(const char *name, char **text)
{
	return table_task(DM_DEVICE_STATUS, name, 0, 0, text);
}

void ldm_free_text(char *text)
{
	safe_free(text);
}

int ldm_deps(const char *name, dev_t *devs, size_t max)
{
	struct dm_task *dmt = task_new(DM_DEVICE_DEPS, name);
	struct dm_deps *deps;
	struct dm_info dmi;
	int r;

	if (!dmt)
		return task_error;
	r = run_query(dmt, &dmi);
	if (!r) {
		deps = dm_task_get_deps(dmt);
		if (!deps)
			r = -EINVAL;
		else if (deps->count > max)
			r = -ENOSPC;
		else
			for (r = 0; r < (int)deps->count; r++)
				devs[r] = (dev_t)deps->device[r];
	}
	dm_task_destroy(dmt);
	return r;
}

int ldm_name(dev_t devno, char *name, size_t len)
{
	char path[96];
	FILE *f;
	int r = -ENODEV;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/dm/name", major(devno),
		 minor(devno));
	f = fopen(path, "re");
	if (!f)
		return -ENODEV;
	if (fgets(name, (int)len, f)) {
		name[strcspn(name, "\n")] = '\0';
		r = name[0] ? 0 : -ENODEV;
	}
	fclose(f);
	return r;
}

/* "MAJ:MIN\n" as sysfs writes it. */
static int read_devno(FILE *f, unsigned *ma, unsigned *mi)
{
	char line[32], *end;
	unsigned long a, b;

	if (!fgets(line, sizeof(line), f))
		return -EIO;
	a = strtoul(line, &end, 10);
	if (end == line || *end != ':' || a > UINT_MAX)
		return -EINVAL;
	b = strtoul(end + 1, &end, 10);
	if (b > UINT_MAX)
		return -EINVAL;
	*ma = (unsigned)a;
	*mi = (unsigned)b;
	return 0;
}

int ldm_holders(dev_t devno, char (*names)[LDM_NAME_LEN], size_t max)
{
	char path[96];
	struct dirent *e;
	unsigned ma, mi;
	DIR *dir;
	FILE *f;
	int n = 0, ok;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/holders", major(devno),
		 minor(devno));
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? -ENODEV : -errno;
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, "dm-", 3))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%.32s/dev", e->d_name);
		f = fopen(path, "re");
		ok = f && read_devno(f, &ma, &mi) == 0;
		if (f)
			fclose(f);
		if (!ok)
			continue;
		if ((size_t)n >= max) {
			n = -ENOSPC;
			break;
		}
		if (ldm_name(makedev(ma, mi), names[n], LDM_NAME_LEN) == 0)
			n++;
	}
	closedir(dir);
	return n;
}

int ldm_target_version(const char *type, unsigned v[3])
{
	struct dm_task *dmt = task_new(DM_DEVICE_LIST_VERSIONS, NULL);
	struct dm_versions *tv, *last;
	int r;

	if (!dmt)
		return task_error;
	r = task_run(dmt);
	tv = r ? NULL : dm_task_get_versions(dmt);
	r = r ? r : -ENOENT;
	/* the list ends with an entry whose next is 0 (lib/libdevmapper.c
	 * _dm_check_versions walks it the same way) */
	while (tv) {
		if (!strcmp(tv->name, type)) {
			for (int i = 0; i < 3; i++)
				v[i] = tv->version[i];
			r = 0;
			break;
		}
		last = tv;
		tv = (struct dm_versions *)((char *)tv + tv->next);
		if (tv == last)
			break;
	}
	dm_task_destroy(dmt);
	return r;
}
