/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-init-reencrypt: write the metadata of a reencryption, encryption or
 * decryption in one commit; hotzone-step then does the data. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applets/applet.h"
#include "applets/init.h"
#include "applets/session.h"
#include "common/exitcode.h"
#include "common/log.h"
#include "common/passphrase.h"

enum {
	O_ENCRYPT = OPT_APPLET, O_DECRYPT, O_CIPHER, O_KEY_SIZE, O_SECTOR, O_KEEP_KEY,
	O_RES, O_RES_HASH, O_HOTZONE, O_DEVSIZE, O_REDUCE, O_PBKDF, O_PBKDF_MEM,
	O_PBKDF_PAR, O_PBKDF_ITER, O_ITER_TIME, O_HASH, O_UUID, O_LABEL, O_SUBSYS,
	O_MDSIZE, O_KSSIZE, O_FORCE,
};

static const struct opt_spec opts[] = {
	{ "encrypt", O_ENCRYPT, NULL, "encrypt a plaintext device in place" },
	{ "decrypt", O_DECRYPT, NULL, "decrypt a LUKS2 device in place (needs --header)" },
	{ "cipher", O_CIPHER, "SPEC", "new cipher, e.g. aes-xts-plain64" },
	{ "key-size", O_KEY_SIZE, "BITS", "new volume key size" },
	{ "sector-size", O_SECTOR, "BYTES", "new encryption sector size" },
	{ "keep-key", O_KEEP_KEY, NULL, "keep the volume key (change cipher or sector size)" },
	{ "resilience", O_RES, "MODE", "checksum (default), journal or none" },
	{ "resilience-hash", O_RES_HASH, "HASH", "checksum hash (default sha256)" },
	{ "hotzone-size", O_HOTZONE, "SIZE", "header removal: size of the moved first segment" },
	{ "device-size", O_DEVSIZE, "SIZE", "reencrypt only the first SIZE bytes of data" },
	{ "reduce-device-size", O_REDUCE, "SIZE", "encrypt: make room for the header (datashift)" },
	{ "pbkdf", O_PBKDF, "TYPE", "PBKDF of new keyslots: pbkdf2, argon2i, argon2id" },
	{ "pbkdf-memory", O_PBKDF_MEM, "KIB", "argon2 memory cost" },
	{ "pbkdf-parallel", O_PBKDF_PAR, "N", "argon2 threads" },
	{ "pbkdf-force-iterations", O_PBKDF_ITER, "N", "PBKDF iterations (argon2: time), no benchmark" },
	{ "iter-time", O_ITER_TIME, "MS", "PBKDF benchmark target" },
	{ "hash", O_HASH, "HASH", "pbkdf2 and AF hash of new keyslots (default sha256)" },
	{ "uuid", O_UUID, "UUID", "encrypt: UUID of the new header" },
	{ "label", O_LABEL, "LABEL", "encrypt: label of the new header" },
	{ "subsystem", O_SUBSYS, "NAME", "encrypt: subsystem of the new header" },
	{ "luks2-metadata-size", O_MDSIZE, "SIZE", "encrypt: metadata size (16K..4M)" },
	{ "luks2-keyslots-size", O_KSSIZE, "SIZE", "encrypt: keyslots area size" },
	{ "force-offline-reencrypt", O_FORCE, NULL, "allow a larger sector size offline" },
	{ NULL, 0, NULL, NULL },
};

