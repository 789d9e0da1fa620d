// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LUKS2 metadata validation, in the order of LUKS2_hdr_validate() in
 * cryptsetup 2.6.1 (doc/format.md §1.6): requirements, tokens, digests,
 * segments, keyslots, config, areas, JSON size, keyslot types. Keyslot,
 * config, area and JSON size checks live in validate_keyslots.c.
 *
 * Deliberately stricter than cryptsetup on inputs it never writes: object
 * names must be canonical decimal ids, every string-uint64 must be plain
 * digits (cryptsetup parses config sizes and shift_size with strtoull), the
 * backup-segments-last rule does not depend on JSON key order, and the JSON
 * text must leave one NUL in its area.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luks2/json.h"
#include "luks2/validate.h"
#include "luks2/validate_keyslots.h"
#include "luks2/validate_util.h"

struct seginfo {
	uint64_t offset;
	uint64_t size;		/* UINT64_MAX for "dynamic" */
	int backup;
};

/* "online-reencrypt" or "online-reencrypt-v" followed by digits only. */
static int reencrypt_candidate(const char *flag, int *version)
{
	const char *p;
	uint64_t v;

	if (!strcmp(flag, "online-reencrypt")) {
		*version = 1;
		return 1;
	}
	if (strncmp(flag, "online-reencrypt-v", 18) || !flag[18])
		return 0;
	for (p = flag + 18; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	if (ljson_parse_u64(flag + 18, &v) < 0 || v > INT_MAX)
		v = INT_MAX;
	*version = (int)v;
	return 1;
}

static int requirement_known(const char *flag)
{
	return !strcmp(flag, "offline-reencrypt") ||
	       !strcmp(flag, "online-reencrypt") ||
	       !strcmp(flag, "online-reencrypt-v2") ||
	       !strcmp(flag, "online-reencrypt-v3");
}

struct req_scan {
	int candidates;
	int version;
	int online;		/* known online flag (cryptsetup's ONLINE bit) */
	const char *unknown;	/* first flag we do not know */
};

/* Returns 0, or -EINVAL with *what naming the malformed member. */
static int scan_requirements(struct json_object *root, struct req_scan *rs,
			     const char **what)
{
	struct json_object *config, *req, *mand, *el;
	const char *flag;
	size_t i, n;
	int v;

	memset(rs, 0, sizeof(*rs));
	config = ljson_get_type(root, "config", json_type_object);
	if (!config) {
		*what = "config: missing or not an object";
		return -EINVAL;
	}
	if (!json_object_object_get_ex(config, "requirements", &req))
		return 0;
	if (!json_object_is_type(req, json_type_object)) {
		*what = "config: requirements is not an object";
		return -EINVAL;
	}
	if (!json_object_object_get_ex(req, "mandatory", &mand))
		return 0;
	if (!json_object_is_type(mand, json_type_array)) {
		*what = "config: requirements.mandatory is not an array";
		return -EINVAL;
	}
	n = json_object_array_length(mand);
	for (i = 0; i < n; i++) {
		el = json_object_array_get_idx(mand, i);
		if (!json_object_is_type(el, json_type_string)) {
			*what = "config: requirements.mandatory holds a non-string";
			return -EINVAL;
		}
		flag = json_object_get_string(el);
		if (reencrypt_candidate(flag, &v)) {
			rs->candidates++;
			rs->version = v;
		}
		if (!requirement_known(flag)) {
			if (!rs->unknown)
				rs->unknown = flag;
		} else if (!strncmp(flag, "online-", 7)) {
			rs->online = 1;
		}
	}
	return 0;
}

int reenc_flag_version(struct json_object *root, int *unknown,
				 char *unknown_name, size_t unknown_len)
{
	struct req_scan rs;
	const char *what;
	int r;

	if (unknown)
		*unknown = 0;
	if (unknown_name && unknown_len)
		unknown_name[0] = '\0';
	r = scan_requirements(root, &rs, &what);
	if (r < 0)
		return r;
	if (rs.candidates > 1)
		return -EINVAL;
	if (rs.unknown) {
		if (unknown)
			*unknown = 1;
		if (unknown_name && unknown_len)
			snprintf(unknown_name, unknown_len, "%s", rs.unknown);
	}
	/*
	 * A candidate we do not know (e.g. "-v999", or "-v02") still reports
	 * its number; *unknown tells the caller not to trust it.
	 */
	return rs.candidates ? rs.version : 0;
}

static int check_requirements(struct luks2_vctx *c)
{
	struct req_scan rs;
	const char *what;

	if (scan_requirements(c->root, &rs, &what) < 0)
		return luks2_vfail(c, "%s", what);
	if (rs.candidates > 1)
		return luks2_vfail(c, "config: more than one online-reencrypt requirement flag");
	c->online = rs.online;
	c->candidate = rs.candidates;
	return 0;
}

/* Every entry a string naming an existing object of section. */
static int check_refs(struct luks2_vctx *c, const char *who, const char *key,
		      struct json_object *arr, struct json_object *section,
		      const char *what)
{
	struct json_object *el;
	const char *name;
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		el = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(el, json_type_string))
			return luks2_vfail(c, "%s %s: %ss array holds a non-string",
					   who, key, what);
		name = json_object_get_string(el);
		if (!ljson_get_type(section, name, json_type_object))
			return luks2_vfail(c, "%s %s: references missing %s %s",
					   who, key, what, name);
	}
	return 0;
}

