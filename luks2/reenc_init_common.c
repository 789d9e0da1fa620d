/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reenc_init (luks2/reenc.h): checks, then the mode's metadata in one
 * commit; and the pieces the reencrypt, encrypt and decrypt modes share. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/io.h"
#include "common/log.h"
#include "common/size.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"

int reenc_init_cipher_check(const char *cipher, size_t key_len, uint32_t sector)
{
	struct crypt_storage *st = NULL;
	uint8_t key[128] = { 0 };
	int r;

	if (key_len == 0 || key_len > sizeof(key))
		r = -EINVAL;
	else
		r = crypt_storage_init(&st, sector, cipher, key, key_len);
	crypt_storage_destroy(st);
	if (r < 0)
		log_err("cipher %s with a %zu-bit key and %u-byte sectors is not available: %s",
			cipher, key_len * 8, sector, strerror(-r));
	return r;
}

int reenc_init_device_size(const struct reenc_params *p, uint64_t avail, uint64_t block)
{
	if (!p->device_size)
		return 0;
	if (p->device_size > avail) {
		log_err("--device-size %ju is larger than the %ju bytes of data on the device",
			(uintmax_t)p->device_size, (uintmax_t)avail);
		return -EINVAL;
	}
	if (p->device_size % block) {
		log_err("--device-size must be a multiple of %ju bytes (encryption sector)",
			(uintmax_t)block);
		return -EINVAL;
	}
	return 0;
}

int reenc_init_keyslots_fit(uint64_t ks_size, size_t key_len, int n)
{
	/* the keyslots, and 4 KiB at least for the reencryption area */
	uint64_t need = (uint64_t)n * size_round_up(luks2_af_size(key_len), 4096) + 4096;

	if (ks_size >= need)
		return 0;
	log_err("the keyslots area (%ju bytes) has no room for %d keyslot%s of %zu-bit keys "
		"and the reencryption area (%ju bytes); give a larger --reduce-device-size or "
		"--luks2-keyslots-size",
		(uintmax_t)ks_size, n, n > 1 ? "s" : "", key_len * 8, (uintmax_t)need);
	return -EINVAL;
}

uint64_t reenc_init_alignment(int fd, uint32_t a, uint32_t b)
{
	uint64_t bs = 512;

	io_logical_block(fd, &bs);
	if (a > bs)
		bs = a;
	if (b > bs)
		bs = b;
	return bs;
}

/* The reencrypt keyslot, the requirement flag and the reencryption digest
 * (in memory). */
int reenc_init_prepare(struct luks2_dev *d, const struct reenc_init_plan *pl,
		       const struct reenc_init_args *a, const struct volume_key *vk_old,
		       const struct volume_key *vk_new)
{
	int id = ljson_free_id(ljson_get(d->hdr.jobj, "keyslots")), r;
	int force = (a->p->flags & REENC_INIT_FORCE_ITERATIONS) != 0;

	if ((pl->res == REENC_RES_CHECKSUM || pl->res == REENC_RES_DS_CHECKSUM) &&
	    crypt_hash_size(a->hash) <= 0) {
		log_err("resilience hash %s is not available", a->hash);
		return -EINVAL;
	}
	if (id >= LUKS2_KEYSLOTS_MAX) {
		log_err("all keyslots are in use; one is needed for the reencryption");
		return -ENOSPC;
	}
	r = reenc_add_keyslot(&d->hdr, id, pl->mode, pl->backward, pl->res, a->hash,
			      pl->block, pl->shift);
	if (r < 0) {
		log_err("no room for the reencryption keyslot area");
		return r;
	}
	reenc_set_flag(&d->hdr, pl->version);
	r = reenc_digest_create(&d->hdr, pl->version, vk_old, vk_new, force ? 1000 : 0);
	if (r < 0) {
		log_err("cannot create the reencryption digest: %s", strerror(-r));
		return r;
	}
	return 0;
}

