/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dm table of a LUKS2 device (luks2/dm_table.h), as cryptsetup 2.6.1
 * builds it: lib/luks2/luks2_json_metadata.c LUKS2_activate (one crypt
 * target) and LUKS2_assembly_multisegment_dmd (a reencryption in
 * progress), with the crypt parameters of lib/libdevmapper.c
 * get_dm_crypt_params and the linear ones of get_dm_linear_params.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/keyring.h"
#include "common/log.h"
#include "luks2/dm_table.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"
#include "luks2/segment.h"

#define SECTOR 512

/* The persistent activation flags (config.flags) and their dm-crypt
 * options, in get_dm_crypt_params' order (lib/luks2/
 * luks2_json_metadata.c persistent_flags; no-journal is dm-integrity's). */
static const struct {
	const char *flag, *opt;
} flag_opts[] = {
	{ "allow-discards", "allow_discards" },
	{ "same-cpu-crypt", "same_cpu_crypt" },
	{ "submit-from-crypt-cpus", "submit_from_crypt_cpus" },
	{ "no-read-workqueue", "no_read_workqueue" },
	{ "no-write-workqueue", "no_write_workqueue" },
};
#define NFLAGS (sizeof(flag_opts) / sizeof(flag_opts[0]))

/* What every crypt target of the table shares. */
struct build {
	struct luks2_dev *d;
	const char *dev;
	const struct luks2_dm_key *keys;
	size_t nkeys;
	unsigned flags;
	unsigned opts;	/* bit i: flag_opts[i] in config.flags */
};

static unsigned config_opts(struct luks2_hdr *hdr)
{
	struct json_object *flags = ljson_get(ljson_get(hdr->jobj, "config"), "flags");
	unsigned o = 0;

	for (size_t i = 0; i < NFLAGS; i++)
		if (ljson_array_has_str(flags, flag_opts[i].flag))
			o |= 1u << i;
	return o;
}

/* The options of a build: the live ones when given, else config.flags. */
static unsigned build_opts(struct luks2_hdr *hdr, unsigned flags)
{
	if (flags & LUKS2_DM_LIVE_OPTS)
		return (flags >> LUKS2_DM_OPTS_SHIFT) & ((1u << NFLAGS) - 1);
	return config_opts(hdr);
}

unsigned luks2_dm_live_opts(const char *params)
{
	unsigned o = 0;
	const char *p = params;
	size_t n;

	/* the options are whole words after the five fixed ones; a key or
	 * a cipher never equals one of them */
	while (p && *p) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		for (size_t i = 0; i < NFLAGS; i++)
			if (n == strlen(flag_opts[i].opt) && !strncmp(p, flag_opts[i].opt, n))
				o |= 1u << i;
		p += n;
	}
	return LUKS2_DM_LIVE_OPTS | o << LUKS2_DM_OPTS_SHIFT;
}

static const struct volume_key *key_of(const struct build *b, int digest)
{
	for (size_t i = 0; i < b->nkeys; i++)
		if (b->keys[i].digest == digest && b->keys[i].vk)
			return b->keys[i].vk;
	return NULL;
}

/* Key length of digest: its key, or the key_size of a luks2 keyslot. */
static int key_len(const struct build *b, int digest, size_t *len)
{
	const struct volume_key *vk = key_of(b, digest);
	struct json_object *ks = ljson_get(b->d->hdr.jobj, "keyslots");
	const char *type;
	uint32_t size;

	if (vk) {
		*len = vk->len;
		return 0;
	}
	ljson_foreach(ks, id, k) {
		type = ljson_get_str(k, "type");
		if (!type || strcmp(type, "luks2") ||
		    luks2_digest_by_keyslot(&b->d->hdr, ljson_id(id)) != digest)
			continue;
		if (ljson_get_u32(k, "key_size", &size) == 0 && size) {
			*len = size;
			return 0;
		}
	}
	log_err("no key size known for digest %d", digest);
	return -EINVAL;
}

