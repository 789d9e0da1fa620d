/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-init-reencrypt: write the metadata of a reencryption, encryption or
 * decryption in one commit; hotzone-step then does the data. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "applets/applet.h"
#include "applets/init.h"
#include "applets/session.h"
#include "common/exitcode.h"
#include "common/log.h"
#include "common/passphrase.h"

enum {
	OPT_ENCRYPT = OPT_APPLET, OPT_DECRYPT, OPT_CIPHER, OPT_KEY_SIZE, OPT_SECTOR, OPT_KEEP_KEY,
	OPT_RES, OPT_RES_HASH, OPT_HOTZONE, OPT_DEVSIZE, OPT_REDUCE, OPT_PBKDF, OPT_PBKDF_MEM,
	OPT_PBKDF_PAR, OPT_PBKDF_ITER, OPT_ITER_TIME, OPT_HASH, OPT_UUID, OPT_LABEL, OPT_SUBSYS,
	OPT_MDSIZE, OPT_KSSIZE, OPT_FORCE, OPT_REMOVE,
};

static const struct opt_spec opts[] = {
	{ "encrypt", OPT_ENCRYPT, NULL, "encrypt a plaintext device in place" },
	{ "decrypt", OPT_DECRYPT, NULL, "decrypt a LUKS2 device in place (needs --header)" },
	{ "cipher", OPT_CIPHER, "SPEC", "new cipher, e.g. aes-xts-plain64" },
	{ "key-size", OPT_KEY_SIZE, "BITS", "new volume key size" },
	{ "sector-size", OPT_SECTOR, "BYTES", "new encryption sector size" },
	{ "keep-key", OPT_KEEP_KEY, NULL, "keep the volume key (change cipher or sector size)" },
	{ "resilience", OPT_RES, "MODE", "checksum (default), journal or none" },
	{ "resilience-hash", OPT_RES_HASH, "HASH", "checksum hash (default sha256)" },
	{ "hotzone-size", OPT_HOTZONE, "SIZE", "header removal: size of the moved first segment" },
	{ "device-size", OPT_DEVSIZE, "SIZE", "reencrypt only the first SIZE bytes of data" },
	{ "reduce-device-size", OPT_REDUCE, "SIZE", "encrypt: make room for the header (datashift)" },
	{ "pbkdf", OPT_PBKDF, "TYPE", "PBKDF of new keyslots: pbkdf2, argon2i, argon2id" },
	{ "pbkdf-memory", OPT_PBKDF_MEM, "KIB", "argon2 memory cost" },
	{ "pbkdf-parallel", OPT_PBKDF_PAR, "N", "argon2 threads" },
	{ "pbkdf-force-iterations", OPT_PBKDF_ITER, "N", "PBKDF iterations (argon2: time), no benchmark" },
	{ "iter-time", OPT_ITER_TIME, "MS", "PBKDF benchmark target" },
	{ "hash", OPT_HASH, "HASH", "pbkdf2 and AF hash of new keyslots (default sha256)" },
	{ "uuid", OPT_UUID, "UUID", "encrypt: UUID of the new header" },
	{ "label", OPT_LABEL, "LABEL", "encrypt: label of the new header" },
	{ "subsystem", OPT_SUBSYS, "NAME", "encrypt: subsystem of the new header" },
	{ "luks2-metadata-size", OPT_MDSIZE, "SIZE", "encrypt: metadata size (16K..4M)" },
	{ "luks2-keyslots-size", OPT_KSSIZE, "SIZE", "encrypt: keyslots area size" },
	{ "force-offline-reencrypt", OPT_FORCE, NULL, "allow a larger sector size offline" },
	{ "remove-other-keyslots", OPT_REMOVE, NULL, "new key: remove keyslots whose passphrase is not given" },
	{ NULL, 0, NULL, NULL },
};

static const struct applet_info info = {
	.name = "luks2-init-reencrypt",
	.synopsis = "[OPTIONS] DEVICE",
	.about = "Write the metadata of a reencryption of DEVICE in one commit: new keyslots\n"
		 "and volume key, the reencrypt keyslot, backup segments, the requirement\n"
		 "flag and the reencryption digest. Then run hotzone-step. Every keyslot\n"
		 "whose passphrase is given (--key-file may be repeated) gets a new keyslot.\n"
		 "A keyslot whose passphrase is not given would be removed at the end: that\n"
		 "is refused before writing unless --key-slot N (keep only N) or\n"
		 "--remove-other-keyslots says so. Exit 5 when a reencryption is already\n"
		 "initialized.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
};

