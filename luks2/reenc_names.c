/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The names of modes, directions, resilience types and states, as the
 * metadata (doc/format.md §3.1) and luks2-status spell them; parsed once
 * into the enums of luks2/reenc.h. */
#include <errno.h>
#include <string.h>

#include "luks2/reenc.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const modes[] = { "reencrypt", "encrypt", "decrypt" };
static const char *const directions[] = { "forward", "backward" };
static const char *const res[] = {
	"none", "checksum", "journal", "datashift", "datashift-checksum",
	"datashift-journal", "unknown",
};
static const char *const states[] = {
	"none", "clean", "crash", "repair-needed", "invalid",
};

static const char *name(const char *const *t, size_t n, unsigned i)
{
	return i < n ? t[i] : "unknown";
}

/* Only the first `known` names parse. */
static int parse(const char *const *t, size_t known, const char *s, unsigned *out)
{
	for (size_t i = 0; s && i < known; i++)
		if (!strcmp(s, t[i])) {
			*out = (unsigned)i;
			return 0;
		}
	return -EINVAL;
}

const char *reenc_mode_name(enum reenc_mode m) { return name(modes, N(modes), m); }
const char *reenc_direction_name(enum reenc_direction d) { return name(directions, N(directions), d); }
const char *reenc_res_name(enum reenc_res r) { return name(res, N(res), r); }
const char *reenc_state_name(enum reenc_state s) { return name(states, N(states), s); }

int reenc_mode_parse(const char *s, enum reenc_mode *m)
{
	unsigned v;
	int r = parse(modes, N(modes), s, &v);

	if (!r)
		*m = (enum reenc_mode)v;
	return r;
}

int reenc_direction_parse(const char *s, enum reenc_direction *d)
{
	unsigned v;
	int r = parse(directions, N(directions), s, &v);

	if (!r)
		*d = (enum reenc_direction)v;
	return r;
}

int reenc_res_parse(const char *s, enum reenc_res *r)
{
	unsigned v;
	int rc = parse(res, REENC_RES_UNKNOWN, s, &v);

	if (!rc)
		*r = (enum reenc_res)v;
	return rc;
}
