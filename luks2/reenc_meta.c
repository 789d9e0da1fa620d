/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Installing segment tables with their digests, and the final metadata. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/io.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"
#include "luks2/reenc_json.h"

static void unassign_all(struct luks2_hdr *hdr)
{
	json_object_object_foreach(ljson_get(hdr->jobj, "digests"), name, d) {
		(void)name;
		json_object_object_add(d, "segments", json_object_new_array());
	}
}

static void assign(struct reenc_ctx *c, int seg, int digest)
{
	if (digest >= 0)
		luks2_digest_assign_segment(&c->d->hdr, digest, seg, 1);
}

static int set_backup(struct reenc_ctx *c, struct json_object *segs, int *n,
		      struct json_object *b, int digest)
{
	int id = *n;

	if (!b)
		return 0;
	seg_add(segs, n, json_object_get(b));
	if (seg_is_type(b, "crypt"))
		assign(c, id, digest);
	return 0;
}

int reenc_set_segments(struct reenc_ctx *c, struct json_object *reg)
{
	struct json_object *segs = json_object_new_object();
	int n = 0, scount = seg_count(reg), rs = seg_in_reenc(reg), fw = !c->backward;

	for (int i = 0; i < scount; i++)
		seg_add(segs, &n, json_object_get(ljson_get_id(reg, i)));
	json_object_object_add(c->d->hdr.jobj, "segments", segs);
	unassign_all(&c->d->hdr);
	if (c->mode != REENC_MODE_REENCRYPT) {
		set_backup(c, segs, &n, c->jprev, c->d_old);
		set_backup(c, segs, &n, c->jfinal, c->d_new);
		set_backup(c, segs, &n, c->jmoved, c->d_old);
		for (int i = 0; i < scount; i++)
			if (seg_is_type(ljson_get_id(reg, i), "crypt"))
				assign(c, i, c->mode == REENC_MODE_ENCRYPT ? c->d_new : c->d_old);
		return 0;
	}
	if (rs >= 0) {
		assign(c, rs, c->d_new);
		assign(c, rs, c->d_old);
		if (rs > 0)
			assign(c, 0, fw ? c->d_new : c->d_old);
		if (scount > rs + 1)
			assign(c, rs + 1, fw ? c->d_old : c->d_new);
	} else {
		assign(c, 0, fw || scount == 1 ? c->d_new : c->d_old);
		if (scount > 1)
			assign(c, 1, fw ? c->d_old : c->d_new);
	}
	set_backup(c, segs, &n, c->jprev, c->d_old);
	set_backup(c, segs, &n, c->jfinal, c->d_new);
	return 0;
}

/*
 * Finished when every regular segment carries the target parameters. The
 * regular segments are not covered by the reencryption digest, and the
 * final commit copies segment 0: it must sit where the final backup
 * segment says (offset, iv_tweak), or a forged "finished" state would
 * move the data of the final metadata.
 */
int reenc_segments_done(struct reenc_ctx *c, struct json_object *reg)
{
	for (int i = 0; i < seg_count(reg); i++) {
		struct json_object *s = ljson_get_id(reg, i);
		const char *enc = ljson_get_str(s, "encryption");
		uint32_t ss = 0;
		uint64_t off = 0, iv = 0;

		if (ljson_array_has_str(ljson_get(s, "flags"), "in-reencryption"))
			return 0;
		if (ljson_get_u64(s, "offset", &off) < 0 || (i == 0 && off != c->data_offset))
			return 0;
		if (c->mode == REENC_MODE_DECRYPT) {
			if (!seg_is_type(s, "linear"))
				return 0;
			continue;
		}
		if (!seg_is_type(s, "crypt") || !enc || strcmp(enc, c->final.cipher))
			return 0;
		ljson_get_u32(s, "sector_size", &ss);
		ljson_get_u64(s, "iv_tweak", &iv);
		if (ss != c->final.sector_size || off < c->data_offset ||
		    (i == 0 && iv != c->final.iv_tweak))
			return 0;
		/* same parameters on both sides: tell them apart by position */
		if (c->mode == REENC_MODE_REENCRYPT && c->d_old == c->d_new &&
		    !strcmp(c->prev.cipher, c->final.cipher) &&
		    c->prev.sector_size == c->final.sector_size)
			return 0;
	}
	/* reencrypt: a segment of the right cipher may still hold the old key */
	if (c->mode == REENC_MODE_REENCRYPT && c->d_old != c->d_new)
		return seg_count(reg) == 1 && luks2_digest_by_segment(&c->d->hdr, 0) == c->d_new;
	return seg_count(reg) == 1;
}

