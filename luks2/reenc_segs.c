/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Segment tables around one hotzone: where it is (plan), the "hot" table
 * committed before the data is rewritten, and the "post" table committed
 * after. The shapes are cryptsetup 2.6.1's (lib/luks2/luks2_reencrypt.c),
 * so a header written at any commit point can be resumed by either tool.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/io.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"
#include "luks2/reenc_json.h"

struct json_object *reenc_json_segment(const char *type, uint64_t off,
				       const uint64_t *size, int in_reenc)
{
	struct json_object *s = json_object_new_object();

	ljson_set_str(s, "type", type);
	ljson_set_u64(s, "offset", off);
	if (size)
		ljson_set_u64(s, "size", *size);
	else
		ljson_set_str(s, "size", "dynamic");
	if (in_reenc) {
		struct json_object *f = json_object_new_array();

		json_object_array_add(f, json_object_new_string("in-reencryption"));
		json_object_object_add(s, "flags", f);
	}
	return s;
}

struct json_object *reenc_json_crypt(uint64_t off, uint64_t iv_bytes,
				     const uint64_t *size, const char *cipher,
				     uint32_t sector, int in_reenc)
{
	struct json_object *s = reenc_json_segment("crypt", off, size, 0);

	ljson_set_u64(s, "iv_tweak", iv_bytes / 512);
	ljson_set_str(s, "encryption", cipher);
	ljson_set_int(s, "sector_size", sector);
	if (in_reenc) {
		struct json_object *f = json_object_new_array();

		json_object_array_add(f, json_object_new_string("in-reencryption"));
		json_object_object_add(s, "flags", f);
	}
	return s;
}

/* A segment with the target parameters at logical rel. */
static struct json_object *seg_new(struct reenc_ctx *c, uint64_t rel,
				   uint64_t iv_rel, const uint64_t *size, int hot)
{
	if (c->mode == REENC_MODE_DECRYPT)
		return reenc_json_segment("linear", c->data_offset + rel, size, hot);
	return reenc_json_crypt(c->data_offset + rel, iv_rel, size, c->final.cipher,
			 c->final.sector_size, hot);
}

/* A segment with the original parameters at base + rel. */
static struct json_object *seg_old(struct reenc_ctx *c, uint64_t base,
				   uint64_t rel, const uint64_t *size)
{
	if (c->mode == REENC_MODE_ENCRYPT)
		return reenc_json_segment("linear", base + rel, size, 0);
	return reenc_json_crypt(base + rel, rel, size, c->prev.cipher, c->prev.sector_size, 0);
}

struct json_object *reenc_regular_segments(struct reenc_ctx *c)
{
	struct json_object *all = ljson_get(c->d->hdr.jobj, "segments");
	struct json_object *out = json_object_new_object();
	struct luks2_segment s;
	char k[12];

	for (int id = 0; luks2_segment_get(&c->d->hdr, id, &s) == 0; id++) {
		if (s.flags & SEGF_BACKUP)
			continue;
		snprintf(k, sizeof(k), "%d", id);
		json_object_object_add(out, k, json_object_get(ljson_get_id(all, id)));
	}
	return out;
}

static uint64_t seg_size(struct reenc_ctx *c, struct json_object *s)
{
	uint64_t v, off = 0;
	const char *sz = ljson_get_str(s, "size");

	if (sz && !strcmp(sz, "dynamic")) {
		ljson_get_u64(s, "offset", &off);
		return c->d->size > off ? c->d->size - off : 0;
	}
	return ljson_get_u64(s, "size", &v) < 0 ? 0 : v;
}

