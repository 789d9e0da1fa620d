/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * luks2box's reencryption engine: the one header a program needs to
 * reencrypt a LUKS2 device (new volume key, cipher or sector size),
 * encrypt a plaintext device in place or decrypt one in place, hotzone by
 * hotzone and crash-safely. The metadata is cryptsetup 2.6.1's: either
 * tool resumes or recovers what the other started (doc/format.md).
 *
 * A run, as the applets and tests/example/reencrypt-image.c do it:
 *
 *   struct reenc_params p = { .mode = REENC_MODE_REENCRYPT, .keyslot = -1,
 *                             .pass = &secret, .npass = 1 };
 *   reenc_init("disk.img", &p);                   one metadata commit
 *   reenc_dev_open(&dev, "disk.img", NULL, REENC_OPEN_WRITE);   + locks
 *   reenc_load(dev, pass, len, -1, 0, &ctx);       keys, digest verified
 *   reenc_run(ctx, &(struct reenc_run_params){ 0 });   to the end
 *   reenc_free(ctx); reenc_dev_close(dev);
 *
 * After a crash reenc_status() reports REENC_STATE_CRASH: reenc_recover()
 * redoes the interrupted hotzone, then reenc_load() and reenc_run() go on.
 * Metadata without a reencryption digest (REENC_STATE_REPAIR) can be
 * forged by anyone able to write the device (CVE-2021-4122): reenc_repair()
 * signs it, and a caller must call it only after its user confirmed.
 *
 * Every function returns 0 (or a documented positive value) or a negative
 * errno, and prints its reason on stderr first (one line). The errnos that
 * mean something particular:
 *   -EPERM      wrong passphrase
 *   -ENOENT     no keyslot can open the key; no such keyslot
 *   -ENODEV     not a LUKS2 device, invalid header, unsupported metadata
 *   -EBUSY      locked by another run
 *   -EEXIST     a reencryption is already initialized; the file exists
 *   -EALREADY   nothing to do: no reencryption in progress
 *   -EUCLEAN    an interrupted hotzone is recorded: run reenc_recover()
 *   -EBADMSG    reencryption metadata without a digest: see reenc_repair()
 *   -EINVAL     refused parameters or inconsistent metadata; nothing written
 * A failure other than -EUCLEAN leaves the metadata consistent. The engine
 * never exits, and never writes before every check has passed.
 *
 * Link with libluks2box.a and -ljson-c -lcrypto -lkcapi -largon2 -luuid
 * -lblkid -lpthread.
 */
#ifndef LUKS2_REENC_H
#define LUKS2_REENC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

enum reenc_mode { REENC_MODE_REENCRYPT, REENC_MODE_ENCRYPT, REENC_MODE_DECRYPT };
enum reenc_direction { REENC_FORWARD, REENC_BACKWARD };
/* The names in the metadata: none, checksum, journal, datashift,
 * datashift-checksum, datashift-journal. */
enum reenc_res {
	REENC_RES_NONE, REENC_RES_CHECKSUM, REENC_RES_JOURNAL, REENC_RES_DATASHIFT,
	REENC_RES_DS_CHECKSUM, REENC_RES_DS_JOURNAL,
	REENC_RES_UNKNOWN,	/* read from a header: none of these */
};
enum reenc_state {
	REENC_STATE_NONE,	/* no reencryption */
	REENC_STATE_CLEAN,	/* in progress, resumable */
	REENC_STATE_CRASH,	/* an interrupted hotzone is recorded */
	REENC_STATE_REPAIR,	/* no reencryption digest: unverified */
	REENC_STATE_INVALID,	/* unknown requirement or parameters */
};

const char *reenc_mode_name(enum reenc_mode m);
const char *reenc_direction_name(enum reenc_direction d);
const char *reenc_res_name(enum reenc_res r);
const char *reenc_state_name(enum reenc_state s);
/* Name -> enum; -EINVAL when unknown. */
int reenc_mode_parse(const char *s, enum reenc_mode *m);
int reenc_direction_parse(const char *s, enum reenc_direction *d);
int reenc_res_parse(const char *s, enum reenc_res *r);