static int opt_cb(void *ctx, int key, const char *arg)
{
	struct init_opts *o = ctx;
	uint64_t v;
	int r = 0;

	switch (key) {
	case OPT_ENCRYPT: o->encrypt = 1; break;
	case OPT_DECRYPT: o->decrypt = 1; break;
	case OPT_CIPHER: o->cipher = arg; break;
	case OPT_KEY_SIZE:
		r = opt_parse_uint(arg, 4096, &o->key_bits);
		if (!r && (o->key_bits % 8 || !o->key_bits))
			r = -EINVAL;
		break;
	case OPT_SECTOR:
		r = opt_parse_uint(arg, 4096, &o->sector_size);
		if (!r && (o->sector_size < 512 || o->sector_size & (o->sector_size - 1)))
			r = -EINVAL;
		break;
	case OPT_KEEP_KEY: o->keep_key = 1; break;
	case OPT_RES: o->resilience = arg; break;
	case OPT_RES_HASH: o->res_hash = arg; break;
	case OPT_HOTZONE: r = opt_parse_size(arg, &o->hotzone); break;
	case OPT_DEVSIZE:
		r = opt_parse_size(arg, &o->device_size);
		o->devsize_given = 1;
		break;
	case OPT_REDUCE:
		r = opt_parse_size(arg, &o->reduce);
		o->reduce_given = 1;
		break;
	case OPT_PBKDF:
		if (strcmp(arg, "pbkdf2") && strcmp(arg, "argon2i") && strcmp(arg, "argon2id"))
			return -EINVAL;
		o->pbkdf.type = arg;
		o->pbkdf_given = 1;
		break;
	case OPT_PBKDF_MEM: r = opt_parse_uint(arg, 4194304, &v); o->pbkdf.memory_kb = v; o->pbkdf_given = 1; break;
	case OPT_PBKDF_PAR: r = opt_parse_uint(arg, 64, &v); o->pbkdf.parallel = v; o->pbkdf_given = 1; break;
	case OPT_PBKDF_ITER:
		r = opt_parse_uint(arg, UINT32_MAX, &v);
		o->pbkdf.iterations = v;
		o->force_iter = o->pbkdf_given = 1;
		break;
	case OPT_ITER_TIME:
		r = opt_parse_uint(arg, 600000, &v);
		o->pbkdf.iter_time_ms = v;
		break;
	case OPT_HASH: o->pbkdf.hash = arg; break;
	case OPT_UUID: o->uuid = arg; break;
	case OPT_LABEL: o->label = arg; break;
	case OPT_SUBSYS: o->subsystem = arg; break;
	case OPT_MDSIZE: r = opt_parse_size(arg, &o->md_size); break;
	case OPT_KSSIZE: r = opt_parse_size(arg, &o->ks_size); break;
	case OPT_FORCE: o->force_offline = 1; break;
	case OPT_REMOVE: o->remove_others = 1; break;
	default: return -EINVAL;
	}
	return r;
}

static int read_passes(const struct common_opts *co, struct passlist *pl, int twice)
{
	struct common_opts one = *co;
	int r;

	memset(pl, 0, sizeof(*pl));
	if (co->nkey_files <= 1 && !co->key_file && !co->key_description && twice) {
		char *again = NULL;
		size_t len;

		r = passphrase_read(co, "Enter passphrase for the new device: ", &pl->p[0], &pl->len[0]);
		if (!r && isatty(0))
			r = passphrase_read(co, "Verify passphrase: ", &again, &len);
		if (!r && again && (len != pl->len[0] || memcmp(again, pl->p[0], len))) {
			log_err("passphrases do not match");
			r = -EINVAL;
		}
		safe_free(again);
		pl->n = r ? 0 : 1;
		return r;
	}
	for (int i = 0; i < (co->nkey_files ? co->nkey_files : 1); i++) {
		one.key_file = co->nkey_files ? co->key_files[i] : co->key_file;
		r = passphrase_read(&one, "Enter passphrase: ", &pl->p[i], &pl->len[i]);
		if (r < 0)
			return r;
		pl->n++;
	}
	return 0;
}

static int refuse(const char *msg)
{
	log_err("%s", msg);
	return -EINVAL;
}

/* Options that only one mode uses are refused in the others. */
static int check_modes(const struct init_opts *o, const struct common_opts *co)
{
	uuid_t u;

	if (o->encrypt && o->decrypt)
		return refuse("--encrypt and --decrypt exclude each other");
	if (o->reduce && !o->encrypt)
		return refuse("--reduce-device-size is for --encrypt");
	if (o->reduce && co->header)
		return refuse("--reduce-device-size with a detached --header is not supported; "
			      "use one or the other");
	if (o->reduce && o->devsize_given)
		return refuse("--reduce-device-size and --device-size exclude each other");
	if (o->encrypt && !o->reduce && !co->header)
		return refuse("--encrypt needs --header FILE or --reduce-device-size SIZE: "
			      "the header must not overwrite data");
	if (o->decrypt && !co->header)
		return refuse("--decrypt needs --header FILE (an existing detached header, or a "
			      "new file to move the header to)");
	if (!o->encrypt && (o->uuid || o->label || o->subsystem || o->md_size || o->ks_size))
		return refuse("--uuid, --label, --subsystem and --luks2-*-size are for --encrypt");
	if (o->decrypt && (o->cipher || o->key_bits || o->sector_size || o->keep_key))
		return refuse("--decrypt creates no key: --cipher, --key-size, --sector-size "
			      "and --keep-key do not apply");
	if (o->encrypt && o->keep_key)
		return refuse("--keep-key needs an existing volume key; not with --encrypt");
	if (o->uuid && uuid_parse(o->uuid, u) < 0)
		return refuse("--uuid is not a valid UUID");
	if ((o->label && strlen(o->label) > 47) || (o->subsystem && strlen(o->subsystem) > 47))
		return refuse("--label and --subsystem take at most 47 bytes");
	return 0;
}

