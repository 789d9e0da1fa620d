/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-init-reencrypt: shared between the option file and the modes. */
#ifndef APPLETS_INIT_H
#define APPLETS_INIT_H

#include "common/opt.h"
#include "luks2/reenc_internal.h"

struct init_opts {
	int encrypt, decrypt, keep_key, force_offline;
	int remove_others;	/* --remove-other-keyslots */
	const char *cipher, *resilience, *res_hash, *uuid, *label, *subsystem;
	uint64_t key_bits, sector_size, hotzone, device_size, reduce;
	uint64_t md_size, ks_size;
	struct luks2_pbkdf pbkdf;
	int pbkdf_given, force_iter, devsize_given, reduce_given;
};

struct passlist {
	char *p[8];
	size_t len[8];
	int n;
};

/* Each mode builds the metadata in memory and commits it once. */
int init_reencrypt(struct luks2_dev *d, const struct init_opts *o,
		   const struct common_opts *co, const struct passlist *pl);
int init_encrypt(const char *dev, const struct init_opts *o,
		 const struct common_opts *co, const struct passlist *pl);
int init_decrypt(const char *dev, const struct init_opts *o,
		 const struct common_opts *co, const struct passlist *pl);

/* Helpers shared by the modes (applets/init_common.c). */
int init_resilience(const struct init_opts *o, enum reenc_res def, enum reenc_res *res);
int init_cipher_check(const char *cipher, size_t key_len, uint32_t sector);
uint64_t init_alignment(int fd, uint32_t a, uint32_t b);
/* The keyslots area holds n keyslots of key_len bytes. */
int init_keyslots_fit(uint64_t ks_size, size_t key_len, int n);
/* --device-size: at most avail bytes, a multiple of block. */
int init_check_device_size(const struct init_opts *o, uint64_t avail, uint64_t block);
int init_no_signature(const char *path);
int init_finish_metadata(struct luks2_dev *d, enum reenc_mode mode, int backward,
			 enum reenc_res res, const struct init_opts *o, uint32_t block,
			 uint64_t shift, int version, const struct volume_key *vk_old,
			 const struct volume_key *vk_new);
int init_new_keyslots(struct luks2_dev *d, int digest, const struct volume_key *vk,
		      const struct init_opts *o, const struct passlist *pl,
		      const int *pass_of, const int *old_ks,
		      const struct json_object *const *old_kdf, int count, const char *cipher,
		      size_t cipher_key_len);

#endif
