/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Segments, reencryption state and the reencryption digest
 * (doc/format.md §3). */
#ifndef LUKS2_REENCRYPT_H
#define LUKS2_REENCRYPT_H

#include <stdint.h>

#include "luks2/luks2.h"

enum seg_type { SEG_LINEAR, SEG_CRYPT, SEG_OTHER };
enum {
	SEGF_IN_REENC = 1 << 0,
	SEGF_BACKUP_PREVIOUS = 1 << 1,
	SEGF_BACKUP_FINAL = 1 << 2,
	SEGF_BACKUP_MOVED = 1 << 3,
	SEGF_BACKUP_OTHER = 1 << 4,
};
#define SEGF_BACKUP (SEGF_BACKUP_PREVIOUS | SEGF_BACKUP_FINAL | \
		     SEGF_BACKUP_MOVED | SEGF_BACKUP_OTHER)

struct luks2_segment {
	int id;
	enum seg_type type;
	uint64_t offset;	/* bytes on the data device */
	uint64_t size;		/* bytes; LUKS2_DYNAMIC = to the end */
	uint64_t iv_tweak;	/* 512-byte units */
	char cipher[64];
	uint32_t sector_size;
	unsigned flags;
	int digest;		/* -1 none */
};

/* Segment id -> parsed segment. -ENOENT when absent. */
int luks2_segment_get(struct luks2_hdr *hdr, int id, struct luks2_segment *s);
/* Number of regular (non-backup) segments. */
int luks2_segment_count(struct luks2_hdr *hdr);
/* Id of the backup segment with the flag, or -ENOENT. */
int luks2_segment_backup(struct luks2_hdr *hdr, unsigned flag);
/* Size of a segment on a data device of dev_size bytes (dynamic resolved). */
uint64_t luks2_segment_len(const struct luks2_segment *s, uint64_t dev_size);

/*
 * The segment model: logical offset L (what a reader of the opened device
 * sees) -> the regular segment holding it, the physical byte offset on the
 * data device, the IV (512-byte units) of that byte, and how many bytes
 * from L stay in the same segment. -ERANGE past the end.
 */
struct luks2_map {
	struct luks2_segment seg;
	uint64_t physical;
	uint64_t iv;
	uint64_t len;
};
int luks2_segment_map(struct luks2_hdr *hdr, uint64_t dev_size, uint64_t L,
		      struct luks2_map *m);

enum reenc_state {
	REENC_NONE, REENC_CLEAN, REENC_CRASH, REENC_REPAIR, REENC_INVALID,
};

struct reenc_info {
	enum reenc_state state;
	int version;		/* requirement flag version: 1, 2, 3 */
	int keyslot;		/* reencrypt keyslot, -1 none */
	int digest;		/* D_re, -1 none */
	char mode[16], direction[16], resilience[24], hash[32];
	uint32_t sector_size;	/* checksum block size */
	uint64_t shift;		/* shift_size, bytes */
	uint64_t area_offset, area_size;
	uint64_t progress;	/* bytes done */
	uint64_t total;		/* bytes to do */
	char why[160];		/* for REENC_INVALID / REENC_REPAIR */
};
const char *reenc_state_name(enum reenc_state s);
/* Bytes rewritten by the reencryption described by the segments. */
uint64_t luks2_reencrypt_total(struct luks2_hdr *hdr, uint64_t dev_size,
			       uint64_t shift, int forward);
/* Read the reencryption state of a header on a data device of dev_size. */
int luks2_reencrypt_info(struct luks2_hdr *hdr, uint64_t dev_size,
			 struct reenc_info *ri);

/*
 * Reencryption verification digest (doc/format.md §3.3). The byte string
 * covers the keys, the reencrypt keyslot parameters and the backup
 * segments.
 * vk_old / vk_new may be NULL when that side has no key.
 */
int luks2_reenc_digest_data(struct luks2_hdr *hdr, int version,
			    const struct volume_key *vk_old,
			    const struct volume_key *vk_new,
			    uint8_t *buf, size_t buf_len);
int luks2_reenc_digest_verify(struct luks2_hdr *hdr, int version,
			      const struct volume_key *vk_old,
			      const struct volume_key *vk_new);
/* Replace D_re with a new digest; returns its id. */
int luks2_reenc_digest_create(struct luks2_hdr *hdr, int version,
			      const struct volume_key *vk_old,
			      const struct volume_key *vk_new,
			      uint32_t iterations);
/* Unlock the keys a reencryption needs with one passphrase: the key of
 * backup-previous's digest and of backup-final's (when they differ).
 * Either may come back NULL when that side is plaintext. */
int luks2_reenc_unlock(struct luks2_dev *d, int keyslot, const char *pass,
		       size_t pass_len, struct volume_key **vk_old,
		       struct volume_key **vk_new);

#endif