/* Sizes, as cryptsetup's option checks (src/cryptsetup.c). */
static int check_sizes(const struct init_opts *o)
{
	uint64_t md = o->md_size;

	if (o->devsize_given && (!o->device_size || o->device_size % 512))
		return refuse("--device-size must be a non-zero multiple of 512 bytes");
	if (o->hotzone % 512)
		return refuse("--hotzone-size must be a multiple of 512 bytes");
	if (o->reduce_given && (o->reduce % 512 || o->reduce > (1ULL << 30) || !o->reduce))
		return refuse("--reduce-device-size must be a non-zero multiple of 512 and at "
			      "most 1 GiB");
	if (md && (md < 16384 || md > (4ULL << 20) || (md & (md - 1))))
		return refuse("--luks2-metadata-size must be a power of two from 16K to 4M");
	if (o->ks_size && (o->ks_size % 4096 || o->ks_size > LUKS2_MAX_KEYSLOTS_SIZE))
		return refuse("--luks2-keyslots-size must be a multiple of 4096 bytes and at "
			      "most 128 MiB");
	if (!md)
		md = 16384;
	if (o->reduce && o->ks_size && 2 * md + o->ks_size > o->reduce / 2)
		return refuse("the header (--luks2-metadata-size, --luks2-keyslots-size) does not "
			      "fit in half of --reduce-device-size");
	return 0;
}

/* PBKDF defaults, then cryptsetup's limits (luks2_pbkdf_check). */
static int check_pbkdf(struct init_opts *o)
{
	char why[96];

	if (!o->pbkdf.type)
		o->pbkdf.type = "argon2id";
	if (!o->pbkdf.hash)
		o->pbkdf.hash = "sha256";
	if (crypt_hash_size(o->pbkdf.hash) <= 0) {
		log_err("hash %s is not available", o->pbkdf.hash);
		return -EINVAL;
	}
	if (!o->pbkdf.memory_kb)
		o->pbkdf.memory_kb = 1048576;
	if (!o->pbkdf.parallel)
		o->pbkdf.parallel = 4;
	if (o->pbkdf.parallel > 4)	/* cryptsetup caps it the same way */
		o->pbkdf.parallel = 4;
	if (o->force_iter && !o->pbkdf.iterations)
		return refuse("PBKDF iterations too low: --pbkdf-force-iterations 0");
	if (luks2_pbkdf_check(&o->pbkdf, why, sizeof(why)) < 0)
		return refuse(why);
	return 0;
}

static int check_opts(struct init_opts *o, const struct common_opts *co)
{
	enum reenc_res res;
	int r;

	r = check_modes(o, co);
	if (!r)
		r = check_sizes(o);
	if (!r)
		r = init_resilience(o, REENC_RES_CHECKSUM, &res);
	if (!r && o->res_hash && crypt_hash_size(o->res_hash) <= 0) {
		log_err("resilience hash %s is not available", o->res_hash);
		r = -EINVAL;
	}
	if (!r)
		r = check_pbkdf(o);
	return r;
}

int luks2_init_reencrypt_main(int argc, char **argv)
{
	struct init_opts o = { 0 };
	struct common_opts co;
	struct passlist pl = { 0 };
	struct session s = { .lock_md = -1, .lock_re = -1 };
	int i, r, rc;

	i = opt_parse(argc, argv, &info, &co, opt_cb, &o, &rc);
	if (i < 0)
		return rc;
	if (check_opts(&o, &co) < 0)
		return RC_FAIL;
	r = read_passes(&co, &pl, o.encrypt);
	for (int k = 0; !r && k < pl.n; k++)
		if (!pl.len[k]) {
			log_err("empty passphrase");
			r = -EINVAL;
		}
	if (r < 0) {
		rc = exit_from_errno(r);
		goto out;
	}
	if (o.encrypt) {
		r = init_encrypt(argv[i], &o, &co, &pl);
	} else if (o.decrypt) {
		r = init_decrypt(argv[i], &o, &co, &pl);
	} else {
		r = session_open(&s, argv[i], &co);
		if (r < 0) {
			rc = exit_from_errno(r);
			goto out;
		}
		r = session_refuse_started(&s.ri);
		if (!r)
			r = init_reencrypt(&s.d, &o, &co, &pl);
	}
	rc = r == -EEXIST ? RC_BUSY : r == -EINVAL || r == -ENOTSUP ? RC_FAIL :
	     exit_from_errno(r);
	if (!r)
		log_verbose("reencryption initialized; run hotzone-step to rewrite the data");
out:
	session_close(&s);
	for (int k = 0; k < pl.n; k++)
		safe_free(pl.p[k]);
	return rc;
}
