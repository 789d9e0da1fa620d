// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers shared by validate.c and validate_keyslots.c: the one-line reason
 * of a failed rule and the segment flag lookup. validate.c calls
 * validate_keyslots.c, both call this file, and this file calls neither.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "luks2/json.h"
#include "luks2/validate_util.h"

int luks2_vfail(struct luks2_vctx *c, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (c->why && c->why_len) {
		va_start(ap, fmt);
		vsnprintf(c->why, c->why_len, fmt, ap);
		va_end(ap);
		/* Names come from the device: keep the reason on one line. */
		for (p = c->why; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return -EINVAL;
}

int luks2_vhas_flag(struct json_object *seg, const char *flag, size_t prefix)
{
	struct json_object *flags = ljson_get_type(seg, "flags", json_type_array);
	struct json_object *el;
	size_t i, n;

	n = flags ? json_object_array_length(flags) : 0;
	for (i = 0; i < n; i++) {
		el = json_object_array_get_idx(flags, i);
		if (!json_object_is_type(el, json_type_string))
			continue;
		if (prefix ? !strncmp(json_object_get_string(el), flag, prefix) :
			     !strcmp(json_object_get_string(el), flag))
			return 1;
	}
	return 0;
}
