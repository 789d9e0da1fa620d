/* SPDX-License-Identifier: GPL-2.0-or-later */
/* State and helpers of the validator (validate_util.c); not a public API. */
#ifndef LUKS2_VALIDATE_UTIL_H
#define LUKS2_VALIDATE_UTIL_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

struct luks2_vctx {
	struct json_object *root;
	struct json_object *keyslots;
	struct json_object *segments;
	struct json_object *digests;
	uint64_t hdr_size;	/* of the copy being validated, from the caller */
	uint64_t metadata_size;	/* config.json_size + 4096 */
	uint64_t keyslots_size;	/* config.keyslots_size */
	int online;		/* a known online-reencrypt flag (v1, v2, v3) */
	int candidate;		/* any "online-reencrypt[-vN]" flag */
	char *why;
	size_t why_len;
};

/* Formats the reason into c->why (one line) and returns -EINVAL. */
int luks2_vfail(struct luks2_vctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Segment flag equal to flag, or starting with it when prefix > 0. */
int luks2_vhas_flag(struct json_object *seg, const char *flag, size_t prefix);

#endif
