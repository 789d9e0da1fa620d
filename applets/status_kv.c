/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-status output: the key=value list and its printing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets/status_kv.h"
#include "common/log.h"

int kv_emit(void *arg, const char *key, const char *val)
{
	struct kv_list *kv = arg;

	if (kv->n == kv->cap) {
		struct kv *v = realloc(kv->v, sizeof(*v) * (kv->cap + 32));

		if (!v)
			return -ENOMEM;
		kv->v = v;
		kv->cap += 32;
	}
	kv->v[kv->n].val = strdup(val);
	if (!kv->v[kv->n].val)
		return -ENOMEM;
	snprintf(kv->v[kv->n].key, sizeof(kv->v[0].key), "%s", key);
	kv->n++;
	return 0;
}

int kv_print_all(const struct kv_list *kv)
{
	for (int i = 0; i < kv->n; i++)
		printf("%s=%s\n", kv->v[i].key, kv->v[i].val);
	return 0;
}

int kv_print_keys(const struct kv_list *kv, const char *keys)
{
	size_t len = strlen(keys) + 1;
	char *dup = malloc(len), *save = NULL, *k;
	int i, r = 0;

	if (!dup)
		return -ENOMEM;
	/* check every key first: a script gets all values or none */
	for (int pass = 0; pass < 2 && !r; pass++) {
		memcpy(dup, keys, len);
		for (k = strtok_r(dup, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
			for (i = 0; i < kv->n && strcmp(kv->v[i].key, k); i++)
				;
			if (i == kv->n) {
				log_err("unknown key '%s'", k);
				r = -ENOENT;
				break;
			}
			if (pass)
				printf("%s\n", kv->v[i].val);
		}
	}
	free(dup);
	return r;
}

void kv_free(struct kv_list *kv)
{
	for (int i = 0; i < kv->n; i++)
		free(kv->v[i].val);
	free(kv->v);
	kv->v = NULL;
	kv->n = kv->cap = 0;
}