/* Encryption with a moved first segment walks down in shift-sized steps. */
static int plan_encrypt_moved(struct reenc_ctx *c, struct json_object *segs)
{
	uint64_t lin = 0, tmp;
	int n = seg_count(segs);

	for (int i = 0; i < n; i++)
		if (seg_is_type(ljson_get_id(segs, i), "linear"))
			lin += seg_size(c, ljson_get_id(segs, i));
	c->length = c->shift;
	if (n == 1) {
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

/* Decryption with a moved first segment walks forward, the moved part last. */
static int plan_decrypt_moved(struct reenc_ctx *c, struct json_object *segs)
{
	int last = -1;
	uint64_t off;

	for (int i = 0; i < seg_count(segs); i++)
		if (seg_is_type(ljson_get_id(segs, i), "crypt"))
			last = i;
	if (last <= 0) {
		c->offset = 0;
		c->length = c->moved.size;
		return 0;
	}
	if (ljson_get_u64(ljson_get_id(segs, last), "offset", &off) < 0 ||
	    off < c->shift + c->data_offset)
		return -EINVAL;
	c->offset = off - c->shift - c->data_offset;
	c->length = c->shift;
	return 0;
}

int reenc_plan(struct reenc_ctx *c)
{
	struct json_object *segs = reenc_regular_segments(c);
	int n = seg_count(segs), r = 0;
	uint64_t s0;

	c->moved_chunk = 0;
	if (c->has_moved && c->mode == REENC_MODE_ENCRYPT) {
		r = plan_encrypt_moved(c, segs);
	} else if (c->has_moved && c->mode == REENC_MODE_DECRYPT) {
		r = plan_decrypt_moved(c, segs);
	} else if (!c->backward) {
		c->length = c->max_len;
		if (n == 1)
			c->offset = 0;
		else if (n == 2 && (s0 = seg_size(c, ljson_get_id(segs, 0))))
			c->offset = s0;
		else
			r = -EINVAL;
	} else {
		c->length = c->max_len;
		if (n == 1) {
			if (c->length > c->device_size)
				c->length = c->device_size;
			c->offset = c->device_size - c->length;
		} else if (n == 2) {
			s0 = seg_size(c, ljson_get_id(segs, 0));
			if (c->length > s0)
				c->length = s0;
			c->offset = s0 - c->length;
		} else {
			r = -EINVAL;
		}
	}
	json_object_put(segs);
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


static struct json_object *hot_forward(struct reenc_ctx *c)
{
	struct json_object *h = json_object_new_object();
	uint64_t end = c->offset + c->length, rest = c->device_size - end;
	int n = 0;

	if (c->offset)
		seg_add(h, &n, seg_new(c, 0, 0, &c->offset, 0));
	seg_add(h, &n, seg_new(c, c->offset, c->offset, &c->length, 1));
	if (end < c->device_size)
		seg_add(h, &n, seg_old(c, c->prev.offset, end, c->fixed ? &rest : NULL));
	return h;
}

static struct json_object *hot_backward(struct reenc_ctx *c, struct json_object *cur)
{
	struct json_object *h = json_object_new_object(), *s0;
	uint64_t end = c->offset + c->length, rest = c->device_size - end;
	int n = 0;

	if (c->offset) {
		s0 = seg_copy(ljson_get_id(cur, 0));
		ljson_set_u64(s0, "size", c->offset);
		seg_add(h, &n, s0);
	}
	seg_add(h, &n, seg_new(c, c->offset, c->offset, &c->length, 1));
	if (end < c->device_size)
		seg_add(h, &n, seg_new(c, end, end, c->fixed ? &rest : NULL, 0));
	return h;
}

static struct json_object *hot_encrypt_moved(struct reenc_ctx *c, struct json_object *cur)
{
	struct json_object *h = json_object_new_object(), *s;
	int last_lin = -1, first_crypt = -1, n = 0;
	uint64_t sz;

	for (int i = 0; i < seg_count(cur); i++) {
		if (seg_is_type(ljson_get_id(cur, i), "linear"))
			last_lin = i;
		else if (first_crypt < 0 && seg_is_type(ljson_get_id(cur, i), "crypt"))
			first_crypt = i;
	}
	if (last_lin < 0) {
		json_object_put(h);
		return NULL;
	}
	for (int i = 0; i < last_lin; i++)
		seg_add(h, &n, json_object_get(ljson_get_id(cur, i)));
	sz = seg_size(c, ljson_get_id(cur, last_lin));
	if (sz > c->length) {
		s = seg_copy(ljson_get_id(cur, last_lin));
		ljson_set_u64(s, "size", sz - c->length);
		seg_add(h, &n, s);
	}
	seg_add(h, &n, reenc_json_crypt(c->data_offset + c->offset, c->offset, &c->length,
			     c->final.cipher, c->final.sector_size, 1));
	if (first_crypt >= 0)
		seg_add(h, &n, json_object_get(ljson_get_id(cur, first_crypt)));
	return h;
}

static struct json_object *hot_decrypt_moved(struct reenc_ctx *c, struct json_object *cur)
{
	struct json_object *h = json_object_new_object(), *s1;
	uint64_t end = c->offset + c->length, rest = c->device_size - end;
	uint64_t done = c->offset ? c->offset - c->moved.size : 0;
	int n = 0;

	if (c->offset) {
		seg_add(h, &n, json_object_get(ljson_get_id(cur, 0)));
		if (done)
			seg_add(h, &n, seg_new(c, c->moved.size, 0, &done, 0));
	}
	seg_add(h, &n, seg_new(c, c->offset, c->offset, &c->length, 1));
	s1 = ljson_get_id(cur, 1);
	if (!c->offset && s1)
		seg_add(h, &n, json_object_get(s1));
	else if (end < c->device_size)
		seg_add(h, &n, seg_old(c, c->prev.offset, end, c->fixed ? &rest : NULL));
	return h;
}

struct json_object *reenc_hot_segments(struct reenc_ctx *c)
{
	struct json_object *cur = reenc_regular_segments(c), *h;

	if (c->has_moved && c->mode == REENC_MODE_ENCRYPT)
		h = hot_encrypt_moved(c, cur);
	else if (c->has_moved && c->mode == REENC_MODE_DECRYPT)
		h = hot_decrypt_moved(c, cur);
	else if (!c->backward)
		h = hot_forward(c);
	else
		h = hot_backward(c, cur);
	json_object_put(cur);
	return h;
}

static struct json_object *post_forward(struct reenc_ctx *c, struct json_object *hot, int rs)
{
	struct json_object *p = json_object_new_object(), *old = ljson_get_id(hot, rs + 1);
	uint64_t len = c->offset + c->length, rest = c->device_size - len;
	int n = 0;

	seg_add(p, &n, seg_new(c, 0, 0, old ? &len : NULL, 0));
	if (old) {
		old = seg_copy(old);
		if (c->fixed)
			ljson_set_u64(old, "size", rest);
		seg_add(p, &n, old);
	}
	return p;
}

static struct json_object *post_backward(struct reenc_ctx *c, struct json_object *hot, int rs)
{
	struct json_object *p = json_object_new_object();
	uint64_t rest = c->device_size - c->offset;
	int n = 0;

	if (rs > 0)
		seg_add(p, &n, json_object_get(ljson_get_id(hot, rs - 1)));
	seg_add(p, &n, seg_new(c, c->offset, c->offset,
			   c->fixed && c->offset ? &rest : NULL, 0));
	return p;
}

static struct json_object *post_encrypt_moved(struct reenc_ctx *c, struct json_object *hot, int rs)
{
	struct json_object *p = json_object_new_object(), *s, *next = ljson_get_id(hot, rs + 1);
	uint64_t sz;
	int n = 0;

	for (int i = 0; i < rs; i++)
		seg_add(p, &n, json_object_get(ljson_get_id(hot, i)));
	if (next) {
		s = seg_copy(next);
		ljson_set_u64(s, "offset", c->offset + c->data_offset);
		ljson_set_u64(s, "iv_tweak", c->offset / 512);
		sz = seg_size(c, next) + c->length;
	} else {
		s = seg_copy(ljson_get_id(hot, rs));
		json_object_object_del(s, "flags");
		sz = c->length;
	}
	if (rs > 0)
		ljson_set_u64(s, "size", sz);
	else
		ljson_set_str(s, "size", "dynamic");
	seg_add(p, &n, s);
	return p;
}

static struct json_object *post_decrypt_moved(struct reenc_ctx *c, struct json_object *hot, int rs)
{
	struct json_object *p = json_object_new_object(), *old = ljson_get_id(hot, rs + 1);
	uint64_t done = c->offset ? c->offset - c->moved.size + c->length : 0;
	int n = 0;

	if (rs == 0) {
		seg_add(p, &n, seg_new(c, 0, 0, NULL, 0));
		return p;
	}
	seg_add(p, &n, json_object_get(ljson_get_id(hot, 0)));
	seg_add(p, &n, seg_new(c, c->moved.size, c->shift, old ? &done : NULL, 0));
	if (old)
		seg_add(p, &n, json_object_get(old));
	return p;
}

struct json_object *reenc_post_segments(struct reenc_ctx *c, struct json_object *hot)
{
	int rs = seg_in_reenc(hot);

	if (rs < 0)
		return NULL;
	if (c->has_moved && c->mode == REENC_MODE_ENCRYPT)
		return post_encrypt_moved(c, hot, rs);
	if (c->has_moved && c->mode == REENC_MODE_DECRYPT)
		return post_decrypt_moved(c, hot, rs);
	if (!c->backward)
		return post_forward(c, hot, rs);
	return post_backward(c, hot, rs);
}

