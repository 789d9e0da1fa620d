/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reenc_init, mode decrypt: in-place decryption of a LUKS2 device whose
 * header is detached (the data stays where it is), or header removal: the
 * header moves to a new file and the data down by its offset. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/io.h"
#include "common/log.h"
#include "common/size.h"
#include "luks2/json.h"
#include "luks2/reenc_internal.h"

/* Header removal: what moves where. */
struct removal {
	uint64_t shift;		/* the old data offset */
	uint64_t data;		/* bytes of data */
	uint64_t md;		/* both metadata copies */
	uint64_t moved;		/* the first chunk, moved to the device start */
	uint64_t block;
	enum reenc_res res;
};

static int unlock_old(struct luks2_dev *d, int digest, const struct reenc_params *p,
		      struct volume_key **vk)
{
	int r = -ENOENT;

	for (int i = 0; i < p->npass; i++) {
		r = luks2_keyslot_open_digest(d, digest, p->keyslot, p->pass[i].data,
					      p->pass[i].len, vk);
		if (r >= 0)
			return 0;
	}
	if (r != -ENOTSUP)	/* that one was logged */
		log_err(r == -EPERM ? "no key available with this passphrase" : "no usable keyslot");
	return r;
}

/* The moved chunk: the hotzone bound or 20 MiB, at most the shift and the
 * data, and what the resilience area protects; whole blocks. */
static int plan_removal(struct luks2_dev *d, const struct reenc_init_args *a,
			const struct luks2_segment *s0, struct removal *m)
{
	uint64_t aoff, asz, lim;

	if (a->res == REENC_RES_NONE) {
		log_err("header removal needs checksum or journal resilience");
		return -EINVAL;
	}
	m->res = a->res == REENC_RES_JOURNAL ? REENC_RES_DS_JOURNAL : REENC_RES_DS_CHECKSUM;
	m->shift = s0->offset;
	m->data = d->size - m->shift;
	m->md = 2 * d->hdr.hdr_size;
	m->block = reenc_init_alignment(d->fd, s0->sector_size, 0);
	m->moved = a->p->hotzone ? a->p->hotzone : m->shift < (20ULL << 20) ? m->shift : 20ULL << 20;
	if (m->moved > m->shift)
		m->moved = m->shift;
	if (m->moved > m->data)
		m->moved = m->data;
	if (luks2_area_find(&d->hdr, 4096, 1, &aoff, &asz) < 0) {
		log_err("no room for the reencryption keyslot area");
		return -ENOSPC;
	}
	lim = m->res == REENC_RES_DS_JOURNAL ? asz : asz / crypt_hash_size(a->hash) * m->block;
	m->moved = size_round_down(m->moved < lim ? m->moved : lim, m->block);
	if (!m->moved || m->shift % m->block) {
		log_err("data offset %ju cannot be shifted in %ju-byte blocks", (uintmax_t)m->shift,
			(uintmax_t)m->block);
		return -EINVAL;
	}
	return 0;
}

/* The header goes to the new file, synced, before the device changes;
 * from then on it is the header of d. */
static int export_header(struct luks2_dev *d, const char *header, const struct removal *m)
{
	uint64_t len = m->md + luks2_keyslots_size(&d->hdr);
	int hfd = reenc_init_new_file(header), r;
	uint8_t *buf;

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
		unlink(header);	/* the device is untouched: a retry can start over */
		log_err("cannot export the header to %s: %s", header, strerror(-r));
		return r;
	}
	d->hdr_fd = hfd;
	d->hdr_path = header;
	log_info("header of %s exported to %s", d->path, header);
	return 0;
}

/* Segments of a decryption with a moved first segment (in memory): the
 * moved chunk is read at 0 with IV from sector 0, the rest at shift + moved
 * with IV from sector moved / 512 (cryptsetup's segment iv_tweak). */
static void removal_segments(struct luks2_hdr *hdr, const struct luks2_segment *s0,
			     const struct removal *m)
{
	uint64_t moved = m->moved, rest = m->data - m->moved;
	const char *c = s0->cipher;
	uint32_t ss = s0->sector_size;

	json_object_object_add(hdr->jobj, "segments", json_object_new_object());
	json_object_object_foreach(ljson_get(hdr->jobj, "digests"), n, dg) {
		(void)n;
		json_object_object_add(dg, "segments", json_object_new_array());
	}
	reenc_init_put_seg(hdr, 0, reenc_json_crypt(0, 0, &moved, c, ss, 0), NULL);
	if (rest)
		reenc_init_put_seg(hdr, 1, reenc_json_crypt(m->shift + moved, moved, NULL, c, ss, 0),
				   NULL);
	reenc_init_put_seg(hdr, rest ? 2 : 1, reenc_init_dup_seg(hdr, 0), "backup-moved-segment");
	reenc_init_put_seg(hdr, rest ? 3 : 2, reenc_json_crypt(m->shift, 0, NULL, c, ss, 0),
			   "backup-previous");
	reenc_init_put_seg(hdr, rest ? 4 : 3, reenc_json_segment("linear", 0, NULL, 0),
			   "backup-final");
	for (int id = 0; id < (rest ? 4 : 3); id++)
		luks2_digest_assign_segment(hdr, s0->digest, id, 1);
}

/* The first chunk of ciphertext moves to the device start; what is left
 * of the old header area there is zeroed. */
static int move_first(struct luks2_dev *d, const struct removal *m)
{
	int r = reenc_init_move(d->fd, m->shift, 0, m->moved);

	if (!r && m->moved < m->md) {
		uint8_t *z = io_alloc(m->md - m->moved);

		r = z ? io_pwrite(d->fd, z, m->md - m->moved, m->moved) : -ENOMEM;
		if (!r)
			r = io_fdatasync(d->fd);
		free(z);
	}
	return r;
}