/* The key field: keyring reference, hex, or "-" (cipher_null). */
static int key_field(const struct build *b, const struct luks2_segment *s,
		     char *buf, size_t len)
{
	const struct volume_key *vk;
	char desc[LUKS2_KEY_DESC_LEN];
	size_t klen;
	int r;

	if (!strncmp(s->cipher, "cipher_null", 11))
		return snprintf(buf, len, "-") < 0 ? -EINVAL : 0;
	if (s->digest < 0) {
		log_err("segment %d has no digest", s->id);
		return -EINVAL;
	}
	if (!(b->flags & LUKS2_DM_HEX_KEYS)) {
		if ((r = key_len(b, s->digest, &klen)) < 0 ||
		    (r = luks2_dm_key_desc(b->d->hdr.uuid, s->digest, desc, sizeof(desc))) < 0)
			return r;
		r = snprintf(buf, len, ":%zu:logon:%s", klen, desc);
		return r < 0 || (size_t)r >= len ? -EINVAL : 0;
	}
	vk = key_of(b, s->digest);
	if (!vk) {
		log_err("the key of segment %d is needed for a hex table", s->id);
		return -EINVAL;
	}
	if (vk->len * 2 >= len)
		return -EINVAL;
	for (size_t i = 0; i < vk->len; i++)
		snprintf(buf + 2 * i, 3, "%02x", vk->key[i]);
	return 0;
}

/* " N opt..." or "" (get_dm_crypt_params' features). */
static void features(const struct build *b, const struct luks2_segment *s,
		     char *buf, size_t len)
{
	char opts[128] = "";
	unsigned n = 0;
	size_t o = 0;

	for (size_t i = 0; i < NFLAGS && o < sizeof(opts); i++)
		if (b->opts & (1u << i)) {
			o += (size_t)snprintf(opts + o, sizeof(opts) - o, " %s", flag_opts[i].opt);
			n++;
		}
	if (s->sector_size != SECTOR && o < sizeof(opts)) {
		snprintf(opts + o, sizeof(opts) - o, " sector_size:%u", s->sector_size);
		n++;
	}
	if (n)
		snprintf(buf, len, " %u%s", n, opts);
	else
		buf[0] = '\0';
}

/* Params of a crypt or linear target for segment s, in safe memory. */
static int target_params(const struct build *b, const struct luks2_segment *s,
			 uint64_t iv_offset, char **out)
{
	char key[520], feat[160];
	size_t len;
	int r;

	*out = NULL;
	if (s->type == SEG_LINEAR) {
		len = strlen(b->dev) + 24;
		if (!(*out = safe_alloc(len)))
			return -ENOMEM;
		snprintf(*out, len, "%s %" PRIu64, b->dev, s->offset / SECTOR);
		return 0;
	}
	if (s->type != SEG_CRYPT) {
		log_err("segment %d: type not supported by device-mapper", s->id);
		return -EINVAL;
	}
	if ((r = key_field(b, s, key, sizeof(key))) < 0)
		goto out;
	features(b, s, feat, sizeof(feat));
	len = strlen(s->cipher) + strlen(key) + strlen(b->dev) + strlen(feat) + 48;
	r = -ENOMEM;
	if ((*out = safe_alloc(len))) {
		snprintf(*out, len, "%s %s %" PRIu64 " %s %" PRIu64 "%s", s->cipher, key,
			 iv_offset, b->dev, s->offset / SECTOR, feat);
		r = 0;
	}
out:
	explicit_bzero(key, sizeof(key));
	return r;
}

static int add_target(struct luks2_dm_table *tab, const struct build *b,
		      const struct luks2_segment *s, uint64_t start, uint64_t len,
		      uint64_t iv_offset)
{
	char *params;
	int r;

	if (tab->n >= LUKS2_DM_MAX_TARGETS)
		return -E2BIG;
	if ((r = target_params(b, s, iv_offset, &params)) < 0)
		return r;
	tab->t[tab->n++] = (struct ldm_target){ start, len, s->type == SEG_CRYPT ?
						"crypt" : "linear", params };
	if (s->type == SEG_CRYPT && s->digest >= 0 && strncmp(s->cipher, "cipher_null", 11)) {
		for (size_t i = 0; i < tab->ndigests; i++)
			if (tab->digest[i] == s->digest)
				return 0;
		tab->digest[tab->ndigests++] = s->digest;
	}
	return 0;
}

