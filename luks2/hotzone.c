/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One hotzone, in the commit order of luks2-format.md §4.3:
 *   hot segments (memory) -> read old data -> resilience data + header
 *   commit (the crash marker) -> rewrite + fdatasync -> post commit.
 * The post commit of the last hotzone is the final metadata itself, so
 * no header ever says "in progress" about a finished device.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/io.h"
#include "common/log.h"
#include "luks2/json.h"
#include "luks2/reenc.h"

static enum reenc_res active_res(struct reenc_ctx *c)
{
	if (c->moved_chunk && c->res == RES_DS_CHECKSUM)
		return RES_CHECKSUM;
	if (c->moved_chunk && c->res == RES_DS_JOURNAL)
		return RES_JOURNAL;
	if (c->res == RES_DS_CHECKSUM || c->res == RES_DS_JOURNAL)
		return RES_DATASHIFT;
	return c->res;
}

/* Where the old bytes of the current hotzone are. */
static uint64_t old_physical(struct reenc_ctx *c)
{
	return c->moved_chunk ? c->moved.offset : c->prev.offset + c->offset;
}

static int hash_block(struct reenc_ctx *c, const uint8_t *data, uint8_t *out)
{
	int r = crypt_hash_write(c->w[0].csum, data, c->block);

	return r < 0 ? r : crypt_hash_final(c->w[0].csum, out, c->hash_len);
}

/* Resilience data first, then the header with the hot segments. */
static int protect(struct reenc_ctx *c, enum reenc_res res)
{
	size_t n;
	uint8_t *sums;
	int r;

	if (res == RES_NONE)	/* "none" commits only when the run ends */
		return 0;
	if (res == RES_CHECKSUM) {
		n = c->length / c->block * c->hash_len;
		if (n > c->area_size)
			return -EINVAL;
		sums = malloc(n);
		if (!sums)
			return -ENOMEM;
		r = reenc_par_hash(c, c->buf, c->length, sums);
		if (!r)
			r = io_pwrite(c->d->hdr_fd, sums, n, c->area_off);
		free(sums);
	} else if (res == RES_JOURNAL) {
		if (c->length > c->area_size)
			return -EINVAL;
		r = io_pwrite(c->d->hdr_fd, c->buf, c->length, c->area_off);
	} else {
		r = 0;
	}
	if (!r && res != RES_DATASHIFT)
		r = io_fdatasync(c->d->hdr_fd);
	if (r < 0) {
		log_err("cannot write resilience data: %s", strerror(-r));
		return r;
	}
	return luks2_hdr_write(c->d->hdr_fd, &c->d->hdr);
}

/* Old bytes in buf -> new bytes in buf (logical offset off, len bytes). */
static int transform(struct reenc_ctx *c, uint64_t off, uint8_t *buf, size_t len)
{
	int r = reenc_par_transform(c, off, buf, len);

	if (r < 0)
		log_err("cipher failure at offset %ju: %s", (uintmax_t)off, strerror(-r));
	return r;
}

static int write_new(struct reenc_ctx *c, uint64_t off, const uint8_t *buf,
		     size_t len, int sync)
{
	int r = io_pwrite(c->fd_data, buf, len, c->data_offset + off);

	if (!r && sync)
		r = io_fdatasync(c->fd_data);
	if (r < 0)
		log_err("cannot write hotzone at offset %ju on %s: %s",
			(uintmax_t)(c->data_offset + off), c->d->path, strerror(-r));
	return r;
}

static void wipe_area(int fd, uint64_t off, uint64_t len)
{
	uint8_t *b = io_alloc(1 << 20);

	if (!b)
		return;
	while (len) {
		size_t n = len > (1 << 20) ? 1 << 20 : len;

		if (crypt_backend_rng(b, n) < 0 || io_pwrite(fd, b, n, off) < 0)
			break;
		off += n;
		len -= n;
	}
	free(b);
	(void)io_fsync(fd);
}

/*
 * Resilience none syncs no hotzone: before a header records its progress
 * or the end, the rewritten data must be on disk, or a power cut may keep
 * the header and lose data it describes as rewritten.
 */
static int sync_unprotected(struct reenc_ctx *c)
{
	int r = c->res == RES_NONE ? io_fdatasync(c->fd_data) : 0;

	if (r < 0)
		log_err("cannot sync the rewritten data on %s: %s", c->d->path, strerror(-r));
	return r;
}

/* The final commit, then wipe what no longer holds anything of use. */
static int finish(struct reenc_ctx *c, struct json_object *post)
{
	uint64_t off[LUKS2_KEYSLOTS_MAX + 1], len[LUKS2_KEYSLOTS_MAX + 1];
	int n, r;

	r = reenc_final_metadata(c, post, off, len, &n);
	if (!r)
		r = sync_unprotected(c);
	if (!r)
		r = luks2_hdr_write(c->d->hdr_fd, &c->d->hdr);
	if (r < 0)
		return r;
	for (int i = 0; i < n; i++)
		wipe_area(c->d->hdr_fd, off[i], len[i]);
	if (c->has_moved && c->mode == MODE_ENCRYPT)
		wipe_area(c->fd_data, c->moved.offset, c->moved.size);
	if (!c->backward && c->shift && c->d->size >= c->shift)
		wipe_area(c->fd_data, c->d->size - c->shift, c->shift);
	log_verbose("reencryption finished; metadata final");
	return 1;
}

