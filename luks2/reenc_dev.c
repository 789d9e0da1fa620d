/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine's device handle: data device and header opened once, both of
 * cryptsetup's locks for a writer (common/lock.c), the header read again
 * under them; and the state a header reports. */
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lock.h"
#include "common/log.h"
#include "luks2/reenc_internal.h"

int reenc_dev_open(struct reenc_dev **out, const char *path, const char *header,
		   unsigned flags)
{
	struct reenc_dev *dev = calloc(1, sizeof(*dev));
	int r;

	*out = NULL;
	if (!dev)
		return -ENOMEM;
	dev->lock_md = dev->lock_re = -1;
	dev->flags = flags;
	/* online: the active device holds the data device, no O_EXCL */
	r = luks2_dev_open(&dev->d, path, header, (flags & REENC_OPEN_WRITE) &&
			   !(flags & REENC_OPEN_ACTIVE));
	if (!r && (flags & REENC_OPEN_WRITE) && (flags & REENC_OPEN_ACTIVE) &&
	    (r = reenc_online_reopen(&dev->d)) < 0)
		luks2_dev_close(&dev->d);
	if (r < 0) {
		free(dev);
		return r == -EINVAL ? -ENODEV : r;
	}
	dev->opened = 1;
	*out = dev;
	/* --disable-locks: like cryptsetup's crypt_metadata_locking(cd, 0),
	 * neither the metadata lock nor the reencryption lock */
	if (!(flags & REENC_OPEN_WRITE) || (flags & REENC_OPEN_NO_LOCKS))
		return 0;
	dev->lock_md = lock_metadata(dev->d.hdr_fd, dev->d.hdr_path, 1);
	if (dev->lock_md < 0)
		r = dev->lock_md;
	if (!r) {
		dev->lock_re = lock_reencryption(dev->d.hdr.uuid);
		if (dev->lock_re < 0)
			r = dev->lock_re;
	}
	/* reread under the lock: another writer may have finished meanwhile */
	if (!r) {
		luks2_hdr_free(&dev->d.hdr);
		r = luks2_hdr_read(dev->d.hdr_fd, &dev->d.hdr);
		if (r == -EINVAL)
			r = -ENODEV;
	}
	if (r < 0) {
		reenc_dev_close(dev);
		*out = NULL;
	}
	return r;
}

void reenc_dev_close(struct reenc_dev *dev)
{
	if (!dev)
		return;
	if (dev->opened)
		lock_reencryption_release(dev->lock_re, dev->d.hdr.uuid);
	lock_release(dev->lock_md);
	if (dev->opened)
		luks2_dev_close(&dev->d);
	free(dev);
}

const char *reenc_dev_path(const struct reenc_dev *dev)
{
	return dev->d.path;
}

static void segment_info(struct luks2_hdr *hdr, unsigned flag, struct reenc_segment_info *si)
{
	struct luks2_segment s;

	memset(si, 0, sizeof(*si));
	if (luks2_segment_get(hdr, luks2_segment_backup(hdr, flag), &s) < 0) {
		snprintf(si->type, sizeof(si->type), "none");
		si->digest = -1;
		return;
	}
	snprintf(si->type, sizeof(si->type), "%s", s.type == SEG_CRYPT ? "crypt" :
		 s.type == SEG_LINEAR ? "linear" : "other");
	snprintf(si->cipher, sizeof(si->cipher), "%s", s.cipher);
	si->sector_size = s.sector_size;
	si->offset = s.offset;
	si->size = s.size;
	si->digest = s.digest;
}

/* A run holds the reencryption lock for its whole length, and the
 * in-flight marker of its current hotzone is on disk meanwhile: a held
 * lock means a live process, not a crash. After a free probe the header is
 * read again; a changed seqid means a writer was active (it finished, or
 * one started): look again. 1 running, 0 not, -errno. */
