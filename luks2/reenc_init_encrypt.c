/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reenc_init, mode encrypt: the metadata for in-place encryption of a
 * plaintext device, with a new detached header file or with room made at
 * the device start by a data shift (cryptsetup --reduce-device-size). The
 * device holds no LUKS header yet: no lock to take, nothing to read. */
#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/io.h"
#include "common/log.h"
#include "common/size.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"

struct enc {
	struct luks2_dev d;
	const char *cipher;
	uint32_t sector;
	size_t key_len;
	uint64_t shift;		/* data shift: the new data offset */
	uint64_t data;		/* bytes of plaintext to encrypt */
	uint64_t block;
	uint64_t md, ks;	/* metadata (one copy) and keyslots area sizes */
	uint64_t moved;		/* datashift: the first chunk, copied to the end */
	enum reenc_res res;
};

/* Count the LUKS headers (either version, valid or not) blkid finds. */
static int luks_signatures(const char *path)
{
	static const char *const luks[] = { "crypto_LUKS", NULL };
	blkid_probe pr = blkid_new_probe_from_filename(path);
	int n = 0, r;

	if (!pr)
		return -EINVAL;
	blkid_probe_enable_partitions(pr, 0);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	r = blkid_probe_filter_superblocks_type(pr, BLKID_FLTR_ONLYIN, (char **)luks);
	while (!r && (r = blkid_do_probe(pr)) == 0)
		n++;
	blkid_free_probe(pr);
	return r < 0 ? -EINVAL : n;
}

/* Name what the plaintext holds, so the log says what is being encrypted. */
static void report_signatures(const char *path)
{
	blkid_probe pr = blkid_new_probe_from_filename(path);
	const char *type;

	if (!pr)
		return;
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	while (blkid_do_probe(pr) == 0) {
		if (blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0)
			log_info("%s: %s signature found; encrypting it in place", path, type);
		else if (blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL) == 0)
			log_info("%s: %s partition table found; encrypting it in place",
				 path, type);
	}
	blkid_free_probe(pr);
}

/* In-place encryption exists to keep what the device holds: a file system
 * or a partition table is encrypted with it. Only a LUKS header (either
 * version, valid or broken) is refused, as cryptsetup 2.6.1 does in
 * src/utils_reencrypt.c _encrypt() (load_luks(), then
 * check_broken_luks_signature()): encrypting it would nest or destroy it.
 * cryptsetup's questions are about the header file it writes, not about
 * the data; the engine never asks (it acts as cryptsetup --batch-mode). */
static int no_signature(const char *path)
{
	int n = luks_signatures(path);

	if (n < 0) {
		log_err("cannot probe %s for signatures", path);
		return n;
	}
	if (n > 0) {
		log_err("%s already holds a LUKS header; refusing to encrypt it", path);
		return -EEXIST;
	}
	report_signatures(path);
	return 0;
}

/* Random data over the keyslots area before any keyslot is written there
 * (the header areas are written whole by the commit). */
static int wipe_room(int fd, uint64_t off, uint64_t len)
{
	int r = luks2_wipe_random(fd, off, len);

	if (r < 0)
		log_err("cannot fill the keyslots area with random data: %s", strerror(-r));
	return r;
}

/* The sizes of the plaintext and the checks that need the device only. */
static int plan(struct enc *e, const struct reenc_init_args *a)
{
	const struct reenc_params *p = a->p;
	uint64_t reduce = p->data_shift;
	int r;

	e->data = e->d.size - (reduce < e->d.size ? reduce : e->d.size);
	e->block = reenc_init_alignment(e->d.fd, e->sector, 0);
	r = reenc_init_device_size(p, e->data, e->block);
	if (r < 0)
		return r;
	if (p->device_size)
		e->data = p->device_size;
	if (!e->data && e->shift) {
		log_err("--reduce-device-size %ju leaves no data on %s", (uintmax_t)reduce,
			e->d.path);
		return -EINVAL;
	}
	if (!e->data || e->data % e->block || (e->shift && e->shift % e->block)) {
		log_err("%s: %ju bytes of data do not fit %ju-byte sectors%s", e->d.path,
			(uintmax_t)e->data, (uintmax_t)e->block,
			e->shift ? " and the data shift" : "");
		return -EINVAL;
	}
	e->res = e->shift ? REENC_RES_DATASHIFT : a->res;
	r = reenc_init_cipher_check(e->cipher, e->key_len, e->sector);
	e->md = p->metadata_size ? p->metadata_size : 16384;
	return r;
}

