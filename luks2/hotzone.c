/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One hotzone, in the commit order of doc/format.md §4.2 (cryptsetup
 * lib/luks2/luks2_reencrypt.c reencrypt_step()):
 *   hot segments (memory) -> read old data -> resilience data + header
 *   commit (the crash marker) -> rewrite + fdatasync -> post commit.
 * The end: finish() (wipes and the final metadata, see plaintext_left()).
 * Online (reenc_online.c): after the hot segments, the overlay maps them
 * and the hotzone device is suspended (reencrypt_step()'s
 * reencrypt_refresh_overlay_devices); when the step ends it is resumed, or
 * gets an error target after a failure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/io.h"
#include "common/log.h"
#include "luks2/reenc_internal.h"

static enum reenc_res active_res(struct reenc_ctx *c)
{
	if (c->moved_chunk && c->res == REENC_RES_DS_CHECKSUM)
		return REENC_RES_CHECKSUM;
	if (c->moved_chunk && c->res == REENC_RES_DS_JOURNAL)
		return REENC_RES_JOURNAL;
	if (c->res == REENC_RES_DS_CHECKSUM || c->res == REENC_RES_DS_JOURNAL)
		return REENC_RES_DATASHIFT;
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

	if (res == REENC_RES_NONE)	/* "none" commits only when the run ends */
		return 0;
	if (res == REENC_RES_CHECKSUM) {
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
	} else if (res == REENC_RES_JOURNAL) {
		if (c->length > c->area_size)
			return -EINVAL;
		r = io_pwrite(c->d->hdr_fd, c->buf, c->length, c->area_off);
	} else {
		r = 0;
	}
	if (!r && res != REENC_RES_DATASHIFT)
		r = io_fdatasync(c->d->hdr_fd);
	if (r < 0) {
		log_err("cannot write resilience data at offset %ju on %s: %s",
			(uintmax_t)c->area_off, c->d->hdr_path, strerror(-r));
		return r;
	}
	return luks2_hdr_write(c->d->hdr_fd, &c->d->hdr);
}

/* Old bytes in buf -> new bytes in buf (logical offset off, len bytes).
 * Both sides use IV sector off / 512: this holds because the engine loads
 * only headers whose crypt segments follow the IV rule (segment.h). */
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

/*
 * What no segment references once every segment is rewritten: the
 * resilience area, the copy of a moved segment, the tail a forward
 * datashift left behind.
 */
static int wipe_unused(struct reenc_ctx *c)
{
	int moved = c->has_moved && c->mode == REENC_MODE_ENCRYPT;
	int r = luks2_wipe_random(c->d->hdr_fd, c->area_off, c->area_size);

	if (moved && (c->moved.offset > c->d->size || c->moved.size > c->d->size - c->moved.offset))
		r = -EINVAL;	/* also "dynamic": never wipe past the device */
	if (!r && moved)
		r = luks2_wipe_random(c->fd_data, c->moved.offset, c->moved.size);
	if (!r && !c->backward && c->shift && c->d->size >= c->shift)
		r = luks2_wipe_random(c->fd_data, c->d->size - c->shift, c->shift);
	if (r < 0)
		log_err("cannot wipe the unused areas of %s: %s", c->d->path, strerror(-r));
	return r;
}

/*
 * Old plaintext outside the new segment, which must be gone before the run
 * reports success: an encryption's journal copies and its moved segment.
 * Then the last hotzone first commits "every segment rewritten" with the
 * reencryption still flagged, wipes, and only then commits the final
 * metadata; a resume after a crash in between wipes and finalizes.
 * Otherwise (only ciphertext or checksums are left) the post commit of the
 * last hotzone is the final metadata: cryptsetup 2.6.1 resumes an
 * "every segment rewritten" state by starting over and rewriting finished
 * data (tests/interop/wipe-handoff.test), so we leave no such state where
 * it buys nothing.
 */
static int plaintext_left(struct reenc_ctx *c)
{
	return c->mode == REENC_MODE_ENCRYPT && (c->has_moved || c->res == REENC_RES_JOURNAL);
}

/*
 * The final commit. pre: the header on disk already says every segment is
 * rewritten; wipe before the commit, not after. The keyslots the commit
 * removes are wiped after it: until then they open the keys the
 * reencryption digest needs. *fatal is cleared once the commit is made.
 */
