/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reenc_dm_status (luks2/reenc.h): what a dm device is, read back from the
 * kernel (info, live table with keys hidden, the helper devices under
 * it), and the helper lookup reenc_dm_close shares
 * (luks2/reenc_dm_internal.h).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "common/dm.h"
#include "common/log.h"
#include "luks2/reenc.h"
#include "luks2/reenc_dm_internal.h"

#define MAX_DEPS 16

int reenc_dm_is_helper(const char *name)
{
	static const char *const sfx[] = { "-overlay", "-hotzone-forward",
					   "-hotzone-backward" };
	size_t n = strlen(name), l;

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		l = strlen(sfx[i]);
		if (n > l && !strcmp(name + n - l, sfx[i]))
			return 1;
	}
	return 0;
}

int reenc_dm_luks2_uuid(const char *dm_uuid, char *uuid, size_t len)
{
	const char *h = dm_uuid + strlen(REENC_DM_LUKS2_PREFIX);
	int r;

	if (strncmp(dm_uuid, REENC_DM_LUKS2_PREFIX, strlen(REENC_DM_LUKS2_PREFIX)))
		return -ENODEV;
	for (int i = 0; i < 32; i++)
		if (!isxdigit((unsigned char)h[i]))
			return -ENODEV;
	if (h[32] != '-')
		return -ENODEV;
	r = snprintf(uuid, len, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
	return r < 0 || (size_t)r >= len ? -EINVAL : 0;
}

static int listed(char (*names)[LDM_NAME_LEN], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/* The subdevices among cur's dependencies, appended to names. */
static int add_deps(const char *cur, const char *prefix, char (*names)[LDM_NAME_LEN],
		    size_t *n, size_t max)
{
	char dmname[LDM_NAME_LEN];
	struct ldm_info info;
	dev_t devs[MAX_DEPS];
	int nd = ldm_deps(cur, devs, MAX_DEPS);

	if (nd < 0)
		return nd;
	for (int i = 0; i < nd; i++) {
		if (ldm_name(devs[i], dmname, sizeof(dmname)) < 0 ||
		    ldm_info(dmname, &info) < 0 ||
		    strncmp(info.uuid, prefix, strlen(prefix)) || listed(names, *n, dmname))
			continue;
		if (*n >= max)
			return -ENOSPC;
		snprintf(names[(*n)++], LDM_NAME_LEN, "%s", dmname);
	}
	return 0;
}

/* The helpers by name: between two hotzones the hotzone device is in no
 * table (the overlay maps the data device directly), yet it is NAME's. */
static int add_named(const char *name, const char *prefix, char (*names)[LDM_NAME_LEN],
		     size_t *n, size_t max)
{
	static const char *const sfx[] = { "-overlay", "-hotzone-forward",
					   "-hotzone-backward" };
	char h[LDM_NAME_LEN];
	struct ldm_info info;

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		if (snprintf(h, sizeof(h), "%s%s", name, sfx[i]) >= (int)sizeof(h) ||
		    ldm_info(h, &info) < 0 || strncmp(info.uuid, prefix, strlen(prefix)) ||
		    listed(names, *n, h))
			continue;
		if (*n >= max)
			return -ENOSPC;
		snprintf(names[(*n)++], LDM_NAME_LEN, "%s", h);
	}
	return 0;
}

int reenc_dm_subdevs(const char *name, const char *dm_uuid,
		     char (*names)[LDM_NAME_LEN], size_t max)
{
	char prefix[64];
	size_t n = 0, next = 0;
	int r;

	if (strncmp(dm_uuid, REENC_DM_LUKS2_PREFIX, strlen(REENC_DM_LUKS2_PREFIX)) ||
	    strlen(dm_uuid) < strlen(REENC_DM_LUKS2_PREFIX) + 32)
		return 0;
	snprintf(prefix, sizeof(prefix), "%s%.32s", REENC_DM_SUBDEV_PREFIX,
		 dm_uuid + strlen(REENC_DM_LUKS2_PREFIX));
	for (const char *cur = name; cur; cur = next < n ? names[next++] : NULL)
		if ((r = add_deps(cur, prefix, names, &n, max)) < 0)
			return r;
	r = add_named(name, prefix, names, &n, max);
	return r < 0 ? r : (int)n;
}

/* The next space-separated word of *p, NUL-terminated in place. */
static char *word(char **p)
{
	char *w = *p, *e;

	while (*w == ' ')
		w++;
	if (!*w)
		return NULL;
	e = strchr(w, ' ');
	if (e)
		*e++ = '\0';
	*p = e ? e : w + strlen(w);
	return w;
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v;

	if (!s)
		return 0;
	v = strtoull(s, &end, 10);
	return *end ? 0 : v;
}

/* Copies word w into the field f of size n; 1 when it did not fit. */
static int field(char *f, size_t n, const char *w)
{
	return (size_t)snprintf(f, n, "%s", w ? w : "") >= n;
}

/* "cipher key iv_offset dev offset [n opt...]" (lib/libdevmapper.c
 * get_dm_crypt_params) or "dev offset" (get_dm_linear_params). */
static int parse_params(struct reenc_dm_target *t, char *p, const char **keyword)
{
	const char *w, *key;
	int cut = 0;

	t->sector_size = 512;
	if (strcmp(t->type, "crypt")) {
		if (!strcmp(t->type, "linear")) {
			cut |= field(t->device, sizeof(t->device), word(&p));
			t->offset = num(word(&p));
		}
		return cut;
	}
	cut |= field(t->cipher, sizeof(t->cipher), word(&p));
	key = word(&p);
	if (keyword)
		*keyword = key;
	cut |= field(t->key, sizeof(t->key), !key ? "" : key[0] == ':' || !strcmp(key, "-") ?
		     key : "hex");
	t->iv_offset = num(word(&p));
	cut |= field(t->device, sizeof(t->device), word(&p));
	t->offset = num(word(&p));
	while ((w = word(&p)))
		if (!strncmp(w, "sector_size:", 12))
			t->sector_size = (uint32_t)num(w + 12);
	return cut;
}

int reenc_dm_parse_target(struct reenc_dm_target *t, char *line, const char **keyword)
{
	const char *w;

	memset(t, 0, sizeof(*t));
	if (keyword)
		*keyword = NULL;
	t->start = num(word(&line));
	t->length = num(word(&line));
	if (!(w = word(&line)))
		return -EINVAL;
	return field(t->type, sizeof(t->type), w) | parse_params(t, line, keyword);
}

static int read_table(const char *name, struct reenc_dm_status *st)
{
	char *text, *line, *next;
	int r = ldm_table(name, 0, 0, &text);

	if (r < 0)
		return r;
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (st->ntargets >= REENC_DM_MAX_TARGETS) {
			r = -E2BIG;
			break;
		}
		/* a field too long for the status is shown cut (r 1) */
		if ((r = reenc_dm_parse_target(&st->t[st->ntargets], line, NULL)) < 0)
			break;
		r = 0;
		st->size = st->t[st->ntargets].start + st->t[st->ntargets].length;
		st->ntargets++;
	}
	ldm_free_text(text);
	return r;
}

