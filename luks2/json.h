/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers over json-c for LUKS2 metadata: 64-bit quantities are decimal
 * strings ("string-uint64"), small numbers are JSON integers, blobs are
 * base64 with padding. All return 0 or a negative errno.
 */
#ifndef LUKS2_JSON_H
#define LUKS2_JSON_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* Member of an object, or NULL (no type check). */
struct json_object *ljson_get(struct json_object *obj, const char *key);
/* Member with the given json type, or NULL. */
struct json_object *ljson_get_type(struct json_object *obj, const char *key,
				   enum json_type type);
/* Child "N" of keyslots/segments/digests/tokens, or NULL. */
struct json_object *ljson_get_id(struct json_object *obj, int id);

/*
 * Type-checked access to containers read from a disk. json-c asserts (or
 * dereferences NULL) when its object/array functions get another type;
 * these treat anything else as empty.
 */
size_t ljson_array_len(struct json_object *arr);
struct json_object *ljson_array_idx(struct json_object *arr, size_t i);
/* String element i of an array, or NULL. */
const char *ljson_array_str(struct json_object *arr, size_t i);
int ljson_object_len(struct json_object *obj);
/* First entry of an object, NULL when obj is not an object. */
struct lh_entry *ljson_entries(struct json_object *obj);

/*
 * json_object_object_foreach that runs zero times unless obj is a JSON
 * object (json-c's own macro crashes on NULL, arrays, strings...). The next
 * entry is taken before the body runs, so the body may delete key.
 */
/* key and val are declared names: they cannot take parentheses. */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define ljson_foreach(obj, key, val)						\
	char *key = NULL;							\
	struct json_object *val = NULL;						\
	for (struct lh_entry *key##_e = ljson_entries(obj), *key##_n = NULL;	\
	     key##_e && (key = (char *)lh_entry_k(key##_e),			\
			 val = (struct json_object *)lh_entry_v(key##_e),	\
			 key##_n = lh_entry_next(key##_e), 1);		\
	     key##_e = key##_n)
/* NOLINTEND(bugprone-macro-parentheses) */

/* "123" -> 123: all digits, no sign, no overflow. -EINVAL otherwise. */
int ljson_parse_u64(const char *s, uint64_t *out);
/* String member holding a uint64 -> value. -ENOENT missing, -EINVAL bad. */
int ljson_get_u64(struct json_object *obj, const char *key, uint64_t *out);
/* Integer member in [0, UINT32_MAX] (json int, not string). */
int ljson_get_u32(struct json_object *obj, const char *key, uint32_t *out);
/* String member, non-empty. NULL if missing, not a string, or empty. */
const char *ljson_get_str(struct json_object *obj, const char *key);
/* Name is a decimal number "0".."N" without sign or leading junk. */
int ljson_is_numeric_name(const char *name);
/* The id of such a name, -EINVAL for any other name. */
int ljson_id(const char *name);

/* Set obj[key] to the decimal string of v (replaces). */
int ljson_set_u64(struct json_object *obj, const char *key, uint64_t v);
int ljson_set_int(struct json_object *obj, const char *key, int64_t v);
int ljson_set_str(struct json_object *obj, const char *key, const char *s);

/* Decode base64 member into buf (exact length required if want_len > 0).
 * Returns decoded length or negative errno. */
int ljson_get_b64(struct json_object *obj, const char *key, void *buf,
		  size_t buf_len, size_t want_len);
int ljson_set_b64(struct json_object *obj, const char *key, const void *buf,
		  size_t len);

/* 1 when arr is an array holding the string s, else 0. */
int ljson_array_has_str(struct json_object *arr, const char *s);
/* Append s to array if absent / remove s from array. */
int ljson_array_add_str(struct json_object *arr, const char *s);
int ljson_array_del_str(struct json_object *arr, const char *s);

/* Lowest free numeric id in an object of "N" children. */
int ljson_free_id(struct json_object *obj);
/* Highest numeric id in the object, -1 when empty. */
int ljson_max_id(struct json_object *obj);

/* Compact serialization as cryptsetup writes it (plain, no slash escape). */
const char *ljson_to_string(struct json_object *obj);

#endif