/* A segment as the status shows it (type "none" when absent). */
struct reenc_segment_info {
	char type[8];		/* none, linear, crypt, other */
	char cipher[64];
	uint32_t sector_size;
	uint64_t offset;
	uint64_t size;		/* UINT64_MAX: to the end of the device */
	int digest;
};

struct reenc_status {
	enum reenc_state state;
	int running;		/* a live process holds the reencryption lock */
	int version;		/* requirement flag online-reencrypt-vN: 1, 2, 3 */
	int keyslot;		/* reencrypt keyslot, -1 none */
	int digest;		/* reencryption digest, -1 none */
	enum reenc_mode mode;
	enum reenc_direction direction;
	enum reenc_res resilience;
	char hash[32];		/* checksum hash */
	uint32_t sector_size;	/* checksum block size */
	uint64_t shift;		/* data shift, bytes */
	uint64_t area_offset, area_size;	/* resilience area */
	uint64_t progress;	/* bytes rewritten */
	uint64_t total;		/* bytes to rewrite */
	struct reenc_segment_info previous, final, moved;	/* backups */
	char why[160];		/* REENC_STATE_INVALID, REENC_STATE_REPAIR */
	char foreign[48];	/* another signature beside a broken header copy */
};

/* --- a device: data device, header, cryptsetup's locks ------------------ */
struct reenc_dev;

enum {
	REENC_OPEN_WRITE = 1 << 0,	/* read-write, both locks held */
	REENC_OPEN_NO_LOCKS = 1 << 1,	/* cryptsetup --disable-locks */
};
/* header: a detached header file, NULL when on the device. A read-only
 * open takes no lock and accepts a foreign signature beside one valid
 * header copy (status.foreign). */
int reenc_dev_open(struct reenc_dev **dev, const char *path, const char *header,
		   unsigned flags);
void reenc_dev_close(struct reenc_dev *dev);
const char *reenc_dev_path(const struct reenc_dev *dev);

/* The state of the header as read. REENC_STATUS_PROBE_RUNNING looks at
 * the reencryption lock (a read-only open): running is set when a live
 * process holds it. */
enum { REENC_STATUS_PROBE_RUNNING = 1 << 0 };
int reenc_status(struct reenc_dev *dev, unsigned flags, struct reenc_status *st);
/* The answer a script gets for a state: 0 clean, -EALREADY none,
 * -EUCLEAN crash, -EBADMSG repair, -ENODEV invalid (logged). */
int reenc_state_result(const struct reenc_status *st);
/* The same with one line saying why a run cannot start or go on (and
 * what to run instead); crash_ok: a crash state is fine. */
int reenc_state_check(const struct reenc_status *st, int crash_ok);
/* Every field of the header and the state, in a stable order: emit(key,
 * value) with values already escaped (\\, \xNN). */
int reenc_describe(struct reenc_dev *dev, const struct reenc_status *st,
		   int (*emit)(void *arg, const char *key, const char *val), void *arg);
/* The same as one JSON object (the header's JSON under "metadata"); free it. */
char *reenc_describe_json(struct reenc_dev *dev, const struct reenc_status *st);
/* As cryptsetup open --test-passphrase: 0 when pass opens the key of the
 * default segment (both keys and the digest during a reencryption).
 * -EINVAL when the digest does not verify, and in REENC_STATE_REPAIR
 * before pass is looked at (it may then be NULL: ask before prompting). */
int reenc_test_passphrase(struct reenc_dev *dev, int keyslot, const char *pass,
			  size_t pass_len);

/* --- starting a reencryption -------------------------------------------- */
struct reenc_secret {
	const char *data;
	size_t len;
};

struct reenc_pbkdf {
	const char *type;	/* pbkdf2, argon2i, argon2id (default) */
	const char *hash;	/* pbkdf2 and AF hash (default sha256) */
	uint32_t iterations;	/* pbkdf2 iterations, argon2 time; 0 = benchmark */
	uint32_t memory_kb;	/* argon2 (default 1 GiB) */
	uint32_t parallel;	/* argon2 threads (default and at most 4) */
	uint32_t iter_time_ms;	/* benchmark target (default 2000) */
};