/* After the data of the hotzone is on disk: post segments or the end. */
static int commit_post(struct reenc_ctx *c, struct json_object *hot, int commit)
{
	struct json_object *post = reenc_post_segments(c, hot);
	int r;

	if (!post)
		return -EINVAL;
	if (json_object_object_length(post) == 1) {
		r = finish(c, post);
	} else {
		r = reenc_set_segments(c, post);
		if (!r && commit)
			r = luks2_hdr_write(c->d->hdr_fd, &c->d->hdr);
	}
	json_object_put(post);
	return r;
}

int reenc_step(struct reenc_ctx *c, int *fatal)
{
	struct json_object *hot = NULL;
	enum reenc_res res;
	int r;

	*fatal = 0;
	r = reenc_plan(c);
	if (r < 0) {
		log_err("cannot place the next hotzone (metadata inconsistent)");
		return r;
	}
	res = active_res(c);
	hot = reenc_hot_segments(c);
	if (!hot)
		return -EINVAL;
	r = reenc_set_segments(c, hot);
	if (!r)
		r = io_pread(c->fd_data, c->buf, c->length, old_physical(c));
	if (r < 0) {
		log_err("cannot read hotzone at offset %ju: %s", (uintmax_t)old_physical(c),
			strerror(-r));
		goto out;
	}
	/* metadata commit point: from here on the header says "in flight" */
	r = protect(c, res);
	if (r < 0)
		goto out;
	*fatal = res != RES_NONE;
	r = transform(c, c->offset, c->buf, c->length);
	if (!r)
		r = write_new(c, c->offset, c->buf, c->length, res != RES_NONE);
	/* metadata commit safe point */
	if (!r)
		r = commit_post(c, hot, res != RES_NONE);
	if (r >= 0)
		*fatal = 0;
out:
	json_object_put(hot);
	return r;
}

int reenc_commit_progress(struct reenc_ctx *c)
{
	int r = sync_unprotected(c);

	return r < 0 ? r : luks2_hdr_write(c->d->hdr_fd, &c->d->hdr);
}

/* A hotzone written by another run (or cryptsetup) may exceed our buffer. */
static int ensure_buf(struct reenc_ctx *c, size_t len)
{
	uint8_t *b;

	if (len <= c->buf_len)
		return 0;
	b = io_alloc(len);
	if (!b)
		return -ENOMEM;
	crypt_backend_memzero(c->buf, c->buf_len);
	free(c->buf);
	c->buf = b;
	c->buf_len = len;
	return 0;
}

static int recover_checksum(struct reenc_ctx *c)
{
	size_t n = c->length / c->block, len = n * c->hash_len;
	uint8_t *sums = malloc(len), h[64];
	uint64_t o;
	int r, redone = 0;

	if (!sums)
		return -ENOMEM;
	r = len > c->area_size ? -EINVAL : io_pread(c->d->hdr_fd, sums, len, c->area_off);
	if (!r)
		r = io_pread(c->fd_data, c->buf, c->length, c->data_offset + c->offset);
	for (size_t i = 0; !r && i < n; i++) {
		o = i * c->block;
		r = hash_block(c, c->buf + o, h);
		if (r < 0 || memcmp(h, sums + i * c->hash_len, c->hash_len))
			continue;	/* not the old block: already rewritten */
		r = transform(c, c->offset + o, c->buf + o, c->block);
		if (!r)
			r = write_new(c, c->offset + o, c->buf + o, c->block, 0);
		redone++;
	}
	free(sums);
	if (!r)
		r = io_fdatasync(c->fd_data);
	log_verbose("checksum recovery: %d of %zu blocks rewritten", redone, n);
	return r;
}

int reenc_recover(struct reenc_ctx *c)
{
	struct json_object *hot = reenc_regular_segments(c);
	int rs = -1, r;
	uint64_t off;

	for (int i = 0; i < json_object_object_length(hot); i++)
		if (ljson_array_has_str(ljson_get(ljson_get_id(hot, i), "flags"),
					"in-reencryption"))
			rs = i;
	if (rs < 0 || ljson_get_u64(ljson_get_id(hot, rs), "offset", &off) < 0 ||
	    ljson_get_u64(ljson_get_id(hot, rs), "size", &c->length) < 0 ||
	    off < c->data_offset || c->length > REENC_MAX_HOTZONE || c->length < 512 ||
	    ensure_buf(c, c->length) < 0) {
		json_object_put(hot);
		log_err("no valid interrupted hotzone in the metadata");
		return -EINVAL;
	}
	c->offset = off - c->data_offset;
	c->moved_chunk = c->has_moved && rs == 0;
	switch (active_res(c)) {
	case RES_CHECKSUM:
		r = recover_checksum(c);
		break;
	case RES_JOURNAL:
	case RES_DATASHIFT:
		if (active_res(c) == RES_JOURNAL)
			r = io_pread(c->d->hdr_fd, c->buf, c->length, c->area_off);
		else
			r = io_pread(c->fd_data, c->buf, c->length, old_physical(c));
		if (!r)
			r = transform(c, c->offset, c->buf, c->length);
		if (!r)
			r = write_new(c, c->offset, c->buf, c->length, 1);
		break;
	default:
		r = -EINVAL;
	}
	if (!r)
		r = commit_post(c, hot, 1);
	json_object_put(hot);
	return r;
}

int reenc_finish_if_done(struct reenc_ctx *c)
{
	struct json_object *reg = reenc_regular_segments(c);
	int r = 0;

	if (reenc_segments_done(c, reg))
		r = finish(c, reg);
	json_object_put(reg);
	return r;
}
