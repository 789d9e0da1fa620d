/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory for secrets: locked (best effort), zeroed on free. */
#ifndef COMMON_SAFEMEM_H
#define COMMON_SAFEMEM_H

#include <stddef.h>
#include <stdint.h>

void *safe_alloc(size_t size);	/* zeroed; NULL on failure */
void safe_free(void *p);		/* wipes, unlocks, frees; NULL ok */
void *safe_realloc(void *p, size_t size);

/* A volume key in safe memory. */
struct volume_key {
	size_t len;
	uint8_t key[];
};
struct volume_key *vk_alloc(size_t len, const void *key);	/* key may be NULL */
void vk_free(struct volume_key *vk);

#endif