/* Datashift: the header goes in front, where the first chunk of data was;
 * that chunk is copied to the end of the device first (cryptsetup's
 * CRYPT_REENCRYPT_MOVE_FIRST_SEGMENT, lib/luks2/luks2_reencrypt.c
 * reencrypt_set_encrypt_segments). */
static int room_in_front(struct enc *e, int npass)
{
	int r;

	e->ks = e->shift > 2 * e->md ? size_round_down(e->shift - 2 * e->md, 4096) : 0;
	if (e->ks > LUKS2_MAX_KEYSLOTS_SIZE)
		e->ks = LUKS2_MAX_KEYSLOTS_SIZE;
	r = reenc_init_keyslots_fit(e->ks, e->key_len, npass);
	if (r < 0)
		return r;
	/* less data than the shift: all of it moves */
	e->moved = e->data < e->shift ? e->data : e->shift;
	log_info("moving the first %ju bytes of %s to its end to make room for the header",
		 (uintmax_t)e->moved, e->d.path);
	r = reenc_init_move(e->d.fd, 0, e->d.size - e->shift, e->moved);
	e->d.hdr_fd = e->d.fd;
	/* the plaintext of the header room is durable in its copy */
	if (!r && e->shift > 2 * e->md)
		r = wipe_room(e->d.fd, 2 * e->md, e->shift - 2 * e->md);
	return r;
}

/* A new header file, full size as luksFormat leaves it: random keyslots. */
static int room_in_file(struct enc *e, const char *header, uint64_t ks_size, int npass)
{
	int r;

	e->ks = ks_size ? ks_size : (16ULL << 20) - 2 * e->md;
	r = reenc_init_keyslots_fit(e->ks, e->key_len, npass);
	if (r < 0)
		return r;
	e->d.hdr_fd = reenc_init_new_file(header);
	if (e->d.hdr_fd < 0)
		return e->d.hdr_fd;
	r = ftruncate(e->d.hdr_fd, (off_t)(2 * e->md + e->ks)) ? -errno : 0;
	if (!r)
		r = wipe_room(e->d.hdr_fd, 2 * e->md, e->ks);
	return r;
}

/* A fresh header with a new volume key and one keyslot per passphrase. */
static int new_header(struct enc *e, const struct reenc_init_args *a,
		      struct volume_key **vk, int *digest)
{
	const struct reenc_params *p = a->p;
	struct luks2_format f = { p->metadata_size, e->ks, p->uuid, p->label, p->subsystem };
	int force = (p->flags & REENC_INIT_FORCE_ITERATIONS) != 0;
	int pass_of[REENC_INIT_MAX_PASS];
	struct reenc_init_slots s;
	int r;

	r = luks2_hdr_format(&e->d.hdr, &f);
	if (r < 0) {
		log_err("invalid header parameters (uuid, label, metadata size)");
		return r;
	}
	*vk = vk_alloc(e->key_len, NULL);
	if (!*vk || crypt_backend_rng((*vk)->key, (*vk)->len) < 0)
		return -ENOMEM;
	*digest = luks2_digest_create(&e->d.hdr, (*vk)->key, (*vk)->len, "sha256",
				      force ? 1000 : 0);
	if (*digest < 0)
		return *digest;
	for (int i = 0; i < p->npass; i++)
		pass_of[i] = i;
	s = (struct reenc_init_slots){ pass_of, NULL, NULL, p->npass, e->cipher, (*vk)->len };
	return reenc_init_keyslots(&e->d, *digest, *vk, a, &s);
}

