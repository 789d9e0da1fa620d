/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reencryption verification digest D_re (CVE-2021-4122 fix,
 * doc/format.md §3.3). */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"

struct buf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->err)
		return;
	if (b->len + n > b->cap) {
		b->err = -ENOSPC;
		return;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void put_str(struct buf *b, const char *s)
{
	if (!s || strlen(s) > 64) {
		b->err = b->err ? b->err : -EINVAL;
		return;
	}
	put(b, s, strlen(s));
}

static void put_u64(struct buf *b, struct json_object *o, const char *key)
{
	uint64_t v, be;

	if (ljson_get_u64(o, key, &v) < 0) {
		b->err = b->err ? b->err : -EINVAL;
		return;
	}
	be = htobe64(v);
	put(b, &be, 8);
}

static void put_u32(struct buf *b, struct json_object *o, const char *key)
{
	uint32_t v, be;

	if (ljson_get_u32(o, key, &v) < 0) {
		b->err = b->err ? b->err : -EINVAL;
		return;
	}
	be = htobe32(v);
	put(b, &be, 4);
}

static void put_segment(struct buf *b, struct json_object *s)
{
	const char *type = ljson_get_str(s, "type"), *size = ljson_get_str(s, "size");

	put_str(b, type);
	put_u64(b, s, "offset");
	if (size && !strcmp(size, "dynamic"))
		put_str(b, "dynamic");
	else
		put_u64(b, s, "size");
	if (type && !strcmp(type, "crypt")) {
		put_u64(b, s, "iv_tweak");
		put_str(b, ljson_get_str(s, "encryption"));
		put_u32(b, s, "sector_size");
	}
}

static int reenc_keyslot(struct luks2_hdr *hdr)
{
	json_object_object_foreach(ljson_get(hdr->jobj, "keyslots"), name, ks) {
		const char *t = ljson_get_str(ks, "type");

		if (t && !strcmp(t, "reencrypt"))
			return ljson_id(name);
	}
	return -ENOENT;
}

int reenc_digest_data(struct luks2_hdr *hdr, int version,
			    const struct volume_key *vk_old,
			    const struct volume_key *vk_new,
			    uint8_t *out, size_t out_len)
{
	struct json_object *segs = ljson_get(hdr->jobj, "segments"), *ks, *area;
	struct buf b = { out, 0, out_len, 0 };
	static const unsigned flags[] = {
		SEGF_BACKUP_PREVIOUS, SEGF_BACKUP_FINAL, SEGF_BACKUP_MOVED,
	};
	const char *type;
	uint8_t head[2] = { 'v', (uint8_t)('0' + version) };
	int id;

	if (version < 1 || version > 207 || (!vk_old && !vk_new))
		return -EINVAL;
	id = reenc_keyslot(hdr);
	if (id < 0)
		return id;
	ks = ljson_get_id(ljson_get(hdr->jobj, "keyslots"), id);
	area = ljson_get(ks, "area");
	put(&b, head, 2);
	if (vk_old)
		put(&b, vk_old->key, vk_old->len);
	if (vk_new)
		put(&b, vk_new->key, vk_new->len);
	put_str(&b, ljson_get_str(ks, "mode"));
	put_str(&b, ljson_get_str(ks, "direction"));
	type = ljson_get_str(area, "type");
	put_str(&b, type);
	put_u64(&b, area, "offset");
	put_u64(&b, area, "size");
	if (type && (!strcmp(type, "checksum") || !strcmp(type, "datashift-checksum"))) {
		put_str(&b, ljson_get_str(area, "hash"));
		put_u32(&b, area, "sector_size");
	}
	if (type && !strncmp(type, "datashift", 9))
		put_u64(&b, area, "shift_size");
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		id = luks2_segment_backup(hdr, flags[i]);
		if (id < 0 && flags[i] != SEGF_BACKUP_MOVED)
			return -EINVAL;
		if (id >= 0)
			put_segment(&b, ljson_get_id(segs, id));
	}
	return b.err ? b.err : (int)b.len;
}

static int reenc_digest_id(struct luks2_hdr *hdr)
{
	int ks = reenc_keyslot(hdr);

	return ks < 0 ? ks : luks2_digest_by_keyslot(hdr, ks);
}

int reenc_digest_verify(struct luks2_hdr *hdr, int version,
			      const struct volume_key *vk_old,
			      const struct volume_key *vk_new)
{
	uint8_t *data = safe_alloc(4096);
	int n, r, digest = reenc_digest_id(hdr);

	if (!data)
		return -ENOMEM;
	n = reenc_digest_data(hdr, version, vk_old, vk_new, data, 4096);
	if (n < 0)
		r = n;
	else if (digest < 0)
		r = -ENOENT;
	else
		r = luks2_digest_verify(hdr, digest, data, n);
	safe_free(data);
	return r;
}

int reenc_digest_create(struct luks2_hdr *hdr, int version,
			      const struct volume_key *vk_old,
			      const struct volume_key *vk_new,
			      uint32_t iterations)
{
	uint8_t *data = safe_alloc(4096);
	int n, id = -ENOENT, ks = reenc_keyslot(hdr), old = reenc_digest_id(hdr);

	if (!data)
		return -ENOMEM;
	n = reenc_digest_data(hdr, version, vk_old, vk_new, data, 4096);
	if (n >= 0 && ks >= 0)
		id = luks2_digest_create(hdr, data, n, "sha256", iterations);
	else if (n < 0)
		id = n;
	safe_free(data);
	if (id < 0)
		return id;
	if (old >= 0)
		luks2_digest_assign_keyslot(hdr, old, ks, 0);
	luks2_digest_assign_keyslot(hdr, id, ks, 1);
	return id;
}
