// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Keyslot parts of LUKS2 metadata validation: generic fields, the config
 * sizes that place the keyslots area, binary areas, the JSON size, and the
 * per-type checks of cryptsetup 2.6.1 for "luks2" (luks2_keyslot_validate()
 * in lib/luks2/luks2_keyslot_luks2.c) and "reencrypt" (reenc_keyslot_validate()
 * in lib/luks2/luks2_keyslot_reenc.c) keyslots (doc/format.md §1.6). Unknown
 * keyslot types only get the
 * generic checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luks2/json.h"
#include "luks2/validate_keyslots.h"

#define SZ_4K		4096ULL
#define MAX_KEYSLOTS_SIZE (128ULL * 1024 * 1024)

struct area {
	const char *name;
	uint64_t offset;
	uint64_t size;
};

int luks2_validate_keyslots_generic(struct luks2_vctx *c)
{
	if (!c->keyslots)
		return luks2_vfail(c, "keyslots: missing or not an object");

	ljson_foreach(c->keyslots, key, val) {
		if (!ljson_is_numeric_name(key))
			return luks2_vfail(c, "keyslot \"%s\": name is not a number", key);
		if (!ljson_get_str(val, "type"))
			return luks2_vfail(c, "keyslot %s: type missing or empty", key);
		if (!ljson_get_type(val, "key_size", json_type_int))
			return luks2_vfail(c, "keyslot %s: key_size missing or not an integer",
					   key);
		if (ljson_get_u32(val, "key_size", NULL) < 0)
			return luks2_vfail(c, "keyslot %s: key_size is out of range", key);
	}
	return 0;
}

static int metadata_size_allowed(uint64_t size)
{
	uint64_t s;

	for (s = 16384; s <= 4194304; s *= 2)
		if (size == s)
			return 1;
	return 0;
}

/* Smallest offset of a regular segment; 0 if one starts at 0 (or none). */
static uint64_t min_data_offset(struct luks2_vctx *c)
{
	uint64_t off, min = UINT64_MAX;

	ljson_foreach(c->segments, key, val) {
		(void)key;
		if (luks2_vhas_flag(val, "backup-", 7))
			continue;
		if (ljson_get_u64(val, "offset", &off) < 0 || !off)
			return 0;
		if (off < min)
			min = off;
	}
	return min == UINT64_MAX ? 0 : min;
}

int luks2_validate_config(struct luks2_vctx *c)
{
	struct json_object *config, *flags;
	const char *s;
	uint64_t json_size, off;
	size_t i, n;

	config = ljson_get_type(c->root, "config", json_type_object);
	s = ljson_get_str(config, "json_size");
	if (!s || ljson_parse_u64(s, &json_size) < 0)
		return luks2_vfail(c, "config: json_size is not a number string");
	s = ljson_get_str(config, "keyslots_size");
	if (!s || ljson_parse_u64(s, &c->keyslots_size) < 0)
		return luks2_vfail(c, "config: keyslots_size is not a number string");
	c->metadata_size = json_size + SZ_4K;
	if (json_size > UINT64_MAX - SZ_4K || !metadata_size_allowed(c->metadata_size))
		return luks2_vfail(c, "config: json_size %llu: not an allowed metadata size",
				   (unsigned long long)json_size);
	if (c->keyslots_size % SZ_4K || c->keyslots_size > MAX_KEYSLOTS_SIZE)
		return luks2_vfail(c, "config: keyslots_size %llu: not 4 KiB aligned or > 128 MiB",
				   (unsigned long long)c->keyslots_size);
	off = min_data_offset(c);
	if (off && (off < c->keyslots_size ||
		    off - c->keyslots_size < 2 * c->metadata_size))
		return luks2_vfail(c, "config: keyslots area ends at %llu, beyond data offset %llu",
				   (unsigned long long)c->keyslots_size +
				   2ULL * c->metadata_size, (unsigned long long)off);
	if (json_object_object_get_ex(config, "flags", &flags)) {
		if (!json_object_is_type(flags, json_type_array))
			return luks2_vfail(c, "config: flags is not an array");
		n = json_object_array_length(flags);
		for (i = 0; i < n; i++)
			if (!json_object_is_type(json_object_array_get_idx(flags, i),
						 json_type_string))
				return luks2_vfail(c, "config: flags holds a non-string");
	}
	return 0;
}