/* The plaintext as linear segments, and its encrypted future. */
static void put_segments(struct enc *e, const struct reenc_params *p, int digest)
{
	struct luks2_hdr *hdr = &e->d.hdr;
	uint64_t size = e->d.size, shift = e->shift, data = e->data, moved = e->moved;
	int last;

	if (shift) {
		uint64_t second = data - moved;

		reenc_init_put_seg(hdr, 0, reenc_json_segment("linear", size - shift, &moved, 0),
				   NULL);
		if (second)
			reenc_init_put_seg(hdr, 1, reenc_json_segment("linear", shift, &second, 0),
					   NULL);
		reenc_init_put_seg(hdr, second ? 2 : 1, reenc_init_dup_seg(hdr, 0),
				   "backup-moved-segment");
		reenc_init_put_seg(hdr, second ? 3 : 2, reenc_json_segment("linear", 0, &data, 0),
				   "backup-previous");
	} else {
		reenc_init_put_seg(hdr, 0, reenc_json_segment("linear", 0,
					p->device_size ? &data : NULL, 0), NULL);
		reenc_init_put_seg(hdr, 1, reenc_json_segment("linear", 0, NULL, 0),
				   "backup-previous");
	}
	last = ljson_max_id(ljson_get(hdr->jobj, "segments")) + 1;
	reenc_init_put_seg(hdr, last, reenc_json_crypt(shift, 0, NULL, e->cipher, e->sector, 0),
			   "backup-final");
	luks2_digest_assign_segment(hdr, digest, last, 1);
}

static void enc_setup(struct enc *e, const char *path, const struct reenc_params *p)
{
	memset(e, 0, sizeof(*e));
	e->d.path = path;
	e->d.hdr_path = p->header ? p->header : path;
	e->d.fd = e->d.hdr_fd = -1;
	e->d.writable = 1;
	e->cipher = p->cipher ? p->cipher : "aes-xts-plain64";
	e->sector = p->sector_size ? p->sector_size : 512;
	e->key_len = p->key_size ? p->key_size : strstr(e->cipher, "-xts-") ? 64 : 32;
	/*
	 * cryptsetup --reduce-device-size R (src/utils_reencrypt.c
	 * encrypt_luks2_init: data_shift >>= 1): the data keeps its first
	 * size - R bytes, R/2 in front becomes the header (the new data
	 * offset), R/2 at the end holds the copy of the first chunk. Invariant:
	 * shift + data + shift == size, so the encrypted data [shift, size -
	 * shift) never overlaps the moved copy [size - shift, size).
	 */
	e->shift = p->data_shift / 2;
}

int reenc_init_encrypt(const char *path, const struct reenc_init_args *a)
{
	const struct reenc_params *p = a->p;
	struct reenc_init_plan pl = { REENC_MODE_ENCRYPT, 0, 0, 0, 0, 2 };
	struct volume_key *vk = NULL;
	struct enc e;
	int digest = -1, r;

	enc_setup(&e, path, p);
	r = no_signature(path);
	if (r < 0)
		return r;
	e.d.fd = io_open(path, O_RDWR);
	if (e.d.fd < 0)
		return e.d.fd;
	r = io_size(e.d.fd, &e.d.size);
	if (!r)
		r = plan(&e, a);
	if (!r)
		r = e.shift ? room_in_front(&e, p->npass) :
			      room_in_file(&e, p->header, p->keyslots_size, p->npass);
	if (!r)
		r = new_header(&e, a, &vk, &digest);
	if (r < 0)
		goto out;
	put_segments(&e, p, digest);
	pl.backward = e.shift != 0;
	pl.res = e.res;
	pl.block = (uint32_t)e.block;
	pl.shift = e.shift;
	r = reenc_init_finish(&e.d, &pl, a, NULL, vk);
	if (!r)
		log_info("%s: encryption initialized (%ju bytes of data)", path, (uintmax_t)e.data);
out:
	if (r < 0 && !e.shift && e.d.hdr_fd >= 0)
		unlink(p->header);	/* ours, and nothing on the device refers to it */
	vk_free(vk);
	luks2_dev_close(&e.d);
	return r;
}
