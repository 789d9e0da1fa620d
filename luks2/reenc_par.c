/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CPU work of a hotzone (checksums of the old blocks, decrypt + encrypt)
 * split over the online CPUs. Each worker owns its cipher and hash contexts
 * (OpenSSL contexts are not shared between threads); slices are cut at the
 * alignment, so every slice holds whole sectors and whole checksum blocks.
 * The commit order is unchanged: the threads all finish before the caller
 * writes anything.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "luks2/reenc_internal.h"

struct job {
	struct reenc_ctx *c;
	struct reenc_worker *w;
	uint64_t off;		/* logical offset of the slice */
	uint8_t *buf;
	size_t len;
	uint8_t *sums;		/* hashing: where this slice's sums go */
	int r;
};

/* The IV sector of every byte is its logical offset / 512 on both sides:
 * the IV rule of segment.h, which reenc_ctx.c check_iv() enforces on load. */
static void *run_transform(void *arg)
{
	struct job *j = arg;

	j->r = 0;
	if (j->w->st_old)
		j->r = crypt_storage_decrypt(j->w->st_old, j->off / 512, j->len, j->buf);
	if (!j->r && j->w->st_new)
		j->r = crypt_storage_encrypt(j->w->st_new, j->off / 512, j->len, j->buf);
	return NULL;
}

static void *run_hash(void *arg)
{
	struct job *j = arg;
	struct reenc_ctx *c = j->c;
	uint8_t *out = j->sums;

	j->r = 0;
	for (size_t o = 0; o < j->len && !j->r; o += c->block, out += c->hash_len) {
		j->r = crypt_hash_write(j->w->csum, j->buf + o, c->block);
		if (!j->r)
			j->r = crypt_hash_final(j->w->csum, out, c->hash_len);
	}
	return NULL;
}

/* Cut [buf, buf+len) into up to nworkers slices of whole units and run fn. */
static int par(struct reenc_ctx *c, void *(*fn)(void *), uint64_t off,
	       uint8_t *buf, size_t len, size_t unit, uint8_t *sums)
{
	struct job jobs[REENC_MAX_THREADS];
	pthread_t tid[REENC_MAX_THREADS];
	size_t units = len / unit, per, done = 0;
	int n = c->nworkers, started = 0, r = 0;

	if ((uint64_t)n > units)
		n = units ? (int)units : 1;
	per = (units + n - 1) / n;
	for (int i = 0; i < n && done < len; i++) {
		size_t l = per * unit;

		if (l > len - done)
			l = len - done;
		jobs[i] = (struct job){ c, &c->w[i], off + done, buf + done, l,
					sums ? sums + done / unit * c->hash_len : NULL, 0 };
		if (i == n - 1 || pthread_create(&tid[i], NULL, fn, &jobs[i])) {
			fn(&jobs[i]);	/* the last slice runs here */
			tid[i] = 0;
		}
		started = i + 1;
		done += l;
	}
	for (int i = 0; i < started; i++) {
		if (tid[i])
			pthread_join(tid[i], NULL);
		if (jobs[i].r < 0 && !r)
			r = jobs[i].r;
	}
	return r;
}

int reenc_par_transform(struct reenc_ctx *c, uint64_t off, uint8_t *buf, size_t len)
{
	return par(c, run_transform, off, buf, len, c->alignment, NULL);
}

int reenc_par_hash(struct reenc_ctx *c, const uint8_t *buf, size_t len, uint8_t *sums)
{
	return par(c, run_hash, 0, (uint8_t *)buf, len, c->block, sums);
}

int reenc_workers_init(struct reenc_ctx *c)
{
	const struct volume_key *vk_new = c->vk_new ? c->vk_new : c->vk_old;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	const char *what = "";
	int r = 0;

	c->nworkers = cpus < 1 ? 1 : cpus > REENC_MAX_THREADS ? REENC_MAX_THREADS : (int)cpus;
	for (int i = 0; i < c->nworkers && !r; i++) {
		struct reenc_worker *w = &c->w[i];

		if (c->prev.type == SEG_CRYPT) {
			what = c->prev.cipher;
			r = crypt_storage_init(&w->st_old, c->prev.sector_size, c->prev.cipher,
					       c->vk_old->key, c->vk_old->len);
		}
		if (!r && c->final.type == SEG_CRYPT) {
			what = c->final.cipher;
			r = crypt_storage_init(&w->st_new, c->final.sector_size,
					       c->final.cipher, vk_new->key, vk_new->len);
		}
		if (!r && c->hash[0]) {
			what = c->hash;
			r = crypt_hash_init(&w->csum, c->hash);
		}
	}
	if (r < 0)
		log_err("%s is not available in the %s crypto backend: %s", what,
			crypt_backend_label(),
			strerror(-r));
	return r;
}

void reenc_workers_free(struct reenc_ctx *c)
{
	for (int i = 0; i < REENC_MAX_THREADS; i++) {
		crypt_storage_destroy(c->w[i].st_old);
		crypt_storage_destroy(c->w[i].st_new);
		crypt_hash_destroy(c->w[i].csum);
	}
}
