/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The offline reencryption engine: one hotzone at a time, with the commit
 * order of doc/format.md §4.2, crash recovery (§4.3) and the final
 * commit. Layouts on disk are cryptsetup 2.6.1's, so either tool can
 * resume or recover what the other started.
 */
#ifndef LUKS2_REENC_INTERNAL_H
#define LUKS2_REENC_INTERNAL_H

#include <stdint.h>

#include "common/crypto_backend/crypto_backend.h"
#include "luks2/luks2.h"
#include "luks2/reenc.h"
#include "luks2/segment.h"


#define REENC_MAX_HOTZONE (1ULL << 30)		/* cryptsetup's hard cap */
#define REENC_NONE_HOTZONE (20ULL << 20)	/* default for "none" */
#define REENC_DEFAULT_HOTZONE (64ULL << 20)	/* our default cap */

#define REENC_MAX_THREADS 8

struct reenc_worker {
	struct crypt_storage *st_old, *st_new;
	struct crypt_hash *csum;	/* checksum hash, reused per block */
};

/* An online run (reenc_online.c): the active device and cryptsetup's
 * helper devices (lib/luks2/luks2_reencrypt.c reencrypt_init_device_stack). */
struct reenc_online {
	char name[128];		/* the active device; "" offline */
	char overlay[160], hotzone[160];
	char hz_dev[24];	/* the hotzone device as "major:minor" */
	uint64_t sectors;	/* the active device's size */
	int stacked;		/* NAME -> overlay -> segments, hotzone helper */
	int hz_suspended;	/* the hotzone helper is suspended (a step) */
	int own;		/* stacked by reenc_run(), which unstacks */
};

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
	struct reenc_worker w[REENC_MAX_THREADS];	/* per-CPU contexts */
	int nworkers;
	uint64_t data_offset;		/* new data offset (final.offset) */
	uint64_t device_size;		/* bytes to rewrite */
	int fixed;			/* every regular segment has a size */
	uint64_t alignment;
	uint64_t max_len;		/* hotzone length of this mode */
	/* the hotzone being worked on */
	uint64_t offset, length;
	int moved_chunk;		/* the hotzone is the moved segment */
	/* resilience none: logical range rewritten since the last commit */
	int dirty;
	uint64_t dirty_lo, dirty_hi;
	uint8_t *buf;
	size_t buf_len;
	uint64_t max_hotzone;		/* the caller's bound, 0 = default */
	int fd_data;
	struct reenc_online online;	/* keep last: reload_in_place() */
};

/* Open the keys with one passphrase, verify the reencryption digest and
 * prepare the context. max_hotzone 0 = the mode's default. */
int reenc_ctx_load(struct reenc_ctx **ctx, struct luks2_dev *d, const char *pass,
	       size_t pass_len, int keyslot, uint64_t max_hotzone);
void reenc_free(struct reenc_ctx *ctx);
/* Load *ctx again from the header, keeping its keys (verified against the
 * digest again). *ctx is freed; NULL on failure. */
int reenc_reload(struct reenc_ctx **ctx, uint64_t max_hotzone);

/* reenc_resilience.c: change the resilience of a loaded reencryption in a
 * clean state, as cryptsetup does on resume (lib/luks2/luks2_keyslot_reenc.c
 * LUKS2_keyslot_reencrypt_update): checksum, journal and none among
 * themselves, datashift-checksum and datashift-journal among themselves.
 * hash is for the checksum modes. Verifies the digest first, re-signs with
 * the same keys and commits the header once. 1 when written, 0 when
 * nothing changes, -errno (nothing written) when refused. */
int reenc_resilience_update(struct reenc_ctx *ctx, enum reenc_res res, const char *hash);
/* The checks of reenc_load that need no key (state, resilience, hash,
 * backup segments, sizes, hotzone length); 0 when it could load. */
int reenc_check_metadata(struct luks2_dev *d);

/* reenc_repair.c: reencryption metadata without a verification digest
 * (flag online-reencrypt, or the digest missing). Anyone able to write the
 * device can forge it (CVE-2021-4122): call only after the user saw what
 * it would do and confirmed. The flag version a repair writes (2 or 3). */
int reenc_repair_version(struct luks2_hdr *hdr, const struct reenc_status *ri);
/* Unlock the keys with pass, sign the metadata with a new digest under
 * online-reencrypt-vN, check that it loads, and commit. Returns N. */
int reenc_repair_sign(struct luks2_dev *d, int keyslot, const char *pass, size_t pass_len);

