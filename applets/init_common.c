/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-init-reencrypt helpers shared by the reencrypt/encrypt/decrypt modes. */
#include <blkid/blkid.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "applets/init.h"
#include "common/io.h"
#include "common/log.h"
#include "common/size.h"
#include "luks2/json.h"

int init_resilience(const struct init_opts *o, enum reenc_res def, enum reenc_res *res)
{
	if (!o->resilience) {
		*res = def;
		return 0;
	}
	if (reenc_res_parse(o->resilience, res) < 0 || *res > REENC_RES_JOURNAL) {
		log_err("--resilience must be checksum, journal or none (datashift is implied "
			"by the operation)");
		return -EINVAL;
	}
	return 0;
}

int init_cipher_check(const char *cipher, size_t key_len, uint32_t sector)
{
	struct crypt_storage *st = NULL;
	uint8_t key[128] = { 0 };
	int r;

	if (key_len == 0 || key_len > sizeof(key))
		r = -EINVAL;
	else
		r = crypt_storage_init(&st, sector, cipher, key, key_len);
	crypt_storage_destroy(st);
	if (r < 0)
		log_err("cipher %s with a %zu-bit key and %u-byte sectors is not available: %s",
			cipher, key_len * 8, sector, strerror(-r));
	return r;
}

int init_check_device_size(const struct init_opts *o, uint64_t avail, uint64_t block)
{
	if (!o->devsize_given)
		return 0;
	if (o->device_size > avail) {
		log_err("--device-size %ju is larger than the %ju bytes of data on the device",
			(uintmax_t)o->device_size, (uintmax_t)avail);
		return -EINVAL;
	}
	if (o->device_size % block) {
		log_err("--device-size must be a multiple of %ju bytes (encryption sector)",
			(uintmax_t)block);
		return -EINVAL;
	}
	return 0;
}

int init_keyslots_fit(uint64_t ks_size, size_t key_len, int n)
{
	/* the keyslots, and 4 KiB at least for the reencryption area */
	uint64_t need = (uint64_t)n * size_round_up(luks2_af_size(key_len), 4096) + 4096;

	if (ks_size >= need)
		return 0;
	log_err("the keyslots area (%ju bytes) has no room for %d keyslot%s of %zu-bit keys "
		"and the reencryption area (%ju bytes); give a larger --reduce-device-size or "
		"--luks2-keyslots-size",
		(uintmax_t)ks_size, n, n > 1 ? "s" : "", key_len * 8, (uintmax_t)need);
	return -EINVAL;
}

uint64_t init_alignment(int fd, uint32_t a, uint32_t b)
{
	uint64_t bs = 512;

	io_logical_block(fd, &bs);
	if (a > bs)
		bs = a;
	if (b > bs)
		bs = b;
	return bs;
}

/* Count the LUKS headers (either version, valid or not) blkid finds. */
static int luks_signatures(const char *path)
{
	static const char *const luks[] = { "crypto_LUKS", NULL };
	blkid_probe pr = blkid_new_probe_from_filename(path);
	int n = 0, r;

	if (!pr)
		return -EINVAL;
	blkid_probe_enable_partitions(pr, 0);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	r = blkid_probe_filter_superblocks_type(pr, BLKID_FLTR_ONLYIN, (char **)luks);
	while (!r && (r = blkid_do_probe(pr)) == 0)
		n++;
	blkid_free_probe(pr);
	return r < 0 ? -EINVAL : n;
}

/* Name what the plaintext holds, so the log says what is being encrypted. */
static void report_signatures(const char *path)
{
	blkid_probe pr = blkid_new_probe_from_filename(path);
	const char *type;

	if (!pr)
		return;
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	while (blkid_do_probe(pr) == 0) {
		if (blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0)
			log_info("%s: %s signature found; encrypting it in place", path, type);
		else if (blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL) == 0)
			log_info("%s: %s partition table found; encrypting it in place",
				 path, type);
	}
	blkid_free_probe(pr);
}

