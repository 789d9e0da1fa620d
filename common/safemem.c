/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Locked, wiped allocations for passphrases and keys, kept out of core
 * dumps: each has its own anonymous mapping (no page shared with other
 * data) marked MADV_DONTDUMP, and the process is made non-dumpable. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/safemem.h"

struct safe_hdr {
	size_t size;	/* payload bytes */
	size_t map;	/* bytes mapped */
};

void safemem_protect_process(void)
{
	/* No core dump and no ptrace attach by other users: the process
	 * holds passphrases, volume keys and plaintext. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

void safe_nodump(void *p, size_t len)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), a = (uintptr_t)p;
	uintptr_t lo = (a + pg - 1) & ~(pg - 1), hi = (a + len) & ~(pg - 1);

	/* only the pages that lie wholly inside the buffer */
	if (p && hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_DONTDUMP);
}

void *safe_alloc(size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), map;
	struct safe_hdr *h;

	if (size > SIZE_MAX - sizeof(*h) - pg)
		return NULL;
	map = (sizeof(*h) + size + pg - 1) / pg * pg;
	h = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED)
		return NULL;
	(void)madvise(h, map, MADV_DONTDUMP);
	/* Best effort: without CAP_IPC_LOCK and a low RLIMIT_MEMLOCK it fails. */
	(void)mlock(h, map);
	h->size = size;
	h->map = map;
	return h + 1;
}

void safe_free(void *p)
{
	struct safe_hdr *h;

	if (!p)
		return;
	h = (struct safe_hdr *)p - 1;
	explicit_bzero(p, h->size);
	(void)munlock(h, h->map);
	munmap(h, h->map);
}

void *safe_realloc(void *p, size_t size)
{
	struct safe_hdr *h;
	void *n = safe_alloc(size);

	if (!p)
		return n;
	if (!n) {
		safe_free(p);	/* callers drop their pointer on failure */
		return NULL;
	}
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