static int check_tokens(struct luks2_vctx *c)
{
	struct json_object *tokens, *arr;

	tokens = ljson_get_type(c->root, "tokens", json_type_object);
	if (!tokens)
		return luks2_vfail(c, "tokens: missing or not an object");
	if (!c->keyslots)
		return luks2_vfail(c, "keyslots: missing or not an object");

	ljson_foreach(tokens, key, val) {
		if (!ljson_is_numeric_name(key))
			return luks2_vfail(c, "token \"%s\": name is not a number", key);
		if (!ljson_get_str(val, "type"))
			return luks2_vfail(c, "token %s: type missing or empty", key);
		arr = ljson_get_type(val, "keyslots", json_type_array);
		if (!arr)
			return luks2_vfail(c, "token %s: keyslots missing or not an array", key);
		if (check_refs(c, "token", key, arr, c->keyslots, "keyslot"))
			return -EINVAL;
	}
	return 0;
}

static int check_digests(struct luks2_vctx *c)
{
	struct json_object *ks, *segs;

	if (!c->digests)
		return luks2_vfail(c, "digests: missing or not an object");
	if (!c->keyslots)
		return luks2_vfail(c, "keyslots: missing or not an object");
	if (!c->segments)
		return luks2_vfail(c, "segments: missing or not an object");

	ljson_foreach(c->digests, key, val) {
		if (!ljson_is_numeric_name(key))
			return luks2_vfail(c, "digest \"%s\": name is not a number", key);
		if (!ljson_get_str(val, "type"))
			return luks2_vfail(c, "digest %s: type missing or empty", key);
		ks = ljson_get_type(val, "keyslots", json_type_array);
		if (!ks)
			return luks2_vfail(c, "digest %s: keyslots missing or not an array", key);
		segs = ljson_get_type(val, "segments", json_type_array);
		if (!segs)
			return luks2_vfail(c, "digest %s: segments missing or not an array", key);
		if (check_refs(c, "digest", key, ks, c->keyslots, "keyslot") ||
		    check_refs(c, "digest", key, segs, c->segments, "segment"))
			return -EINVAL;
	}
	return 0;
}

static int in_some_digest(struct luks2_vctx *c, const char *name)
{
	ljson_foreach(c->digests, key, val) {
		(void)key;
		if (ljson_array_has_str(ljson_get(val, "segments"), name) > 0)
			return 1;
	}
	return 0;
}

static int check_crypt_segment(struct luks2_vctx *c, const char *key,
			       struct json_object *seg, uint64_t size)
{
	struct json_object *integ;
	uint32_t ss;