enum {
	REENC_INIT_RESILIENCE = 1 << 0,	/* .resilience is set (else checksum) */
	REENC_INIT_KEEP_KEY = 1 << 1,	/* keep the volume key */
	REENC_INIT_FORCE_OFFLINE = 1 << 2,	/* allow a larger sector size */
	REENC_INIT_REMOVE_OTHERS = 1 << 3,	/* drop keyslots without a passphrase */
	REENC_INIT_PBKDF = 1 << 4,	/* .pbkdf for every new keyslot (else
					 * each old keyslot's) */
	REENC_INIT_FORCE_ITERATIONS = 1 << 5,	/* .pbkdf.iterations, no benchmark */
	REENC_INIT_NO_LOCKS = 1 << 6,	/* cryptsetup --disable-locks */
};

struct reenc_params {
	enum reenc_mode mode;
	unsigned flags;			/* REENC_INIT_* */
	enum reenc_res resilience;	/* checksum, journal or none */
	const char *resilience_hash;	/* default sha256 */
	/* reencrypt: the device's header file, if detached. encrypt: the
	 * new header file (or 0 and data_shift). decrypt: an existing
	 * detached header, or a new file the header moves to (removal). */
	const char *header;
	uint64_t hotzone;		/* header removal: moved first segment */
	uint64_t device_size;		/* rewrite the first bytes only; 0 all */
	uint64_t data_shift;		/* encrypt: cryptsetup --reduce-device-size */
	const char *cipher;		/* new cipher; default: kept or aes-xts-plain64 */
	uint32_t key_size;		/* bytes; 0 default */
	uint32_t sector_size;		/* 0 default */
	struct reenc_pbkdf pbkdf;	/* of new keyslots */
	const char *uuid, *label, *subsystem;	/* encrypt: the new header */
	uint64_t metadata_size, keyslots_size;	/* encrypt; 0 default */
	int keyslot;			/* -1 any; N: only N (and keep only it) */
	const struct reenc_secret *pass;	/* each unlocks and gets a keyslot */
	int npass;
	/* Online init (cryptsetup 2.6.1 lib/luks2/luks2_reencrypt.c
	 * reencrypt_init, reencrypt_decrypt_with_datashift_init): the active
	 * dm-crypt device of path, NULL offline. The data device is then not
	 * opened O_EXCL; before the first write NAME must be a device of this
	 * LUKS2 header (dm uuid) whose live table is the one the metadata
	 * implies (cipher, key or key reference, offsets, sector size, data
	 * device), else -EINVAL. Reencrypt and a detached-header decrypt only
	 * commit the metadata (hotzone-step goes on online). A header removal
	 * loads NAME's table of the new layout, suspends NAME with flush,
	 * moves the first chunk, commits, and resumes NAME on the new table
	 * (on failure the new table is dropped and NAME resumed as it was).
	 * Encryption is offline only: -EBUSY. */
	const char *active_name;
};

/* Check every parameter and the device, then write the metadata of a new
 * reencryption, encryption or decryption of path in one commit (an
 * encryption first moves the data a shift needs, a header removal first
 * exports the header). -EEXIST when one is already initialized. */
int reenc_init(const char *path, const struct reenc_params *p);
/* The checks of reenc_init that need neither the device nor a passphrase
 * (pass and npass are not looked at): a caller may run them before it
 * prompts. 0 or -EINVAL. */
int reenc_init_check(const struct reenc_params *p);

/* --- running it ---------------------------------------------------------- */
struct reenc_ctx;

/* Open the keys with pass (keyslot -1: any), verify the reencryption
 * digest, prepare the hotzone buffer. max_hotzone: upper bound of the
 * hotzone length, 0 = the mode's default. -EUCLEAN in a crash state,
 * -EBADMSG without a digest, -EALREADY without a reencryption. */
int reenc_load(struct reenc_dev *dev, const char *pass, size_t pass_len, int keyslot,
	       uint64_t max_hotzone, struct reenc_ctx **ctx);
void reenc_free(struct reenc_ctx *ctx);

/* Change the resilience before the first hotzone of this run, as
 * cryptsetup allows on resume: checksum, journal and none among
 * themselves (a data shift keeps datashift-checksum/-journal). hash NULL:
 * the stored one, or sha256. 1 when committed, 0 when nothing changes. */
int reenc_set_resilience(struct reenc_ctx *ctx, enum reenc_res res, const char *hash);

