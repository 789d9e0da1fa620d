// SPDX-License-Identifier: GPL-2.0-or-later
/* json-c helpers for LUKS2 metadata (doc/format.md §1.4, §1.5). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto_backend/crypto_backend.h"
#include "luks2/json.h"

/* Longest base64 text we decode or produce; far above any LUKS2 blob. */
#define LJSON_B64_MAX ((size_t)1 << 20)

struct json_object *ljson_get(struct json_object *obj, const char *key)
{
	struct json_object *val;

	if (!obj || !key || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &val))
		return NULL;
	return val;
}

struct json_object *ljson_get_type(struct json_object *obj, const char *key,
				   enum json_type type)
{
	struct json_object *val = ljson_get(obj, key);

	/* A JSON null member is a NULL object: never of any wanted type. */
	if (!val || !json_object_is_type(val, type))
		return NULL;
	return val;
}

struct json_object *ljson_get_id(struct json_object *obj, int id)
{
	char name[16];

	if (id < 0)
		return NULL;
	snprintf(name, sizeof(name), "%d", id);
	return ljson_get(obj, name);
}

size_t ljson_array_len(struct json_object *arr)
{
	return json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

struct json_object *ljson_array_idx(struct json_object *arr, size_t i)
{
	return i < ljson_array_len(arr) ? json_object_array_get_idx(arr, i) : NULL;
}

const char *ljson_array_str(struct json_object *arr, size_t i)
{
	struct json_object *el = ljson_array_idx(arr, i);

	return json_object_is_type(el, json_type_string) ? json_object_get_string(el) : NULL;
}

int ljson_object_len(struct json_object *obj)
{
	return json_object_is_type(obj, json_type_object) ? json_object_object_length(obj) : 0;
}

struct lh_entry *ljson_entries(struct json_object *obj)
{
	if (!json_object_is_type(obj, json_type_object))
		return NULL;
	return lh_table_head(json_object_get_object(obj));
}

int ljson_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int d;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		d = (unsigned int)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	if (out)
		*out = v;
	return 0;
}

int ljson_get_u64(struct json_object *obj, const char *key, uint64_t *out)
{
	struct json_object *val;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &val))
		return -ENOENT;
	if (!json_object_is_type(val, json_type_string))
		return -EINVAL;
	return ljson_parse_u64(json_object_get_string(val), out);
}

int ljson_get_u32(struct json_object *obj, const char *key, uint32_t *out)
{
	struct json_object *val;
	int64_t v;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &val))
		return -ENOENT;
	if (!json_object_is_type(val, json_type_int))
		return -EINVAL;
	/* Values above INT64_MAX come back clamped to INT64_MAX. */
	errno = 0;
	v = json_object_get_int64(val);
	if (errno || v < 0 || v > UINT32_MAX)
		return -EINVAL;
	if (out)
		*out = (uint32_t)v;
	return 0;
}

const char *ljson_get_str(struct json_object *obj, const char *key)
{
	struct json_object *val = ljson_get_type(obj, key, json_type_string);
	const char *s;

	if (!val)
		return NULL;
	s = json_object_get_string(val);
	return (s && *s) ? s : NULL;
}

/*
 * Canonical ids only: "0" or a digit string without leading zero that fits
 * an int. cryptsetup writes ids with "%u" and looks them up the same way.
 */
int ljson_is_numeric_name(const char *name)
{
	uint64_t v;

	if (!name || !*name || (name[0] == '0' && name[1]))
		return 0;
	if (ljson_parse_u64(name, &v) < 0 || v > INT_MAX)
		return 0;
	return 1;
}

int ljson_id(const char *name)
{
	uint64_t v;

	if (!ljson_is_numeric_name(name) || ljson_parse_u64(name, &v) < 0)
		return -EINVAL;
	return (int)v;
}

