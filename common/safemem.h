/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory for secrets: locked (best effort), not in core dumps, zeroed on
 * free. */
#ifndef COMMON_SAFEMEM_H
#define COMMON_SAFEMEM_H

#include <stddef.h>
#include <stdint.h>

/* The process: not dumpable, no ptrace by other users (at applet start). */
void safemem_protect_process(void);
/* Keep the whole pages of a buffer (plaintext) out of core dumps. */
void safe_nodump(void *p, size_t len);
void *safe_alloc(size_t size);	/* zeroed; NULL on failure */
void safe_free(void *p);		/* wipes, unlocks, frees; NULL ok */
void *safe_realloc(void *p, size_t size);	/* NULL: p is freed too */

/* A volume key in safe memory. */
struct volume_key {
	size_t len;
	uint8_t key[];
};
struct volume_key *vk_alloc(size_t len, const void *key);	/* key may be NULL */
void vk_free(struct volume_key *vk);

#endif
