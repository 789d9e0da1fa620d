/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loading a reencryption context from the header: keys, backup segments,
 * resilience, sizes and the hotzone length (doc/format.md §4.1; cryptsetup
 * lib/luks2/luks2_reencrypt.c reencrypt_context_init(), reencrypt_length()). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/io.h"
#include "common/log.h"
#include "common/size.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"

static int load_backup(struct reenc_ctx *c, unsigned flag, struct luks2_segment *s,
		       struct json_object **j)
{
	int id = luks2_segment_backup(&c->d->hdr, flag);

	if (id < 0)
		return id;
	*j = NULL;
	json_object_deep_copy(ljson_get_id(ljson_get(c->d->hdr.jobj, "segments"), id), j, NULL);
	return luks2_segment_get(&c->d->hdr, id, s);
}

static int load_params(struct reenc_ctx *c, const struct reenc_status *ri)
{
	c->mode = ri->mode;
	c->backward = ri->direction == REENC_BACKWARD;
	c->res = ri->resilience;
	if (c->res == REENC_RES_UNKNOWN) {
		log_err("unknown resilience type in the reencrypt keyslot");
		return -EINVAL;
	}
	c->version = ri->version;
	c->keyslot = ri->keyslot;
	c->area_off = ri->area_offset;
	c->area_size = ri->area_size;
	c->block = ri->sector_size;
	c->shift = ri->shift;
	snprintf(c->hash, sizeof(c->hash), "%s", ri->hash);
	if (c->hash[0]) {
		c->hash_len = crypt_hash_size(c->hash);
		if (c->hash_len <= 0) {
			log_err("resilience hash '%s' is not available", c->hash);
			return -ENOENT;
		}
	}
	if (load_backup(c, SEGF_BACKUP_PREVIOUS, &c->prev, &c->jprev) < 0 ||
	    load_backup(c, SEGF_BACKUP_FINAL, &c->final, &c->jfinal) < 0)
		return -EINVAL;
	c->has_moved = load_backup(c, SEGF_BACKUP_MOVED, &c->moved, &c->jmoved) == 0;
	c->d_old = c->prev.type == SEG_CRYPT ? c->prev.digest : -1;
	c->d_new = c->final.type == SEG_CRYPT ? c->final.digest : -1;
	c->data_offset = c->final.offset;
	return 0;
}

static void load_sizes(struct reenc_ctx *c)
{
	struct luks2_segment s;
	int n = luks2_segment_count(&c->d->hdr);

	c->fixed = !c->has_moved;
	for (int id = 0; id < n && luks2_segment_get(&c->d->hdr, id, &s) == 0; id++)
		if (s.size == LUKS2_DYNAMIC)
			c->fixed = 0;
	c->device_size = reenc_total_bytes(&c->d->hdr, c->d->size, c->shift, !c->backward);
}

static uint64_t phys_quarter(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

	return pages > 0 && psz > 0 ? (uint64_t)pages * psz / 4 : 0;
}

static int load_length(struct reenc_ctx *c, uint64_t max_hotzone)
{
	uint64_t len, bs = 512, q = phys_quarter();

	io_logical_block(c->fd_data, &bs);
	c->alignment = bs;
	if (c->prev.type == SEG_CRYPT && c->prev.sector_size > c->alignment)
		c->alignment = c->prev.sector_size;
	if (c->final.type == SEG_CRYPT && c->final.sector_size > c->alignment)
		c->alignment = c->final.sector_size;
	if (c->res == REENC_RES_CHECKSUM)
		c->alignment = c->block;
	if (!c->alignment || max_hotzone % c->alignment) {
		log_err("hotzone size must be a multiple of %ju bytes", (uintmax_t)c->alignment);
		return -EINVAL;
	}
	switch (c->res) {
	case REENC_RES_NONE:
		len = max_hotzone ? max_hotzone : REENC_NONE_HOTZONE;
		break;
	case REENC_RES_CHECKSUM:
		if (c->hash_len <= 0) {
			log_err("checksum resilience without a hash");
			return -EINVAL;
		}
		len = c->area_size / c->hash_len * c->block;
		break;
	case REENC_RES_JOURNAL:
		len = c->area_size;
		break;
	default:
		c->max_len = c->shift;
		return 0;
	}
	if (len > REENC_MAX_HOTZONE)
		len = REENC_MAX_HOTZONE;
	if (q && len > q)
		len = q;
	if (max_hotzone && len > max_hotzone)
		len = max_hotzone;
	/* cryptsetup takes the whole allowed length (up to 1 GiB); one huge
	 * hotzone serialises read, crypto and write and stalls for seconds
	 * (doc/performance.md §3). Without --hotzone-size we stay at 64 MiB. */
	if (!max_hotzone && len > REENC_DEFAULT_HOTZONE)
		len = REENC_DEFAULT_HOTZONE;
	c->max_len = size_round_down(len, c->alignment);
	return c->max_len < 512 ? -EINVAL : 0;
}

