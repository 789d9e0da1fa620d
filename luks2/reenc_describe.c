/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What luks2-status prints: every field of the header and of the
 * reencryption state as escaped key=value pairs in a stable order, or as
 * one JSON object (luks2/reenc.h reenc_describe, reenc_describe_json). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luks2/json.h"
#include "luks2/reenc_internal.h"

/* Metadata strings are never printed raw: \\ and \xNN for the rest. */
static char *escape(const char *s)
{
	char *out = malloc(strlen(s) * 4 + 1), *p = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			p += sprintf(p, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			p += sprintf(p, "\\x%02x", c);
		else
			*p++ = (char)c;
	}
	*p = '\0';
	return out;
}

/* The caller's callback and the first error: after one, nothing more is
 * emitted. */
struct describer {
	int (*emit)(void *arg, const char *key, const char *val);
	void *arg;
	int r;
};

static void put(struct describer *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void put(struct describer *w, const char *key, const char *fmt, ...)
{
	char *raw, *val;
	va_list ap;
	int n;

	if (w->r < 0)
		return;
	va_start(ap, fmt);
	n = vasprintf(&raw, fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->r = -ENOMEM;
		return;
	}
	val = escape(raw);
	free(raw);
	if (!val) {
		w->r = -ENOMEM;
		return;
	}
	n = w->emit(w->arg, key, val);
	free(val);
	if (n < 0)
		w->r = n;
}

static void describe_keyslots(struct luks2_hdr *hdr, struct describer *w)
{
	char k[48];

	json_object_object_foreach(ljson_get(hdr->jobj, "keyslots"), name, ks) {
		struct json_object *kdf = ljson_get(ks, "kdf");
		const char *t = ljson_get_str(ks, "type");

		snprintf(k, sizeof(k), "keyslot.%s.type", name);
		put(w, k, "%s", t ? t : "");
		snprintf(k, sizeof(k), "keyslot.%s.key_size", name);
		put(w, k, "%d", json_object_get_int(ljson_get(ks, "key_size")));
		if (kdf) {
			snprintf(k, sizeof(k), "keyslot.%s.kdf", name);
			put(w, k, "%s", ljson_get_str(kdf, "type") ? ljson_get_str(kdf, "type") : "");
		}
		snprintf(k, sizeof(k), "keyslot.%s.digest", name);
		put(w, k, "%d", luks2_digest_by_keyslot(hdr, ljson_id(name)));
	}
}

static void describe_segments(struct luks2_hdr *hdr, struct describer *w)
{
	static const char *const types[] = { "linear", "crypt", "other" };
	struct luks2_segment s;
	char k[48];

	for (int id = 0; luks2_segment_get(hdr, id, &s) == 0; id++) {
		const char *flags = json_object_to_json_string_ext(
			ljson_get(ljson_get_id(ljson_get(hdr->jobj, "segments"), id), "flags"),
			JSON_C_TO_STRING_PLAIN);

		snprintf(k, sizeof(k), "segment.%d.type", id);
		put(w, k, "%s", types[s.type]);
		snprintf(k, sizeof(k), "segment.%d.offset", id);
		put(w, k, "%ju", (uintmax_t)s.offset);
		snprintf(k, sizeof(k), "segment.%d.size", id);
		if (s.size == LUKS2_DYNAMIC)
			put(w, k, "dynamic");
		else
			put(w, k, "%ju", (uintmax_t)s.size);
		if (s.type == SEG_CRYPT) {
			snprintf(k, sizeof(k), "segment.%d.encryption", id);
			put(w, k, "%s", s.cipher);
			snprintf(k, sizeof(k), "segment.%d.sector_size", id);
			put(w, k, "%u", s.sector_size);
			snprintf(k, sizeof(k), "segment.%d.iv_tweak", id);
			put(w, k, "%ju", (uintmax_t)s.iv_tweak);
		}
		snprintf(k, sizeof(k), "segment.%d.flags", id);
		put(w, k, "%s", strcmp(flags, "null") ? flags : "");
	}
}

/* "running" when a live process holds the reencryption lock. */
static const char *state_name(const struct reenc_status *st)
{
	return st->running ? "running" : reenc_state_name(st->state);
}

/* mode, direction, resilience: empty without a reencrypt keyslot */
static const char *param(const struct reenc_status *st, const char *name)
{
	return st->keyslot < 0 ? "" : name;
}

static void describe_state(const struct reenc_status *st, struct describer *w)
{
	put(w, "state", "%s", state_name(st));
	put(w, "mode", "%s", param(st, reenc_mode_name(st->mode)));
	put(w, "direction", "%s", param(st, reenc_direction_name(st->direction)));
	put(w, "resilience", "%s", param(st, reenc_res_name(st->resilience)));
	put(w, "progress_bytes", "%ju", (uintmax_t)st->progress);
	put(w, "total_bytes", "%ju", (uintmax_t)st->total);
	if (st->why[0])
		put(w, "reason", "%s", st->why);
}

int reenc_describe(struct reenc_dev *dev, const struct reenc_status *st,
		   int (*emit)(void *arg, const char *key, const char *val), void *arg)
{
	struct describer w = { emit, arg, 0 };
	struct luks2_dev *d = &dev->d;
	struct luks2_hdr *h = &d->hdr;
	struct json_object *req = ljson_get(ljson_get(ljson_get(h->jobj, "config"),
						      "requirements"), "mandatory");

	put(&w, "device", "%s", d->path);
	put(&w, "header", "%s", d->hdr_path);
	put(&w, "uuid", "%s", h->uuid);
	put(&w, "label", "%s", h->label);
	put(&w, "subsystem", "%s", h->subsystem);
	put(&w, "seqid", "%ju", (uintmax_t)h->seqid);
	put(&w, "hdr_size", "%ju", (uintmax_t)h->hdr_size);
	put(&w, "checksum_alg", "%s", h->checksum_alg);
	put(&w, "primary", "%s", h->copy[0].ok ? "ok" : h->copy[0].why);
	put(&w, "secondary", "%s", h->copy[1].ok ? "ok" : h->copy[1].why);
	put(&w, "keyslots_size", "%ju", (uintmax_t)luks2_keyslots_size(h));
	put(&w, "data_offset", "%ju", (uintmax_t)luks2_data_offset(h));
	put(&w, "device_size", "%ju", (uintmax_t)d->size);
	put(&w, "requirements", "%s", req ? json_object_to_json_string_ext(req,
		JSON_C_TO_STRING_PLAIN) : "");
	describe_state(st, &w);
	describe_keyslots(h, &w);
	describe_segments(h, &w);
	return w.r;
}

static struct json_object *state_json(const struct reenc_status *st)
{
	struct json_object *re = json_object_new_object();

	if (!re)
		return NULL;
	ljson_set_str(re, "state", state_name(st));
	ljson_set_str(re, "mode", param(st, reenc_mode_name(st->mode)));
	ljson_set_str(re, "direction", param(st, reenc_direction_name(st->direction)));
	ljson_set_str(re, "resilience", param(st, reenc_res_name(st->resilience)));
	ljson_set_int(re, "progress_bytes", (int64_t)st->progress);
	ljson_set_int(re, "total_bytes", (int64_t)st->total);
	if (st->why[0])
		ljson_set_str(re, "reason", st->why);
	return re;
}

char *reenc_describe_json(struct reenc_dev *dev, const struct reenc_status *st)
{
	struct json_object *o = json_object_new_object(), *re = state_json(st);
	struct luks2_dev *d = &dev->d;
	struct luks2_hdr *h = &d->hdr;
	const char *out;
	char *s = NULL;

	if (o && re) {
		ljson_set_str(o, "device", d->path);
		ljson_set_str(o, "header", d->hdr_path);
		ljson_set_str(o, "uuid", h->uuid);
		ljson_set_str(o, "label", h->label);
		ljson_set_str(o, "subsystem", h->subsystem);
		ljson_set_int(o, "seqid", (int64_t)h->seqid);
		ljson_set_int(o, "hdr_size", (int64_t)h->hdr_size);
		ljson_set_str(o, "checksum_alg", h->checksum_alg);
		ljson_set_str(o, "primary", h->copy[0].ok ? "ok" : h->copy[0].why);
		ljson_set_str(o, "secondary", h->copy[1].ok ? "ok" : h->copy[1].why);
		ljson_set_int(o, "device_size", (int64_t)d->size);
		json_object_object_add(o, "metadata", json_object_get(h->jobj));
		json_object_object_add(o, "reencrypt", re);
		re = NULL;
		out = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
		s = out ? strdup(out) : NULL;
	}
	json_object_put(re);
	json_object_put(o);
	return s;
}
