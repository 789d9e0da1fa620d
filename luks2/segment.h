/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Segments and the logical -> physical mapping (doc/format.md §3.2). */
#ifndef LUKS2_SEGMENT_H
#define LUKS2_SEGMENT_H

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

/*
 * A segment table: regular segments in logical order, index = segment id.
 * Every table the engine builds (a hotzone's plan, hot and post tables,
 * the final metadata) is one of these; reenc_meta.c install_table() is the
 * one place a table becomes the header's "segments" object.
 */
#define SEG_TABLE_MAX 8
struct seg_table {
	int n;
	struct luks2_segment s[SEG_TABLE_MAX];
};

/* Segment id -> parsed segment. -ENOENT when absent. */
int luks2_segment_get(struct luks2_hdr *hdr, int id, struct luks2_segment *s);
/* Number of regular (non-backup) segments. */
int luks2_segment_count(struct luks2_hdr *hdr);
/* Id of the backup segment with the flag, or -ENOENT. */
int luks2_segment_backup(struct luks2_hdr *hdr, unsigned flag);
/* The regular segments 0..n-1 of the header; -EINVAL when they are not
 * the first ids or do not fit a table. */
int luks2_segment_table(struct luks2_hdr *hdr, struct seg_table *t);
/* Index of the one segment flagged in-reencryption; -1 when none or several. */
int luks2_segment_in_reenc(const struct seg_table *t);
/* The first crypt segment of t whose iv_tweak is not its logical start /
 * 512 (the IV rule below), or -1 when all follow it. */
int luks2_segment_iv_bad(const struct seg_table *t, uint64_t dev_size);
/* Append s to t; -E2BIG when full, and t->n becomes -1 (stays so). */
int luks2_segment_push(struct seg_table *t, const struct luks2_segment *s);
/* A linear / crypt segment (size LUKS2_DYNAMIC = "dynamic"; iv in bytes). */
struct luks2_segment luks2_segment_linear(uint64_t offset, uint64_t size, unsigned flags);
struct luks2_segment luks2_segment_crypt(uint64_t offset, uint64_t iv_bytes, uint64_t size,
					 const char *cipher, uint32_t sector_size,
					 unsigned flags);
/*
 * The JSON object of a segment, fields in cryptsetup's order (lib/luks2/
 * luks2_segment.c json_segment_create_crypt(), _segment_create_generic()):
 * type, offset, size, [iv_tweak, encryption, sector_size], [flags].
 * NULL for a type other than linear or crypt.
 */
struct json_object *luks2_segment_json(const struct luks2_segment *s);
/* Size of a segment on a data device of dev_size bytes (dynamic resolved). */
uint64_t luks2_segment_len(const struct luks2_segment *s, uint64_t dev_size);

/*
 * The segment model: logical offset L (what a reader of the opened device
 * sees) -> the regular segment holding it, the physical byte offset on the
 * data device, the IV (512-byte units) of that byte, and how many bytes
 * from L stay in the same segment. -ERANGE past the end.
 * The IV rule: every regular crypt segment's iv_tweak is its logical start
 * / 512 and every backup's is 0, so the IV of a byte is L / 512 whatever
 * segment holds it. The reencryption engine transforms at L / 512
 * (reenc_par.c) and enforces the rule: it loads no backup with another
 * iv_tweak (reenc_ctx.c check_iv()), builds and installs no table that
 * breaks it (reenc_segs.c, reenc_meta.c) and redoes no recorded hotzone
 * whose table breaks it (hotzone.c).
 */
struct luks2_map {
	struct luks2_segment seg;
	uint64_t physical;
	uint64_t iv;
	uint64_t len;
};
int luks2_segment_map(struct luks2_hdr *hdr, uint64_t dev_size, uint64_t L,
		      struct luks2_map *m);

#endif
