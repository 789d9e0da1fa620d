/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cryptsetup's locks (luks2-format.md §1.9), so the two tools exclude each
 * other: metadata lock = flock on /run/cryptsetup/L_<maj>:<min> for a block
 * device, or on the header file itself; reencryption lock = flock on
 * /run/cryptsetup/LN_LUKS2-reencryption-<uuid>. Non-blocking: a held lock
 * is -EBUSY.
 */
#ifndef COMMON_LOCK_H
#define COMMON_LOCK_H

/* Lock the header device/file behind fd. Returns a lock fd or -errno. */
int lock_metadata(int hdr_fd, const char *path, int exclusive);
int lock_reencryption(const char *uuid);
void lock_release(int lock_fd);
/* Release the reencryption lock and remove its file. */
void lock_reencryption_release(int lock_fd, const char *uuid);

#endif
