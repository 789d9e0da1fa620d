/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parameter checks of reenc_init (luks2/reenc.h): every one before the
 * device is opened, so a refusal writes nothing. The messages name
 * cryptsetup's options, which struct reenc_params mirrors. */
#include <errno.h>
#include <string.h>
#include <uuid/uuid.h>

#include "common/log.h"
#include "luks2/reenc_internal.h"

static int refuse(const char *msg)
{
	log_err("%s", msg);
	return -EINVAL;
}

static int has(const struct reenc_params *p, unsigned flag)
{
	return (p->flags & flag) != 0;
}

/* Options that only one mode uses are refused in the others. */
static int check_modes(const struct reenc_params *p)
{
	int enc = p->mode == REENC_MODE_ENCRYPT, dec = p->mode == REENC_MODE_DECRYPT;
	uuid_t u;

	if (!enc && !dec && p->mode != REENC_MODE_REENCRYPT)
		return refuse("unknown operation (reencrypt, encrypt or decrypt)");
	if (p->data_shift && !enc)
		return refuse("--reduce-device-size is for --encrypt");
	if (p->data_shift && p->header)
		return refuse("--reduce-device-size with a detached --header is not supported; "
			      "use one or the other");
	if (p->data_shift && p->device_size)
		return refuse("--reduce-device-size and --device-size exclude each other");
	if (enc && !p->data_shift && !p->header)
		return refuse("--encrypt needs --header FILE or --reduce-device-size SIZE: "
			      "the header must not overwrite data");
	if (dec && !p->header)
		return refuse("--decrypt needs --header FILE (an existing detached header, or a "
			      "new file to move the header to)");
	if (!enc && (p->uuid || p->label || p->subsystem || p->metadata_size || p->keyslots_size))
		return refuse("--uuid, --label, --subsystem and --luks2-*-size are for --encrypt");
	if (dec && (p->cipher || p->key_size || p->sector_size || has(p, REENC_INIT_KEEP_KEY)))
		return refuse("--decrypt creates no key: --cipher, --key-size, --sector-size "
			      "and --keep-key do not apply");
	if (enc && has(p, REENC_INIT_KEEP_KEY))
		return refuse("--keep-key needs an existing volume key; not with --encrypt");
	if (p->uuid && uuid_parse(p->uuid, u) < 0)
		return refuse("--uuid is not a valid UUID");
	if ((p->label && strlen(p->label) > 47) || (p->subsystem && strlen(p->subsystem) > 47))
		return refuse("--label and --subsystem take at most 47 bytes");
	return 0;
}

/* Sizes, as cryptsetup's option checks (src/cryptsetup.c). 0 means "not
 * given" for device_size and data_shift (a caller refuses an explicit 0). */
static int check_sizes(const struct reenc_params *p)
{
	uint64_t md = p->metadata_size, ks = p->keyslots_size, reduce = p->data_shift;

	if (p->device_size % 512)
		return refuse("--device-size must be a non-zero multiple of 512 bytes");
	if (p->hotzone % 512)
		return refuse("--hotzone-size must be a multiple of 512 bytes");
	if (reduce % 512 || reduce > (1ULL << 30))
		return refuse("--reduce-device-size must be a non-zero multiple of 512 and at "
			      "most 1 GiB");
	if (md && (md < 16384 || md > (4ULL << 20) || (md & (md - 1))))
		return refuse("--luks2-metadata-size must be a power of two from 16K to 4M");
	if (ks % 4096 || ks > LUKS2_MAX_KEYSLOTS_SIZE)
		return refuse("--luks2-keyslots-size must be a multiple of 4096 bytes and at "
			      "most 128 MiB");
	if (!md)
		md = 16384;
	/* half of the reduction holds the header (reenc_init_encrypt.c) */
	if (reduce && ks && 2 * md + ks > reduce / 2)
		return refuse("the header (--luks2-metadata-size, --luks2-keyslots-size) does not "
			      "fit in half of --reduce-device-size");
	return 0;
}

static int check_key(const struct reenc_params *p)
{
	if (p->key_size > 512)
		return refuse("--key-size is at most 4096 bits");
	if (p->sector_size && (p->sector_size < 512 || p->sector_size > 4096 ||
			       (p->sector_size & (p->sector_size - 1))))
		return refuse("--sector-size must be a power of two from 512 to 4096");
	if (p->keyslot < -1 || p->keyslot >= LUKS2_KEYSLOTS_MAX)
		return refuse("--key-slot must be from 0 to 31");
	return 0;
}