	if (!ljson_get_str(seg, "iv_tweak"))
		return luks2_vfail(c, "segment %s: iv_tweak missing or empty", key);
	if (!ljson_get_str(seg, "encryption"))
		return luks2_vfail(c, "segment %s: encryption missing or empty", key);
	if (!ljson_get_type(seg, "sector_size", json_type_int))
		return luks2_vfail(c, "segment %s: sector_size missing or not an integer", key);
	if (json_object_object_get_ex(seg, "integrity", &integ) &&
	    (!json_object_is_type(integ, json_type_object) ||
	     !ljson_get_str(integ, "type") ||
	     !ljson_get_str(integ, "journal_encryption") ||
	     !ljson_get_str(integ, "journal_integrity")))
		return luks2_vfail(c, "segment %s: integrity is malformed", key);
	if (ljson_get_u32(seg, "sector_size", &ss) < 0)
		return luks2_vfail(c, "segment %s: sector_size is out of range", key);
	if (!ss || ss % 512)
		return luks2_vfail(c, "segment %s: sector_size %u is not a multiple of 512",
				   key, ss);
	if (ljson_get_u64(seg, "iv_tweak", NULL) < 0)
		return luks2_vfail(c, "segment %s: iv_tweak is not a number", key);
	if (size % ss)
		return luks2_vfail(c, "segment %s: size is not a multiple of sector_size %u",
				   key, ss);
	if (!in_some_digest(c, key))
		return luks2_vfail(c, "segment %s: crypt segment is not in any digest", key);
	return 0;
}

static int check_one_segment(struct luks2_vctx *c, const char *key,
			     struct json_object *seg, struct seginfo *si)
{
	struct json_object *flags;
	const char *type, *s;
	size_t i, n;

	type = ljson_get_str(seg, "type");
	if (!type)
		return luks2_vfail(c, "segment %s: type missing or empty", key);
	s = ljson_get_str(seg, "offset");
	if (!s || ljson_parse_u64(s, &si->offset) < 0)
		return luks2_vfail(c, "segment %s: offset is not a number string", key);
	s = ljson_get_str(seg, "size");
	if (s && !strcmp(s, "dynamic")) {
		si->size = 0;
	} else if (!s || ljson_parse_u64(s, &si->size) < 0 || !si->size) {
		return luks2_vfail(c, "segment %s: size is not \"dynamic\" or a number > 0",
				   key);
	}
	if (si->offset % 512)
		return luks2_vfail(c, "segment %s: offset is not a multiple of 512", key);
	if (si->size % 512)
		return luks2_vfail(c, "segment %s: size is not a multiple of 512", key);
	if (json_object_object_get_ex(seg, "flags", &flags)) {
		if (!json_object_is_type(flags, json_type_array))
			return luks2_vfail(c, "segment %s: flags is not an array", key);
		n = json_object_array_length(flags);
		for (i = 0; i < n; i++)
			if (!json_object_is_type(json_object_array_get_idx(flags, i),
						 json_type_string))
				return luks2_vfail(c, "segment %s: flags holds a non-string", key);
	}
	si->backup = luks2_vhas_flag(seg, "backup-", 7);
	if (!strcmp(type, "crypt") && check_crypt_segment(c, key, seg, si->size))
		return -EINVAL;
	if (!si->size)
		si->size = UINT64_MAX;
	return 0;
}

/* Regular segments 0..n-1: only the last may be dynamic, none overlap. */
static int check_intervals(struct luks2_vctx *c, const struct seginfo *si, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		if (si[i].size == UINT64_MAX && i != n - 1)
			return luks2_vfail(c, "segment %d: dynamic but not the last regular",
					   i);
		for (j = 0; j < n; j++) {
			if (i == j)
				continue;
			if (si[j].size != UINT64_MAX &&
			    si[j].offset > UINT64_MAX - si[j].size)
				return luks2_vfail(c, "segment %d: offset + size overflows", j);
			if (si[i].offset >= si[j].offset &&
			    (si[j].size == UINT64_MAX ||
			     si[i].offset < si[j].offset + si[j].size))
				return luks2_vfail(c, "segment %d: overlaps segment %d", i, j);
		}
	}
	return 0;
}