static const struct applet_info info = {
	.name = "luks2-init-reencrypt",
	.synopsis = "[OPTIONS] DEVICE",
	.about = "Write the metadata of a reencryption of DEVICE in one commit: new keyslots\n"
		 "and volume key, the reencrypt keyslot, backup segments, the requirement\n"
		 "flag and the reencryption digest. Then run hotzone-step. Every keyslot\n"
		 "whose passphrase is given (--key-file may be repeated) gets a new keyslot;\n"
		 "the others are removed at the end, and the tool says which before it\n"
		 "starts. Exit 5 when a reencryption is already initialized.",
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
	case O_ENCRYPT: o->encrypt = 1; break;
	case O_DECRYPT: o->decrypt = 1; break;
	case O_CIPHER: o->cipher = arg; break;
	case O_KEY_SIZE:
		r = opt_parse_uint(arg, 4096, &o->key_bits);
		if (!r && (o->key_bits % 8 || !o->key_bits))
			r = -EINVAL;
		break;
	case O_SECTOR:
		r = opt_parse_uint(arg, 4096, &o->sector_size);
		if (!r && (o->sector_size < 512 || o->sector_size & (o->sector_size - 1)))
			r = -EINVAL;
		break;
	case O_KEEP_KEY: o->keep_key = 1; break;
	case O_RES: o->resilience = arg; break;
	case O_RES_HASH: o->res_hash = arg; break;
	case O_HOTZONE: r = opt_parse_size(arg, &o->hotzone); break;
	case O_DEVSIZE: r = opt_parse_size(arg, &o->device_size); break;
	case O_REDUCE: r = opt_parse_size(arg, &o->reduce); break;
	case O_PBKDF:
		if (strcmp(arg, "pbkdf2") && strcmp(arg, "argon2i") && strcmp(arg, "argon2id"))
			return -EINVAL;
		o->pbkdf.type = arg;
		o->pbkdf_given = 1;
		break;
	case O_PBKDF_MEM: r = opt_parse_uint(arg, 4194304, &v); o->pbkdf.memory_kb = v; o->pbkdf_given = 1; break;
	case O_PBKDF_PAR: r = opt_parse_uint(arg, 64, &v); o->pbkdf.parallel = v; o->pbkdf_given = 1; break;
	case O_PBKDF_ITER:
		r = opt_parse_uint(arg, UINT32_MAX, &v);
		o->pbkdf.iterations = v;
		o->force_iter = o->pbkdf_given = 1;
		break;
	case O_ITER_TIME: r = opt_parse_uint(arg, 600000, &v); o->pbkdf.iter_time_ms = v; break;
	case O_HASH: o->pbkdf.hash = arg; break;
	case O_UUID: o->uuid = arg; break;
	case O_LABEL: o->label = arg; break;
	case O_SUBSYS: o->subsystem = arg; break;
	case O_MDSIZE: r = opt_parse_size(arg, &o->md_size); break;
	case O_KSSIZE: r = opt_parse_size(arg, &o->ks_size); break;
	case O_FORCE: o->force_offline = 1; break;
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

static int check_opts(struct init_opts *o, const struct common_opts *co)
{
	if (o->encrypt && o->decrypt) {
		log_err("--encrypt and --decrypt exclude each other");
		return -EINVAL;
	}
	if (o->reduce && !o->encrypt) {
		log_err("--reduce-device-size is for --encrypt");
		return -EINVAL;
	}
	if (o->reduce && (o->reduce % 512 || o->reduce > (1ULL << 30))) {
		log_err("--reduce-device-size must be a multiple of 512 and at most 1 GiB");
		return -EINVAL;
	}
	if (o->reduce && co->header) {
		log_err("--reduce-device-size with a detached --header is not supported; "
			"use one or the other");
		return -EINVAL;
	}
	if (o->encrypt && !o->reduce && !co->header) {
		log_err("--encrypt needs --header FILE or --reduce-device-size SIZE: "
			"the header must not overwrite data");
		return -EINVAL;
	}
	if (o->decrypt && !co->header) {
		log_err("--decrypt needs --header FILE (an existing detached header, or a "
			"new file to move the header to)");
		return -EINVAL;
	}
	if (o->device_size % 512 || o->hotzone % 512) {
		log_err("sizes must be multiples of 512 bytes");
		return -EINVAL;
	}
	if (!o->pbkdf.type)
		o->pbkdf.type = "argon2id";
	if (!o->pbkdf.hash)
		o->pbkdf.hash = "sha256";
	if (!o->pbkdf.memory_kb)
		o->pbkdf.memory_kb = 1048576;
	if (!o->pbkdf.parallel)
		o->pbkdf.parallel = 4;
	return 0;
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
