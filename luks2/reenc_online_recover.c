/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reenc_recover_active (luks2/reenc.h): after an online run was killed,
 * answer I/O again first (a suspended hotzone helper gets an error target
 * as in cryptsetup 2.6.1 lib/luks2/luks2_reencrypt.c
 * reencrypt_teardown_fatal; suspended devices are resumed bottom up),
 * then recover the interrupted hotzone on the data device, load the table
 * of the metadata into NAME and remove the helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "common/log.h"
#include "luks2/dm_table.h"
#include "luks2/reenc_internal.h"

#define SUSPEND_FLAGS (LDM_NOFLUSH | LDM_SKIP_LOCKFS)

/* Bottom up: the hotzone helpers (error), the overlay, NAME. */
static int unblock(const char *name)
{
	static const enum luks2_dm_helper hz[] = { LUKS2_DM_HOTZONE_FORWARD,
						   LUKS2_DM_HOTZONE_BACKWARD };
	char hn[LDM_NAME_LEN + 32];
	struct ldm_info in;
	int r = 0;

	for (size_t i = 0; i < 2; i++)
		if (luks2_dm_helper_name(name, hz[i], hn, sizeof(hn)) == 0 &&
		    ldm_info(hn, &in) == 0 && in.exists && in.suspended &&
		    reenc_online_error(hn) < 0)
			r = -EIO;
	if (luks2_dm_helper_name(name, LUKS2_DM_OVERLAY, hn, sizeof(hn)) == 0 &&
	    ldm_info(hn, &in) == 0 && in.exists && in.suspended) {
		log_info("resuming %s", hn);
		if (ldm_resume(hn, 0) < 0)
			r = -EIO;
	}
	if (ldm_info(name, &in) < 0 || !in.exists) {
		log_err("%s: no such active device", name);
		return -ENODEV;
	}
	/* NAME suspended with an inactive table: an online header removal was
	 * killed between its load and its resume (reenc_init_online.c). Which
	 * table is right depends on whether the header was committed; a
	 * resume would make the inactive one live either way. load_top loads
	 * the table of the metadata over it and resumes NAME. */
	if (in.suspended && in.inactive_table) {
		log_info("%s is suspended with an inactive table: it gets the table of the "
			 "metadata before it resumes", name);
		return r;
	}
	if (in.suspended) {
		log_info("resuming %s", name);
		if (ldm_resume(name, SUSPEND_FLAGS) < 0)
			r = -EIO;
	}
	return r;
}

/* The keys of every regular segment, opened with pass. */
static int open_keys(struct luks2_dev *d, const char *pass, size_t len, int keyslot,
		     struct luks2_dm_key *k, size_t *n)
{
	struct seg_table t;
	struct volume_key *vk;
	int r = luks2_segment_table(&d->hdr, &t), seen;

	*n = 0;
	for (int i = 0; !r && i < t.n; i++) {
		if (t.s[i].type != SEG_CRYPT || t.s[i].digest < 0 ||
		    !strncmp(t.s[i].cipher, "cipher_null", 11))
			continue;
		seen = 0;
		for (size_t j = 0; j < *n; j++)
			seen |= k[j].digest == t.s[i].digest;
		if (seen || *n >= SEG_TABLE_MAX)
			continue;
		r = luks2_keyslot_open_digest(d, t.s[i].digest, keyslot, pass, len, &vk);
		if (r >= 0) {
			k[(*n)++] = (struct luks2_dm_key){ t.s[i].digest, vk };
			r = 0;
		}
	}
	return r;
}

static int load_top(struct reenc_dev *dev, const char *name, const char *pass,
		    size_t len, int keyslot)
{
	struct luks2_dm_key k[SEG_TABLE_MAX];
	uint64_t sectors;
	size_t n = 0;
	int r;

	/* the header as the recovery left it */
	luks2_hdr_free(&dev->d.hdr);
	r = luks2_hdr_read(dev->d.hdr_fd, &dev->d.hdr);
	if (!r)
		r = open_keys(&dev->d, pass, len, keyslot, k, &n);
	if (!r)
		r = reenc_online_sectors(name, &sectors);
	if (!r)
		r = reenc_online_load_top(&dev->d, name, sectors, k, n);
	for (size_t i = 0; i < n; i++)
		vk_free((struct volume_key *)k[i].vk);
	return r;
}

int reenc_recover_active(struct reenc_dev *dev, const char *name, const char *pass,
			 size_t pass_len, int keyslot)
{
	struct reenc_status st;
	int r, rec = 0;

	r = unblock(name);
	if (r < 0)
		return r;
	posix_fadvise(dev->d.fd, 0, 0, POSIX_FADV_DONTNEED);
	r = reenc_status(dev, 0, &st);
	if (!r && st.state == REENC_STATE_CRASH) {
		rec = reenc_recover(dev, pass, pass_len, keyslot);
		r = rec < 0 ? rec : 0;
	} else if (!r && st.state != REENC_STATE_CLEAN && st.state != REENC_STATE_NONE) {
		r = reenc_state_check(&st, 1);
	}
	if (!r)
		r = load_top(dev, name, pass, pass_len, keyslot);
	/* the recovery wrote through our page cache; I/O through NAME does not */
	posix_fadvise(dev->d.fd, 0, 0, POSIX_FADV_DONTNEED);
	if (r < 0) {
		log_err("%s: not recovered; its helper devices stay", name);
		return r;
	}
	log_info("%s maps the metadata again; helper devices removed", name);
	return rec;
}