/* Same type; for crypt also the same cipher and sector size. */
static int segment_match(struct json_object *a, struct json_object *b)
{
	const char *ta = ljson_get_str(a, "type"), *tb = ljson_get_str(b, "type");
	const char *ca, *cb;
	uint32_t sa = 512, sb = 512;

	if (!ta || !tb || strcmp(ta, tb))
		return 0;
	if (strcmp(ta, "crypt"))
		return 1;
	ca = ljson_get_str(a, "encryption");
	cb = ljson_get_str(b, "encryption");
	ljson_get_u32(a, "sector_size", &sa);
	ljson_get_u32(b, "sector_size", &sb);
	return sa == sb && !strcmp(ca ? ca : "null", cb ? cb : "null");
}

static int check_reencrypt_segments(struct luks2_vctx *c, int first_backup, int count)
{
	struct json_object *seg, *final = NULL, *prev = NULL;
	int i, hot;

	for (i = first_backup; i < count; i++) {
		seg = ljson_get_id(c->segments, i);
		if (luks2_vhas_flag(seg, "backup-final", 0))
			final = seg;
		else if (luks2_vhas_flag(seg, "backup-previous", 0))
			prev = seg;
	}
	if (!final || !prev)
		return luks2_vfail(c, "segments: backup-final or backup-previous missing");
	for (i = 0; i < first_backup; i++) {
		seg = ljson_get_id(c->segments, i);
		hot = luks2_vhas_flag(seg, "in-reencryption", 0);
		if (hot && !segment_match(seg, final))
			return luks2_vfail(c, "segment %d: in-reencryption but unlike backup-final",
					   i);
		if (!hot && !segment_match(seg, final) && !segment_match(seg, prev))
			return luks2_vfail(c, "segment %d: matches neither backup segment", i);
	}
	return 0;
}

static int check_segments(struct luks2_vctx *c)
{
	struct seginfo *si;
	int count, id, i, first_backup = -1, r = -EINVAL;

	count = json_object_object_length(c->segments);
	if (count < 1)
		return luks2_vfail(c, "segments: no segment");
	si = calloc((size_t)count, sizeof(*si));
	if (!si)
		return -ENOMEM;

	ljson_foreach(c->segments, key, val) {
		id = ljson_id(key);
		if (id < 0) {
			luks2_vfail(c, "segment \"%s\": name is not a number", key);
			goto out;
		}
		/* Names are distinct, so ids all below count are 0..count-1. */
		if (id >= count) {
			luks2_vfail(c, "segment %d: ids are not contiguous from 0", id);
			goto out;
		}
		if (check_one_segment(c, key, val, &si[id]))
			goto out;
		if (si[id].backup && (first_backup < 0 || id < first_backup))
			first_backup = id;
	}
	if (first_backup == 0) {
		luks2_vfail(c, "segments: no regular segment");
		goto out;
	}
	if (first_backup < 0)
		first_backup = count;
	for (i = first_backup; i < count; i++) {
		if (!si[i].backup) {
			luks2_vfail(c, "segment %d: regular segment after backup segment %d",
				    i, first_backup);
			goto out;
		}
	}
	r = check_intervals(c, si, first_backup);
	if (!r && c->online)
		r = check_reencrypt_segments(c, first_backup, count);
out:
	free(si);
	return r;
}

int luks2_validate(struct json_object *root, uint64_t hdr_size,
		   char *why, size_t why_len)
{
	struct luks2_vctx c = {
		.root = root, .hdr_size = hdr_size, .why = why, .why_len = why_len,
	};
	int r;

	if (why && why_len)
		why[0] = '\0';
	if (!json_object_is_type(root, json_type_object))
		return luks2_vfail(&c, "metadata: top level is not a JSON object");
	c.keyslots = ljson_get_type(root, "keyslots", json_type_object);
	c.segments = ljson_get_type(root, "segments", json_type_object);
	c.digests = ljson_get_type(root, "digests", json_type_object);

	r = check_requirements(&c);
	if (!r)
		r = check_tokens(&c);
	if (!r)
		r = check_digests(&c);
	if (!r)
		r = check_segments(&c);
	if (!r)
		r = luks2_validate_keyslots_generic(&c);
	if (!r)
		r = luks2_validate_config(&c);
	if (!r)
		r = luks2_validate_areas(&c);
	if (!r)
		r = luks2_validate_json_size(&c);
	if (!r)
		r = luks2_validate_keyslot_types(&c);
	return r;
}
