/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small JSON helpers shared by the reencryption segment code. */
#ifndef LUKS2_REENC_JSON_H
#define LUKS2_REENC_JSON_H

#include <stdio.h>
#include <string.h>

#include "luks2/json.h"

static inline void seg_add(struct json_object *segs, int *n, struct json_object *s)
{
	char k[12];

	snprintf(k, sizeof(k), "%d", (*n)++);
	json_object_object_add(segs, k, s);
}

static inline struct json_object *seg_copy(struct json_object *s)
{
	struct json_object *out = NULL;

	json_object_deep_copy(s, &out, NULL);
	return out;
}

static inline int seg_count(struct json_object *segs)
{
	return json_object_object_length(segs);
}

static inline int seg_is_type(struct json_object *s, const char *t)
{
	const char *x = ljson_get_str(s, "type");

	return x && !strcmp(x, t);
}

static inline int seg_in_reenc(struct json_object *hot)
{
	for (int i = 0; i < seg_count(hot); i++) {
		struct json_object *f = ljson_get(ljson_get_id(hot, i), "flags");

		if (ljson_array_has_str(f, "in-reencryption"))
			return i;
	}
	return -1;
}

#endif
