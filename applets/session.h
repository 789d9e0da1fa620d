/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Opening a device for a reencryption run: fds, locks, passphrase, keys. */
#ifndef APPLETS_SESSION_H
#define APPLETS_SESSION_H

#include "common/opt.h"
#include "luks2/reenc_internal.h"

struct session {
	struct luks2_dev d;
	int lock_md, lock_re;
	int opened;
	struct reenc_status ri;
};

/* Open DEVICE (and --header) read-write with both locks, read the state. */
int session_open(struct session *s, const char *path, const struct common_opts *co);
/* Read the passphrase and load the reencryption context. */
int session_load(struct session *s, const struct common_opts *co,
		 uint64_t max_hotzone, struct reenc_ctx **ctx);
void session_close(struct session *s);
/* Exit code for a state that is not "clean" (NONE -> 10, CRASH -> 11 ...). */
int session_state_rc(const struct reenc_status *ri, int crash_ok);

/* Init on a device whose state is not "none": one line saying what to do;
 * -EEXIST (exit 5) for a reencryption in progress, -ENODEV (4) unsupported. */
int session_refuse_started(const struct reenc_status *ri);

#endif
