/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-status output: stable key=value lines and the JSON object. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets/status_kv.h"
#include "common/log.h"
#include "luks2/json.h"

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

static int kv_add(struct kv_list *kv, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int kv_add(struct kv_list *kv, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *raw;
	int n;

	if (kv->n == kv->cap) {
		struct kv *v = realloc(kv->v, sizeof(*v) * (kv->cap + 32));

		if (!v)
			return -ENOMEM;
		kv->v = v;
		kv->cap += 32;
	}
	va_start(ap, fmt);
	n = vasprintf(&raw, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	snprintf(kv->v[kv->n].key, sizeof(kv->v[0].key), "%s", key);
	kv->v[kv->n].val = escape(raw);
	free(raw);
	if (!kv->v[kv->n].val)
		return -ENOMEM;
	kv->n++;
	return 0;
}

static void collect_keyslots(struct luks2_hdr *hdr, struct kv_list *kv)
{
	char k[48];

	json_object_object_foreach(ljson_get(hdr->jobj, "keyslots"), name, ks) {
		struct json_object *kdf = ljson_get(ks, "kdf");
		const char *t = ljson_get_str(ks, "type");

		snprintf(k, sizeof(k), "keyslot.%s.type", name);
		kv_add(kv, k, "%s", t ? t : "");
		snprintf(k, sizeof(k), "keyslot.%s.key_size", name);
		kv_add(kv, k, "%d", json_object_get_int(ljson_get(ks, "key_size")));
		if (kdf) {
			snprintf(k, sizeof(k), "keyslot.%s.kdf", name);
			kv_add(kv, k, "%s", json_object_get_string(ljson_get(kdf, "type")));
		}
		snprintf(k, sizeof(k), "keyslot.%s.digest", name);
		kv_add(kv, k, "%d", luks2_digest_by_keyslot(hdr, atoi(name)));
	}
}

static void collect_segments(struct luks2_hdr *hdr, struct kv_list *kv)
{
	static const char *const types[] = { "linear", "crypt", "other" };
	struct luks2_segment s;
	char k[48];

	for (int id = 0; luks2_segment_get(hdr, id, &s) == 0; id++) {
		const char *flags = json_object_to_json_string_ext(
			ljson_get(ljson_get_id(ljson_get(hdr->jobj, "segments"), id), "flags"),
			JSON_C_TO_STRING_PLAIN);

		snprintf(k, sizeof(k), "segment.%d.type", id);
		kv_add(kv, k, "%s", types[s.type]);
		snprintf(k, sizeof(k), "segment.%d.offset", id);
		kv_add(kv, k, "%ju", (uintmax_t)s.offset);
		snprintf(k, sizeof(k), "segment.%d.size", id);
		if (s.size == LUKS2_DYNAMIC)
			kv_add(kv, k, "dynamic");
		else
			kv_add(kv, k, "%ju", (uintmax_t)s.size);
		if (s.type == SEG_CRYPT) {
			snprintf(k, sizeof(k), "segment.%d.encryption", id);
			kv_add(kv, k, "%s", s.cipher);
			snprintf(k, sizeof(k), "segment.%d.sector_size", id);
			kv_add(kv, k, "%u", s.sector_size);
			snprintf(k, sizeof(k), "segment.%d.iv_tweak", id);
			kv_add(kv, k, "%ju", (uintmax_t)s.iv_tweak);
		}
		snprintf(k, sizeof(k), "segment.%d.flags", id);
		kv_add(kv, k, "%s", strcmp(flags, "null") ? flags : "");
	}
}

static const char *state_name(const struct reenc_status *ri, int running)
{
	return running ? "running" : reenc_state_name(ri->state);
}

int status_collect(struct luks2_dev *d, const struct reenc_status *ri, int running,
		   struct kv_list *kv)
{
	struct luks2_hdr *h = &d->hdr;
	struct json_object *req = ljson_get(ljson_get(ljson_get(h->jobj, "config"),
						      "requirements"), "mandatory");

	kv_add(kv, "device", "%s", d->path);
	kv_add(kv, "header", "%s", d->hdr_path);
	kv_add(kv, "uuid", "%s", h->uuid);
	kv_add(kv, "label", "%s", h->label);
	kv_add(kv, "subsystem", "%s", h->subsystem);
	kv_add(kv, "seqid", "%ju", (uintmax_t)h->seqid);
	kv_add(kv, "hdr_size", "%ju", (uintmax_t)h->hdr_size);
	kv_add(kv, "checksum_alg", "%s", h->checksum_alg);
	kv_add(kv, "primary", "%s", h->copy[0].ok ? "ok" : h->copy[0].why);
	kv_add(kv, "secondary", "%s", h->copy[1].ok ? "ok" : h->copy[1].why);
	kv_add(kv, "keyslots_size", "%ju", (uintmax_t)luks2_keyslots_size(h));
	kv_add(kv, "data_offset", "%ju", (uintmax_t)luks2_data_offset(h));
	kv_add(kv, "device_size", "%ju", (uintmax_t)d->size);
	kv_add(kv, "requirements", "%s", req ? json_object_to_json_string_ext(req,
		JSON_C_TO_STRING_PLAIN) : "");
	kv_add(kv, "state", "%s", state_name(ri, running));
	kv_add(kv, "mode", "%s", ri->keyslot < 0 ? "" : reenc_mode_name(ri->mode));
	kv_add(kv, "direction", "%s", ri->keyslot < 0 ? "" : reenc_direction_name(ri->direction));
	kv_add(kv, "resilience", "%s", ri->keyslot < 0 ? "" : reenc_res_name(ri->resilience));
	kv_add(kv, "progress_bytes", "%ju", (uintmax_t)ri->progress);
	kv_add(kv, "total_bytes", "%ju", (uintmax_t)ri->total);
	if (ri->why[0])
		kv_add(kv, "reason", "%s", ri->why);
	collect_keyslots(h, kv);
	collect_segments(h, kv);
	return 0;
}

int kv_print_all(const struct kv_list *kv)
{
	for (int i = 0; i < kv->n; i++)
		printf("%s=%s\n", kv->v[i].key, kv->v[i].val);
	return 0;
}

int kv_print_keys(const struct kv_list *kv, const char *keys)
{
	char *dup = strdup(keys), *save = NULL, *k;
	int i, r = 0;

	if (!dup)
		return -ENOMEM;
	/* check every key first: a script gets all values or none */
	for (int pass = 0; pass < 2 && !r; pass++) {
		strcpy(dup, keys);
		for (k = strtok_r(dup, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
			for (i = 0; i < kv->n && strcmp(kv->v[i].key, k); i++)
				;
			if (i == kv->n) {
				log_err("unknown key '%s'", k);
				r = -ENOENT;
				break;
			}
			if (pass)
				printf("%s\n", kv->v[i].val);
		}
	}
	free(dup);
	return r;
}

void kv_free(struct kv_list *kv)
{
	for (int i = 0; i < kv->n; i++)
		free(kv->v[i].val);
	free(kv->v);
	kv->v = NULL;
	kv->n = kv->cap = 0;
}

int status_print_json(struct luks2_dev *d, const struct reenc_status *ri, int running)
{
	struct json_object *o = json_object_new_object(), *re = json_object_new_object();
	struct luks2_hdr *h = &d->hdr;

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
	ljson_set_str(re, "state", state_name(ri, running));
	ljson_set_str(re, "mode", ri->keyslot < 0 ? "" : reenc_mode_name(ri->mode));
	ljson_set_str(re, "direction", ri->keyslot < 0 ? "" : reenc_direction_name(ri->direction));
	ljson_set_str(re, "resilience", ri->keyslot < 0 ? "" : reenc_res_name(ri->resilience));
	ljson_set_int(re, "progress_bytes", (int64_t)ri->progress);
	ljson_set_int(re, "total_bytes", (int64_t)ri->total);
	if (ri->why[0])
		ljson_set_str(re, "reason", ri->why);
	json_object_object_add(o, "reencrypt", re);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}
