/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pieces of a new reencryption's metadata: the reencrypt keyslot, the
 * requirement flag, a fresh header for in-place encryption, and the new
 * keyslots of the passphrases. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "common/crypto_backend/crypto_backend.h"
#include "common/log.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"

int reenc_add_keyslot(struct luks2_hdr *hdr, int id, enum reenc_mode mode,
		      int backward, enum reenc_res res, const char *hash,
		      uint32_t block, uint64_t shift)
{
	struct json_object *ks, *area;
	uint64_t off, size;
	char name[12];
	int r;

	if (res == REENC_RES_DATASHIFT)
		r = luks2_area_find(hdr, 4096, 0, &off, &size);
	else
		r = luks2_area_find(hdr, 4096, 1, &off, &size);
	if (r < 0)
		return r;
	area = json_object_new_object();
	ljson_set_str(area, "type", reenc_res_name(res));
	ljson_set_u64(area, "offset", off);
	ljson_set_u64(area, "size", size);
	if (res == REENC_RES_CHECKSUM || res == REENC_RES_DS_CHECKSUM) {
		ljson_set_str(area, "hash", hash);
		ljson_set_int(area, "sector_size", block);
	}
	if (res == REENC_RES_DATASHIFT || res == REENC_RES_DS_CHECKSUM || res == REENC_RES_DS_JOURNAL)
		ljson_set_u64(area, "shift_size", shift);
	ks = json_object_new_object();
	json_object_object_add(ks, "area", area);
	ljson_set_str(ks, "type", "reencrypt");
	ljson_set_int(ks, "key_size", 1);
	ljson_set_str(ks, "mode", reenc_mode_name(mode));
	ljson_set_str(ks, "direction", reenc_direction_name(backward ? REENC_BACKWARD : REENC_FORWARD));
	ljson_set_int(ks, "priority", 0);
	snprintf(name, sizeof(name), "%d", id);
	json_object_object_add(ljson_get(hdr->jobj, "keyslots"), name, ks);
	return 0;
}

void reenc_segment_flag(struct json_object *seg, const char *flag)
{
	struct json_object *f = ljson_get(seg, "flags");

	if (!json_object_is_type(f, json_type_array)) {
		f = json_object_new_array();
		json_object_object_add(seg, "flags", f);
	}
	ljson_array_add_str(f, flag);
}

void reenc_set_flag(struct luks2_hdr *hdr, int version)
{
	struct json_object *cfg = ljson_get(hdr->jobj, "config"), *req, *m, *keep;
	char flag[32];
	const char *s;

	req = ljson_get(cfg, "requirements");
	m = ljson_get(req, "mandatory");
	keep = json_object_new_array();
	for (size_t i = 0; m && i < json_object_array_length(m); i++) {
		s = json_object_get_string(json_object_array_get_idx(m, i));
		if (s && strncmp(s, "online-reencrypt", 16))
			json_object_array_add(keep, json_object_new_string(s));
	}
	if (version) {
		snprintf(flag, sizeof(flag), "online-reencrypt-v%d", version);
		json_object_array_add(keep, json_object_new_string(flag));
	}
	if (!json_object_array_length(keep)) {
		json_object_put(keep);
		if (req)
			json_object_object_del(cfg, "requirements");
		return;
	}
	if (!req) {
		req = json_object_new_object();
		json_object_object_add(cfg, "requirements", req);
	}
	json_object_object_add(req, "mandatory", keep);
}