int luks2_validate_json_size(struct luks2_vctx *c)
{
	const char *text;
	size_t len;

	if (c->hdr_size != c->metadata_size)
		return luks2_vfail(c, "config: json_size %llu does not match header size %llu",
				   (unsigned long long)(c->metadata_size - SZ_4K),
				   (unsigned long long)c->hdr_size);
	text = ljson_to_string(c->root);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	if (len >= c->hdr_size - SZ_4K)
		return luks2_vfail(c, "metadata: %zu bytes of JSON text leave no NUL in %llu",
				   len, (unsigned long long)(c->hdr_size - SZ_4K));
	return 0;
}

static int check_area_bounds(struct luks2_vctx *c, const struct area *a)
{
	uint64_t start = 2 * c->metadata_size;

	if (a->offset < start)
		return luks2_vfail(c, "keyslot %s: area offset %llu inside the metadata (< %llu)",
				   a->name, (unsigned long long)a->offset,
				   (unsigned long long)start);
	if (!a->size)
		return luks2_vfail(c, "keyslot %s: area size is zero", a->name);
	if (a->offset > UINT64_MAX - a->size)
		return luks2_vfail(c, "keyslot %s: area offset + size overflows", a->name);
	if (a->offset + a->size > start + c->keyslots_size)
		return luks2_vfail(c, "keyslot %s: area ends beyond the keyslots area (%llu)",
				   a->name, (unsigned long long)start + c->keyslots_size);
	return 0;
}

int luks2_validate_areas(struct luks2_vctx *c)
{
	struct json_object *jarea;
	struct area *a;
	const char *off, *size;
	int n, i = 0, j, r = -EINVAL;

	n = json_object_object_length(c->keyslots);
	if (!n)
		return 0;
	a = calloc((size_t)n, sizeof(*a));
	if (!a)
		return -ENOMEM;

	ljson_foreach(c->keyslots, key, val) {
		jarea = ljson_get_type(val, "area", json_type_object);
		if (!jarea || !ljson_get_str(jarea, "type")) {
			luks2_vfail(c, "keyslot %s: area or area type missing", key);
			goto out;
		}
		off = ljson_get_str(jarea, "offset");
		size = ljson_get_str(jarea, "size");
		if (!off || !size || ljson_parse_u64(off, &a[i].offset) < 0 ||
		    ljson_parse_u64(size, &a[i].size) < 0) {
			luks2_vfail(c, "keyslot %s: area offset or size is not a number string",
				    key);
			goto out;
		}
		a[i++].name = key;
	}
	for (i = 0; i < n; i++)
		if (check_area_bounds(c, &a[i]))
			goto out;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			if (i != j && a[i].offset >= a[j].offset &&
			    a[i].offset < a[j].offset + a[j].size) {
				luks2_vfail(c, "keyslot %s: area overlaps keyslot %s",
					    a[i].name, a[j].name);
				goto out;
			}
		}
	}
	r = 0;
out:
	free(a);
	return r;
}

static int has_int(struct json_object *obj, const char *key)
{
	return ljson_get_type(obj, key, json_type_int) != NULL;
}

/* Exactly {type, hash, iterations, salt} or {type, salt, time, memory, cpus}. */
static int check_kdf(struct luks2_vctx *c, const char *key, struct json_object *kdf)
{
	int count = json_object_object_length(kdf);
	const char *type = ljson_get_str(kdf, "type");

	if (!type)
		return luks2_vfail(c, "keyslot %s: kdf type missing or empty", key);
	if (!strcmp(type, "pbkdf2")) {
		if (count != 4 || !ljson_get_str(kdf, "hash") ||
		    !has_int(kdf, "iterations") || !ljson_get_str(kdf, "salt"))
			return luks2_vfail(c, "keyslot %s: pbkdf2 kdf members are wrong",
					   key);
	} else if (!strcmp(type, "argon2i") || !strcmp(type, "argon2id")) {
		if (count != 5 || !has_int(kdf, "time") ||
		    !has_int(kdf, "memory") || !has_int(kdf, "cpus") ||
		    !ljson_get_str(kdf, "salt"))
			return luks2_vfail(c, "keyslot %s: %s kdf members are wrong",
					   key, type);
	}
	/* Other kdf types are not checked here; they fail at unlock. */
	return 0;
}

static int digests_with_keyslot(struct luks2_vctx *c, const char *name)
{
	int n = 0;

	ljson_foreach(c->digests, key, val) {
		(void)key;
		if (ljson_array_has_str(ljson_get(val, "keyslots"), name) > 0)
			n++;
	}
	return n;
}

static int check_luks2_keyslot(struct luks2_vctx *c, const char *key,
			       struct json_object *ks)
{
	struct json_object *kdf, *af, *area;
	const char *type;
	int n;