/* In-place encryption exists to keep what the device holds: a file system
 * or a partition table is encrypted with it. Only a LUKS header (either
 * version, valid or broken) is refused, as cryptsetup 2.6.1 does in
 * src/utils_reencrypt.c _encrypt() (load_luks(), then
 * check_broken_luks_signature()): encrypting it would nest or destroy it.
 * cryptsetup's questions are about the header file it writes, not about
 * the data; this applet never asks (it acts as cryptsetup --batch-mode). */
int init_no_signature(const char *path)
{
	int n = luks_signatures(path);

	if (n < 0) {
		log_err("cannot probe %s for signatures", path);
		return n;
	}
	if (n > 0) {
		log_err("%s already holds a LUKS header; refusing to encrypt it", path);
		return -EEXIST;
	}
	report_signatures(path);
	return 0;
}

int init_finish_metadata(struct luks2_dev *d, enum reenc_mode mode, int backward,
			 enum reenc_res res, const struct init_opts *o, uint32_t block,
			 uint64_t shift, int version, const struct volume_key *vk_old,
			 const struct volume_key *vk_new)
{
	const char *hash = o->res_hash ? o->res_hash : "sha256";
	int id = ljson_free_id(ljson_get(d->hdr.jobj, "keyslots")), r;

	if ((res == REENC_RES_CHECKSUM || res == REENC_RES_DS_CHECKSUM) && crypt_hash_size(hash) <= 0) {
		log_err("resilience hash %s is not available", hash);
		return -EINVAL;
	}
	if (id >= LUKS2_KEYSLOTS_MAX) {
		log_err("all keyslots are in use; one is needed for the reencryption");
		return -ENOSPC;
	}
	r = reenc_add_keyslot(&d->hdr, id, mode, backward, res, hash, block, shift);
	if (r < 0) {
		log_err("no room for the reencryption keyslot area");
		return r;
	}
	reenc_set_flag(&d->hdr, version);
	r = reenc_digest_create(&d->hdr, version, vk_old, vk_new,
				      o->force_iter ? 1000 : 0);
	if (r < 0) {
		log_err("cannot create the reencryption digest: %s", strerror(-r));
		return r;
	}
	return luks2_hdr_write(d->hdr_fd, &d->hdr);
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

int init_new_keyslots(struct luks2_dev *d, int digest, const struct volume_key *vk,
		      const struct init_opts *o, const struct passlist *pl,
		      const int *pass_of, const int *old_ks,
		      const struct json_object *const *old_kdf, int count, const char *cipher,
		      size_t cipher_key_len)
{
	struct luks2_pbkdf p;
	char why[96];
	int id, r;

	/* every keyslot's PBKDF first: a refusal must come before any write */
	for (int i = 0; i < count; i++) {
		if (o->pbkdf_given || !old_kdf || !old_kdf[i])
			continue;
		pbkdf_from_json((struct json_object *)old_kdf[i], &p);
		if (luks2_pbkdf_check(&p, why, sizeof(why)) < 0) {
			log_err("keyslot %d: %s; give --pbkdf options for its new keyslot",
				old_ks ? old_ks[i] : i, why);
			return -EINVAL;
		}
	}
	for (int i = 0; i < count; i++) {
		if (o->pbkdf_given || !old_kdf || !old_kdf[i])
			p = o->pbkdf;
		else
			pbkdf_from_json((struct json_object *)old_kdf[i], &p);
		id = ljson_free_id(ljson_get(d->hdr.jobj, "keyslots"));
		if (id >= LUKS2_KEYSLOTS_MAX)
			return -ENOSPC;
		r = luks2_keyslot_create(d, id, digest, vk, pl->p[pass_of[i]],
					 pl->len[pass_of[i]], &p, cipher, cipher_key_len);
		if (r < 0) {
			log_err("cannot create keyslot %d: %s", id, strerror(-r));
			return r;
		}
		if (old_ks)
			luks2_tokens_keyslot(&d->hdr, old_ks[i], id);
		log_verbose("new keyslot %d (passphrase %d, %s)", id, pass_of[i] + 1, p.type);
	}
	return 0;
}
