/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by hotzone-step and luks2-recover: one fd per device, both of
 * cryptsetup's locks, and the keys of the reencryption. */
#include <errno.h>
#include <string.h>

#include "applets/session.h"
#include "common/exitcode.h"
#include "common/lock.h"
#include "common/log.h"
#include "common/passphrase.h"

int session_open(struct session *s, const char *path, const struct common_opts *co)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->lock_md = s->lock_re = -1;
	r = luks2_dev_open(&s->d, path, co->header, 1);
	if (r < 0)
		return r == -EINVAL ? -ENODEV : r;
	s->opened = 1;
	/* --disable-locks: like cryptsetup's crypt_metadata_locking(cd, 0),
	 * neither the metadata lock nor the reencryption lock */
	if (!co->disable_locks) {
		s->lock_md = lock_metadata(s->d.hdr_fd, s->d.hdr_path, 1);
		if (s->lock_md < 0)
			return s->lock_md;
		s->lock_re = lock_reencryption(s->d.hdr.uuid);
		if (s->lock_re < 0)
			return s->lock_re;
	}
	/* reread under the lock: another writer may have finished meanwhile */
	luks2_hdr_free(&s->d.hdr);
	r = luks2_hdr_read(s->d.hdr_fd, &s->d.hdr);
	if (r < 0)
		return r == -EINVAL ? -ENODEV : r;
	return reenc_status_read(&s->d.hdr, s->d.size, &s->ri);
}

int session_load(struct session *s, const struct common_opts *co,
		 uint64_t max_hotzone, struct reenc_ctx **ctx)
{
	char *pass = NULL;
	size_t len;
	int r;

	r = passphrase_read(co, "Enter passphrase: ", &pass, &len);
	if (r < 0)
		return r;
	r = reenc_ctx_load(ctx, &s->d, pass, len, co->key_slot, max_hotzone);
	safe_free(pass);
	return r;
}

void session_close(struct session *s)
{
	if (s->opened)
		lock_reencryption_release(s->lock_re, s->d.hdr.uuid);
	lock_release(s->lock_md);
	if (s->opened)
		luks2_dev_close(&s->d);
	s->opened = 0;
}

int session_state_rc(const struct reenc_status *ri, int crash_ok)
{
	switch (ri->state) {
	case REENC_STATE_NONE:
		log_info("no reencryption in progress");
		return RC_DONE;
	case REENC_STATE_CLEAN:
		return RC_OK;
	case REENC_STATE_CRASH:
		if (crash_ok)
			return RC_OK;
		log_err("an interrupted hotzone is recorded on disk; run luks2-recover first");
		return RC_RECOVER;
	case REENC_STATE_REPAIR:
		log_err("%s: the metadata is unverified and may be forged; luks2-recover "
			"shows what it would do", ri->why);
		return RC_REPAIR;
	default:
		log_err("unsupported metadata: %s", ri->why);
		return RC_NODEV;
	}
}

int session_refuse_started(const struct reenc_status *ri)
{
	switch (ri->state) {
	case REENC_STATE_NONE:
		return 0;
	case REENC_STATE_CLEAN:
		log_err("a reencryption is already initialized; run hotzone-step to continue it");
		return -EEXIST;
	case REENC_STATE_CRASH:
		log_err("a reencryption is already initialized and an interrupted hotzone is "
			"recorded; run luks2-recover, then hotzone-step");
		return -EEXIST;
	case REENC_STATE_REPAIR:
		log_err("a reencryption is already initialized (%s, unverified); luks2-recover "
			"shows it", ri->why);
		return -EEXIST;
	default:
		log_err("unsupported metadata: %s", ri->why);
		return -ENODEV;
	}
}