static int load_keys(struct reenc_ctx *c, const char *pass, size_t len, int keyslot)
{
	int r;

	r = reenc_unlock_keys(c->d, keyslot, pass, len, &c->vk_old, &c->vk_new);
	if (r == -EPERM)
		log_err("no key available with this passphrase");
	else if (r == -ENOENT)
		log_err("no keyslot can open the keys of this reencryption");
	if (r < 0)
		return r;
	r = reenc_digest_verify(&c->d->hdr, c->version, c->vk_old, c->vk_new);
	if (r < 0) {
		log_err("reencryption metadata is invalid: its digest does not verify");
		return -EINVAL;
	}
	return reenc_workers_init(c);
}

/*
 * The reencryption digest covers the backup segments, not the regular
 * ones, which say where the next hotzone is. Whoever can write the disk
 * may change them freely, so they must at least stay on the device and
 * their fixed sizes add up to no more than a backup segment with a fixed
 * size.
 */
static int check_regular(struct reenc_ctx *c)
{
	struct luks2_segment s;
	uint64_t sum = 0, len, cap = UINT64_MAX, dev = c->d->size;
	int n = luks2_segment_count(&c->d->hdr);

	/* an encryption reads its moved copy last and wipes it at the end:
	 * below the new data offset it would be the header and keyslots */
	if (c->has_moved && c->mode == REENC_MODE_ENCRYPT && c->moved.offset < c->data_offset) {
		log_err("the moved segment (offset %ju) lies before the data offset %ju",
			(uintmax_t)c->moved.offset, (uintmax_t)c->data_offset);
		return -EINVAL;
	}
	if (c->prev.size != LUKS2_DYNAMIC)
		cap = c->prev.size;
	if (c->final.size != LUKS2_DYNAMIC && c->final.size < cap)
		cap = c->final.size;
	for (int id = 0; id < n; id++) {
		if (luks2_segment_get(&c->d->hdr, id, &s) < 0)
			return -EINVAL;
		len = luks2_segment_len(&s, dev);
		/* a dynamic segment runs to the device end, which may hold
		 * the moved copy beyond the data: only fixed sizes are summed */
		if (s.size == LUKS2_DYNAMIC)
			len = 0;
		if (s.offset > dev || len > dev - s.offset || len > cap - sum) {
			log_err("segment %d (offset %ju, %ju bytes) lies outside the device or "
				"the data of the reencryption", id, (uintmax_t)s.offset,
				(uintmax_t)len);
			return -EINVAL;
		}
		sum += len;
	}
	return 0;
}

/*
 * The IV rule (segment.h): the hotzone is decrypted and encrypted at IV
 * sector logical offset / 512 (reenc_par.c), which is what the backups say
 * only when their iv_tweak is 0 (they start at logical 0). cryptsetup
 * writes no other (lib/luks2/luks2_reencrypt.c
 * reencrypt_make_backup_segments(): a copy of segment 0, or
 * crypt_get_iv_offset(), 0 for LUKS2). The regular segments are checked
 * where the engine keeps them: a header whose lone segment it replaces
 * (tests/interop/reencrypt-unprotected.test, "forged finished") loads.
 */
