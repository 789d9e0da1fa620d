/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LUKS2 on-disk header (doc/format.md §1), the device handle, keyslots,
 * digests and segments. Offsets and lengths are bytes (uint64_t).
 */
#ifndef LUKS2_LUKS2_H
#define LUKS2_LUKS2_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "common/safemem.h"

#define LUKS2_MAGIC_1ST "LUKS\xba\xbe"
#define LUKS2_MAGIC_2ND "SKUL\xba\xbe"
#define LUKS2_MAGIC_LEN 6
#define LUKS2_HDR_BIN_LEN 4096
#define LUKS2_CSUM_OFFSET 0x1C0
#define LUKS2_CSUM_LEN 64
#define LUKS2_MIN_HDR_SIZE 0x4000ULL
#define LUKS2_MAX_HDR_SIZE 0x400000ULL
#define LUKS2_MAX_KEYSLOTS_SIZE 0x8000000ULL
#define LUKS2_KEYSLOTS_MAX 32
#define LUKS2_STRIPES 4000
#define LUKS2_SALT_LEN 32
#define LUKS2_DYNAMIC UINT64_MAX	/* segment size "dynamic" */

struct luks2_hdr_disk {
	char magic[LUKS2_MAGIC_LEN];
	uint16_t version;
	uint64_t hdr_size;
	uint64_t seqid;
	char label[48];
	char checksum_alg[32];
	uint8_t salt[64];
	char uuid[40];
	char subsystem[48];
	uint64_t hdr_offset;
	char pad1[184];
	uint8_t csum[LUKS2_CSUM_LEN];
	char pad2[7 * 512];
} __attribute__((packed));

_Static_assert(sizeof(struct luks2_hdr_disk) == LUKS2_HDR_BIN_LEN, "binary header size");
_Static_assert(__builtin_offsetof(struct luks2_hdr_disk, csum) == LUKS2_CSUM_OFFSET, "csum");
_Static_assert(__builtin_offsetof(struct luks2_hdr_disk, hdr_offset) == 0x100, "hdr_offset");

/* Why a header copy was not used, for the user. */
struct luks2_copy_state {
	int ok;
	uint64_t offset;
	uint64_t seqid;
	char why[160];
};

struct luks2_hdr {
	uint64_t hdr_size;
	uint64_t seqid;
	char label[49];
	char subsystem[49];
	char checksum_alg[33];
	char uuid[41];
	uint8_t salt[2][64];
	struct json_object *jobj;
	struct luks2_copy_state copy[2];	/* primary, secondary */
	/* blkid signature found while one copy is unusable ("" none): the
	 * header was opened read-only and must not be written. */
	char foreign[48];
};

/* A LUKS2 device: data device plus header (the same file unless detached). */
struct luks2_dev {
	const char *path;	/* data device */
	const char *hdr_path;	/* header device or file */
	int fd, hdr_fd;		/* hdr_fd == fd unless detached */
	int writable;
	uint64_t size;		/* data device size in bytes */
	struct luks2_hdr hdr;
};

/* hdr.c */
/* The allowed hdr_size values, also where a secondary copy may start. */
#define LUKS2_HDR2_OFFSETS_N 9
extern const uint64_t luks2_hdr2_offsets[LUKS2_HDR2_OFFSETS_N];
int luks2_hdr_size_allowed(uint64_t size);
/* Read and validate both copies; the newer valid one wins. Never writes.
 * -ENODEV not LUKS2 (or LUKS1, too small), -EINVAL both copies invalid,
 * or only one is valid and blkid finds another signature on the device
 * (as cryptsetup, which then refuses to recover); the reason is logged once.
 * luks2_dev_open() for reading only accepts the latter with a warning. */
int luks2_hdr_read(int fd, struct luks2_hdr *hdr);
/* Validate, drop unused digests, seqid+1, write primary then secondary,
 * each followed by fsync (doc/format.md §1.3). */
int luks2_hdr_write(int fd, struct luks2_hdr *hdr);
/* hdr_util.c: what luks2_hdr_write checks first: drop unused digests,
 * validate, fit the JSON area; text (may be NULL): the JSON, valid until
 * the next change of hdr. */
int luks2_hdr_check(struct luks2_hdr *hdr, const char **text);
void luks2_hdr_free(struct luks2_hdr *hdr);
int luks2_hdr_set_label(struct luks2_hdr *hdr, const char *label,
			const char *subsystem);
uint64_t luks2_keyslots_size(struct luks2_hdr *hdr);
/* hdr_util.c: 1 when blkid finds a partition table or a superblock other
 * than crypto_LUKS on fd (name: what), 0 when none. */
int luks2_foreign_signature(int fd, char *name, size_t len);
/* Smallest offset of a regular segment (the data offset). */
uint64_t luks2_data_offset(struct luks2_hdr *hdr);
/* Open the data device and the header, read the header. Read-only opens
 * accept a foreign signature next to one valid copy (hdr.foreign). */
