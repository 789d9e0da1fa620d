/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Segments and the logical -> physical mapping (doc/format.md §3.2). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luks2/json.h"
#include "luks2/segment.h"

static unsigned parse_flags(struct json_object *arr)
{
	unsigned f = 0;
	const char *s;

	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		s = json_object_get_string(json_object_array_get_idx(arr, i));
		if (!s)
			continue;
		if (!strcmp(s, "in-reencryption"))
			f |= SEGF_IN_REENC;
		else if (!strcmp(s, "backup-previous"))
			f |= SEGF_BACKUP_PREVIOUS;
		else if (!strcmp(s, "backup-final"))
			f |= SEGF_BACKUP_FINAL;
		else if (!strcmp(s, "backup-moved-segment"))
			f |= SEGF_BACKUP_MOVED;
		else if (!strncmp(s, "backup-", 7))
			f |= SEGF_BACKUP_OTHER;
	}
	return f;
}

int luks2_segment_get(struct luks2_hdr *hdr, int id, struct luks2_segment *s)
{
	struct json_object *j = ljson_get_id(ljson_get(hdr->jobj, "segments"), id);
	const char *type, *size, *enc;

	memset(s, 0, sizeof(*s));
	if (!j)
		return -ENOENT;
	s->id = id;
	type = ljson_get_str(j, "type");
	s->type = !type ? SEG_OTHER : !strcmp(type, "crypt") ? SEG_CRYPT :
		  !strcmp(type, "linear") ? SEG_LINEAR : SEG_OTHER;
	if (ljson_get_u64(j, "offset", &s->offset) < 0)
		return -EINVAL;
	size = ljson_get_str(j, "size");
	if (size && !strcmp(size, "dynamic"))
		s->size = LUKS2_DYNAMIC;
	else if (ljson_get_u64(j, "size", &s->size) < 0)
		return -EINVAL;
	s->flags = parse_flags(ljson_get(j, "flags"));
	s->digest = luks2_digest_by_segment(hdr, id);
	if (s->type == SEG_CRYPT) {
		enc = ljson_get_str(j, "encryption");
		snprintf(s->cipher, sizeof(s->cipher), "%s", enc ? enc : "");
		if (ljson_get_u64(j, "iv_tweak", &s->iv_tweak) < 0 ||
		    ljson_get_u32(j, "sector_size", &s->sector_size) < 0)
			return -EINVAL;
	}
	return 0;
}

int luks2_segment_count(struct luks2_hdr *hdr)
{
	struct luks2_segment s;
	int n = 0;

	for (int id = 0; luks2_segment_get(hdr, id, &s) != -ENOENT; id++)
		if (!(s.flags & SEGF_BACKUP))
			n++;
	return n;
}

int luks2_segment_backup(struct luks2_hdr *hdr, unsigned flag)
{
	json_object_object_foreach(ljson_get(hdr->jobj, "segments"), name, j) {
		if (parse_flags(ljson_get(j, "flags")) & flag)
			return atoi(name);
	}
	return -ENOENT;
}

uint64_t luks2_segment_len(const struct luks2_segment *s, uint64_t dev_size)
{
	if (s->size != LUKS2_DYNAMIC)
		return s->size;
	return dev_size > s->offset ? dev_size - s->offset : 0;
}

int luks2_segment_map(struct luks2_hdr *hdr, uint64_t dev_size, uint64_t L,
		      struct luks2_map *m)
{
	uint64_t start = 0, len, rel;
	int n = luks2_segment_count(hdr);

	/* regular segments are ids 0..n-1 in logical order (validated) */
	for (int id = 0; id < n; id++) {
		if (luks2_segment_get(hdr, id, &m->seg) < 0)
			return -EINVAL;
		len = luks2_segment_len(&m->seg, dev_size);
		if (L < start + len) {
			rel = L - start;
			m->physical = m->seg.offset + rel;
			m->iv = m->seg.iv_tweak + rel / 512;
			m->len = len - rel;
			return 0;
		}
		start += len;
	}
	return -ERANGE;
}
