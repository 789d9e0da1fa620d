/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reenc_dm_close (luks2/reenc.h), as cryptsetup 2.6.1 closes a LUKS2
 * device: lib/setup.c crypt_deactivate_by_name (holders: still in use)
 * and lib/luks2/luks2_json_metadata.c LUKS2_deactivate (the helpers under
 * it: the reencryption lock, suspended ones replaced by an error target
 * as lib/libdevmapper.c dm_error_device does, the top device removed
 * first, then the helpers, the logon keys dropped after each).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "common/dm.h"
#include "common/keyring.h"
#include "common/lock.h"
#include "common/log.h"
#include "luks2/reenc.h"
#include "luks2/reenc_dm_internal.h"

#define MAX_SUBDEVS 8

/* Drop the logon keys NAME's crypt targets reference (lib/luks2/
 * luks2_json_metadata.c LUKS2_deactivate: crypt_drop_keyring_key_by_
 * description after each removal); none is left in another process's
 * thread keyring, but cryptsetup's user-keyring keys would be. */
static void drop_keys(const struct reenc_dm_status *st)
{
	const char *desc;

	for (int i = 0; i < st->ntargets; i++) {
		if (strcmp(st->t[i].type, "crypt") || st->t[i].key[0] != ':')
			continue;
		desc = strstr(st->t[i].key, ":logon:");
		if (desc)
			keyring_logon_drop(desc + 7);
	}
}

/* A suspended helper gets one error target of its size and is resumed:
 * the I/O queued in it fails instead of hanging (dm_error_device). */
static void error_if_suspended(const char *name)
{
	struct reenc_dm_status st;
	struct ldm_target t = { 0, 0, "error", "" };

	if (reenc_dm_status(name, &st) < 0 || !st.suspended)
		return;
	t.len = st.size;
	if (!t.len || ldm_load(name, &t, 1) < 0 || ldm_resume(name, 0) < 0) {
		log_err("cannot replace suspended device %s with an error target", name);
		ldm_clear(name);
		return;
	}
	log_info("suspended device %s replaced by an error target", name);
}

/* Remove one device, then the keys it used; a device gone already is fine
 * for a helper. */
static int remove_one(const char *name, int helper)
{
	struct reenc_dm_status st;
	int r;

	if (reenc_dm_status(name, &st) < 0)
		memset(&st, 0, sizeof(st));
	r = ldm_remove(name);
	if (r == -ENODEV && helper)
		r = 0;
	if (!r)
		drop_keys(&st);
	return r;
}

/* The checks before anything changes: active, LUKS2, not held. */
static int check(const char *name, struct reenc_dm_status *st)
{
	char holders[4][LDM_NAME_LEN];
	int r = reenc_dm_status(name, st);

	if (r == -ENODEV)
		log_err("device %s is not active", name);
	if (r < 0)
		return r;
	if (!st->type[0]) {
		log_err("device %s is not a LUKS2 device (dm uuid '%s')", name, st->dm_uuid);
		return -ENODEV;
	}
	r = ldm_holders(makedev(st->major, st->minor), holders, 4);
	if (r < 0)
		log_dbg("cannot list the holders of %s: %s", name, strerror(-r));
	if (r > 0 || r == -ENOSPC || st->open_count) {
		log_err("device %s is still in use", name);
		return -EBUSY;
	}
	return 0;
}

static int lock_if_helpers(const char *name, const struct reenc_dm_status *st,
			   char (*subs)[LDM_NAME_LEN], int n)
{
	int lock;

	for (int i = 0; i < n; i++) {
		if (!reenc_dm_is_helper(subs[i]))
			continue;
		lock = lock_reencryption(st->uuid);
		if (lock == -EBUSY)
			log_err("reencryption in progress: cannot deactivate %s", name);
		else if (lock < 0)
			log_err("cannot take the reencryption lock: %s", strerror(-lock));
		return lock;
	}
	return -1;	/* no helper, no lock needed */
}

int reenc_dm_close(const char *name, unsigned flags)
{
	char subs[MAX_SUBDEVS][LDM_NAME_LEN];
	struct reenc_dm_status st;
	int n, lock, r, r2, first = 0;

	if ((r = check(name, &st)) < 0)
		return r;
	n = reenc_dm_subdevs(name, st.dm_uuid, subs, MAX_SUBDEVS);
	if (n < 0) {
		log_err("cannot list the devices under %s: %s", name, strerror(-n));
		return n;
	}
	lock = flags & REENC_OPEN_NO_LOCKS ? -1 : lock_if_helpers(name, &st, subs, n);
	if (lock < -1)
		return lock;
	for (int i = 0; i < n; i++)
		if (reenc_dm_is_helper(subs[i]))
			error_if_suspended(subs[i]);
	r = remove_one(name, 0);
	if (r == -EBUSY)
		log_err("device %s is still in use", name);
	/* every helper is tried; the first failure is the answer */
	for (int i = 0; !r && i < n; i++) {
		log_dbg("removing %s, a device of %s", subs[i], name);
		r2 = remove_one(subs[i], 1);
		if (r2 < 0 && !first)
			first = r2;
	}
	if (!r)
		r = first;
	if (lock >= 0)
		lock_reencryption_release(lock, st.uuid);
	return r;
}