int luks2_dev_open(struct luks2_dev *d, const char *path, const char *header,
		   int writable);
void luks2_dev_close(struct luks2_dev *d);

/* af.c: anti-forensic split/merge with stripes=4000 (doc/format.md §2.2). */
size_t luks2_af_size(size_t key_len);	/* bytes of AF material */
int luks2_af_split(const void *key, void *dst, size_t key_len, const char *hash);
int luks2_af_merge(const void *src, void *key, size_t key_len, const char *hash);

/* digest.c: pbkdf2 digests binding keys to keyslots and segments. */
int luks2_digest_verify(struct luks2_hdr *hdr, int digest, const void *key,
			size_t key_len);
/* New digest of key; returns its id. iterations 0 = benchmark 125 ms. */
int luks2_digest_create(struct luks2_hdr *hdr, const void *key, size_t key_len,
			const char *hash, uint32_t iterations);
int luks2_digest_by_keyslot(struct luks2_hdr *hdr, int keyslot);
int luks2_digest_by_segment(struct luks2_hdr *hdr, int segment);
int luks2_digest_assign_keyslot(struct luks2_hdr *hdr, int digest, int keyslot,
				int assign);
int luks2_digest_assign_segment(struct luks2_hdr *hdr, int digest, int segment,
				int assign);
/* PBKDF2 iterations that take ms milliseconds for this hash. */
int luks2_pbkdf2_benchmark(const char *hash, uint32_t ms, size_t key_len,
			   uint32_t *iterations);

/* keyslot.c */
struct luks2_pbkdf {
	const char *type;	/* pbkdf2, argon2i, argon2id */
	const char *hash;	/* pbkdf2 hash */
	uint32_t iterations;	/* pbkdf2 iterations or argon2 time; 0 = bench */
	uint32_t memory_kb;
	uint32_t parallel;
	uint32_t iter_time_ms;	/* benchmark target, default 2000 */
};
/* Run the keyslot's kdf object over the passphrase. */
int luks2_kdf_derive(struct json_object *kdf, const char *pass, size_t pass_len,
		     void *out, size_t out_len);
/* Decrypt one keyslot and check it against its digest: vk or -EPERM. */
int luks2_keyslot_unlock(struct luks2_dev *d, int keyslot, const char *pass,
			 size_t pass_len, struct volume_key **vk);
/* The kdf type of a luks2 keyslot when no passphrase can open it (not
 * pbkdf2, argon2i, argon2id; "" when missing), else NULL. */
const char *luks2_kdf_unknown(struct json_object *ks);
/* Try the keyslots bound to digest (keyslot >= 0: only that one) in
 * priority order. Returns the keyslot used; -EPERM when a usable keyslot
 * did not open (wrong passphrase); -ENOTSUP (logged, "keyslot open
 * failed") when every keyslot of the digest is unusable (unknown kdf, or
 * a cipher the backend lacks); -ENOENT when no keyslot is bound to it. */
int luks2_keyslot_open_digest(struct luks2_dev *d, int digest, int keyslot,
			      const char *pass, size_t pass_len,
			      struct volume_key **vk);
/* Store vk under pass in keyslot id (area allocated first fit); binds it to
 * digest. The area is written and synced; the JSON change is in memory
 * until the next luks2_hdr_write(). */
int luks2_keyslot_create(struct luks2_dev *d, int keyslot, int digest,
			 const struct volume_key *vk, const char *pass,
			 size_t pass_len, const struct luks2_pbkdf *pbkdf,
			 const char *area_cipher, size_t area_key_len);
/* cryptsetup's limits (lib/utils_pbkdf.c verify_pbkdf_params): pbkdf2 at
 * least 1000 iterations, argon2 time 4, 32 KiB..4 GiB, 1+ threads
 * (iterations 0 = benchmark, not checked). -EINVAL with the reason in why. */
int luks2_pbkdf_check(const struct luks2_pbkdf *p, char *why, size_t len);
/* 0 when count new keyslots of key_len bytes and then an area of extra
 * bytes (0: none) fit beside the existing keyslots; -ENOSPC if not.
 * Nothing changes: a check before the first write. */
int luks2_keyslots_room(struct luks2_hdr *hdr, int count, size_t key_len, uint64_t extra);
/* Tokens listing keyslot from also list keyslot to (to < 0: drop from). */
void luks2_tokens_keyslot(struct luks2_hdr *hdr, int from, int to);
/* Wipe the area and remove the keyslot from the JSON and its digest. */
int luks2_keyslot_destroy(struct luks2_dev *d, int keyslot);
/* Overwrite len bytes at off with random data (1 MiB writes), then fsync. */
int luks2_wipe_random(int fd, uint64_t off, uint64_t len);
/* First free gap of len bytes in the keyslots area (max_gap: largest). */
int luks2_area_find(struct luks2_hdr *hdr, uint64_t len, int max_gap,
		    uint64_t *offset, uint64_t *size);

#endif