/* Bytes rewritten so far (from the segments). */
uint64_t reenc_progress(struct reenc_ctx *ctx);

/*
 * One hotzone. Returns 0 after a committed hotzone, 1 when the
 * reencryption finished with that hotzone (final metadata committed),
 * -errno on failure. *fatal is set when the failure came after the
 * metadata commit point (the header then records the interrupted hotzone).
 */
int reenc_step(struct reenc_ctx *ctx, int *fatal);
/* For resilience "none": sync the data, then commit the progress made
 * since the last commit (nothing to write when there is none). */
int reenc_commit_progress(struct reenc_ctx *ctx);
/* Redo the interrupted hotzone recorded in the header (crash state);
 * 0 or 1 (that hotzone was the last one) like reenc_step. */
int reenc_recover_hotzone(struct reenc_ctx *ctx);
/* All data already rewritten but metadata not final (a crash between our
 * last hotzone and the final commit, or cryptsetup's window): wipe the
 * unused areas, then commit the final metadata. 1 when done so. */
int reenc_finish_if_done(struct reenc_ctx *ctx);

/* reenc_segs.c: segment tables for a hotzone */
/* New segment objects; size NULL = "dynamic"; iv in bytes. */
struct json_object *reenc_json_segment(const char *type, uint64_t off,
				       const uint64_t *size, int in_reenc);
struct json_object *reenc_json_crypt(uint64_t off, uint64_t iv_bytes,
				     const uint64_t *size, const char *cipher,
				     uint32_t sector, int in_reenc);
/* The current regular segments of the header. */
int reenc_regular_segments(struct reenc_ctx *ctx, struct seg_table *t);
int reenc_plan(struct reenc_ctx *ctx);
/* 0 when the hotzone (offset, length) reads and writes on the device and
 * not over the moved copy of an encryption; else -EINVAL. */
int reenc_hotzone_bounds(struct reenc_ctx *ctx);
/* The tables of the planned hotzone: before its data is rewritten (hot),
 * after (post, from hot). -EINVAL when the metadata does not allow one. */
int reenc_hot_segments(struct reenc_ctx *ctx, struct seg_table *hot);
int reenc_post_segments(struct reenc_ctx *ctx, const struct seg_table *hot,
			struct seg_table *post);
/* reenc_meta.c: install regular segments + backups and assign digests (in
 * memory). */
int reenc_set_segments(struct reenc_ctx *ctx, const struct seg_table *regular);
/* 1 when these regular segments describe a finished reencryption. */
int reenc_segments_done(struct reenc_ctx *ctx, const struct seg_table *regular);
/* The final metadata: one segment, no reencryption state. */
int reenc_final_metadata(struct reenc_ctx *ctx, const struct seg_table *regular,
			 uint64_t *wipe_off, uint64_t *wipe_len, int *nwipe);

/* reenc_init.c: building the metadata of a new reencryption */
/* Add the reencrypt keyslot id (area: largest gap; 4 KiB for datashift). */
int reenc_add_keyslot(struct luks2_hdr *hdr, int id, enum reenc_mode mode,
		      int backward, enum reenc_res res, const char *hash,
		      uint32_t block, uint64_t shift);
/* Add a flag to a segment object. */
void reenc_segment_flag(struct json_object *seg, const char *flag);
/* Replace any online-reencrypt flag with online-reencrypt-vN (0: remove). */
void reenc_set_flag(struct luks2_hdr *hdr, int version);
/* A fresh in-memory header (no keyslots, digests or segments). */
struct luks2_format {
	uint64_t hdr_size, keyslots_size;
	const char *uuid, *label, *subsystem;
};
int luks2_hdr_format(struct luks2_hdr *hdr, const struct luks2_format *f);

/* reenc_par.c: the CPU work of a hotzone on every online CPU */
int reenc_workers_init(struct reenc_ctx *ctx);
void reenc_workers_free(struct reenc_ctx *ctx);
int reenc_par_transform(struct reenc_ctx *ctx, uint64_t off, uint8_t *buf, size_t len);
int reenc_par_hash(struct reenc_ctx *ctx, const uint8_t *buf, size_t len, uint8_t *sums);


/* reenc_status.c: what the header says (state, parameters, progress) */
/* Bytes rewritten by the reencryption described by the segments. */
uint64_t reenc_total_bytes(struct luks2_hdr *hdr, uint64_t dev_size,
			   uint64_t shift, int forward);
