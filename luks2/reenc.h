/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The offline reencryption engine: one hotzone at a time, with the commit
 * order of luks2-format.md §4.3, crash recovery (§4.6) and the final
 * commit. Layouts on disk are cryptsetup 2.6.1's, so either tool can
 * resume or recover what the other started.
 */
#ifndef LUKS2_REENC_H
#define LUKS2_REENC_H

#include <stdint.h>

#include "common/crypto_backend/crypto_backend.h"
#include "luks2/luks2.h"
#include "luks2/reencrypt.h"

enum reenc_mode { MODE_REENCRYPT, MODE_ENCRYPT, MODE_DECRYPT };
enum reenc_res {
	RES_NONE, RES_CHECKSUM, RES_JOURNAL, RES_DATASHIFT,
	RES_DS_CHECKSUM, RES_DS_JOURNAL,
};

#define REENC_MAX_HOTZONE (1ULL << 30)		/* cryptsetup's hard cap */
#define REENC_NONE_HOTZONE (20ULL << 20)	/* default for "none" */

struct reenc_ctx {
	struct luks2_dev *d;
	enum reenc_mode mode;
	int backward;
	enum reenc_res res;
	int version;			/* requirement flag version */
	int keyslot;			/* reencrypt keyslot */
	uint64_t area_off, area_size;
	char hash[32];
	int hash_len;
	uint32_t block;			/* checksum block size */
	uint64_t shift;
	struct luks2_segment prev, final, moved;
	struct json_object *jprev, *jfinal, *jmoved;	/* backup copies */
	int has_moved;
	int d_old, d_new;		/* digests of previous / final */
	struct volume_key *vk_old, *vk_new;
	struct crypt_storage *st_old, *st_new;
	uint64_t data_offset;		/* new data offset (final.offset) */
	uint64_t device_size;		/* bytes to rewrite */
	int fixed;			/* every regular segment has a size */
	uint64_t alignment;
	uint64_t max_len;		/* hotzone length of this mode */
	/* the hotzone being worked on */
	uint64_t offset, length;
	int moved_chunk;		/* the hotzone is the moved segment */
	uint8_t *buf;
	size_t buf_len;
	int stop_requested;
	int fd_data;
};

/* Open the keys with one passphrase, verify the reencryption digest and
 * prepare the context. max_hotzone 0 = the mode's default. */
int reenc_load(struct reenc_ctx **ctx, struct luks2_dev *d, const char *pass,
	       size_t pass_len, int keyslot, uint64_t max_hotzone);
void reenc_free(struct reenc_ctx *ctx);

/* Bytes rewritten so far (from the segments). */
uint64_t reenc_progress(struct reenc_ctx *ctx);

/*
 * One hotzone. Returns 0 after a committed hotzone, 1 when the
 * reencryption finished with that hotzone (final metadata committed),
 * -errno on failure. *fatal is set when the failure came after the
 * metadata commit point (the header then records the interrupted hotzone).
 */
int reenc_step(struct reenc_ctx *ctx, int *fatal);
/* For resilience "none": commit the progress made so far. */
int reenc_commit_progress(struct reenc_ctx *ctx);
/* Redo the interrupted hotzone recorded in the header (crash state);
 * 0 or 1 (that hotzone was the last one) like reenc_step. */
int reenc_recover(struct reenc_ctx *ctx);
/* All data already rewritten but metadata not final (a run stopped in
 * cryptsetup's window): commit the final metadata. 1 when done so. */
int reenc_finish_if_done(struct reenc_ctx *ctx);

/* reenc_segs.c: segment tables for a hotzone */
/* The current regular segments (new reference, put it). */
struct json_object *reenc_regular_segments(struct reenc_ctx *ctx);
int reenc_plan(struct reenc_ctx *ctx);
struct json_object *reenc_hot_segments(struct reenc_ctx *ctx);
struct json_object *reenc_post_segments(struct reenc_ctx *ctx,
					struct json_object *hot);
/* Install regular segments + backups and assign digests (in memory). */
int reenc_set_segments(struct reenc_ctx *ctx, struct json_object *regular);
/* 1 when these regular segments describe a finished reencryption. */
int reenc_segments_done(struct reenc_ctx *ctx, struct json_object *regular);
/* The final metadata: one segment, no reencryption state. */
int reenc_final_metadata(struct reenc_ctx *ctx, struct json_object *regular,
			 uint64_t *wipe_off, uint64_t *wipe_len, int *nwipe);

const char *reenc_res_name(enum reenc_res r);
int reenc_res_parse(const char *s, enum reenc_res *r);

#endif