int luks2_hdr_format(struct luks2_hdr *hdr, const struct luks2_format *f)
{
	struct json_object *cfg;
	uuid_t u;

	memset(hdr, 0, sizeof(*hdr));
	hdr->hdr_size = f->hdr_size ? f->hdr_size : 16384;
	if (f->uuid) {
		if (uuid_parse(f->uuid, u) < 0)
			return -EINVAL;
	} else {
		uuid_generate(u);
	}
	uuid_unparse_lower(u, hdr->uuid);
	snprintf(hdr->checksum_alg, sizeof(hdr->checksum_alg), "sha256");
	if (luks2_hdr_set_label(hdr, f->label, f->subsystem) < 0)
		return -EINVAL;
	if (crypt_backend_rng(hdr->salt[0], 64) < 0 || crypt_backend_rng(hdr->salt[1], 64) < 0)
		return -EIO;
	hdr->jobj = json_object_new_object();
	json_object_object_add(hdr->jobj, "keyslots", json_object_new_object());
	json_object_object_add(hdr->jobj, "tokens", json_object_new_object());
	json_object_object_add(hdr->jobj, "segments", json_object_new_object());
	json_object_object_add(hdr->jobj, "digests", json_object_new_object());
	cfg = json_object_new_object();
	ljson_set_u64(cfg, "json_size", hdr->hdr_size - LUKS2_HDR_BIN_LEN);
	ljson_set_u64(cfg, "keyslots_size", f->keyslots_size);
	json_object_object_add(hdr->jobj, "config", cfg);
	return 0;
}

static void pbkdf_from_json(struct json_object *kdf, struct luks2_pbkdf *p)
{
	const char *t = ljson_get_str(kdf, "type");

	memset(p, 0, sizeof(*p));
	p->type = t ? t : "argon2id";
	p->hash = ljson_get_str(kdf, "hash");
	if (!p->hash)
		p->hash = "sha256";
	if (!strcmp(p->type, "pbkdf2")) {
		ljson_get_u32(kdf, "iterations", &p->iterations);
	} else {
		ljson_get_u32(kdf, "time", &p->iterations);
		ljson_get_u32(kdf, "memory", &p->memory_kb);
		ljson_get_u32(kdf, "cpus", &p->parallel);
	}
}

/* The PBKDF of new keyslot i: the caller's, or its old keyslot's. */
static int new_pbkdf(const struct reenc_init_args *a, const struct reenc_init_slots *s,
		     int i, struct luks2_pbkdf *p)
{
	if ((a->p->flags & REENC_INIT_PBKDF) || !s->old_kdf || !s->old_kdf[i]) {
		*p = a->pbkdf;
		return 0;
	}
	pbkdf_from_json((struct json_object *)s->old_kdf[i], p);
	return 1;
}

int reenc_init_keyslots(struct luks2_dev *d, int digest, const struct volume_key *vk,
			const struct reenc_init_args *a, const struct reenc_init_slots *s)
{
	struct luks2_pbkdf p;
	char why[96];

	/* every keyslot's PBKDF first: a refusal must come before any write */
	for (int i = 0; i < s->count; i++) {
		if (new_pbkdf(a, s, i, &p) && luks2_pbkdf_check(&p, why, sizeof(why)) < 0) {
			log_err("keyslot %d: %s; give --pbkdf options for its new keyslot",
				s->old_ks ? s->old_ks[i] : i, why);
			return -EINVAL;
		}
	}
	for (int i = 0; i < s->count; i++) {
		const struct reenc_secret *pass = &a->p->pass[s->pass_of[i]];
		int id = ljson_free_id(ljson_get(d->hdr.jobj, "keyslots")), r;

		new_pbkdf(a, s, i, &p);
		if (id >= LUKS2_KEYSLOTS_MAX)
			return -ENOSPC;
		r = luks2_keyslot_create(d, id, digest, vk, pass->data, pass->len, &p,
					 s->cipher, s->cipher_key_len);
		if (r < 0) {
			log_err("cannot create keyslot %d: %s", id, strerror(-r));
			return r;
		}
		if (s->old_ks)
			luks2_tokens_keyslot(&d->hdr, s->old_ks[i], id);
		log_verbose("new keyslot %d (passphrase %d, %s)", id, s->pass_of[i] + 1, p.type);
	}
	return 0;
}
