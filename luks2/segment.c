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

int luks2_segment_table(struct luks2_hdr *hdr, struct seg_table *t)
{
	int n = luks2_segment_count(hdr);
	const char *enc;

	t->n = 0;
	if (n > SEG_TABLE_MAX)
		return -EINVAL;
	for (int id = 0; id < n; id++) {
		if (luks2_segment_get(hdr, id, &t->s[id]) < 0 || (t->s[id].flags & SEGF_BACKUP))
			return -EINVAL;
		/* a table is written back: a truncated cipher would change it */
		enc = ljson_get_str(ljson_get_id(ljson_get(hdr->jobj, "segments"), id),
				    "encryption");
		if (t->s[id].type == SEG_CRYPT && enc && strlen(enc) >= sizeof(t->s[id].cipher))
			return -EINVAL;
	}
	t->n = n;
	return 0;
}

int luks2_segment_in_reenc(const struct seg_table *t)
{
	int rs = -1;

	for (int i = 0; i < t->n; i++) {
		if (!(t->s[i].flags & SEGF_IN_REENC))
			continue;
		if (rs >= 0)
			return -1;	/* two hotzones: no valid one */
		rs = i;
	}
	return rs;
}

int luks2_segment_iv_bad(const struct seg_table *t, uint64_t dev_size)
{
	uint64_t L = 0;

	for (int i = 0; i < t->n; L += luks2_segment_len(&t->s[i], dev_size), i++)
		if (t->s[i].type == SEG_CRYPT && (L % 512 || t->s[i].iv_tweak != L / 512))
			return i;
	return -1;
}

int luks2_segment_push(struct seg_table *t, const struct luks2_segment *s)
{
	if (t->n < 0 || t->n >= SEG_TABLE_MAX) {
		t->n = -1;	/* sticky: the builder's caller sees it */
		return -E2BIG;
	}
	t->s[t->n] = *s;
	t->s[t->n].id = t->n;
	t->n++;
	return 0;
}

struct luks2_segment luks2_segment_linear(uint64_t offset, uint64_t size, unsigned flags)
{
	return (struct luks2_segment){ .type = SEG_LINEAR, .offset = offset, .size = size,
				       .flags = flags, .digest = -1 };
}

struct luks2_segment luks2_segment_crypt(uint64_t offset, uint64_t iv_bytes, uint64_t size,
					 const char *cipher, uint32_t sector_size,
					 unsigned flags)
{
	struct luks2_segment s = { .type = SEG_CRYPT, .offset = offset, .size = size,
				   .iv_tweak = iv_bytes / 512, .sector_size = sector_size,
				   .flags = flags, .digest = -1 };

	snprintf(s.cipher, sizeof(s.cipher), "%s", cipher ? cipher : "");
	return s;
}

static struct json_object *flags_json(unsigned f)
{
	static const struct { unsigned flag; const char *name; } names[] = {
		{ SEGF_IN_REENC, "in-reencryption" },
		{ SEGF_BACKUP_PREVIOUS, "backup-previous" },
		{ SEGF_BACKUP_FINAL, "backup-final" },
		{ SEGF_BACKUP_MOVED, "backup-moved-segment" },
	};
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & names[i].flag)
			json_object_array_add(a, json_object_new_string(names[i].name));
	return a;
}

struct json_object *luks2_segment_json(const struct luks2_segment *s)
{
	struct json_object *j;

	if (s->type != SEG_LINEAR && s->type != SEG_CRYPT)
		return NULL;
	j = json_object_new_object();
	ljson_set_str(j, "type", s->type == SEG_CRYPT ? "crypt" : "linear");
	ljson_set_u64(j, "offset", s->offset);
	if (s->size == LUKS2_DYNAMIC)
		ljson_set_str(j, "size", "dynamic");
	else
		ljson_set_u64(j, "size", s->size);
	if (s->type == SEG_CRYPT) {
		ljson_set_u64(j, "iv_tweak", s->iv_tweak);
		ljson_set_str(j, "encryption", s->cipher);
		ljson_set_int(j, "sector_size", s->sector_size);
	}
	if (s->flags & ~SEGF_BACKUP_OTHER)
		json_object_object_add(j, "flags", flags_json(s->flags));
	return j;
}

int luks2_segment_backup(struct luks2_hdr *hdr, unsigned flag)
{
	json_object_object_foreach(ljson_get(hdr->jobj, "segments"), name, j) {
		if (parse_flags(ljson_get(j, "flags")) & flag)
			return ljson_id(name);
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
			/* = L / 512 for every header the engine loads (the IV
			 * rule, segment.h) */
			m->physical = m->seg.offset + rel;
			m->iv = m->seg.iv_tweak + rel / 512;
			m->len = len - rel;
			return 0;
		}
		start += len;
	}
	return -ERANGE;
}
