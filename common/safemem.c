/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Locked, wiped allocations for passphrases and keys. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/safemem.h"

struct safe_hdr {
	size_t size;
	size_t pad;	/* keep the payload 16-byte aligned */
};

void *safe_alloc(size_t size)
{
	struct safe_hdr *h;

	if (size > SIZE_MAX - sizeof(*h))
		return NULL;
	h = calloc(1, sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size;
	/* Best effort: without CAP_IPC_LOCK and a low RLIMIT_MEMLOCK it fails. */
	(void)mlock(h, sizeof(*h) + size);
	return h + 1;
}

void safe_free(void *p)
{
	struct safe_hdr *h;

	if (!p)
		return;
	h = (struct safe_hdr *)p - 1;
	explicit_bzero(p, h->size);
	(void)munlock(h, sizeof(*h) + h->size);
	free(h);
}

void *safe_realloc(void *p, size_t size)
{
	struct safe_hdr *h;
	void *n = safe_alloc(size);

	if (!n || !p)
		return n;
	h = (struct safe_hdr *)p - 1;
	memcpy(n, p, h->size < size ? h->size : size);
	safe_free(p);
	return n;
}

struct volume_key *vk_alloc(size_t len, const void *key)
{
	struct volume_key *vk = safe_alloc(sizeof(*vk) + len);

	if (!vk)
		return NULL;
	vk->len = len;
	if (key)
		memcpy(vk->key, key, len);
	return vk;
}

void vk_free(struct volume_key *vk)
{
	safe_free(vk);
}