/* 1 when regular segment s is rewritten in a reencryption of this mode
 * towards final (the backup-final segment). */
int reenc_segment_done(enum reenc_mode mode, const struct luks2_segment *s,
		       const struct luks2_segment *final);
/* Read the reencryption state of a header on a data device of dev_size. */
int reenc_status_read(struct luks2_hdr *hdr, uint64_t dev_size, struct reenc_status *st);

/*
 * Reencryption verification digest (doc/format.md §3.3). The byte string
 * covers the keys, the reencrypt keyslot parameters and the backup
 * segments.
 * vk_old / vk_new may be NULL when that side has no key.
 */
int reenc_digest_data(struct luks2_hdr *hdr, int version,
			    const struct volume_key *vk_old,
			    const struct volume_key *vk_new,
			    uint8_t *buf, size_t buf_len);
int reenc_digest_verify(struct luks2_hdr *hdr, int version,
			      const struct volume_key *vk_old,
			      const struct volume_key *vk_new);
/* Replace D_re with a new digest; returns its id. */
int reenc_digest_create(struct luks2_hdr *hdr, int version,
			      const struct volume_key *vk_old,
			      const struct volume_key *vk_new,
			      uint32_t iterations);
/* Unlock the keys a reencryption needs with one passphrase: the key of
 * backup-previous's digest and of backup-final's (when they differ).
 * Either may come back NULL when that side is plaintext. */
int reenc_unlock_keys(struct luks2_dev *d, int keyslot, const char *pass,
		       size_t pass_len, struct volume_key **vk_old,
		       struct volume_key **vk_new);


/* reenc_dev.c: the device handle of luks2/reenc.h */
struct reenc_dev {
	struct luks2_dev d;
	int lock_md, lock_re;	/* -1 when not held */
	int opened;
	unsigned flags;		/* REENC_OPEN_* */
};


/* --- reenc_init*.c: starting a reencryption (reenc_init of reenc.h) ---- */
#define REENC_INIT_MAX_PASS 8

/* The caller's parameters, checked, with the defaults applied. */
struct reenc_init_args {
	const struct reenc_params *p;
	struct luks2_pbkdf pbkdf;	/* of new keyslots (p->pbkdf + defaults) */
	enum reenc_res res;		/* checksum (default), journal or none */
	const char *hash;		/* resilience hash (default sha256) */
};
/* reenc_init_params.c: every check that needs neither the device nor a
 * passphrase; 0 or -EINVAL (logged). */
int reenc_init_resolve(const struct reenc_params *p, struct reenc_init_args *a);

/* What the reencrypt keyslot records. */
struct reenc_init_plan {
	enum reenc_mode mode;
	int backward;
	enum reenc_res res;
	uint32_t block;		/* checksum block size */
	uint64_t shift;		/* data shift, bytes */
	int version;		/* requirement flag online-reencrypt-vN */
};

/* New keyslots: new keyslot i gets passphrase pass_of[i]; it replaces
 * keyslot old_ks[i] (tokens follow; NULL: none) and keeps its PBKDF
 * old_kdf[i] unless the caller gave one. */
struct reenc_init_slots {
	const int *pass_of;
	const int *old_ks;
	const struct json_object *const *old_kdf;
	int count;
	const char *cipher;		/* keyslot area encryption */
	size_t cipher_key_len;
};

/* reenc_init.c */
int reenc_init_keyslots(struct luks2_dev *d, int digest, const struct volume_key *vk,
			const struct reenc_init_args *a, const struct reenc_init_slots *s);

/* reenc_init_common.c: the pieces the modes share */
int reenc_init_cipher_check(const char *cipher, size_t key_len, uint32_t sector);
/* The device's logical block, at least a and b. */
uint64_t reenc_init_alignment(int fd, uint32_t a, uint32_t b);
/* The keyslots area holds n keyslots of key_len bytes and 4 KiB. */
int reenc_init_keyslots_fit(uint64_t ks_size, size_t key_len, int n);
/* p->device_size: at most avail bytes, a multiple of block. */
int reenc_init_device_size(const struct reenc_params *p, uint64_t avail, uint64_t block);
/* The reencrypt keyslot, flag and digest in memory (prepare), then the
 * one commit (finish: both). */
int reenc_init_prepare(struct luks2_dev *d, const struct reenc_init_plan *pl,
		       const struct reenc_init_args *a, const struct volume_key *vk_old,
		       const struct volume_key *vk_new);
