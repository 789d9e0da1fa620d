/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-init-reencrypt --encrypt and --decrypt: the metadata for in-place
 * encryption (detached header, or room made with --reduce-device-size) and
 * in-place decryption (detached header, or header removal with data shift). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applets/init.h"
#include "applets/session.h"
#include "common/io.h"
#include "common/log.h"
#include "common/size.h"
#include "luks2/json.h"

static void put_seg(struct luks2_hdr *hdr, int id, struct json_object *s, const char *flag)
{
	char k[12];

	if (flag)
		reenc_segment_flag(s, flag);
	snprintf(k, sizeof(k), "%d", id);
	json_object_object_add(ljson_get(hdr->jobj, "segments"), k, s);
}

static struct json_object *dup_seg(struct luks2_hdr *hdr, int id)
{
	struct json_object *o = NULL;

	json_object_deep_copy(ljson_get_id(ljson_get(hdr->jobj, "segments"), id), &o, NULL);
	return o;
}

/* Copy len bytes from src to dst on fd (no overlap), then sync. */
static int move_data(int fd, uint64_t src, uint64_t dst, uint64_t len)
{
	size_t chunk = 1 << 20;
	uint8_t *b = io_alloc(chunk);
	int r = b ? 0 : -ENOMEM;

	for (uint64_t o = 0; !r && o < len; o += chunk) {
		size_t n = len - o < chunk ? len - o : chunk;

		r = io_pread(fd, b, n, src + o);
		if (!r)
			r = io_pwrite(fd, b, n, dst + o);
	}
	if (!r)
		r = io_fdatasync(fd);
	if (b) {
		crypt_backend_memzero(b, chunk);
		free(b);
	}
	if (r < 0)
		log_err("cannot move %ju bytes of data: %s", (uintmax_t)len, strerror(-r));
	return r;
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

/* fsync the directory holding path: a new name in it is then durable. */
static int sync_dir_of(const char *path)
{
	char *dir = strdup(path);
	int fd, r;

	if (!dir)
		return -ENOMEM;
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = fd < 0 ? -errno : io_fsync(fd);
	if (fd >= 0)
		close(fd);
	free(dir);
	return r;
}

/*
 * A new header file, its name synced into its directory: it will be the
 * only header of data that changes, and a power cut must not take its name.
 */
static int new_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600), r;

	if (fd < 0 && errno == EEXIST)
		log_err("header file %s already exists; refusing to overwrite it", path);
	else if (fd < 0)
		log_err("cannot create %s: %s", path, strerror(errno));
	if (fd < 0)
		return -errno;
	r = sync_dir_of(path);
	if (r < 0) {
		log_err("cannot sync the directory of %s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	return fd;
}

static int encrypt_header(struct luks2_dev *d, const struct init_opts *o,
			  uint64_t ks_size, const struct passlist *pl,
			  struct volume_key **vk, int *digest, const char *cipher)
{
	struct luks2_format f = { o->md_size, ks_size, o->uuid, o->label, o->subsystem };
	int pass_of[8];
	int r;

	r = luks2_hdr_format(&d->hdr, &f);
	if (r < 0) {
		log_err("invalid header parameters (uuid, label, metadata size)");
		return r;
	}
	*vk = vk_alloc(o->key_bits ? o->key_bits / 8 : strstr(cipher, "-xts-") ? 64 : 32, NULL);
	if (!*vk || crypt_backend_rng((*vk)->key, (*vk)->len) < 0)
		return -ENOMEM;
	*digest = luks2_digest_create(&d->hdr, (*vk)->key, (*vk)->len, "sha256",
				      o->force_iter ? 1000 : 0);
	if (*digest < 0)
		return *digest;
	for (int i = 0; i < pl->n; i++)
		pass_of[i] = i;
	return init_new_keyslots(d, *digest, *vk, o, pl, pass_of, NULL, NULL, pl->n, cipher,
				 (*vk)->len);
}

int init_encrypt(const char *dev, const struct init_opts *o,
		 const struct common_opts *co, const struct passlist *pl)
{
	const char *cipher = o->cipher ? o->cipher : "aes-xts-plain64";
	uint32_t sector = o->sector_size ? (uint32_t)o->sector_size : 512;
	uint64_t shift = o->reduce / 2, data, md, ks, block, moved = 0;
	size_t key_len = o->key_bits ? o->key_bits / 8 : strstr(cipher, "-xts-") ? 64 : 32;
	struct luks2_dev d = { .path = dev, .hdr_path = co->header ? co->header : dev,
			       .fd = -1, .hdr_fd = -1, .writable = 1 };
	struct volume_key *vk = NULL;
	enum reenc_res res = REENC_RES_DATASHIFT;
	int digest = -1, r;

	r = init_no_signature(dev);
	if (r < 0)
		return r;
	d.fd = io_open(dev, O_RDWR);
	if (d.fd < 0)
		return d.fd;
	r = io_size(d.fd, &d.size);
	if (r < 0)
		goto out;
	data = d.size - (o->reduce < d.size ? o->reduce : d.size);
	block = init_alignment(d.fd, sector, 0);
	r = init_check_device_size(o, data, block);
	if (r < 0)
		goto out;
	if (o->devsize_given)
		data = o->device_size;
	if (!data && shift) {
		log_err("--reduce-device-size %ju leaves no data on %s", (uintmax_t)o->reduce, dev);
		r = -EINVAL;
		goto out;
	}
	if (!data || data % block || (shift && shift % block)) {
		log_err("%s: %ju bytes of data do not fit %ju-byte sectors%s", dev,
			(uintmax_t)data, (uintmax_t)block, shift ? " and the data shift" : "");
		r = -EINVAL;
		goto out;
	}
	if (!shift) {
		r = init_resilience(o, REENC_RES_CHECKSUM, &res);
		if (r < 0)
			goto out;
	}
	r = init_cipher_check(cipher, key_len, sector);
	if (r < 0)
		goto out;
	md = o->md_size ? o->md_size : 16384;
	if (shift) {
		ks = shift > 2 * md ? size_round_down(shift - 2 * md, 4096) : 0;
		if (ks > LUKS2_MAX_KEYSLOTS_SIZE)
			ks = LUKS2_MAX_KEYSLOTS_SIZE;
		r = init_keyslots_fit(ks, key_len, pl->n);
		if (r < 0)
			goto out;
		/* less data than the shift: all of it moves (cryptsetup's
		 * reencrypt_set_encrypt_segments, lib/luks2/luks2_reencrypt.c) */
		moved = data < shift ? data : shift;
		log_info("moving the first %ju bytes of %s to its end to make room for the header",
			 (uintmax_t)moved, dev);
		r = move_data(d.fd, 0, d.size - shift, moved);
		d.hdr_fd = d.fd;
		/* the plaintext of the header room is durable in its copy */
		if (!r && shift > 2 * md)
			r = wipe_room(d.fd, 2 * md, shift - 2 * md);
	} else {
		ks = o->ks_size ? o->ks_size : (16ULL << 20) - 2 * md;
		r = init_keyslots_fit(ks, key_len, pl->n);
		if (r < 0)
			goto out;
		d.hdr_fd = new_file(co->header);
		r = d.hdr_fd < 0 ? d.hdr_fd : ftruncate(d.hdr_fd, (off_t)(2 * md + ks)) ? -errno : 0;
		/* a full file, as luksFormat leaves it: random keyslots area */
		if (!r)
			r = wipe_room(d.hdr_fd, 2 * md, ks);
	}
	if (!r)
		r = encrypt_header(&d, o, ks, pl, &vk, &digest, cipher);
	if (r < 0)
		goto out;
	if (shift) {
		uint64_t second = data - moved;

		put_seg(&d.hdr, 0, reenc_json_segment("linear", d.size - shift, &moved, 0), NULL);
		if (second)
			put_seg(&d.hdr, 1, reenc_json_segment("linear", shift, &second, 0), NULL);
		put_seg(&d.hdr, second ? 2 : 1, dup_seg(&d.hdr, 0), "backup-moved-segment");
		put_seg(&d.hdr, second ? 3 : 2, reenc_json_segment("linear", 0, &data, 0),
			"backup-previous");
	} else {
		put_seg(&d.hdr, 0, reenc_json_segment("linear", 0, o->device_size ? &data : NULL, 0), NULL);
		put_seg(&d.hdr, 1, reenc_json_segment("linear", 0, NULL, 0), "backup-previous");
	}
	put_seg(&d.hdr, ljson_max_id(ljson_get(d.hdr.jobj, "segments")) + 1,
		reenc_json_crypt(shift, 0, NULL, cipher, sector, 0), "backup-final");
	luks2_digest_assign_segment(&d.hdr, digest,
				    ljson_max_id(ljson_get(d.hdr.jobj, "segments")), 1);
	r = init_finish_metadata(&d, REENC_MODE_ENCRYPT, shift != 0, res, o, (uint32_t)block,
				 shift, 2, NULL, vk);
	if (!r)
		log_info("%s: encryption initialized (%ju bytes of data)", dev, (uintmax_t)data);
out:
	if (r < 0 && !shift && d.hdr_fd >= 0)
		unlink(co->header);	/* ours, and nothing on the device refers to it */
	vk_free(vk);
	luks2_dev_close(&d);
	return r;
}

static int unlock_old(struct luks2_dev *d, int digest, int keyslot,
		      const struct passlist *pl, struct volume_key **vk)
{
	int r = -ENOENT;

	for (int i = 0; i < pl->n; i++) {
		r = luks2_keyslot_open_digest(d, digest, keyslot, pl->p[i], pl->len[i], vk);
		if (r >= 0)
			return 0;
	}
	if (r != -ENOTSUP)	/* that one was logged */
		log_err(r == -EPERM ? "no key available with this passphrase" : "no usable keyslot");
	return r;
}

/* Header removal: the header moves to a new file, the first data chunk to
 * the device start, and the rest is decrypted forward shifted down. */
static int decrypt_datashift(struct session *s, const struct init_opts *o,
			     const struct common_opts *co, struct volume_key *vk,
			     const struct luks2_segment *s0)
{
	struct luks2_dev *d = &s->d;
	uint64_t shift = s0->offset, data = d->size - shift, md = 2 * d->hdr.hdr_size;
	uint64_t len = md + luks2_keyslots_size(&d->hdr), moved, aoff, asz, lim, block;
	const char *hash = o->res_hash ? o->res_hash : "sha256";
	enum reenc_res res;
	uint8_t *buf;
	int hfd, r;

	r = init_resilience(o, REENC_RES_CHECKSUM, &res);
	if (r < 0 || res == REENC_RES_NONE) {
		if (!r)
			log_err("header removal needs checksum or journal resilience");
		return -EINVAL;
	}
	res = res == REENC_RES_JOURNAL ? REENC_RES_DS_JOURNAL : REENC_RES_DS_CHECKSUM;
	block = init_alignment(d->fd, s0->sector_size, 0);
	moved = o->hotzone ? o->hotzone : shift < (20ULL << 20) ? shift : 20ULL << 20;
	if (moved > shift)
		moved = shift;
	if (moved > data)
		moved = data;
	if (luks2_area_find(&d->hdr, 4096, 1, &aoff, &asz) < 0) {
		log_err("no room for the reencryption keyslot area");
		return -ENOSPC;
	}
	lim = res == REENC_RES_DS_JOURNAL ? asz : asz / crypt_hash_size(hash) * block;
	moved = size_round_down(moved < lim ? moved : lim, block);
	if (!moved || shift % block) {
		log_err("data offset %ju cannot be shifted in %ju-byte blocks", (uintmax_t)shift,
			(uintmax_t)block);
		return -EINVAL;
	}
	/* 1: the header goes to the new file, synced, before the device changes */
	hfd = new_file(co->header);
	if (hfd < 0)
		return hfd;
	buf = io_alloc(len);
	r = buf ? io_pread(d->hdr_fd, buf, len, 0) : -ENOMEM;
	if (!r)
		r = io_pwrite(hfd, buf, len, 0);
	if (!r)
		r = io_fsync(hfd);
	free(buf);
	if (r < 0) {
		close(hfd);
		unlink(co->header);	/* the device is untouched: a retry can start over */
		log_err("cannot export the header to %s: %s", co->header, strerror(-r));
		return r;
	}
	d->hdr_fd = hfd;
	d->hdr_path = co->header;
	log_info("header of %s exported to %s", d->path, co->header);
	/* 2: segments of a decryption with a moved first segment (in memory) */
	{
		uint64_t rest = data - moved;
		struct json_object *segs = json_object_new_object();

		json_object_object_add(d->hdr.jobj, "segments", segs);
		json_object_object_foreach(ljson_get(d->hdr.jobj, "digests"), n, dg) {
			(void)n;
			json_object_object_add(dg, "segments", json_object_new_array());
		}
		put_seg(&d->hdr, 0, reenc_json_crypt(0, 0, &moved, s0->cipher, s0->sector_size, 0), NULL);
		if (rest)
			put_seg(&d->hdr, 1, reenc_json_crypt(shift + moved, moved, NULL, s0->cipher,
							     s0->sector_size, 0), NULL);
		put_seg(&d->hdr, rest ? 2 : 1, dup_seg(&d->hdr, 0), "backup-moved-segment");
		put_seg(&d->hdr, rest ? 3 : 2, reenc_json_crypt(shift, 0, NULL, s0->cipher,
								s0->sector_size, 0), "backup-previous");
		put_seg(&d->hdr, rest ? 4 : 3, reenc_json_segment("linear", 0, NULL, 0), "backup-final");
		for (int id = 0; id < (rest ? 4 : 3); id++)
			luks2_digest_assign_segment(&d->hdr, s0->digest, id, 1);
	}
	/* 3: the first chunk of ciphertext moves to the device start */
	r = move_data(d->fd, shift, 0, moved);
	if (!r && moved < md) {
		uint8_t *z = io_alloc(md - moved);

		r = z ? io_pwrite(d->fd, z, md - moved, moved) : -ENOMEM;
		free(z);
	}
	if (r < 0)
		return r;
	return init_finish_metadata(d, REENC_MODE_DECRYPT, 0, res, o, (uint32_t)block, shift, 3,
				    vk, NULL);
}

int init_decrypt(const char *dev, const struct init_opts *o,
		 const struct common_opts *co, const struct passlist *pl)
{
	struct common_opts attached = *co;
	struct session s;
	struct luks2_segment s0;
	struct volume_key *vk = NULL;
	enum reenc_res res;
	int removal = access(co->header, F_OK) < 0, r;

	if (removal)
		attached.header = NULL;
	r = session_open(&s, dev, &attached);
	if (!r)
		r = session_refuse_started(&s.ri);
	if (!r && (luks2_segment_count(&s.d.hdr) != 1 || luks2_segment_get(&s.d.hdr, 0, &s0) ||
		   s0.type != SEG_CRYPT || s0.iv_tweak)) {
		log_err("%s: expected one encrypted data segment with iv_tweak 0", dev);
		r = -EINVAL;
	}
	if (!r && ljson_get(ljson_get_id(ljson_get(s.d.hdr.jobj, "segments"), 0), "integrity")) {
		log_err("authenticated (integrity) segments cannot be decrypted in place");
		r = -ENOTSUP;
	}
	if (!r && !removal && s0.offset) {
		log_err("the detached header puts data at offset %ju; decrypting in place would "
			"leave it there (move the header to a new file instead)", (uintmax_t)s0.offset);
		r = -EINVAL;
	}
	if (!r && removal && o->devsize_given) {
		log_err("--device-size is not supported with header removal");
		r = -EINVAL;
	}
	if (!r && !removal)
		r = init_check_device_size(o, s.d.size > s0.offset ? s.d.size - s0.offset : 0,
					   init_alignment(s.d.fd, s0.sector_size, 0));
	if (!r && removal && !s0.offset) {
		log_err("the data starts at offset 0: there is no header on %s to remove", dev);
		r = -EINVAL;
	}
	if (!r)
		r = unlock_old(&s.d, s0.digest, co->key_slot, pl, &vk);
	if (r < 0)
		goto out;
	log_info("all keyslots of %s will be removed when the decryption finishes", dev);
	if (removal) {
		r = decrypt_datashift(&s, o, co, vk, &s0);
	} else {
		struct json_object *prev = dup_seg(&s.d.hdr, 0);

		put_seg(&s.d.hdr, 1, prev, "backup-previous");
		put_seg(&s.d.hdr, 2, reenc_json_segment("linear", 0, NULL, 0), "backup-final");
		luks2_digest_assign_segment(&s.d.hdr, s0.digest, 1, 1);
		if (o->device_size)
			ljson_set_u64(ljson_get_id(ljson_get(s.d.hdr.jobj, "segments"), 0), "size",
				      o->device_size);
		r = init_resilience(o, REENC_RES_CHECKSUM, &res);
		if (!r)
			r = init_finish_metadata(&s.d, REENC_MODE_DECRYPT, 1, res, o,
						 (uint32_t)init_alignment(s.d.fd, s0.sector_size, 0),
						 0, 2, vk, NULL);
	}
out:
	vk_free(vk);
	session_close(&s);
	return r;
}