static int check_resilience(const struct reenc_params *p, struct reenc_init_args *a)
{
	a->res = has(p, REENC_INIT_RESILIENCE) ? p->resilience : REENC_RES_CHECKSUM;
	if (a->res != REENC_RES_CHECKSUM && a->res != REENC_RES_JOURNAL &&
	    a->res != REENC_RES_NONE)
		return refuse("--resilience must be checksum, journal or none (datashift is "
			      "implied by the operation)");
	a->hash = p->resilience_hash ? p->resilience_hash : "sha256";
	if (p->resilience_hash && crypt_hash_size(p->resilience_hash) <= 0) {
		log_err("resilience hash %s is not available", p->resilience_hash);
		return -EINVAL;
	}
	return 0;
}

/* PBKDF defaults, then cryptsetup's limits (luks2_pbkdf_check). */
static int check_pbkdf(const struct reenc_params *p, struct luks2_pbkdf *k)
{
	char why[96];

	k->type = p->pbkdf.type ? p->pbkdf.type : "argon2id";
	k->hash = p->pbkdf.hash ? p->pbkdf.hash : "sha256";
	k->iterations = p->pbkdf.iterations;
	k->memory_kb = p->pbkdf.memory_kb ? p->pbkdf.memory_kb : 1048576;
	k->parallel = p->pbkdf.parallel ? p->pbkdf.parallel : 4;
	k->iter_time_ms = p->pbkdf.iter_time_ms;
	if (strcmp(k->type, "pbkdf2") && strcmp(k->type, "argon2i") &&
	    strcmp(k->type, "argon2id"))
		return refuse("--pbkdf must be pbkdf2, argon2i or argon2id");
	if (crypt_hash_size(k->hash) <= 0) {
		log_err("hash %s is not available", k->hash);
		return -EINVAL;
	}
	if (k->parallel > 4)	/* cryptsetup caps it the same way */
		k->parallel = 4;
	if (has(p, REENC_INIT_FORCE_ITERATIONS) && !k->iterations)
		return refuse("PBKDF iterations too low: --pbkdf-force-iterations 0");
	if (luks2_pbkdf_check(k, why, sizeof(why)) < 0)
		return refuse(why);
	return 0;
}

int reenc_init_resolve(const struct reenc_params *p, struct reenc_init_args *a)
{
	int r;

	memset(a, 0, sizeof(*a));
	a->p = p;
	r = check_modes(p);
	if (!r)
		r = check_sizes(p);
	if (!r)
		r = check_key(p);
	if (!r)
		r = check_resilience(p, a);
	if (!r)
		r = check_pbkdf(p, &a->pbkdf);
	return r;
}

int reenc_init_check(const struct reenc_params *p)
{
	struct reenc_init_args a;

	return reenc_init_resolve(p, &a);
}

/* The entry point: every check, then the mode (reenc_init_*.c), which
 * calls the shared pieces of reenc_init_common.c. */
static int check_passes(const struct reenc_params *p)
{
	if (p->npass < 1 || p->npass > REENC_INIT_MAX_PASS || !p->pass) {
		log_err("between 1 and %d passphrases are needed", REENC_INIT_MAX_PASS);
		return -EINVAL;
	}
	for (int i = 0; i < p->npass; i++)
		if (!p->pass[i].data || !p->pass[i].len) {
			log_err("empty passphrase");
			return -EINVAL;
		}
	return 0;
}

int reenc_init(const char *path, const struct reenc_params *p)
{
	struct reenc_init_args a;
	struct reenc_dev *dev = NULL;
	int r;

	r = reenc_init_resolve(p, &a);
	if (!r)
		r = check_passes(p);
	if (r < 0)
		return r;
	switch (p->mode) {
	case REENC_MODE_ENCRYPT:
		/* as cryptsetup: the data moves on a device opened exclusively */
		if (p->active_name) {
			log_err("%s is in use (active as %s): encryption is initialized offline; "
				"close %s first", path, p->active_name, p->active_name);
			return -EBUSY;
		}
		return reenc_init_encrypt(path, &a);
	case REENC_MODE_DECRYPT:
		return reenc_init_decrypt(path, &a);
	default:
		r = reenc_init_open(&dev, path, p->header, p);
		if (!r)
			r = reenc_init_reencrypt(&dev->d, &a);
		reenc_dev_close(dev);
		return r;
	}
}
