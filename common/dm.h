/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small wrapper over libdevmapper: create, load, suspend, resume,
 * remove and query device-mapper devices. Lengths and starts are 512-byte
 * sectors. Every function returns 0 (or a count) or a negative errno, logs
 * one line on failure and never exits. Without a running udev,
 * libdevmapper creates and removes the /dev/mapper nodes itself (as
 * cryptsetup's lib/libdevmapper.c does when _dm_use_udev() is false).
 */
#ifndef COMMON_DM_H
#define COMMON_DM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LDM_UUID_LEN 129	/* with the NUL, as DM_UUID_LEN */
#define LDM_NAME_LEN 128	/* with the NUL, as DM_NAME_LEN */

/* One line of a table: "start len type params". */
struct ldm_target {
	uint64_t start;
	uint64_t len;
	const char *type;	/* crypt, linear, error, ... */
	const char *params;
};

enum {
	/* ldm_create: leave the table inactive (device created without a
	 * live table, then loaded); ldm_resume() makes it live, and
	 * libdevmapper makes the /dev/mapper node only then. */
	LDM_INACTIVE = 1 << 0,
	LDM_READONLY = 1 << 1,
	/* ldm_suspend / ldm_resume */
	LDM_NOFLUSH = 1 << 2,
	LDM_SKIP_LOCKFS = 1 << 3,
	/* ldm_table: key material as the kernel reports it (dmsetup
	 * --showkeys); without it hex keys read as zeros. */
	LDM_SHOWKEYS = 1 << 4,
};

struct ldm_info {
	int exists;
	int suspended;
	int live_table;
	int inactive_table;
	int read_only;
	int open_count;
	int target_count;
	unsigned major, minor;
	char uuid[LDM_UUID_LEN];	/* "" none */
};

/* Create NAME with uuid (NULL: none) and the table t[0..n-1]. */
int ldm_create(const char *name, const char *uuid, const struct ldm_target *t,
	       size_t n, unsigned flags);
/* Load t[0..n-1] as NAME's inactive table (made live by ldm_resume). */
int ldm_load(const char *name, const struct ldm_target *t, size_t n);
/* Drop NAME's inactive table. */
int ldm_clear(const char *name);
int ldm_suspend(const char *name, unsigned flags);
int ldm_resume(const char *name, unsigned flags);
/* Remove NAME (libdevmapper retries a busy device a few times). -EBUSY
 * when it stays open. */
int ldm_remove(const char *name);
/* -ENODEV when NAME does not exist (info->exists is 0 then). */
int ldm_info(const char *name, struct ldm_info *info);
/* The live table (inactive: the inactive one) as text, one
 * "start len type params" line per target; free with ldm_free_text (it
 * wipes: keys). */
int ldm_table(const char *name, unsigned flags, int inactive, char **text);
/* The status lines, same format. */
int ldm_status(const char *name, char **text);
void ldm_free_text(char *text);
/* The devices NAME's table uses (dev_t), at most max; returns the count. */
int ldm_deps(const char *name, dev_t *devs, size_t max);
/* The device-mapper devices holding the block device devno (its sysfs
 * holders), by name, each at most LDM_NAME_LEN; returns the count. */
int ldm_holders(dev_t devno, char (*names)[LDM_NAME_LEN], size_t max);
/* The name of the device-mapper device devno; -ENODEV when not one. */
int ldm_name(dev_t devno, char *name, size_t len);
/* Version of a loaded target type ("crypt"); -ENOENT when not loaded. */
int ldm_target_version(const char *type, unsigned v[3]);

#endif