static int finish(struct reenc_ctx *c, const struct seg_table *reg, int pre, int *fatal)
{
	uint64_t off[LUKS2_KEYSLOTS_MAX + 1], len[LUKS2_KEYSLOTS_MAX + 1];
	int n = 0, r = pre ? wipe_unused(c) : 0;

	if (!r)
		r = reenc_final_metadata(c, reg, off, len, &n);
	if (!r)
		r = luks2_hdr_write(c->d->hdr_fd, &c->d->hdr);
	if (r < 0)
		return r;
	*fatal = 0;
	if (!pre)
		r = wipe_unused(c);
	for (int i = 0; !r && i < n; i++)
		if (off[i] != c->area_off)
			r = luks2_wipe_random(c->d->hdr_fd, off[i], len[i]);
	if (r < 0) {
		log_err("metadata final, but the freed areas of %s are not all wiped: %s",
			c->d->path, strerror(-r));
		return r;
	}
	log_verbose("reencryption finished; metadata final");
	return 1;
}

/* After the data of the hotzone is on disk: post segments, or the end.
 * *fatal is cleared once the header no longer records the hotzone. */
static int commit_post(struct reenc_ctx *c, const struct seg_table *hot, int commit,
		       int *fatal)
{
	struct seg_table post;
	int last, pre, r = reenc_post_segments(c, hot, &post);

	if (r < 0)
		return r;
	last = post.n == 1;
	pre = last && plaintext_left(c);
	if (!last || pre) {
		r = reenc_set_segments(c, &post);
		if (!r && (commit || last))
			r = luks2_hdr_write(c->d->hdr_fd, &c->d->hdr);
		if (!r)
			*fatal = 0;
	}
	if (!r && last)
		r = finish(c, &post, pre, fatal);
	return r;
}

/*
 * Resilience none keeps progress in memory until the run ends. When a
 * hotzone fails, the hotzones before it are complete: put the segments
 * of before that hotzone back and commit them, so an I/O error loses only
 * the failing hotzone. If it failed while writing, part of its range may
 * hold new data that the metadata calls old; none keeps no copy to redo
 * it, so say exactly which bytes.
 */
static void none_failed(struct reenc_ctx *c, const struct seg_table *before, int wrote)
{
	uint64_t lo = c->offset, hi = c->offset + c->length, phys = c->data_offset + lo;
	int r = -EIO;

	/* wrote: 0 nothing, 1 maybe part of the hotzone, 2 all of it (then
	 * only its metadata failed and "before" would call new data old) */
	if (wrote != 2)
		r = reenc_set_segments(c, before);
	if (!r)
		r = reenc_commit_progress(c);
	if (r < 0)
		log_err("resilience none: cannot commit the progress of this run; the header "
			"still describes its start and data bytes %ju-%ju were rewritten since",
			(uintmax_t)c->dirty_lo, (uintmax_t)c->dirty_hi);
	else
		log_err("resilience none: progress before the failing hotzone is committed "
			"(%ju of %ju bytes done)", (uintmax_t)reenc_progress(c),
			(uintmax_t)c->device_size);
	if (wrote == 1)
		log_err("resilience none: data bytes %ju-%ju (%s offsets %ju-%ju) may be partly "
			"rewritten and cannot be recovered; they are recorded as not reencrypted",
			(uintmax_t)lo, (uintmax_t)hi, c->d->path, (uintmax_t)phys,
			(uintmax_t)(phys + c->length));
	else if (!wrote && r >= 0)
		log_err("resilience none: the failing hotzone was not written; run hotzone-step "
			"again to resume once the error is fixed");
}

static void none_done(struct reenc_ctx *c)
{
	uint64_t hi = c->offset + c->length;

	if (!c->dirty || c->offset < c->dirty_lo)
		c->dirty_lo = c->offset;
	if (!c->dirty || hi > c->dirty_hi)
		c->dirty_hi = hi;
	c->dirty = 1;
}

/* Resilience none syncs the data once, before the final commit: with a
 * detached header, syncing the header file does not sync the data. */
static int none_last(struct reenc_ctx *c, const struct seg_table *hot)
{
	struct seg_table post;

	return reenc_post_segments(c, hot, &post) == 0 && post.n == 1;
}