static int check_iv(struct reenc_ctx *c)
{
	const struct luks2_segment *b[] = { &c->prev, &c->final, c->has_moved ? &c->moved : NULL };

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		if (b[i] && b[i]->type == SEG_CRYPT && b[i]->iv_tweak) {
			log_err("backup segment %d has iv_tweak %ju; only 0 is supported", b[i]->id,
				(uintmax_t)b[i]->iv_tweak);
			return -EINVAL;
		}
	return 0;
}

/* Everything reenc_load checks before it needs a key. */
static int load_metadata(struct reenc_ctx *c, struct luks2_dev *d, uint64_t max_hotzone)
{
	struct reenc_status ri;
	int r;

	c->d = d;
	c->fd_data = d->fd;
	r = reenc_status_read(&d->hdr, d->size, &ri);
	if (!r && ri.state != REENC_STATE_CLEAN && ri.state != REENC_STATE_CRASH)
		r = -EINVAL;
	if (!r)
		r = load_params(c, &ri);
	if (!r)
		r = check_regular(c);
	if (!r)
		r = check_iv(c);
	if (!r) {
		load_sizes(c);
		r = load_length(c, max_hotzone);
	}
	return r;
}

int reenc_check_metadata(struct luks2_dev *d)
{
	struct reenc_ctx *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = load_metadata(c, d, 0);
	reenc_free(c);
	return r;
}

/* The buffer of one hotzone (or of the moved segment / the shift). */
static int load_buffer(struct reenc_ctx *c)
{
	c->buf_len = c->max_len < c->device_size ? c->max_len : c->device_size;
	if (c->buf_len < 4096)
		c->buf_len = 4096;
	if (c->has_moved && c->moved.size > c->buf_len)
		c->buf_len = c->moved.size;
	if (c->shift > c->buf_len)
		c->buf_len = c->shift;
	c->buf = io_alloc(c->buf_len);
	if (!c->buf)
		return -ENOMEM;
	safe_nodump(c->buf, c->buf_len);	/* it holds plaintext */
	return 0;
}

int reenc_ctx_load(struct reenc_ctx **ctx, struct luks2_dev *d, const char *pass,
	       size_t pass_len, int keyslot, uint64_t max_hotzone)
{
	struct reenc_ctx *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = load_metadata(c, d, max_hotzone);
	if (!r)
		r = load_keys(c, pass, pass_len, keyslot);
	if (!r)
		r = load_buffer(c);
	if (r < 0) {
		reenc_free(c);
		return r;
	}
	*ctx = c;
	return 0;
}

int reenc_reload(struct reenc_ctx **ctx, uint64_t max_hotzone)
{
	struct reenc_ctx *old = *ctx, *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = load_metadata(c, old->d, max_hotzone);
	if (!r) {
		c->vk_old = old->vk_old;
		c->vk_new = old->vk_new;
		old->vk_old = old->vk_new = NULL;
		r = reenc_digest_verify(&c->d->hdr, c->version, c->vk_old, c->vk_new);
	}
	if (!r)
		r = reenc_workers_init(c);
	if (!r)
		r = load_buffer(c);
	reenc_free(old);
	if (r < 0) {
		reenc_free(c);
		*ctx = NULL;
		return r;
	}
	*ctx = c;
	return 0;
}

void reenc_free(struct reenc_ctx *c)
{
	if (!c)
		return;
	reenc_workers_free(c);
	vk_free(c->vk_old);
	vk_free(c->vk_new);
	json_object_put(c->jprev);
	json_object_put(c->jfinal);
	json_object_put(c->jmoved);
	if (c->buf) {
		crypt_backend_memzero(c->buf, c->buf_len);
		free(c->buf);
	}
	free(c);
}

uint64_t reenc_progress(struct reenc_ctx *c)
{
	struct reenc_status ri;

	if (reenc_status_read(&c->d->hdr, c->d->size, &ri) < 0)
		return 0;
	return ri.progress;
}