static int probe_running(struct reenc_dev *dev, struct reenc_status *st)
{
	struct luks2_dev *d = &dev->d;
	uint64_t seqid;
	int r;

	for (int tries = 0; tries < 5; tries++) {
		if (st->state != REENC_STATE_CLEAN && st->state != REENC_STATE_CRASH)
			return 0;
		r = lock_reencryption_held(d->hdr.uuid);
		if (r < 0)
			log_dbg("cannot probe the reencryption lock: %s", strerror(-r));
		if (r != 0)
			return r > 0;
		seqid = d->hdr.seqid;
		luks2_hdr_free(&d->hdr);
		r = luks2_hdr_read(d->hdr_fd, &d->hdr);
		if (r < 0) {
			log_err("cannot read the header again: %s", strerror(-r));
			return r == -EINVAL ? -ENODEV : r;
		}
		r = reenc_status_read(&d->hdr, d->size, st);
		if (r < 0) {
			log_err("cannot read the header again: %s", strerror(-r));
			return -ENODEV;
		}
		if (d->hdr.seqid == seqid)
			return 0;
	}
	return 0;
}

int reenc_status(struct reenc_dev *dev, unsigned flags, struct reenc_status *st)
{
	int r = reenc_status_read(&dev->d.hdr, dev->d.size, st);

	if (r < 0) {
		log_err("cannot read the reencryption state: %s", strerror(-r));
		return -ENODEV;
	}
	if (flags & REENC_STATUS_PROBE_RUNNING) {
		r = probe_running(dev, st);
		if (r < 0)
			return r;
		st->running = r;
	}
	segment_info(&dev->d.hdr, SEGF_BACKUP_PREVIOUS, &st->previous);
	segment_info(&dev->d.hdr, SEGF_BACKUP_FINAL, &st->final);
	segment_info(&dev->d.hdr, SEGF_BACKUP_MOVED, &st->moved);
	snprintf(st->foreign, sizeof(st->foreign), "%s", dev->d.hdr.foreign);
	return 0;
}

int reenc_state_result(const struct reenc_status *st)
{
	if (st->running)
		return 0;
	switch (st->state) {
	case REENC_STATE_NONE: return -EALREADY;
	case REENC_STATE_CLEAN: return 0;
	case REENC_STATE_CRASH: return -EUCLEAN;
	case REENC_STATE_REPAIR: return -EBADMSG;
	default:
		log_err("unsupported metadata: %s", st->why);
		return -ENODEV;
	}
}

/* Why a run cannot start or go on in this state, in one line. */
int reenc_state_check(const struct reenc_status *st, int crash_ok)
{
	switch (st->state) {
	case REENC_STATE_NONE:
		log_info("no reencryption in progress");
		return -EALREADY;
	case REENC_STATE_CLEAN:
		return 0;
	case REENC_STATE_CRASH:
		if (crash_ok)
			return 0;
		log_err("an interrupted hotzone is recorded on disk; run luks2-recover first");
		return -EUCLEAN;
	case REENC_STATE_REPAIR:
		log_err("%s: the metadata is unverified and may be forged; luks2-recover "
			"shows what it would do", st->why);
		return -EBADMSG;
	default:
		log_err("unsupported metadata: %s", st->why);
		return -ENODEV;
	}
}

int reenc_backend(const char *name)
{
	enum crypt_backend_id id;

	if (crypt_backend_parse(name, &id) < 0) {
		log_err("unknown crypto backend '%s'", name ? name : "");
		return -EINVAL;
	}
	return crypt_backend_init(id);
}

void reenc_find_active_path(const char *path, const char *header, char *name, size_t len)
{
	struct reenc_dev *dev = NULL;
	struct stat sb;

	name[0] = '\0';
	if (stat(path, &sb) < 0 || !S_ISBLK(sb.st_mode) ||
	    reenc_dev_open(&dev, path, header, 0) < 0)
		return;
	if (reenc_find_active(dev, name, len) <= 0)
		name[0] = '\0';
	else
		log_verbose("%s is active as %s: online", path, name);
	reenc_dev_close(dev);
}