/* Drop keyslot id from the JSON and from its digest; remember its area. */
static void drop_keyslot(struct reenc_ctx *c, int id, uint64_t *off, uint64_t *len,
			 int *nwipe)
{
	struct json_object *ks = ljson_get_id(ljson_get(c->d->hdr.jobj, "keyslots"), id);
	int digest = luks2_digest_by_keyslot(&c->d->hdr, id);
	char k[12];

	if (!ks)
		return;
	if (*nwipe < LUKS2_KEYSLOTS_MAX &&
	    !ljson_get_u64(ljson_get(ks, "area"), "offset", &off[*nwipe]) &&
	    !ljson_get_u64(ljson_get(ks, "area"), "size", &len[*nwipe]))
		(*nwipe)++;
	if (digest >= 0)
		luks2_digest_assign_keyslot(&c->d->hdr, digest, id, 0);
	luks2_tokens_keyslot(&c->d->hdr, id, -1);
	snprintf(k, sizeof(k), "%d", id);
	json_object_object_del(ljson_get(c->d->hdr.jobj, "keyslots"), k);
}

static void drop_flag(struct luks2_hdr *hdr)
{
	struct json_object *cfg = ljson_get(hdr->jobj, "config");
	struct json_object *req = ljson_get(cfg, "requirements");
	struct json_object *m = ljson_get(req, "mandatory"), *keep;
	const char *s;

	if (!m)
		return;
	keep = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(m); i++) {
		s = json_object_get_string(json_object_array_get_idx(m, i));
		if (s && strncmp(s, "online-reencrypt", 16))
			json_object_array_add(keep, json_object_new_string(s));
	}
	if (json_object_array_length(keep)) {
		json_object_object_add(req, "mandatory", keep);
	} else {
		json_object_put(keep);
		json_object_object_del(req, "mandatory");
		if (!json_object_object_length(req))
			json_object_object_del(cfg, "requirements");
	}
}

int reenc_final_metadata(struct reenc_ctx *c, struct json_object *reg,
			 uint64_t *wipe_off, uint64_t *wipe_len, int *nwipe)
{
	struct luks2_hdr *hdr = &c->d->hdr;
	struct json_object *segs = json_object_new_object(), *s0;
	uint64_t ks_size, hdr_dev = 0;
	int n = 0;

	*nwipe = 0;
	s0 = seg_copy(ljson_get_id(reg, 0));
	json_object_object_del(s0, "flags");
	seg_add(segs, &n, s0);
	json_object_object_add(hdr->jobj, "segments", segs);
	unassign_all(hdr);
	if (seg_is_type(s0, "crypt"))
		assign(c, 0, c->d_new);
	if (c->d_old >= 0 && c->d_old != c->d_new)
		for (int id = 0; id < LUKS2_KEYSLOTS_MAX; id++)
			if (luks2_digest_by_keyslot(hdr, id) == c->d_old)
				drop_keyslot(c, id, wipe_off, wipe_len, nwipe);
	drop_keyslot(c, c->keyslot, wipe_off, wipe_len, nwipe);
	drop_flag(hdr);
	if (c->data_offset && c->data_offset >= 2 * hdr->hdr_size &&
	    io_size(c->d->hdr_fd, &hdr_dev) == 0 && hdr_dev >= c->data_offset) {
		ks_size = c->data_offset - 2 * hdr->hdr_size;
		if (ks_size > LUKS2_MAX_KEYSLOTS_SIZE)
			ks_size = LUKS2_MAX_KEYSLOTS_SIZE;
		ks_size -= ks_size % 4096;
		ljson_set_u64(ljson_get(hdr->jobj, "config"), "keyslots_size", ks_size);
	}
	return 0;
}
