/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A new resilience mode for a reencryption in progress, as cryptsetup
 * 2.6.1 allows it on resume (lib/luks2/luks2_keyslot_reenc.c
 * reenc_keyslot_update_is_valid, reencrypt_keyslot_area_jobj and
 * LUKS2_keyslot_reencrypt_update). The reencrypt keyslot area keeps its
 * offset and size; type, hash and sector_size change, shift_size stays.
 * The metadata is signed again only after its digest verified with the
 * keys, and the result is checked as the next run will load it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "common/crypto_backend/crypto_backend.h"
#include "common/io.h"
#include "common/log.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"

static int is_ds(enum reenc_res r)
{
	return r == REENC_RES_DS_CHECKSUM || r == REENC_RES_DS_JOURNAL;
}

static int is_csum(enum reenc_res r)
{
	return r == REENC_RES_CHECKSUM || r == REENC_RES_DS_CHECKSUM;
}

/* cryptsetup's alignment (lib/luks2/luks2_reencrypt.c
 * reencrypt_get_alignment, lib/utils_device.c device_block_size_fd): the
 * logical block of a block device, the file system block (at most a page)
 * of an image file; then the old and new sector sizes if larger. */
static uint32_t csum_block(struct reenc_ctx *c)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t bs = 512;
	struct statvfs v;
	struct stat st;

	if (!fstat(c->fd_data, &st) && S_ISREG(st.st_mode)) {
		bs = page > 0 ? (uint64_t)page : 4096;
		if (!fstatvfs(c->fd_data, &v) && v.f_bsize && v.f_bsize <= bs)
			bs = v.f_bsize;
	} else {
		io_logical_block(c->fd_data, &bs);
	}
	if (c->prev.type == SEG_CRYPT && c->prev.sector_size > bs)
		bs = c->prev.sector_size;
	if (c->final.type == SEG_CRYPT && c->final.sector_size > bs)
		bs = c->final.sector_size;
	return (uint32_t)bs;
}

static int allowed(struct reenc_ctx *c, enum reenc_res res)
{
	if (c->res == REENC_RES_DATASHIFT || res == REENC_RES_DATASHIFT || is_ds(c->res) != is_ds(res)) {
		log_err("resilience %s cannot be changed to %s", reenc_res_name(c->res),
			reenc_res_name(res));
		return -EINVAL;
	}
	return 0;
}

/* The new area object (a new reference), or NULL. */
static struct json_object *new_area(struct reenc_ctx *c, enum reenc_res res,
				    const char *hash, uint32_t block)
{
	struct json_object *a = json_object_new_object();

	if (!a)
		return NULL;
	ljson_set_str(a, "type", reenc_res_name(res));
	ljson_set_u64(a, "offset", c->area_off);
	ljson_set_u64(a, "size", c->area_size);
	if (is_csum(res)) {
		ljson_set_str(a, "hash", hash);
		ljson_set_int(a, "sector_size", block);
	}
	if (is_ds(res))
		ljson_set_u64(a, "shift_size", c->shift);
	return a;
}

/* The moved segment of a decryption must fit one hotzone of the new mode. */
static int moved_fits(struct reenc_ctx *c, enum reenc_res res, int hash_len, uint32_t block)
{
	uint64_t cap;

	if (!is_ds(res))
		return 0;
	if (!c->has_moved)
		return -EINVAL;
	cap = res == REENC_RES_DS_JOURNAL ? c->area_size : c->area_size / hash_len * block;
	if (c->moved.size > cap) {
		log_err("resilience %s holds only %ju bytes, the moved segment needs %ju",
			reenc_res_name(res), (uintmax_t)cap, (uintmax_t)c->moved.size);
		return -EINVAL;
	}
	return 0;
}

static void drop_unused_digest(struct luks2_hdr *hdr, int id)
{
	struct json_object *ds = ljson_get(hdr->jobj, "digests");
	struct json_object *d = ljson_get_id(ds, id);
	char name[16];

	if (!d || json_object_array_length(ljson_get(d, "keyslots")) ||
	    json_object_array_length(ljson_get(d, "segments")))
		return;
	snprintf(name, sizeof(name), "%d", id);
	json_object_object_del(ds, name);
}

/* Change the area and sign in memory; check as the next load would. */
static int resign(struct reenc_ctx *c, struct json_object *area, enum reenc_res res)
{
	struct luks2_hdr *hdr = &c->d->hdr;
	struct json_object *ks = ljson_get_id(ljson_get(hdr->jobj, "keyslots"), c->keyslot);
	struct reenc_status ri;
	int r, old = luks2_digest_by_keyslot(hdr, c->keyslot);

	if (!ks || old < 0)
		return -EINVAL;
	json_object_object_add(ks, "area", area);
	r = reenc_digest_create(hdr, c->version, c->vk_old, c->vk_new, 0);
	if (r < 0)
		return r;
	drop_unused_digest(hdr, old);
	r = reenc_status_read(hdr, c->d->size, &ri);
	if (!r && (ri.state != REENC_STATE_CLEAN || ri.resilience != res))
		r = -EINVAL;
	if (!r)
		r = reenc_digest_verify(hdr, c->version, c->vk_old, c->vk_new);
	if (!r)
		r = reenc_check_metadata(c->d);
	return r;
}

int reenc_resilience_update(struct reenc_ctx *c, enum reenc_res res, const char *hash)
{
	struct luks2_hdr *hdr = &c->d->hdr;
	struct json_object *saved = NULL, *area;
	struct reenc_status ri;
	uint32_t block = csum_block(c);
	int r, hash_len = 0;

	r = reenc_status_read(hdr, c->d->size, &ri);
	if (r < 0 || ri.state != REENC_STATE_CLEAN || ri.keyslot != c->keyslot) {
		log_err("the resilience can only change in a clean state (recover first)");
		return r < 0 ? r : -EBUSY;
	}
	/* never sign what did not verify with these keys */
	if (reenc_digest_verify(hdr, c->version, c->vk_old, c->vk_new) < 0) {
		log_err("reencryption metadata is invalid: its digest does not verify");
		return -EINVAL;
	}
	r = allowed(c, res);
	if (r < 0)
		return r;
	if (is_csum(res)) {
		hash_len = hash && strlen(hash) < sizeof(c->hash) ? crypt_hash_size(hash) : -1;
		if (hash_len <= 0) {
			log_err("resilience hash %s is not available", hash ? hash : "(none)");
			return -EINVAL;
		}
	}
	if (res == c->res && (!is_csum(res) || (!strcmp(hash, c->hash) && block == c->block)))
		return 0;
	r = moved_fits(c, res, hash_len, block);
	if (r < 0)
		return r;
	area = new_area(c, res, hash, block);
	if (!area || json_object_deep_copy(hdr->jobj, &saved, NULL) < 0) {
		json_object_put(area);
		return -ENOMEM;
	}
	r = resign(c, area, res);
	if (!r)
		r = luks2_hdr_write(c->d->hdr_fd, hdr);
	if (r < 0) {
		log_err("cannot change the resilience to %s: %s; nothing was written",
			reenc_res_name(res), strerror(-r));
		json_object_put(hdr->jobj);
		hdr->jobj = saved;
		return r;
	}
	json_object_put(saved);
	return 1;
}
