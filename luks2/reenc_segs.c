/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Segment tables around one hotzone: where it is (plan), the "hot" table
 * committed before the data is rewritten, and the "post" table committed
 * after. The shapes are cryptsetup 2.6.1's (lib/luks2/luks2_reencrypt.c),
 * so a header written at any commit point can be resumed by either tool.
 * Every table is a struct seg_table (segment.h); reenc_meta.c installs it.
 * Logical offsets are what a reader of the opened device sees; a regular
 * segment at logical L sits at physical data_offset + L once rewritten and
 * has iv_tweak L / 512 on either side (the IV rule, segment.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/io.h"
#include "common/log.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"

struct json_object *reenc_json_segment(const char *type, uint64_t off,
				       const uint64_t *size, int in_reenc)
{
	struct luks2_segment s = luks2_segment_linear(off, size ? *size : LUKS2_DYNAMIC,
						      in_reenc ? SEGF_IN_REENC : 0);

	if (strcmp(type, "linear"))
		s.type = SEG_OTHER;	/* only linear segments are built here */
	return luks2_segment_json(&s);
}

struct json_object *reenc_json_crypt(uint64_t off, uint64_t iv_bytes,
				     const uint64_t *size, const char *cipher,
				     uint32_t sector, int in_reenc)
{
	struct luks2_segment s = luks2_segment_crypt(off, iv_bytes, size ? *size : LUKS2_DYNAMIC,
						     cipher, sector, in_reenc ? SEGF_IN_REENC : 0);

	return luks2_segment_json(&s);
}

/* A segment with the target parameters at logical rel (size LUKS2_DYNAMIC
 * = to the end). */
static void seg_new(struct reenc_ctx *c, struct seg_table *t, uint64_t rel,
		    uint64_t iv_rel, uint64_t size, int hot)
{
	struct luks2_segment s;
	unsigned f = hot ? SEGF_IN_REENC : 0;

	if (c->mode == REENC_MODE_DECRYPT)
		s = luks2_segment_linear(c->data_offset + rel, size, f);
	else
		s = luks2_segment_crypt(c->data_offset + rel, iv_rel, size, c->final.cipher,
					c->final.sector_size, f);
	luks2_segment_push(t, &s);
}

/* A segment with the original parameters at base + rel. */
static void seg_old(struct reenc_ctx *c, struct seg_table *t, uint64_t base,
		    uint64_t rel, uint64_t size)
{
	struct luks2_segment s;

	if (c->mode == REENC_MODE_ENCRYPT)
		s = luks2_segment_linear(base + rel, size, 0);
	else
		s = luks2_segment_crypt(base + rel, rel, size, c->prev.cipher,
					c->prev.sector_size, 0);
	luks2_segment_push(t, &s);
}

int reenc_regular_segments(struct reenc_ctx *c, struct seg_table *t)
{
	return luks2_segment_table(&c->d->hdr, t);
}

static uint64_t seg_size(struct reenc_ctx *c, const struct luks2_segment *s)
{
	return luks2_segment_len(s, c->d->size);
}

/*
 * Encryption with a moved first segment (data moves up by shift, the new
 * data offset): before, linear segments (the copy of logical [0, shift) at
 * the device end, then the plaintext still at physical = logical) and at
 * most one crypt segment after them. The hotzone is the last shift bytes of
 * the linear part (the rest above logical shift when less is left); the
 * moved chunk, logical 0, read from the copy, is the last hotzone.
 */
static int plan_encrypt_moved(struct reenc_ctx *c, const struct seg_table *t)
{
	uint64_t lin = 0, tmp;

	for (int i = 0; i < t->n; i++)
		if (t->s[i].type == SEG_LINEAR)
			lin += seg_size(c, &t->s[i]);
	c->length = c->shift;
	if (t->n == 1) {
		c->offset = 0;
		return 0;
	}
	if (!lin || lin < c->shift)
		return -EINVAL;
	tmp = lin - c->shift;
	if (tmp && tmp < c->shift) {
		c->offset = c->shift;
		c->length = tmp;
	} else {
		c->offset = tmp;
	}
	return 0;
}

/*
 * Decryption with a moved first segment (data moves down by shift, to the
 * new data offset): before, crypt segment 0 is the moved chunk (logical
 * [0, moved), at the device start), then the plaintext done so far as one
 * linear segment, then the ciphertext left as crypt at data_offset + shift
 * + L. The hotzone is the first shift bytes of that last crypt segment;
 * when none is left, the moved chunk (logical 0) is the last hotzone.
 */
static int plan_decrypt_moved(struct reenc_ctx *c, const struct seg_table *t)
{
	int last = -1;
	uint64_t off;

	for (int i = 0; i < t->n; i++)
		if (t->s[i].type == SEG_CRYPT)
			last = i;
	if (last <= 0) {
		c->offset = 0;
		c->length = c->moved.size;
		return 0;
	}
	off = t->s[last].offset;
	if (off < c->shift + c->data_offset)
		return -EINVAL;
	c->offset = off - c->shift - c->data_offset;
	c->length = c->shift;
	return 0;
}

/* Without a moved segment: one segment (nothing done) or two (done and
 * not done, in the walking direction); the hotzone follows the done one. */
static int plan_simple(struct reenc_ctx *c, const struct seg_table *t)
{
	uint64_t s0 = t->n == 2 ? seg_size(c, &t->s[0]) : 0;

	c->length = c->max_len;
	if (t->n != 1 && !(t->n == 2 && s0))
		return -EINVAL;
	if (!c->backward) {
		c->offset = s0;
		return 0;
	}
	if (t->n == 1)
		s0 = c->device_size;
	if (c->length > s0)
		c->length = s0;
	c->offset = s0 - c->length;
	return 0;
}

int reenc_plan(struct reenc_ctx *c)
{
	struct seg_table t;
	int r = reenc_regular_segments(c, &t);

	c->moved_chunk = 0;
	if (r < 0)
		return r;
	if (c->has_moved && c->mode == REENC_MODE_ENCRYPT)
		r = plan_encrypt_moved(c, &t);
	else if (c->has_moved && c->mode == REENC_MODE_DECRYPT)
		r = plan_decrypt_moved(c, &t);
	else
		r = plan_simple(c, &t);
	if (r < 0)
		return r;
	if (c->offset > c->device_size)
		return -EINVAL;
	if (c->length > c->device_size - c->offset)
		c->length = c->device_size - c->offset;
	c->moved_chunk = c->has_moved && c->offset == 0;
	return c->length < 512 ? -EINVAL : reenc_hotzone_bounds(c);
}

/*
 * Where the hotzone is read and written must be on the device, and an
 * encryption must never write over the moved copy of its first segment
 * (the only copy of that plaintext until the last hotzone). The regular
 * segments that place the hotzone are not covered by the digest.
 */
int reenc_hotzone_bounds(struct reenc_ctx *c)
{
	uint64_t dev = c->d->size, w = c->data_offset + c->offset;
	uint64_t r = c->moved_chunk ? c->moved.offset : c->prev.offset + c->offset;

	if (c->offset > UINT64_MAX - c->data_offset || w > dev || c->length > dev - w ||
	    (!c->moved_chunk && r < c->prev.offset) || r > dev || c->length > dev - r)
		return -EINVAL;
	if (c->has_moved && c->mode == REENC_MODE_ENCRYPT && w < c->moved.offset + c->moved.size &&
	    c->moved.offset < w + c->length)
		return -EINVAL;
	return 0;
}

/* Forward, no moved segment: [done][hot][old rest] -> post [done + hot][old rest]. */
static void hot_forward(struct reenc_ctx *c, struct seg_table *h)
{
	uint64_t end = c->offset + c->length, rest = c->device_size - end;

	if (c->offset)
		seg_new(c, h, 0, 0, c->offset, 0);
	seg_new(c, h, c->offset, c->offset, c->length, 1);
	if (end < c->device_size)
		seg_old(c, h, c->prev.offset, end, c->fixed ? rest : LUKS2_DYNAMIC);
}

/* Backward, no moved segment: [old][hot][done] -> post [old][hot + done]. */
static void hot_backward(struct reenc_ctx *c, const struct seg_table *cur,
			 struct seg_table *h)
{
	uint64_t end = c->offset + c->length, rest = c->device_size - end;
	struct luks2_segment s0;

	if (c->offset) {
		s0 = cur->s[0];
		s0.size = c->offset;
		luks2_segment_push(h, &s0);
	}
	seg_new(c, h, c->offset, c->offset, c->length, 1);
	if (end < c->device_size)
		seg_new(c, h, end, end, c->fixed ? rest : LUKS2_DYNAMIC, 0);
}

/*
 * Encryption with a moved segment: the linear segments before the last one
 * unchanged, the last one shortened by the hotzone, the hotzone as crypt
 * at data_offset + offset, then the crypt segment that follows it.
 */
static int hot_encrypt_moved(struct reenc_ctx *c, const struct seg_table *cur,
			     struct seg_table *h)
{
	int last_lin = -1, first_crypt = -1;
	struct luks2_segment s;
	uint64_t sz;

	for (int i = 0; i < cur->n; i++) {
		if (cur->s[i].type == SEG_LINEAR)
			last_lin = i;
		else if (first_crypt < 0 && cur->s[i].type == SEG_CRYPT)
			first_crypt = i;
	}
	if (last_lin < 0)
		return -EINVAL;
	for (int i = 0; i < last_lin; i++)
		luks2_segment_push(h, &cur->s[i]);
	sz = seg_size(c, &cur->s[last_lin]);
	if (sz > c->length) {
		s = cur->s[last_lin];
		s.size = sz - c->length;
		luks2_segment_push(h, &s);
	}
	s = luks2_segment_crypt(c->data_offset + c->offset, c->offset, c->length,
				c->final.cipher, c->final.sector_size, SEGF_IN_REENC);
	luks2_segment_push(h, &s);
	if (first_crypt >= 0)
		luks2_segment_push(h, &cur->s[first_crypt]);
	return 0;
}

/*
 * Decryption with a moved segment: the moved chunk (segment 0), the
 * plaintext done after it as one linear segment, the hotzone as linear at
 * data_offset + offset, then the ciphertext left at its old place. The
 * moved chunk itself (offset 0) is hot before the linear rest.
 */
static void hot_decrypt_moved(struct reenc_ctx *c, const struct seg_table *cur,
			      struct seg_table *h)
{
	uint64_t end = c->offset + c->length, rest = c->device_size - end;
	uint64_t done = c->offset ? c->offset - c->moved.size : 0;

	if (c->offset) {
		luks2_segment_push(h, &cur->s[0]);
		if (done)
			seg_new(c, h, c->moved.size, 0, done, 0);
	}
	seg_new(c, h, c->offset, c->offset, c->length, 1);
	if (!c->offset && cur->n > 1)
		luks2_segment_push(h, &cur->s[1]);
	else if (end < c->device_size)
		seg_old(c, h, c->prev.offset, end, c->fixed ? rest : LUKS2_DYNAMIC);
}

/* The regular segments are not covered by the digest: a table that would
 * keep one breaking the IV rule (segment.h) is refused before any write. */
static int table_iv_ok(struct reenc_ctx *c, const struct seg_table *t)
{
	int bad = luks2_segment_iv_bad(t, c->d->size);

	if (bad < 0)
		return 0;
	log_err("a segment with iv_tweak %ju breaks the IV rule: iv_tweak must be its "
		"logical offset / 512", (uintmax_t)t->s[bad].iv_tweak);
	return -EINVAL;
}

int reenc_hot_segments(struct reenc_ctx *c, struct seg_table *h)
{
	struct seg_table cur;
	int r = reenc_regular_segments(c, &cur);

	h->n = 0;
	if (r < 0 || !cur.n)
		return -EINVAL;
	if (c->has_moved && c->mode == REENC_MODE_ENCRYPT)
		r = hot_encrypt_moved(c, &cur, h);
	else if (c->has_moved && c->mode == REENC_MODE_DECRYPT)
		hot_decrypt_moved(c, &cur, h);
	else if (!c->backward)
		hot_forward(c, h);
	else
		hot_backward(c, &cur, h);
	if (r < 0 || h->n < 0)
		return -EINVAL;
	return table_iv_ok(c, h);
}

static void post_forward(struct reenc_ctx *c, const struct seg_table *hot, int rs,
			 struct seg_table *p)
{
	uint64_t len = c->offset + c->length, rest = c->device_size - len;
	int old = rs + 1 < hot->n;
	struct luks2_segment s;

	seg_new(c, p, 0, 0, old ? len : LUKS2_DYNAMIC, 0);
	if (old) {
		s = hot->s[rs + 1];
		if (c->fixed)
			s.size = rest;
		luks2_segment_push(p, &s);
	}
}

static void post_backward(struct reenc_ctx *c, const struct seg_table *hot, int rs,
			  struct seg_table *p)
{
	uint64_t rest = c->device_size - c->offset;

	if (rs > 0)
		luks2_segment_push(p, &hot->s[rs - 1]);
	seg_new(c, p, c->offset, c->offset, c->fixed && c->offset ? rest : LUKS2_DYNAMIC, 0);
}

/* The hotzone merges into the crypt segment after it, which now starts at
 * the hotzone (iv_tweak offset / 512); once the moved chunk (rs 0) is
 * done, that one crypt segment is dynamic. */
static void post_encrypt_moved(struct reenc_ctx *c, const struct seg_table *hot, int rs,
			       struct seg_table *p)
{
	struct luks2_segment s;

	for (int i = 0; i < rs; i++)
		luks2_segment_push(p, &hot->s[i]);
	if (rs + 1 < hot->n) {
		s = hot->s[rs + 1];
		s.offset = c->offset + c->data_offset;
		s.iv_tweak = c->offset / 512;
		s.size = seg_size(c, &hot->s[rs + 1]) + c->length;
	} else {
		s = hot->s[rs];
		s.flags = 0;
		s.size = c->length;
	}
	if (!rs)
		s.size = LUKS2_DYNAMIC;
	luks2_segment_push(p, &s);
}

/* The hotzone joins the linear segment of the plaintext done; after the
 * moved chunk (rs 0), the last hotzone, one dynamic linear segment. */
static void post_decrypt_moved(struct reenc_ctx *c, const struct seg_table *hot, int rs,
			       struct seg_table *p)
{
	int old = rs + 1 < hot->n;
	uint64_t done = c->offset ? c->offset - c->moved.size + c->length : 0;

	if (rs == 0) {
		seg_new(c, p, 0, 0, LUKS2_DYNAMIC, 0);
		return;
	}
	luks2_segment_push(p, &hot->s[0]);
	seg_new(c, p, c->moved.size, c->shift, old ? done : LUKS2_DYNAMIC, 0);
	if (old)
		luks2_segment_push(p, &hot->s[rs + 1]);
}

int reenc_post_segments(struct reenc_ctx *c, const struct seg_table *hot,
			struct seg_table *p)
{
	int rs = luks2_segment_in_reenc(hot);

	p->n = 0;
	if (rs < 0)
		return -EINVAL;
	if (c->has_moved && c->mode == REENC_MODE_ENCRYPT)
		post_encrypt_moved(c, hot, rs, p);
	else if (c->has_moved && c->mode == REENC_MODE_DECRYPT)
		post_decrypt_moved(c, hot, rs, p);
	else if (!c->backward)
		post_forward(c, hot, rs, p);
	else
		post_backward(c, hot, rs, p);
	return p->n < 0 ? -EINVAL : 0;
}
