/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reenc_dm_table and reenc_dm_open (luks2/reenc.h): a LUKS2 device's dm
 * table and its activation as cryptsetup 2.6.1 does it, lib/setup.c
 * _open_and_activate (one key) and _open_and_activate_reencrypt_device
 * (a clean reencryption: the reencryption lock, both keys, the
 * reencryption digest, LUKS2_activate_multi). The table itself is
 * luks2/dm_table.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/dm.h"
#include "common/lock.h"
#include "common/log.h"
#include "luks2/dm_table.h"
#include "luks2/reenc_internal.h"

#define DEVSTR_LEN 256

/* The data device as the table names it: MAJ:MIN of a block device (as
 * the kernel reports it back), else the path. 1 when a block device. */
static int data_devstr(struct luks2_dev *d, char *buf, size_t len)
{
	struct stat st;

	if (fstat(d->fd, &st) == 0 && S_ISBLK(st.st_mode)) {
		snprintf(buf, len, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
		return 1;
	}
	snprintf(buf, len, "%s", d->path);
	return 0;
}

static int table_text(const struct luks2_dm_table *tab, char **text)
{
	size_t len = 1;
	int r;

	for (size_t i = 0; i < tab->n; i++)
		len += strlen(tab->t[i].params) + strlen(tab->t[i].type) + 48;
	*text = safe_alloc(len);
	if (!*text)
		return -ENOMEM;
	r = luks2_dm_table_text(tab, *text, len);
	if (r < 0) {
		safe_free(*text);
		*text = NULL;
	}
	return r;
}

int reenc_dm_table(struct reenc_dev *dev, char **text)
{
	struct luks2_dm_table tab;
	char devstr[DEVSTR_LEN];
	int r;

	*text = NULL;
	data_devstr(&dev->d, devstr, sizeof(devstr));
	r = luks2_dm_table_build(&dev->d, devstr, NULL, 0, 0, &tab);
	if (r < 0)
		return r;
	r = table_text(&tab, text);
	luks2_dm_table_free(&tab);
	return r;
}

void reenc_dm_free_text(char *text)
{
	safe_free(text);
}

/* The volume keys the table needs, by digest. */
struct dm_keys {
	struct luks2_dm_key k[2];
	struct volume_key *vk[2];
	size_t n;
};

static void keys_free(struct dm_keys *k)
{
	for (size_t i = 0; i < 2; i++)
		vk_free(k->vk[i]);
	memset(k, 0, sizeof(*k));
}

static int unlock_error(int r)
{
	if (r == -EPERM)
		log_err("no key available with this passphrase");
	else if (r == -ENOENT)
		log_err("no usable keyslot");
	return r;
}

/* No reencryption: the key of segment 0 (lib/setup.c _open_and_activate). */
static int keys_single(struct luks2_dev *d, int keyslot, const char *pass, size_t len,
		       struct dm_keys *k)
{
	struct luks2_segment s;
	int r;

	if ((r = luks2_segment_get(&d->hdr, 0, &s)) < 0)
		return r;
	if (s.digest < 0) {
		log_err("%s: segment 0 has no key", d->path);
		return -EINVAL;
	}
	r = luks2_keyslot_open_digest(d, s.digest, keyslot, pass, len, &k->vk[0]);
	if (r < 0)
		return unlock_error(r);
	k->k[k->n++] = (struct luks2_dm_key){ s.digest, k->vk[0] };
	return 0;
}

/* A clean reencryption: both keys (a named keyslot must open both), then
 * the reencryption digest (lib/setup.c _open_and_activate_reencrypt_device:
 * _open_all_keys, LUKS2_reencrypt_digest_verify). */
static int keys_reenc(struct luks2_dev *d, const struct reenc_status *st, int keyslot,
		      const char *pass, size_t len, struct dm_keys *k)
{
	struct luks2_segment prev, fin;
	int r;

	r = reenc_unlock_keys(d, keyslot, pass, len, &k->vk[0], &k->vk[1]);
	if (r < 0)
		return unlock_error(r);
	if (reenc_digest_verify(&d->hdr, st->version, k->vk[0], k->vk[1]) < 0) {
		log_err("reencryption metadata is invalid: its digest does not verify");
		return -EINVAL;
	}
	if (k->vk[0] && luks2_segment_get(&d->hdr, luks2_segment_backup(&d->hdr,
					  SEGF_BACKUP_PREVIOUS), &prev) == 0)
		k->k[k->n++] = (struct luks2_dm_key){ prev.digest, k->vk[0] };
	if (k->vk[1] && luks2_segment_get(&d->hdr, luks2_segment_backup(&d->hdr,
					  SEGF_BACKUP_FINAL), &fin) == 0)
		k->k[k->n++] = (struct luks2_dm_key){ fin.digest, k->vk[1] };
	return 0;
}

/* A state cryptsetup activates, and a table that builds (without keys):
 * luks2_dm_table_build says why not. */
static int state_check(struct luks2_dev *d)
{
	struct luks2_dm_table tab;
	char devstr[DEVSTR_LEN];
	int r;

	data_devstr(d, devstr, sizeof(devstr));
	r = luks2_dm_table_build(d, devstr, NULL, 0, 0, &tab);
	if (!r)
		luks2_dm_table_free(&tab);
	return r;
}

/* The checks that need no key: a block device, NAME free, a state
 * cryptsetup activates, no run holding the lock, and a table that builds. */
static int precheck(struct reenc_dev *dev, const char *name, struct reenc_status *st)
{
	struct luks2_dev *d = &dev->d;
	char devstr[DEVSTR_LEN];
	struct ldm_info info;
	int r;

	if (!name || !name[0] || strlen(name) >= LDM_NAME_LEN || strchr(name, '/')) {
		log_err("invalid device name '%s'", name ? name : "");
		return -EINVAL;
	}
	if (!data_devstr(d, devstr, sizeof(devstr))) {
		log_err("%s is not a block device (set up a loop device first)", d->path);
		return -ENOTBLK;
	}
	if (reenc_status_read(&d->hdr, d->size, st) < 0) {
		log_err("%s: cannot read the reencryption state", d->path);
		return -ENODEV;
	}
	if ((st->state == REENC_STATE_CLEAN || st->state == REENC_STATE_CRASH) &&
	    !(dev->flags & REENC_OPEN_NO_LOCKS) && lock_reencryption_held(d->hdr.uuid) > 0) {
		log_err("reencryption in progress: cannot activate %s", d->path);
		return -EBUSY;
	}
	if ((r = state_check(d)) < 0)
		return r;
	r = ldm_info(name, &info);
	if (r == 0) {
		log_err("device %s already exists", name);
		return -EEXIST;
	}
	return r == -ENODEV ? 0 : r;
}

/* Create NAME from the table with the keys: logon keys in this thread's
 * keyring for the time of the load (luks2/dm_table.h), or hex. */
static int create(struct luks2_dev *d, const char *name, const struct dm_keys *k,
		  unsigned flags)
{
	struct luks2_dm_table tab;
	char devstr[DEVSTR_LEN], uuid[LDM_UUID_LEN];
	int hex = !luks2_dm_keyring_ok(), r;

	if (hex)
		log_verbose("the kernel keyring is not usable by dm-crypt: keys in the table");
	data_devstr(d, devstr, sizeof(devstr));
	r = luks2_dm_table_build(d, devstr, k->k, k->n, hex ? LUKS2_DM_HEX_KEYS : 0, &tab);
	if (r < 0)
		return r;
	r = luks2_dm_uuid(d->hdr.uuid, name, 0, uuid, sizeof(uuid));
	if (!r && !hex)
		r = luks2_dm_keys_upload(&d->hdr, &tab, k->k, k->n);
	if (!r) {
		r = ldm_create(name, uuid, tab.t, tab.n,
			       (flags & REENC_DM_READONLY) ? LDM_READONLY : 0);
		if (!hex)
			luks2_dm_keys_drop(&d->hdr, &tab);
	}
	if (!r)
		log_verbose("%s: %zu target(s)%s", name, tab.n, tab.multi ?
			    ", reencryption in progress" : "");
	luks2_dm_table_free(&tab);
	return r;
}

/* Under the reencryption lock: the header read again (a run may have
 * ended meanwhile), then its state. */
static int lock_and_reread(struct reenc_dev *dev, struct reenc_status *st)
{
	struct luks2_dev *d = &dev->d;
	int r;

	if (dev->flags & REENC_OPEN_NO_LOCKS)
		return 0;
	dev->lock_re = lock_reencryption(d->hdr.uuid);
	if (dev->lock_re < 0) {
		r = dev->lock_re;
		dev->lock_re = -1;
		if (r == -EBUSY)
			log_err("reencryption in progress: cannot activate %s", d->path);
		return r;
	}
	luks2_hdr_free(&d->hdr);
	r = luks2_hdr_read(d->hdr_fd, &d->hdr);
	if (r < 0)
		return r == -EINVAL ? -ENODEV : r;
	return reenc_status_read(&d->hdr, d->size, st) < 0 ? -ENODEV : 0;
}

int reenc_dm_open(struct reenc_dev *dev, const char *name, const char *pass,
		  size_t len, int keyslot, unsigned flags)
{
	struct luks2_dev *d = &dev->d;
	struct dm_keys k = { 0 };
	struct reenc_status st;
	char uuid[sizeof(d->hdr.uuid)];
	int r, locked = 0;

	r = precheck(dev, name, &st);
	if (r < 0 || !pass)
		return r;
	/* the lock's name, should the header read again fail */
	memcpy(uuid, d->hdr.uuid, sizeof(uuid));
	if (st.state != REENC_STATE_NONE && dev->lock_re < 0) {
		r = lock_and_reread(dev, &st);
		locked = dev->lock_re >= 0;
		/* a run that crashed or ended meanwhile */
		if (r < 0 || (r = state_check(d)) < 0)
			goto out;
	}
	/* luks2_dm_table_build refuses every other state */
	if (st.state == REENC_STATE_CLEAN)
		r = keys_reenc(d, &st, keyslot, pass, len, &k);
	else
		r = keys_single(d, keyslot, pass, len, &k);
	if (!r)
		r = create(d, name, &k, flags);
out:
	keys_free(&k);
	if (locked) {
		lock_reencryption_release(dev->lock_re, uuid);
		dev->lock_re = -1;
	}
	return r;
}
