/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2-status output: key=value lines, -o selections, JSON. */
#ifndef APPLETS_STATUS_KV_H
#define APPLETS_STATUS_KV_H

#include "luks2/luks2.h"
#include "luks2/reenc.h"
#include "luks2/segment.h"

struct kv {
	char key[48];
	char *val;
};

struct kv_list {
	struct kv *v;
	int n, cap;
};

/* running: a live process holds the reencryption lock; state "running". */
int status_collect(struct luks2_dev *d, const struct reenc_status *ri, int running,
		   struct kv_list *kv);
int kv_print_all(const struct kv_list *kv);
/* Bare values of a comma-separated key list; unknown key: -ENOENT. */
int kv_print_keys(const struct kv_list *kv, const char *keys);
void kv_free(struct kv_list *kv);
int status_print_json(struct luks2_dev *d, const struct reenc_status *ri, int running);

#endif
