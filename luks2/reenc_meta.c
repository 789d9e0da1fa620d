/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Installing segment tables with their digests, and the final metadata. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/io.h"
#include "common/log.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"

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

/*
 * The one place a segment table becomes the header's "segments": the
 * regular segments of t as ids 0..n-1, every digest unassigned. Nothing
 * changes when a segment cannot be written or breaks the IV rule
 * (segment.h).
 */
static int install_table(struct luks2_hdr *hdr, uint64_t dev_size, const struct seg_table *t)
{
	struct json_object *segs, *j;
	int bad = luks2_segment_iv_bad(t, dev_size);
	char k[12];

	if (t->n < 1)
		return -EINVAL;
	if (bad >= 0) {
		log_err("segment %d would break the IV rule (iv_tweak %ju)", bad,
			(uintmax_t)t->s[bad].iv_tweak);
		return -EINVAL;
	}
	segs = json_object_new_object();
	for (int i = 0; i < t->n; i++) {
		j = luks2_segment_json(&t->s[i]);
		if (!j) {
			json_object_put(segs);
			return -EINVAL;
		}
		snprintf(k, sizeof(k), "%d", i);
		json_object_object_add(segs, k, j);
	}
	json_object_object_add(hdr->jobj, "segments", segs);
	unassign_all(hdr);
	return 0;
}

/* Backup segments are appended verbatim: they are the bytes the tool that
 * started the reencryption wrote, covered by the reencryption digest. */
static void add_backup(struct reenc_ctx *c, int *n, struct json_object *b, int digest)
{
	char k[12];
	const char *type = ljson_get_str(b, "type");

	if (!b)
		return;
	snprintf(k, sizeof(k), "%d", *n);
	json_object_object_add(ljson_get(c->d->hdr.jobj, "segments"), k, json_object_get(b));
	if (type && !strcmp(type, "crypt"))
		assign(c, *n, digest);
	(*n)++;
}

/* Digests of the regular segments of a reencryption (cryptsetup
 * lib/luks2/luks2_reencrypt.c reencrypt_assign_segments()): the segment in
 * reencryption carries both, the others the key of their side. */
static void assign_reencrypt(struct reenc_ctx *c, const struct seg_table *t)
{
	int rs = luks2_segment_in_reenc(t), fw = !c->backward;

	if (rs >= 0) {
		assign(c, rs, c->d_new);
		assign(c, rs, c->d_old);
		if (rs > 0)
			assign(c, 0, fw ? c->d_new : c->d_old);
		if (t->n > rs + 1)
			assign(c, rs + 1, fw ? c->d_old : c->d_new);
	} else {
		assign(c, 0, fw || t->n == 1 ? c->d_new : c->d_old);
		if (t->n > 1)
			assign(c, 1, fw ? c->d_old : c->d_new);
	}
}

int reenc_set_segments(struct reenc_ctx *c, const struct seg_table *reg)
{
	int n = reg->n, r = install_table(&c->d->hdr, c->d->size, reg);

	if (r < 0)
		return r;
	if (c->mode != REENC_MODE_REENCRYPT) {
		add_backup(c, &n, c->jprev, c->d_old);
		add_backup(c, &n, c->jfinal, c->d_new);
		add_backup(c, &n, c->jmoved, c->d_old);
		for (int i = 0; i < reg->n; i++)
			if (reg->s[i].type == SEG_CRYPT)
				assign(c, i, c->mode == REENC_MODE_ENCRYPT ? c->d_new : c->d_old);
		return 0;
	}
	assign_reencrypt(c, reg);
	add_backup(c, &n, c->jprev, c->d_old);
	add_backup(c, &n, c->jfinal, c->d_new);
	return 0;
}

/*
 * Finished when every regular segment is rewritten (reenc_segment_done()).
 * The regular segments are not covered by the reencryption digest, and the
 * final commit copies segment 0: it must sit where the final backup
 * segment says (offset, iv_tweak), or a forged "finished" state would
 * move the data of the final metadata.
 */
int reenc_segments_done(struct reenc_ctx *c, const struct seg_table *reg)
{
	for (int i = 0; i < reg->n; i++) {
		const struct luks2_segment *s = &reg->s[i];

		if (!reenc_segment_done(c->mode, s, &c->final))
			return 0;
		if (i == 0 && s->offset != c->data_offset)
			return 0;
		if (c->mode == REENC_MODE_DECRYPT)
			continue;
		if (s->offset < c->data_offset || (i == 0 && s->iv_tweak != c->final.iv_tweak))
			return 0;
		/* same parameters on both sides: tell them apart by position */
		if (c->mode == REENC_MODE_REENCRYPT && c->d_old == c->d_new &&
		    !strcmp(c->prev.cipher, c->final.cipher) &&
		    c->prev.sector_size == c->final.sector_size)
			return 0;
	}
	/* reencrypt: a segment of the right cipher may still hold the old
	 * key; reenc_segment_done() compared the digests */
	return reg->n == 1;
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

int reenc_final_metadata(struct reenc_ctx *c, const struct seg_table *reg,
			 uint64_t *wipe_off, uint64_t *wipe_len, int *nwipe)
{
	struct luks2_hdr *hdr = &c->d->hdr;
	struct seg_table fin = { 0 };
	uint64_t ks_size, hdr_dev = 0;
	int r;

	*nwipe = 0;
	if (reg->n < 1)
		return -EINVAL;
	luks2_segment_push(&fin, &reg->s[0]);
	fin.s[0].flags = 0;
	r = install_table(hdr, c->d->size, &fin);
	if (r < 0)
		return r;
	if (fin.s[0].type == SEG_CRYPT)
		assign(c, 0, c->d_new);
	if (c->d_old >= 0 && c->d_old != c->d_new)
		for (int id = 0; id < LUKS2_KEYSLOTS_MAX; id++)
			if (luks2_digest_by_keyslot(hdr, id) == c->d_old)
				drop_keyslot(c, id, wipe_off, wipe_len, nwipe);
	drop_keyslot(c, c->keyslot, wipe_off, wipe_len, nwipe);
	reenc_set_flag(hdr, 0);
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