/* No reencryption: LUKS2_activate, one crypt target of segment 0 over
 * the data device from the data offset to its end, IV offset 0
 * (lib/setup.c crypt_get_iv_offset is 0 for LUKS2). */
static int build_single(struct luks2_dm_table *tab, const struct build *b)
{
	struct luks2_segment s;
	uint64_t off = luks2_data_offset(&b->d->hdr);
	int r;

	if ((r = luks2_segment_get(&b->d->hdr, 0, &s)) < 0)
		return r;
	if (s.type != SEG_CRYPT || luks2_segment_count(&b->d->hdr) != 1) {
		log_err("%s: not one crypt segment", b->d->path);
		return -EINVAL;
	}
	if (off % SECTOR || off >= b->d->size) {
		log_err("%s: data offset %" PRIu64 " beyond the device", b->d->path, off);
		return -EINVAL;
	}
	tab->sectors = (b->d->size - off) / SECTOR;
	return add_target(tab, b, &s, 0, tab->sectors, 0);
}

/* A clean reencryption: lib/setup.c _open_and_activate_reencrypt_device.
 * The size is the data device's from LUKS2_reencrypt_data_offset (the
 * final segment's offset, plus the data shift when forward); each regular
 * segment gets a target (LUKS2_assembly_multisegment_dmd), the dynamic
 * last one up to that size. */
static int build_multi(struct luks2_dm_table *tab, const struct build *b,
		       const struct reenc_status *st)
{
	struct luks2_hdr *hdr = &b->d->hdr;
	struct luks2_segment s;
	uint64_t off, start = 0, len;
	int n = luks2_segment_count(hdr), r;

	/* LUKS2_get_data_offset: backup-final's offset in a reencryption */
	r = luks2_segment_get(hdr, luks2_segment_backup(hdr, SEGF_BACKUP_FINAL), &s);
	off = r == 0 ? s.offset : luks2_data_offset(hdr);
	if (st->direction == REENC_FORWARD)
		off += st->shift;
	if (off % SECTOR || off >= b->d->size) {
		log_err("%s: data offset %" PRIu64 " beyond the device", b->d->path, off);
		return -EINVAL;
	}
	tab->sectors = (b->d->size - off) / SECTOR;
	tab->multi = 1;
	for (int id = 0; id < n; id++) {
		if ((r = luks2_segment_get(hdr, id, &s)) < 0)
			return r;
		len = s.size == LUKS2_DYNAMIC ? 0 : s.size / SECTOR;
		if (!len && id == n - 1 && tab->sectors > start)
			len = tab->sectors - start;
		if (!len || start + len > tab->sectors) {
			log_err("%s: segment %d does not fit the device", b->d->path, id);
			return -EINVAL;
		}
		if ((r = add_target(tab, b, &s, start, len, s.iv_tweak)) < 0)
			return r;
		start += len;
	}
	return 0;
}

static int has_integrity(struct luks2_hdr *hdr)
{
	ljson_foreach(ljson_get(hdr->jobj, "segments"), id, seg) {
		(void)id;
		if (ljson_get(seg, "integrity"))
			return 1;
	}
	return 0;
}