struct reenc_progress {
	uint64_t done, total;		/* bytes */
	uint64_t offset, length;	/* the hotzone just committed */
	int finished;
};

struct reenc_run_params {
	uint64_t hotzones;		/* at most this many; 0 = to the end */
	void (*progress)(const struct reenc_progress *p, void *arg);	/* per hotzone */
	void *arg;
	const volatile sig_atomic_t *stop;	/* set: stop at the next boundary */
};

enum { REENC_RUN_MORE = 0, REENC_RUN_FINISHED = 1, REENC_RUN_STOPPED = 2 };
/* Finish a reencryption whose data is all rewritten, then rewrite
 * hotzones, commit the progress of resilience none, and the final
 * metadata after the last one. REENC_RUN_MORE: the count was reached;
 * REENC_RUN_STOPPED: *stop was seen. -EUCLEAN: failed after the commit
 * point (run reenc_recover). */
int reenc_run(struct reenc_ctx *ctx, const struct reenc_run_params *p);
/* Bytes rewritten so far and in all. */
void reenc_get_progress(struct reenc_ctx *ctx, uint64_t *done, uint64_t *total);

/* Redo the interrupted hotzone of a crash (keys and digest verified
 * first). 0, or REENC_RUN_FINISHED when it was the last one. */
int reenc_recover(struct reenc_dev *dev, const char *pass, size_t pass_len, int keyslot);
/* Sign metadata without a reencryption digest (REENC_STATE_REPAIR) with
 * the keys pass opens, after checking it would load. Returns the flag
 * version written (2 or 3). Only after the user confirmed. */
int reenc_repair(struct reenc_dev *dev, const char *pass, size_t pass_len, int keyslot);

/* The crypto backend: "user" (OpenSSL, default) or "kernel" (AF_ALG). */
int reenc_backend(const char *name);

/* --- device-mapper activation (luks2/reenc_dm*.c) ------------------------ */
/* cryptsetup's dm devices of a LUKS2 device: the same table, name, dm uuid
 * (CRYPT-LUKS2-<uuid without dashes>-NAME) and volume keys as kernel
 * keyring logon keys, so that either tool closes what the other opened.
 * Link with -ldevmapper as well. */

/* The table cryptsetup would load for dev (lib/luks2/luks2_json_metadata.c
 * LUKS2_activate, or LUKS2_activate_multi during a clean reencryption),
 * one "start length type params" line per target (512-byte sectors), the
 * data device as MAJ:MIN when it is a block device, else its path; keys
 * as keyring references (":64:logon:cryptsetup:<uuid>-d<digest>"). Needs
 * no kernel. -EUCLEAN crash state, -EBADMSG metadata without a digest,
 * -ENODEV unsupported metadata. Free *text with reenc_dm_free_text. */
int reenc_dm_table(struct reenc_dev *dev, char **text);
void reenc_dm_free_text(char *text);

enum { REENC_DM_READONLY = 1 << 0 };	/* reenc_dm_open: a read-only device */
/* Create the device NAME over dev (a block device; a detached header as
 * reenc_dev_open was given), as cryptsetup open does: the key of the
 * segment, or during a clean reencryption both keys, the reencryption
 * digest verified and the multi-segment table, under the reencryption
 * lock (unless dev was opened with REENC_OPEN_NO_LOCKS). Keys go as logon
 * keys when the kernel's keyring and dm-crypt take them, else as hex.
 * pass NULL: only the checks that need no key (state, name, device), so a
 * caller refuses before it prompts. -EUCLEAN crash state (recover
 * first), -EBADMSG unverified metadata, -EEXIST NAME exists, -EBUSY a run
 * holds the reencryption lock, -ENOTBLK not a block device, -EPERM wrong
 * passphrase. Nothing is left behind on failure. */
int reenc_dm_open(struct reenc_dev *dev, const char *name, const char *pass,
		  size_t len, int keyslot, unsigned flags);
/* Remove NAME as cryptsetup close does (lib/luks2/luks2_json_metadata.c
 * LUKS2_deactivate): with reencryption helper devices under it, only when
 * the reencryption lock is free (not looked at with REENC_OPEN_NO_LOCKS in
 * flags: cryptsetup --disable-locks); suspended helpers get an error target
 * first; then NAME, then the helpers. -ENODEV not active or not a LUKS2
 * device, -EBUSY in use or a run holds the lock. */
