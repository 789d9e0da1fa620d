/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cryptsetup's locks (its lib/utils_device_locking.c and
 * docs/LUKS2-locking.txt), so the two tools exclude each other: metadata
 * lock = flock on /run/cryptsetup/L_<maj>:<min> for a block device, or on
 * the header file itself; reencryption lock = flock on
 * /run/cryptsetup/LN_LUKS2-reencryption-<uuid>. Non-blocking: a lock still
 * held after a few tries within 100 ms is -EBUSY.
 */
#ifndef COMMON_LOCK_H
#define COMMON_LOCK_H

/* Lock the header device/file behind fd. Returns a lock fd or -errno. */
int lock_metadata(int hdr_fd, const char *path, int exclusive);
int lock_reencryption(const char *uuid);
void lock_release(int lock_fd);
/* Release the reencryption lock and remove its file. */
void lock_reencryption_release(int lock_fd, const char *uuid);
/* Is the reencryption lock of uuid held, i.e. is a run alive? 1 held, 0
 * free, -errno when it cannot be told (no access to the lock directory).
 * Never creates the lock file; a non-blocking shared probe. */
int lock_reencryption_held(const char *uuid);

#endif