static void read_helpers(const char *name, struct reenc_dm_status *st)
{
	char names[REENC_DM_MAX_HELPERS][LDM_NAME_LEN];
	struct ldm_info info;
	int n = reenc_dm_subdevs(name, st->dm_uuid, names, REENC_DM_MAX_HELPERS);

	for (int i = 0; i < n; i++) {
		if (!reenc_dm_is_helper(names[i]))
			continue;
		snprintf(st->helper[st->nhelpers], sizeof(st->helper[0]), "%.127s", names[i]);
		st->helper_suspended[st->nhelpers++] = ldm_info(names[i], &info) == 0 &&
						       info.suspended;
	}
}

int reenc_dm_status(const char *name, struct reenc_dm_status *st)
{
	struct ldm_info info;
	int r;

	memset(st, 0, sizeof(*st));
	if (!name || !name[0] || strlen(name) >= sizeof(st->name) || strchr(name, '/'))
		return -EINVAL;
	r = ldm_info(name, &info);
	if (r == -ENODEV) {
		log_verbose("device %s is not active", name);
		return r;
	}
	if (r < 0)
		return r;
	snprintf(st->name, sizeof(st->name), "%s", name);
	snprintf(st->dm_uuid, sizeof(st->dm_uuid), "%s", info.uuid);
	if (reenc_dm_luks2_uuid(info.uuid, st->uuid, sizeof(st->uuid)) == 0)
		snprintf(st->type, sizeof(st->type), "LUKS2");
	st->suspended = info.suspended;
	st->read_only = info.read_only;
	st->open_count = info.open_count;
	st->major = info.major;
	st->minor = info.minor;
	if (info.live_table && (r = read_table(name, st)) < 0)
		return r;
	if (st->type[0])
		read_helpers(name, st);
	return 0;
}
