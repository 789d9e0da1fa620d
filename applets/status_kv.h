/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-status output: the key=value list reenc_describe() emits, printed
 * whole or as the bare values of -o KEY[,KEY]. */
#ifndef APPLETS_STATUS_KV_H
#define APPLETS_STATUS_KV_H

struct kv {
	char key[48];
	char *val;
};

struct kv_list {
	struct kv *v;
	int n, cap;
};

/* reenc_describe()'s emit callback: arg is a struct kv_list. */
int kv_emit(void *arg, const char *key, const char *val);
int kv_print_all(const struct kv_list *kv);
/* Bare values of a comma-separated key list; unknown key: -ENOENT. */
int kv_print_keys(const struct kv_list *kv, const char *keys);
void kv_free(struct kv_list *kv);

#endif