static int ljson_set(struct json_object *obj, const char *key,
		     struct json_object *val)
{
	if (!val)
		return -ENOMEM;
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

int ljson_set_u64(struct json_object *obj, const char *key, uint64_t v)
{
	char num[24];

	if (!json_object_is_type(obj, json_type_object) || !key)
		return -EINVAL;
	snprintf(num, sizeof(num), "%" PRIu64, v);
	return ljson_set(obj, key, json_object_new_string(num));
}

int ljson_set_int(struct json_object *obj, const char *key, int64_t v)
{
	if (!json_object_is_type(obj, json_type_object) || !key)
		return -EINVAL;
	return ljson_set(obj, key, json_object_new_int64(v));
}

int ljson_set_str(struct json_object *obj, const char *key, const char *s)
{
	if (!json_object_is_type(obj, json_type_object) || !key || !s)
		return -EINVAL;
	return ljson_set(obj, key, json_object_new_string(s));
}

int ljson_get_b64(struct json_object *obj, const char *key, void *buf,
		  size_t buf_len, size_t want_len)
{
	struct json_object *val;
	const char *s;
	size_t len;
	int n;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &val))
		return -ENOENT;
	if (!json_object_is_type(val, json_type_string))
		return -EINVAL;
	s = json_object_get_string(val);
	len = (size_t)json_object_get_string_len(val);
	if (len > LJSON_B64_MAX)
		return -EINVAL;
	/* Check the text and learn its length before writing into buf. */
	n = crypt_base64_decode(s, len, NULL, 0);
	if (n < 0)
		return -EINVAL;
	if (want_len && (size_t)n != want_len)
		return -EINVAL;
	if ((size_t)n > buf_len)
		return -ENOBUFS;
	return crypt_base64_decode(s, len, buf, buf_len);
}

int ljson_set_b64(struct json_object *obj, const char *key, const void *buf,
		  size_t len)
{
	char *text;
	size_t text_size;
	int r;

	if (!json_object_is_type(obj, json_type_object) || !key ||
	    (!buf && len) || len > LJSON_B64_MAX / 4 * 3)
		return -EINVAL;
	text_size = (len + 2) / 3 * 4 + 1;
	text = malloc(text_size);
	if (!text)
		return -ENOMEM;
	if (crypt_base64_encode(buf, len, text, text_size) < 0) {
		free(text);
		return -EINVAL;
	}
	r = ljson_set(obj, key, json_object_new_string(text));
	free(text);
	return r;
}

static int array_find_str(struct json_object *arr, const char *s)
{
	struct json_object *el;
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		el = json_object_array_get_idx(arr, i);
		if (json_object_is_type(el, json_type_string) &&
		    !strcmp(json_object_get_string(el), s))
			return (int)i;
	}
	return -ENOENT;
}

int ljson_array_has_str(struct json_object *arr, const char *s)
{
	/* a predicate: no array (or no string) contains nothing */
	if (!json_object_is_type(arr, json_type_array) || !s)
		return 0;
	return array_find_str(arr, s) >= 0;
}

int ljson_array_add_str(struct json_object *arr, const char *s)
{
	struct json_object *el;

	if (!json_object_is_type(arr, json_type_array) || !s)
		return -EINVAL;
	if (array_find_str(arr, s) >= 0)
		return 0;
	el = json_object_new_string(s);
	if (!el)
		return -ENOMEM;
	if (json_object_array_add(arr, el) < 0) {
		json_object_put(el);
		return -ENOMEM;
	}
	return 0;
}

/* Removes every occurrence; absent is not an error. */
int ljson_array_del_str(struct json_object *arr, const char *s)
{
	int i;

	if (!json_object_is_type(arr, json_type_array) || !s)
		return -EINVAL;
	while ((i = array_find_str(arr, s)) >= 0)
		if (json_object_array_del_idx(arr, (size_t)i, 1) < 0)
			return -ENOMEM;
	return 0;
}

int ljson_free_id(struct json_object *obj)
{
	int id, n;

	if (!json_object_is_type(obj, json_type_object))
		return -EINVAL;
	n = json_object_object_length(obj);
	/* n children cannot occupy all of 0..n, so this always ends. */
	for (id = 0; id <= n; id++)
		if (!ljson_get_id(obj, id))
			return id;
	return -ENOSPC;
}

int ljson_max_id(struct json_object *obj)
{
	int max = -1, id;

	if (!json_object_is_type(obj, json_type_object))
		return -EINVAL;
	json_object_object_foreach(obj, key, val) {
		(void)val;
		id = ljson_id(key);
		if (id < 0)
			continue;
		if (id > max)
			max = id;
	}
	return max;
}

const char *ljson_to_string(struct json_object *obj)
{
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
}