/* Header removal: the header moves to a new file, the first data chunk to
 * the device start, and the rest is decrypted forward shifted down.
 * Online (cryptsetup's reencrypt_decrypt_with_datashift_init): NAME's
 * table is checked against the old layout before the export, the new
 * layout's table is loaded and NAME suspended (flushed) before the move,
 * and NAME is resumed on it after the commit. A kill while NAME is
 * suspended leaves it suspended with the new table inactive; the header
 * file says which one is right. */
static int decrypt_datashift(struct luks2_dev *d, const struct reenc_init_args *a,
			     struct volume_key *vk, const struct luks2_segment *s0)
{
	struct reenc_init_plan pl = { REENC_MODE_DECRYPT, 0, 0, 0, 0, 3 };
	const char *name = a->p->active_name;
	struct removal m;
	int r;

	r = plan_removal(d, a, s0, &m);
	if (!r && name)
		r = reenc_init_online_compare(d, name, s0->digest, vk);
	if (!r)
		r = export_header(d, a->p->header, &m);
	if (r < 0)
		return r;
	removal_segments(&d->hdr, s0, &m);
	pl.res = m.res;
	pl.block = (uint32_t)m.block;
	pl.shift = m.shift;
	r = reenc_init_prepare(d, &pl, a, vk, NULL);
	if (r < 0)
		return r;
	if (name && (r = reenc_init_online_suspend(d, name, s0->digest, vk)) < 0) {
		unlink(a->p->header);	/* the device is untouched: a retry can start over */
		return r;
	}
	r = move_first(d, &m);
	/* the one commit: from here on the header file says "decryption" */
	if (!r)
		r = luks2_hdr_write(d->hdr_fd, &d->hdr);
	return name ? reenc_init_online_resume(d, name, r) : r;
}

/* A detached header: decrypted in place, backward, with no data shift. */
static int decrypt_in_place(struct luks2_dev *d, const struct reenc_init_args *a,
			    struct volume_key *vk, const struct luks2_segment *s0)
{
	struct reenc_init_plan pl = { REENC_MODE_DECRYPT, 1, a->res, 0, 0, 2 };

	reenc_init_put_seg(&d->hdr, 1, reenc_init_dup_seg(&d->hdr, 0), "backup-previous");
	reenc_init_put_seg(&d->hdr, 2, reenc_json_segment("linear", 0, NULL, 0), "backup-final");
	luks2_digest_assign_segment(&d->hdr, s0->digest, 1, 1);
	if (a->p->device_size)
		ljson_set_u64(ljson_get_id(ljson_get(d->hdr.jobj, "segments"), 0), "size",
			      a->p->device_size);
	pl.block = (uint32_t)reenc_init_alignment(d->fd, s0->sector_size, 0);
	/* online: NAME maps what these segments imply; nothing else changes */
	if (a->p->active_name) {
		int r = reenc_init_online_compare(d, a->p->active_name, s0->digest, vk);

		if (r < 0)
			return r;
	}
	return reenc_init_finish(d, &pl, a, vk, NULL);
}

/* One encrypted data segment with IV from sector 0 (the IV rule of
 * reenc_init_reencrypt.c check_segment), and the checks of the layout. */
static int check_device(struct luks2_dev *d, const struct reenc_params *p, int removal,
			struct luks2_segment *s0)
{
	if (luks2_segment_count(&d->hdr) != 1 || luks2_segment_get(&d->hdr, 0, s0) ||
	    s0->type != SEG_CRYPT || s0->iv_tweak) {
		log_err("%s: expected one encrypted data segment with iv_tweak 0", d->path);
		return -EINVAL;
	}
	if (ljson_get(ljson_get_id(ljson_get(d->hdr.jobj, "segments"), 0), "integrity")) {
		log_err("authenticated (integrity) segments cannot be decrypted in place");
		return -ENOTSUP;
	}
	if (!removal && s0->offset) {
		log_err("the detached header puts data at offset %ju; decrypting in place would "
			"leave it there (move the header to a new file instead)", (uintmax_t)s0->offset);
		return -EINVAL;
	}
	if (removal && p->device_size) {
		log_err("--device-size is not supported with header removal");
		return -EINVAL;
	}
	if (!removal)
		return reenc_init_device_size(p, d->size > s0->offset ? d->size - s0->offset : 0,
					      reenc_init_alignment(d->fd, s0->sector_size, 0));
	if (!s0->offset) {
		log_err("the data starts at offset 0: there is no header on %s to remove", d->path);
		return -EINVAL;
	}
	return 0;
}

int reenc_init_decrypt(const char *path, const struct reenc_init_args *a)
{
	const struct reenc_params *p = a->p;
	/* no such header file: it is where the device's header moves to */
	int removal = access(p->header, F_OK) < 0, r;
	struct reenc_dev *dev = NULL;
	struct volume_key *vk = NULL;
	struct luks2_segment s0 = { 0 };

	r = reenc_init_open(&dev, path, removal ? NULL : p->header, p);
	if (!r)
		r = check_device(&dev->d, p, removal, &s0);
	if (!r)
		r = unlock_old(&dev->d, s0.digest, p, &vk);
	if (r < 0)
		goto out;
	log_info("all keyslots of %s will be removed when the decryption finishes", path);
	if (removal)
		r = decrypt_datashift(&dev->d, a, vk, &s0);
	else
		r = decrypt_in_place(&dev->d, a, vk, &s0);
out:
	vk_free(vk);
	reenc_dev_close(dev);
	return r;
}