/* The metadata of reenc_init_prepare, then its one commit. */
int reenc_init_finish(struct luks2_dev *d, const struct reenc_init_plan *pl,
		      const struct reenc_init_args *a, const struct volume_key *vk_old,
		      const struct volume_key *vk_new)
{
	int r = reenc_init_prepare(d, pl, a, vk_old, vk_new);

	return r < 0 ? r : luks2_hdr_write(d->hdr_fd, &d->hdr);
}

/* Copy len bytes from src to dst on fd (no overlap), then sync. */
int reenc_init_move(int fd, uint64_t src, uint64_t dst, uint64_t len)
{
	size_t chunk = 1 << 20;
	uint8_t *b = io_alloc(chunk);
	int r = b ? 0 : -ENOMEM;

	for (uint64_t o = 0; !r && o < len; o += chunk) {
		size_t n = len - o < chunk ? len - o : chunk;

		r = io_pread(fd, b, n, src + o);
		if (!r)
			r = io_pwrite(fd, b, n, dst + o);
	}
	if (!r)
		r = io_fdatasync(fd);
	if (b) {
		crypt_backend_memzero(b, chunk);
		free(b);
	}
	if (r < 0)
		log_err("cannot move %ju bytes of data: %s", (uintmax_t)len, strerror(-r));
	return r;
}

/* fsync the directory holding path: a new name in it is then durable. */
static int sync_dir_of(const char *path)
{
	char *dir = strdup(path);
	int fd, r;

	if (!dir)
		return -ENOMEM;
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = fd < 0 ? -errno : io_fsync(fd);
	if (fd >= 0)
		close(fd);
	free(dir);
	return r;
}

/*
 * A new header file, its name synced into its directory: it will be the
 * only header of data that changes, and a power cut must not take its name.
 */
int reenc_init_new_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600), r;

	if (fd < 0 && errno == EEXIST)
		log_err("header file %s already exists; refusing to overwrite it", path);
	else if (fd < 0)
		log_err("cannot create %s: %s", path, strerror(errno));
	if (fd < 0)
		return -errno;
	r = sync_dir_of(path);
	if (r < 0) {
		log_err("cannot sync the directory of %s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	return fd;
}

void reenc_init_put_seg(struct luks2_hdr *hdr, int id, struct json_object *s, const char *flag)
{
	char k[12];

	if (flag)
		reenc_segment_flag(s, flag);
	snprintf(k, sizeof(k), "%d", id);
	json_object_object_add(ljson_get(hdr->jobj, "segments"), k, s);
}

struct json_object *reenc_init_dup_seg(struct luks2_hdr *hdr, int id)
{
	struct json_object *o = NULL;

	json_object_deep_copy(ljson_get_id(ljson_get(hdr->jobj, "segments"), id), &o, NULL);
	return o;
}

/* A device whose state is not "none" cannot get a second initialization:
 * one line saying what to do; -EEXIST for a reencryption in progress,
 * -ENODEV for metadata the engine does not support. */
static int refuse_started(const struct reenc_status *st)
{
	switch (st->state) {
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
			"shows it", st->why);
		return -EEXIST;
	default:
		log_err("unsupported metadata: %s", st->why);
		return -ENODEV;
	}
}

int reenc_init_open(struct reenc_dev **dev, const char *path, const char *header,
		    const struct reenc_params *p)
{
	unsigned flags = REENC_OPEN_WRITE;
	struct reenc_status st;
	int r;

	if (p->flags & REENC_INIT_NO_LOCKS)
		flags |= REENC_OPEN_NO_LOCKS;
	/* online: the active device holds the data device, no O_EXCL */
	if (p->active_name)
		flags |= REENC_OPEN_ACTIVE;
	r = reenc_dev_open(dev, path, header, flags);
	if (r < 0)
		return r;
	r = reenc_status_read(&(*dev)->d.hdr, (*dev)->d.size, &st);
	if (!r)
		r = refuse_started(&st);
	/* a wrong name is refused before any passphrase is tried */
	if (!r && p->active_name)
		r = reenc_init_online_name(&(*dev)->d, p->active_name);
	if (r < 0) {
		reenc_dev_close(*dev);
		*dev = NULL;
	}
	return r;
}
