/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a header says about a reencryption: state, mode, progress
 * (doc/format.md §3). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"
#include "luks2/validate.h"

static void copy_str(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

static int read_keyslot(struct luks2_hdr *hdr, struct reenc_status *ri)
{
	struct json_object *ks, *area;

	ljson_foreach(ljson_get(hdr->jobj, "keyslots"), name, j) {
		const char *t = ljson_get_str(j, "type");

		if (t && !strcmp(t, "reencrypt"))
			ri->keyslot = ljson_id(name);
	}
	if (ri->keyslot < 0)
		return -ENOENT;
	ks = ljson_get_id(ljson_get(hdr->jobj, "keyslots"), ri->keyslot);
	area = ljson_get(ks, "area");
	/* mode and direction are validated (validate_keyslots.c); an
	 * unknown resilience is refused when a run loads the metadata */
	reenc_mode_parse(ljson_get_str(ks, "mode"), &ri->mode);
	reenc_direction_parse(ljson_get_str(ks, "direction"), &ri->direction);
	if (reenc_res_parse(ljson_get_str(area, "type"), &ri->resilience) < 0)
		ri->resilience = REENC_RES_UNKNOWN;
	/* The reencryption digest covers hash and sector_size only for the
	 * checksum types and shift_size only for the datashift types
	 * (reenc_digest.c): elsewhere those fields mean nothing. */
	if (ri->resilience == REENC_RES_CHECKSUM || ri->resilience == REENC_RES_DS_CHECKSUM) {
		copy_str(ri->hash, sizeof(ri->hash), ljson_get_str(area, "hash"));
		ljson_get_u32(area, "sector_size", &ri->sector_size);
	}
	if (ri->resilience == REENC_RES_DATASHIFT || ri->resilience == REENC_RES_DS_CHECKSUM ||
	    ri->resilience == REENC_RES_DS_JOURNAL)
		ljson_get_u64(area, "shift_size", &ri->shift);
	ljson_get_u64(area, "offset", &ri->area_offset);
	ljson_get_u64(area, "size", &ri->area_size);
	ri->digest = luks2_digest_by_keyslot(hdr, ri->keyslot);
	return 0;
}

/*
 * Has this regular segment been rewritten already: not in reencryption and
 * with the final parameters (a decryption's are linear). A reencryption may
 * keep cipher and sector size and change the key, so the digest decides.
 * What the segment's position must be besides is reenc_segments_done()'s.
 */
int reenc_segment_done(enum reenc_mode mode, const struct luks2_segment *s,
		       const struct luks2_segment *final)
{
	if (s->flags & SEGF_IN_REENC)
		return 0;
	if (mode == REENC_MODE_DECRYPT)
		return s->type == SEG_LINEAR;
	if (s->type != SEG_CRYPT || strcmp(s->cipher, final->cipher) ||
	    s->sector_size != final->sector_size)
		return 0;
	return mode != REENC_MODE_REENCRYPT || s->digest == final->digest;
}

/* The bytes a reencryption rewrites: the sum of the regular segments when
 * all have a size (--device-size, or encryption with a moved segment), else
 * the device from the new data offset on, less the shift of a forward data
 * shift (the stale tail). The dynamic segment's physical end depends on
 * which side it is on, so it cannot simply be summed. */
uint64_t reenc_total_bytes(struct luks2_hdr *hdr, uint64_t dev_size,
			       uint64_t shift, int forward)
{
	struct luks2_segment s, final;
	uint64_t sum = 0, cut;
	int n = luks2_segment_count(hdr), dynamic = 0;

	for (int id = 0; id < n && luks2_segment_get(hdr, id, &s) == 0; id++) {
		dynamic |= s.size == LUKS2_DYNAMIC;
		sum += luks2_segment_len(&s, dev_size);
	}
	if (!dynamic)
		return sum;
	if (luks2_segment_get(hdr, luks2_segment_backup(hdr, SEGF_BACKUP_FINAL), &final) < 0)
		return sum;
	cut = final.offset + (forward ? shift : 0);
	return dev_size > cut ? dev_size - cut : 0;
}

static void progress(struct luks2_hdr *hdr, uint64_t dev_size, struct reenc_status *ri)
{
	struct luks2_segment s, final;
	int n = luks2_segment_count(hdr), fid;
	uint64_t done = 0, todo = 0;
	int done_dynamic = 0;

	fid = luks2_segment_backup(hdr, SEGF_BACKUP_FINAL);
	if (fid < 0 || luks2_segment_get(hdr, fid, &final) < 0)
		return;
	ri->total = reenc_total_bytes(hdr, dev_size, ri->shift,
					  ri->direction == REENC_FORWARD);
	for (int id = 0; id < n; id++) {
		if (luks2_segment_get(hdr, id, &s) < 0)
			return;
		if ((s.flags & SEGF_IN_REENC) && ri->state != REENC_STATE_INVALID)
			ri->state = REENC_STATE_CRASH;
		if (reenc_segment_done(ri->mode, &s, &final)) {
			done += luks2_segment_len(&s, dev_size);
			done_dynamic |= s.size == LUKS2_DYNAMIC;
		} else {
			todo += luks2_segment_len(&s, dev_size);
		}
	}
	/* a dynamic segment's end is the device's, not the data's: when the
	 * done side is the dynamic one, count what is left instead */
	if (done_dynamic)
		done = todo < ri->total ? ri->total - todo : 0;
	ri->progress = done < ri->total ? done : ri->total;
}

int reenc_status_read(struct luks2_hdr *hdr, uint64_t dev_size,
			 struct reenc_status *ri)
{
	int unknown = 0, v;
	char uname[64] = "";

	memset(ri, 0, sizeof(*ri));
	ri->keyslot = ri->digest = -1;
	v = reenc_flag_version(hdr->jobj, &unknown, uname, sizeof(uname));
	if (v < 0)
		return v;
	ri->version = v;
	if (unknown) {
		ri->state = REENC_STATE_INVALID;
		if (!uname[0])
			snprintf(uname, sizeof(uname), "online-reencrypt-v%d", v);
		snprintf(ri->why, sizeof(ri->why), "unknown requirement '%s'", uname);
		if (!v)
			return 0;
	}
	if (!v)
		return 0;
	if (read_keyslot(hdr, ri) < 0) {
		if (ri->state != REENC_STATE_INVALID)
			snprintf(ri->why, sizeof(ri->why),
				 "reencryption flag without a reencrypt keyslot");
		ri->state = REENC_STATE_INVALID;
		return 0;
	}
	if (ri->state != REENC_STATE_INVALID)
		ri->state = REENC_STATE_CLEAN;
	progress(hdr, dev_size, ri);
	if (ri->state == REENC_STATE_INVALID)
		return 0;
	if (v == 1 || ri->digest < 0) {
		ri->state = REENC_STATE_REPAIR;
		snprintf(ri->why, sizeof(ri->why), "%s",
			 v == 1 ? "metadata written without a reencryption digest (online-reencrypt)"
				: "reencryption digest missing");
	}
	return 0;
}

int reenc_unlock_keys(struct luks2_dev *d, int keyslot, const char *pass,
		       size_t pass_len, struct volume_key **vk_old,
		       struct volume_key **vk_new)
{
	struct luks2_segment prev, fin;
	int r, dp = -1, df = -1;

	*vk_old = *vk_new = NULL;
	if (luks2_segment_get(&d->hdr, luks2_segment_backup(&d->hdr, SEGF_BACKUP_PREVIOUS), &prev) == 0)
		dp = prev.digest;
	if (luks2_segment_get(&d->hdr, luks2_segment_backup(&d->hdr, SEGF_BACKUP_FINAL), &fin) == 0)
		df = fin.digest;
	if (dp < 0 && df < 0)
		return -EINVAL;
	if (dp >= 0) {
		r = luks2_keyslot_open_digest(d, dp, keyslot, pass, pass_len, vk_old);
		if (r < 0)
			return r;
	}
	if (df >= 0 && df != dp) {
		/* like cryptsetup: a named keyslot must open both keys */
		r = luks2_keyslot_open_digest(d, df, keyslot, pass, pass_len, vk_new);
		if (r < 0) {
			vk_free(*vk_old);
			*vk_old = NULL;
			return r;
		}
	}
	return 0;
}