int reenc_step(struct reenc_ctx *c, int *fatal)
{
	struct seg_table hot, before = { .n = -1 };
	enum reenc_res res;
	int r, wrote = 0;

	*fatal = 0;
	r = reenc_plan(c);
	if (r < 0) {
		log_err("cannot place the next hotzone (metadata inconsistent)");
		return r;
	}
	res = active_res(c);
	if (res == REENC_RES_NONE && reenc_regular_segments(c, &before) < 0)
		before.n = -1;
	if (reenc_hot_segments(c, &hot) < 0)
		return -EINVAL;
	r = reenc_set_segments(c, &hot);
	/* online: the overlay maps "hot", the hotzone's I/O waits */
	if (!r && (r = reenc_online_hot(c)) < 0)
		goto out;
	if (!r)
		r = io_pread(c->fd_data, c->buf, c->length, old_physical(c));
	if (r < 0) {
		log_err("cannot read hotzone at offset %ju on %s: %s", (uintmax_t)old_physical(c),
			c->d->path, strerror(-r));
		goto out;
	}
	/* metadata commit point: from here on the header says "in flight" */
	r = protect(c, res);
	if (r < 0)
		goto out;
	*fatal = res != REENC_RES_NONE;
	r = transform(c, c->offset, c->buf, c->length);
	wrote = !r;
	if (!r)
		r = write_new(c, c->offset, c->buf, c->length,
			      res != REENC_RES_NONE || none_last(c, &hot));
	/* metadata commit safe point */
	if (!r) {
		wrote = 2;	/* all of it: only the metadata can fail now */
		if (res == REENC_RES_NONE)
			none_done(c);
		r = commit_post(c, &hot, res != REENC_RES_NONE, fatal);
	}
out:
	if (r < 0 && res == REENC_RES_NONE && before.n >= 0)
		none_failed(c, &before, wrote);
	return reenc_online_step_end(c, r);	/* online: the hotzone device */
}

int reenc_commit_progress(struct reenc_ctx *c)
{
	/* the data first: resilience none wrote it without syncing */
	int r = io_fdatasync(c->fd_data);

	if (!r && !c->dirty)
		return 0;
	if (!r)
		r = luks2_hdr_write(c->d->hdr_fd, &c->d->hdr);
	if (!r)
		c->dirty = 0;
	return r;
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

int reenc_recover_hotzone(struct reenc_ctx *c)
{
	struct seg_table hot;
	int rs = -1, r, fatal;
	uint64_t off = 0;

	if (reenc_regular_segments(c, &hot) == 0)
		rs = luks2_segment_in_reenc(&hot);
	/* the post commit keeps these segments: they follow the IV rule */
	if (rs >= 0 && luks2_segment_iv_bad(&hot, c->d->size) >= 0) {
		log_err("the recorded segments break the IV rule (iv_tweak != logical offset / 512)");
		return -EINVAL;
	}
	if (rs >= 0) {
		off = hot.s[rs].offset;
		c->length = hot.s[rs].size;	/* "dynamic" is over the maximum */
	}
	if (rs < 0 || off < c->data_offset || c->length > REENC_MAX_HOTZONE ||
	    c->length < 512 || ensure_buf(c, c->length) < 0) {
		log_err("no valid interrupted hotzone in the metadata");
		return -EINVAL;
	}
	c->offset = off - c->data_offset;
	c->moved_chunk = c->has_moved && rs == 0;
	/* the moved chunk is logical 0 and the first segment, never else */
	if ((c->has_moved && (rs == 0) != (c->offset == 0)) || reenc_hotzone_bounds(c) < 0) {
		log_err("the interrupted hotzone (offset %ju, %ju bytes) lies outside the data "
			"or over the moved segment", (uintmax_t)off, (uintmax_t)c->length);
		return -EINVAL;
	}
	if (active_res(c) == REENC_RES_JOURNAL && c->length > c->area_size) {
		log_err("invalid journal size: the interrupted hotzone (%ju bytes) is larger "
			"than the journal area (%ju bytes)", (uintmax_t)c->length,
			(uintmax_t)c->area_size);
		return -EINVAL;
	}
	switch (active_res(c)) {
	case REENC_RES_CHECKSUM:
		r = recover_checksum(c);
		break;
	case REENC_RES_JOURNAL:
	case REENC_RES_DATASHIFT:
		if (active_res(c) == REENC_RES_JOURNAL)
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
		r = commit_post(c, &hot, 1, &fatal);
	return r;
}

int reenc_finish_if_done(struct reenc_ctx *c)
{
	struct seg_table reg;
	int fatal;

	/* already committed as rewritten: wipe before the final commit */
	if (reenc_regular_segments(c, &reg) == 0 && reenc_segments_done(c, &reg))
		return finish(c, &reg, 1, &fatal);
	return 0;
}