int reenc_dm_close(const char *name, unsigned flags);

#define REENC_DM_MAX_TARGETS 8
#define REENC_DM_MAX_HELPERS 4
/* One target of a live table. */
struct reenc_dm_target {
	char type[16];		/* crypt, linear, error, ... */
	uint64_t start, length;	/* sectors */
	char cipher[64];	/* crypt */
	char key[96];		/* crypt: the keyring reference, "hex" or "-" */
	char device[32];	/* MAJ:MIN */
	uint64_t offset;	/* on device, sectors */
	uint64_t iv_offset;	/* crypt */
	uint32_t sector_size;	/* crypt */
};

struct reenc_dm_status {
	char name[128];
	char dm_uuid[129];
	char type[8];		/* "LUKS2", or "" another device */
	char uuid[40];		/* the LUKS2 uuid (from the dm uuid) */
	int suspended, read_only, open_count;
	unsigned major, minor;
	uint64_t size;		/* sectors */
	int ntargets;
	struct reenc_dm_target t[REENC_DM_MAX_TARGETS];
	int nhelpers;		/* reencryption helpers under it */
	char helper[REENC_DM_MAX_HELPERS][128];
	int helper_suspended[REENC_DM_MAX_HELPERS];
};

/* What NAME is. -ENODEV when it does not exist (logged only when
 * verbose). */
int reenc_dm_status(const char *name, struct reenc_dm_status *st);
/* --- end of device-mapper activation ------------------------------------- */

/* --- online reencryption (luks2/reenc_online.c) ------------------------ */
/* Online, a dm-crypt device NAME of this LUKS2 device stays in use: at
 * the start of reenc_run() NAME is remapped onto cryptsetup's helper
 * devices (NAME-overlay with NAME's table, NAME-hotzone-forward or
 * -backward over the data device at the new data offset), each hotzone is
 * switched in the overlay while its data is rewritten (user I/O to it
 * waits in the suspended hotzone device meanwhile), and at the end NAME
 * gets the table of the metadata (multi-segment, or the final one) and the
 * helpers are removed. On a failure after a hotzone device was suspended
 * it gets an error target: its I/O fails, it never hangs. Volume keys go
 * to the kernel as logon keys when the kernel keyring works. */

/* reenc_dev_open flag, with REENC_OPEN_WRITE: the data device is in use
 * by an active device, open it without O_EXCL (an online run). */
enum { REENC_OPEN_ACTIVE = 1 << 2 };
/* The active LUKS2 device over dev's data device (found through its
 * holders, also when our helpers sit in between): 1 and its name, 0 when
 * none. */
int reenc_find_active(struct reenc_dev *dev, char *name, size_t len);
/* The same for the device at path (header: its detached header file or
 * NULL), as cryptsetup's tools find it (src/utils_reencrypt.c): name ""
 * for a file, a device that cannot be read as LUKS2, or none active. */
void reenc_find_active_path(const char *path, const char *header, char *name, size_t len);
/* Run ctx online on the active device NAME (checked: a dm device of this
 * LUKS2 device, not stacked). */
int reenc_set_active(struct reenc_ctx *ctx, const char *name);
/* Build the helper stack under NAME / take it down (NAME gets the table
 * of the metadata on disk). reenc_run() calls them for a ctx made active;
 * a stack built by reenc_dm_stack() is taken down by the caller. */
int reenc_dm_stack(struct reenc_ctx *ctx, const char *name);
int reenc_dm_unstack(struct reenc_ctx *ctx, const char *name);
/* The block device under the active device NAME (through the helpers
 * when stacked), as /dev/<name>. */
int reenc_dm_backing_device(const char *name, char *path, size_t len);
/* After an online run was killed: a suspended hotzone helper gets an
 * error target and suspended devices are resumed (I/O is answered), the
 * interrupted hotzone is recovered, NAME gets the table of the metadata
 * and the helpers are removed. 0, or REENC_RUN_FINISHED when the
 * recovered hotzone was the last one. */
int reenc_recover_active(struct reenc_dev *dev, const char *name, const char *pass,
			 size_t pass_len, int keyslot);

#endif