	kdf = ljson_get_type(ks, "kdf", json_type_object);
	af = ljson_get_type(ks, "af", json_type_object);
	area = ljson_get_type(ks, "area", json_type_object);
	if (!kdf || !af || !area)
		return luks2_vfail(c, "keyslot %s: kdf, af or area missing or not an object", key);
	if (check_kdf(c, key, kdf))
		return -EINVAL;

	type = ljson_get_str(af, "type");
	if (!type || strcmp(type, "luks1"))
		return luks2_vfail(c, "keyslot %s: af type is not luks1", key);
	if (!ljson_get_str(af, "hash") || !has_int(af, "stripes"))
		return luks2_vfail(c, "keyslot %s: af needs a hash string and integer stripes",
				   key);

	type = ljson_get_str(area, "type");
	if (!type || strcmp(type, "raw"))
		return luks2_vfail(c, "keyslot %s: area type is not raw", key);
	if (!ljson_get_str(area, "encryption") || !has_int(area, "key_size") ||
	    !ljson_get_str(area, "offset") || !ljson_get_str(area, "size"))
		return luks2_vfail(c, "keyslot %s: raw area lacks encryption or integer key_size",
				   key);

	n = digests_with_keyslot(c, key);
	if (n != 1)
		return luks2_vfail(c, "keyslot %s: is in %d digests, not exactly one", key, n);
	return 0;
}

static int check_reencrypt_area(struct luks2_vctx *c, const char *key,
				struct json_object *area)
{
	const char *type = ljson_get_str(area, "type");
	const char *s;
	uint64_t shift;
	uint32_t ss;

	if (!strcmp(type, "checksum") || !strcmp(type, "datashift-checksum")) {
		if (!ljson_get_str(area, "hash") || !has_int(area, "sector_size"))
			return luks2_vfail(c, "keyslot %s: %s area needs hash, integer sector_size",
					   key, type);
		if (ljson_get_u32(area, "sector_size", &ss) < 0 || ss < 512 ||
		    (ss & (ss - 1)))
			return luks2_vfail(c, "keyslot %s: area sector_size is not 2^n >= 512",
					   key);
		/* 2.6.1 does not look at shift_size of datashift-checksum. */
	} else if (!strcmp(type, "datashift") || !strcmp(type, "datashift-journal")) {
		s = ljson_get_str(area, "shift_size");
		if (!s)
			return luks2_vfail(c, "keyslot %s: %s area needs shift_size", key, type);
		if (ljson_parse_u64(s, &shift) < 0 || !shift || shift % 512)
			return luks2_vfail(c, "keyslot %s: shift_size is not a multiple of 512 > 0",
					   key);
	}
	return 0;
}

static int check_reencrypt_keyslot(struct luks2_vctx *c, const char *key,
				   struct json_object *ks)
{
	const char *mode, *dir;
	uint32_t key_size;

	mode = ljson_get_str(ks, "mode");
	dir = ljson_get_str(ks, "direction");
	if (!has_int(ks, "key_size") || !mode || !dir)
		return luks2_vfail(c, "keyslot %s: needs integer key_size, mode, direction",
				   key);
	if (ljson_get_u32(ks, "key_size", &key_size) < 0 || key_size != 1)
		return luks2_vfail(c, "keyslot %s: reencrypt key_size is not 1", key);
	if (strcmp(mode, "reencrypt") && strcmp(mode, "encrypt") && strcmp(mode, "decrypt"))
		return luks2_vfail(c, "keyslot %s: mode is not reencrypt, encrypt or decrypt", key);
	if (strcmp(dir, "forward") && strcmp(dir, "backward"))
		return luks2_vfail(c, "keyslot %s: direction is not forward or backward", key);
	return check_reencrypt_area(c, key, ljson_get(ks, "area"));
}

int luks2_validate_keyslot_types(struct luks2_vctx *c)
{
	const char *type, *reenc = NULL;
	int count = 0;

	ljson_foreach(c->keyslots, key, val) {
		type = ljson_get_str(val, "type");
		if (!strcmp(type, "luks2")) {
			if (check_luks2_keyslot(c, key, val))
				return -EINVAL;
		} else if (!strcmp(type, "reencrypt")) {
			if (check_reencrypt_keyslot(c, key, val))
				return -EINVAL;
			if (!count++)
				reenc = key;
		}
	}
	if (c->online && !count)
		return luks2_vfail(c, "keyslots: online-reencrypt flag but no reencrypt keyslot");
	if (count && !c->candidate)
		return luks2_vfail(c, "keyslot %s: reencrypt keyslot without online-reencrypt flag",
				   reenc);
	if (count > 1)
		return luks2_vfail(c, "keyslots: %d reencrypt keyslots, at most one allowed",
				   count);
	return 0;
}