int luks2_dm_table_build(struct luks2_dev *d, const char *devstr,
			 const struct luks2_dm_key *keys, size_t nkeys,
			 unsigned flags, struct luks2_dm_table *tab)
{
	struct build b = { d, devstr ? devstr : d->path, keys, nkeys, flags,
			   build_opts(&d->hdr, flags) };
	struct reenc_status st;
	int r;

	memset(tab, 0, sizeof(*tab));
	if (has_integrity(&d->hdr)) {
		log_err("%s: authenticated encryption (dm-integrity) is not supported", d->path);
		return -ENOTSUP;
	}
	if ((r = reenc_status_read(&d->hdr, d->size, &st)) < 0)
		return r;
	switch (st.state) {
	case REENC_STATE_NONE:
		r = build_single(tab, &b);
		break;
	case REENC_STATE_CLEAN:
		r = build_multi(tab, &b, &st);
		break;
	case REENC_STATE_CRASH:
		log_err("%s: an interrupted reencryption must be recovered first", d->path);
		return -EUCLEAN;
	case REENC_STATE_REPAIR:
		log_err("%s: reencryption metadata without a digest", d->path);
		return -EBADMSG;
	default:
		log_err("%s: unsupported reencryption metadata: %s", d->path, st.why);
		return -ENODEV;
	}
	if (r < 0)
		luks2_dm_table_free(tab);
	return r;
}

void luks2_dm_table_free(struct luks2_dm_table *tab)
{
	for (size_t i = 0; i < tab->n; i++)
		safe_free((void *)tab->t[i].params);
	memset(tab, 0, sizeof(*tab));
}

int luks2_dm_table_text(const struct luks2_dm_table *tab, char *buf, size_t len)
{
	size_t o = 0;
	int r;

	buf[0] = '\0';
	for (size_t i = 0; i < tab->n; i++) {
		r = snprintf(buf + o, len - o, "%" PRIu64 " %" PRIu64 " %s %s\n",
			     tab->t[i].start, tab->t[i].len, tab->t[i].type, tab->t[i].params);
		if (r < 0 || (size_t)r >= len - o)
			return -ENOSPC;
		o += (size_t)r;
	}
	return 0;
}

/* One target of luks2_dm_table_segments: the in-reencryption segment goes
 * to the hotzone device, shifted and under the new key. */
static int segment_target(struct luks2_dm_table *tab, const struct build *b,
			  const struct build *hz, struct luks2_segment s, uint64_t start,
			  uint64_t len, uint64_t hz_offset, int digest_new)
{
	if (!(s.flags & SEGF_IN_REENC) || !hz->dev)
		return add_target(tab, b, &s, start, len, s.iv_tweak);
	if (s.offset < hz_offset) {
		log_err("the hotzone lies before the new data offset");
		return -EINVAL;
	}
	s.offset -= hz_offset;
	if (s.type == SEG_CRYPT)
		s.digest = digest_new;
	return add_target(tab, hz, &s, start, len, s.iv_tweak);
}

int luks2_dm_table_segments(struct luks2_dev *d, const char *devstr,
			    const struct luks2_dm_hot *hot, uint64_t sectors,
			    const struct luks2_dm_key *keys, size_t nkeys,
			    unsigned flags, struct luks2_dm_table *tab)
{
	struct build b = { d, devstr ? devstr : d->path, keys, nkeys, flags,
			   build_opts(&d->hdr, flags) };
	struct build hz = b;
	struct seg_table t;
	uint64_t start = 0, len;
	int r;

	memset(tab, 0, sizeof(*tab));
	hz.dev = hot ? hot->dev : NULL;
	if ((r = luks2_segment_table(&d->hdr, &t)) < 0 || t.n < 1) {
		log_err("%s: no regular segments for a table", d->path);
		return r < 0 ? r : -EINVAL;
	}
	tab->sectors = sectors;
	tab->multi = t.n > 1;
	for (int i = 0; i < t.n; i++) {
		len = t.s[i].size == LUKS2_DYNAMIC ? 0 : t.s[i].size / SECTOR;
		if (!len && i == t.n - 1 && sectors > start)
			len = sectors - start;
		if (!len || start + len > sectors) {
			log_err("%s: segment %d does not fit the device", d->path, i);
			r = -EINVAL;
		} else {
			r = segment_target(tab, &b, &hz, t.s[i], start, len,
					   hot ? hot->offset : 0, hot ? hot->digest_new : -1);
		}
		if (r < 0) {
			luks2_dm_table_free(tab);
			return r;
		}
		start += len;
	}
	return 0;
}