int reenc_init_finish(struct luks2_dev *d, const struct reenc_init_plan *pl,
		      const struct reenc_init_args *a, const struct volume_key *vk_old,
		      const struct volume_key *vk_new);
int reenc_init_move(int fd, uint64_t src, uint64_t dst, uint64_t len);
/* A new file (O_EXCL), its name synced: the fd, or -errno (logged). */
int reenc_init_new_file(const char *path);
void reenc_init_put_seg(struct luks2_hdr *hdr, int id, struct json_object *s,
			const char *flag);
struct json_object *reenc_init_dup_seg(struct luks2_hdr *hdr, int id);
/* reenc_dev_open for writing, refused unless the state is "none"
 * (-EEXIST: one is initialized; -ENODEV: unsupported metadata). */
int reenc_init_open(struct reenc_dev **dev, const char *path, const char *header,
		    const struct reenc_params *p);

/* reenc_init_online.c: init of an active device (reenc_params.active_name).
 * NAME is a dm device of d's header, not suspended, no inactive table. */
int reenc_init_online_name(struct luks2_dev *d, const char *name);
/* ... and its live table is the one d's regular segments in memory imply
 * with the key of digest (vk); -EINVAL (logged) when not. */
int reenc_init_online_compare(struct luks2_dev *d, const char *name, int digest,
			      const struct volume_key *vk);
/* Header removal: load NAME's table of d's segments in memory (inactive),
 * suspend NAME with flush. */
int reenc_init_online_suspend(struct luks2_dev *d, const char *name, int digest,
			      const struct volume_key *vk);
/* Header removal: -EINVAL (logged) when the new header file's directory
 * is on a device over NAME (its commit would wait for suspended NAME). */
int reenc_init_online_header_place(const char *name, const char *header);
/* Resume NAME: on the new table when r >= 0, else with it cleared.
 * Returns r, or the resume's error. */
int reenc_init_online_resume(struct luks2_dev *d, const char *name, int r);

/* The modes (reenc_init_reencrypt.c, _encrypt.c, _decrypt.c). */
int reenc_init_reencrypt(struct luks2_dev *d, const struct reenc_init_args *a);
int reenc_init_encrypt(const char *path, const struct reenc_init_args *a);
int reenc_init_decrypt(const char *path, const struct reenc_init_args *a);

/* --- reenc_online*.c: online reencryption (luks2/reenc.h) --------------- */
struct luks2_dm_key;	/* luks2/dm_table.h */
/* hotzone.c hooks of an online step: after the hot segments are in memory,
 * before the old data is read (the overlay gets the hot table, the hotzone
 * helper is suspended); and when the step ends with r (helper resumed, or
 * replaced by an error target when r < 0). Both are no-ops offline. */
int reenc_online_hot(struct reenc_ctx *ctx);
int reenc_online_step_end(struct reenc_ctx *ctx, int r);
/* reenc_run.c: stack before the hotzones, unstack after (r the result of
 * the run); the result of the run is returned. */
int reenc_online_begin(struct reenc_ctx *ctx);
int reenc_online_end(struct reenc_ctx *ctx, int r);
/* Open the data device (and a detached header) read-write without O_EXCL. */
int reenc_online_reopen(struct luks2_dev *d);
/* reenc_online_dm.c: device-mapper pieces */
/* NAME's size in sectors, from its live table. */
int reenc_online_sectors(const char *name, uint64_t *sectors);
/* "major:minor" of NAME. */
int reenc_online_devstr(const char *name, char *buf, size_t len);
/* Replace NAME's table with one error target of its size, and resume. */
int reenc_online_error(const char *name);
/* Load into NAME the table of the header as on disk (refused while it
 * records an interrupted hotzone), resume it with noflush and skip-lockfs,
 * then remove the helper devices. keys: the volume keys by digest. */
int reenc_online_load_top(struct luks2_dev *d, const char *name, uint64_t sectors,
			  const struct luks2_dm_key *keys, size_t nkeys);
void reenc_online_remove_helpers(const char *name);
/* Table flags: keyring references when the kernel takes them, else hex. */
unsigned reenc_online_table_flags(void);
/* The flags of a table that replaces NAME's or its helpers': those above,
 * and the dm-crypt options of NAME's live crypt targets (of its overlay's
 * while NAME maps onto it), which an online run keeps as cryptsetup does
 * (options given at open only, not in config.flags, included). */
unsigned reenc_online_flags(const char *name);

#endif
