/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device-mapper view of a LUKS2 device, as cryptsetup 2.6.1 builds it:
 * the dm-crypt table of its segments, the device names and dm uuids, and
 * the keyring descriptions of its volume keys.
 */
#ifndef LUKS2_DM_TABLE_H
#define LUKS2_DM_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/dm.h"
#include "luks2/luks2.h"

#define LUKS2_DM_MAX_TARGETS 8
#define LUKS2_KEY_DESC_LEN 64	/* "cryptsetup:<uuid>-d<digest>" + NUL */

/* A volume key the caller has, by digest. */
struct luks2_dm_key {
	int digest;
	const struct volume_key *vk;
};

enum {
	/* keys as hex in the table instead of keyring references (needs the
	 * keys); what cryptsetup does when the kernel has no keyring */
	LUKS2_DM_HEX_KEYS = 1 << 0,
	/* the crypt targets' options (allow_discards, same_cpu_crypt, ...)
	 * are the LUKS2_DM_OPTS_SHIFT bits of flags, not config.flags: an
	 * active device's, which an online reencryption keeps (lib/luks2/
	 * luks2_reencrypt.c reencrypt_load_by_passphrase takes the flags of
	 * the live device) */
	LUKS2_DM_LIVE_OPTS = 1 << 1,
};
#define LUKS2_DM_OPTS_SHIFT 8

struct luks2_dm_table {
	size_t n;
	struct ldm_target t[LUKS2_DM_MAX_TARGETS];
	uint64_t sectors;	/* the device's size */
	int multi;		/* built from a reencryption in progress */
	/* the logon keys the table references, by digest (-1 unused) */
	int digest[LUKS2_DM_MAX_TARGETS];
	size_t ndigests;
};

/*
 * The table cryptsetup loads for d (lib/luks2/luks2_json_metadata.c
 * LUKS2_activate, or LUKS2_activate_multi during a clean reencryption),
 * data device named devstr in the table (NULL: d->path). Key lengths come
 * from keys or else from the keyslots. -EUCLEAN: an interrupted hotzone
 * must be recovered first; -EBADMSG, -ENODEV: a reencryption cryptsetup
 * would not activate; -ENOTSUP: integrity segments.
 */
int luks2_dm_table_build(struct luks2_dev *d, const char *devstr,
			 const struct luks2_dm_key *keys, size_t nkeys,
			 unsigned flags, struct luks2_dm_table *tab);
/* Frees (wipes) the params of tab. */
void luks2_dm_table_free(struct luks2_dm_table *tab);
/* Write the table as dmsetup prints it, one target per line. */
int luks2_dm_table_text(const struct luks2_dm_table *tab, char *buf, size_t len);

/* "cryptsetup:<uuid>-d<digest>" (lib/luks2/luks2_digest.c
 * get_key_description_by_digest). */
int luks2_dm_key_desc(const char *uuid, int digest, char *buf, size_t len);
/* "CRYPT-LUKS2-<uuid without dashes>-NAME" (lib/libdevmapper.c
 * dm_prepare_uuid); subdev: "CRYPT-SUBDEV-<uuid32>-NAME", the helper
 * devices of an online reencryption. */
int luks2_dm_uuid(const char *uuid, const char *name, int subdev, char *buf,
		  size_t len);
/* The helpers of an online reencryption of NAME (lib/luks2/
 * luks2_reencrypt.c reencrypt_context_set_names). */
enum luks2_dm_helper { LUKS2_DM_OVERLAY, LUKS2_DM_HOTZONE_FORWARD,
		       LUKS2_DM_HOTZONE_BACKWARD };
int luks2_dm_helper_name(const char *name, enum luks2_dm_helper h, char *buf,
			 size_t len);
/* 1 when volume keys can go to dm-crypt through the keyring (cryptsetup's
 * lib/setup.c crypt_use_keyring_for_vk), 0 when not. */
int luks2_dm_keyring_ok(void);
/* Add the logon keys tab references (vk from keys) to the thread
 * keyring; luks2_dm_keys_drop removes them (after the table is loaded). */
int luks2_dm_keys_upload(struct luks2_hdr *hdr, const struct luks2_dm_table *tab,
			 const struct luks2_dm_key *keys, size_t nkeys);
void luks2_dm_keys_drop(struct luks2_hdr *hdr, const struct luks2_dm_table *tab);

/* LUKS2_DM_LIVE_OPTS with the options of a crypt target's params (as
 * the kernel prints them, keys hidden or not) in flags' option bits. */
unsigned luks2_dm_live_opts(const char *params);

/* The hotzone device of an online step (lib/luks2/luks2_reencrypt.c
 * reencrypt_make_targets): the in-reencryption segment maps onto dev at
 * its offset minus offset (the new data offset), under digest_new's key
 * (or linear). */
struct luks2_dm_hot {
	const char *dev;
	uint64_t offset;	/* bytes */
	int digest_new;
};
/* The table of the header's regular segments as they are in memory (hot
 * segments included), sectors long, the last "dynamic" one up to it: each
 * crypt or linear segment on devstr (NULL: d->path) at its offset, the
 * in-reencryption one on hot->dev (hot NULL: on devstr as the others). */
int luks2_dm_table_segments(struct luks2_dev *d, const char *devstr,
			    const struct luks2_dm_hot *hot, uint64_t sectors,
			    const struct luks2_dm_key *keys, size_t nkeys,
			    unsigned flags, struct luks2_dm_table *tab);

#endif
