/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-init-reencrypt: write the metadata of a reencryption, encryption or
 * decryption in one commit; hotzone-step then does the data. The options
 * become a struct reenc_params; every check and the work are the engine's
 * (reenc_init, luks2/reenc.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applets/applet.h"
#include "common/exitcode.h"
#include "common/log.h"
#include "common/passphrase.h"
#include "common/safemem.h"
#include "luks2/reenc.h"

enum {
	OPT_ENCRYPT = OPT_APPLET, OPT_DECRYPT, OPT_CIPHER, OPT_KEY_SIZE, OPT_SECTOR, OPT_KEEP_KEY,
	OPT_RES, OPT_RES_HASH, OPT_HOTZONE, OPT_DEVSIZE, OPT_REDUCE, OPT_PBKDF, OPT_PBKDF_MEM,
	OPT_PBKDF_PAR, OPT_PBKDF_ITER, OPT_ITER_TIME, OPT_HASH, OPT_UUID, OPT_LABEL, OPT_SUBSYS,
	OPT_MDSIZE, OPT_KSSIZE, OPT_FORCE, OPT_REMOVE, OPT_ACTIVE,
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
	{ "active-name", OPT_ACTIVE, "NAME", "online: DEVICE is active as NAME (default: found)" },
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
		 "initialized.\n"
		 "Online: when DEVICE is active (--active-name NAME, or the LUKS2 device\n"
		 "over DEVICE found through its holders), NAME's live table must be the\n"
		 "one the metadata implies (else refused, nothing written); a header\n"
		 "removal moves the first chunk with NAME suspended and resumes it on the\n"
		 "new layout. --encrypt is offline only (exit 5 when DEVICE is in use).",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
};

/* The options as given, before they become reenc_params. */
struct init_opts {
	struct reenc_params p;
	int encrypt, decrypt;
	const char *resilience;
	int devsize_given, reduce_given;
};

struct passlist {
	char *p[8];
	size_t len[8];
	int n;
};

static int opt_uint32(const char *arg, uint64_t max, uint32_t *out)
{
	uint64_t v;
	int r = opt_parse_uint(arg, max, &v);

	if (!r)
		*out = (uint32_t)v;
	return r;
}

static int opt_pbkdf(struct reenc_params *p, int key, const char *arg)
{
	switch (key) {
	case OPT_PBKDF:
		if (strcmp(arg, "pbkdf2") && strcmp(arg, "argon2i") && strcmp(arg, "argon2id"))
			return -EINVAL;
		p->pbkdf.type = arg;
		break;
	case OPT_PBKDF_MEM: return opt_uint32(arg, 4194304, &p->pbkdf.memory_kb);
	case OPT_PBKDF_PAR: return opt_uint32(arg, 64, &p->pbkdf.parallel);
	case OPT_PBKDF_ITER:
		p->flags |= REENC_INIT_FORCE_ITERATIONS;
		return opt_uint32(arg, UINT32_MAX, &p->pbkdf.iterations);
	default: return -EINVAL;
	}
	return 0;
}

static int opt_cb(void *ctx, int key, const char *arg)
{
	struct init_opts *o = ctx;
	struct reenc_params *p = &o->p;
	int r = 0;

	switch (key) {
	case OPT_ENCRYPT: o->encrypt = 1; break;
	case OPT_DECRYPT: o->decrypt = 1; break;
	case OPT_CIPHER: p->cipher = arg; break;
	case OPT_KEY_SIZE:
		r = opt_uint32(arg, 4096, &p->key_size);
		if (!r && (p->key_size % 8 || !p->key_size))
			r = -EINVAL;
		p->key_size /= 8;
		break;
	case OPT_SECTOR:
		r = opt_uint32(arg, 4096, &p->sector_size);
		if (!r && (p->sector_size < 512 || p->sector_size & (p->sector_size - 1)))
			r = -EINVAL;
		break;
	case OPT_KEEP_KEY: p->flags |= REENC_INIT_KEEP_KEY; break;
	case OPT_RES: o->resilience = arg; break;
	case OPT_RES_HASH: p->resilience_hash = arg; break;
	case OPT_HOTZONE: r = opt_parse_size(arg, &p->hotzone); break;
	case OPT_DEVSIZE:
		r = opt_parse_size(arg, &p->device_size);
		o->devsize_given = 1;
		break;
	case OPT_REDUCE:
		r = opt_parse_size(arg, &p->data_shift);
		o->reduce_given = 1;
		break;
	case OPT_PBKDF: case OPT_PBKDF_MEM: case OPT_PBKDF_PAR: case OPT_PBKDF_ITER:
		p->flags |= REENC_INIT_PBKDF;
		return opt_pbkdf(p, key, arg);
	case OPT_ITER_TIME: r = opt_uint32(arg, 600000, &p->pbkdf.iter_time_ms); break;
	case OPT_HASH: p->pbkdf.hash = arg; break;
	case OPT_UUID: p->uuid = arg; break;
	case OPT_LABEL: p->label = arg; break;
	case OPT_SUBSYS: p->subsystem = arg; break;
	case OPT_MDSIZE: r = opt_parse_size(arg, &p->metadata_size); break;
	case OPT_KSSIZE: r = opt_parse_size(arg, &p->keyslots_size); break;
	case OPT_FORCE: p->flags |= REENC_INIT_FORCE_OFFLINE; break;
	case OPT_REMOVE: p->flags |= REENC_INIT_REMOVE_OTHERS; break;
	case OPT_ACTIVE: p->active_name = arg; break;
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

/* What the options say, in reenc_params, checked by the engine; an
 * explicit size 0, which reenc_params cannot carry, is refused here. */
static int to_params(struct init_opts *o, const struct common_opts *co)
{
	struct reenc_params *p = &o->p;

	if (o->encrypt && o->decrypt)
		return refuse("--encrypt and --decrypt exclude each other");
	p->mode = o->encrypt ? REENC_MODE_ENCRYPT :
		  o->decrypt ? REENC_MODE_DECRYPT : REENC_MODE_REENCRYPT;
	/* the engine refuses all but checksum, journal and none, in turn */
	if (o->resilience) {
		if (reenc_res_parse(o->resilience, &p->resilience) < 0)
			p->resilience = REENC_RES_UNKNOWN;
		p->flags |= REENC_INIT_RESILIENCE;
	}
	p->header = co->header;
	p->keyslot = co->key_slot;
	if (co->disable_locks)
		p->flags |= REENC_INIT_NO_LOCKS;
	/* reenc_params reads a size 0 as "not given": refuse an explicit 0
	 * here, with the engine's words for any other size it refuses */
	if (o->devsize_given && !p->device_size)
		return refuse("--device-size must be a non-zero multiple of 512 bytes");
	if (o->reduce_given && !p->data_shift)
		return refuse("--reduce-device-size must be a non-zero multiple of 512 and at "
			      "most 1 GiB");
	return reenc_init_check(p) < 0 ? -EINVAL : 0;
}

int luks2_init_reencrypt_main(int argc, char **argv)
{
	struct init_opts o = { 0 };
	struct common_opts co;
	struct passlist pl = { 0 };
	struct reenc_secret pass[8];
	char found[128];
	int i, r, rc;

	i = opt_parse(argc, argv, &info, &co, opt_cb, &o, &rc);
	if (i < 0)
		return rc;
	if (to_params(&o, &co) < 0)
		return RC_FAIL;
	if (!o.p.active_name && !o.encrypt) {
		/* a header removal's --header names the file the header goes
		 * to: the header is then on the device */
		reenc_find_active_path(argv[i], co.header && access(co.header, F_OK) == 0 ?
				       co.header : NULL, found, sizeof(found));
		o.p.active_name = found[0] ? found : NULL;
	}
	r = read_passes(&co, &pl, o.encrypt);
	for (int k = 0; !r && k < pl.n; k++)
		if (!pl.len[k]) {
			log_err("empty passphrase");
			r = -EINVAL;
		}
	if (!r) {
		for (int k = 0; k < pl.n; k++)
			pass[k] = (struct reenc_secret){ pl.p[k], pl.len[k] };
		o.p.pass = pass;
		o.p.npass = pl.n;
		r = reenc_init(argv[i], &o.p);
	}
	/* -EEXIST: already initialized (5); -EINVAL, -ENOTSUP: refused (1) */
	rc = exit_from_errno(r);
	if (!r)
		log_verbose("reencryption initialized; run hotzone-step to rewrite the data");
	for (int k = 0; k < pl.n; k++)
		safe_free(pl.p[k]);
	return rc;
}
