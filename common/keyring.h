/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel keyring: the logon keys dm-crypt reads a volume key from (table
 * key ":<len>:logon:<description>"), through the raw add_key/keyctl
 * syscalls. As cryptsetup (lib/utils_keyring.c
 * keyring_add_key_in_thread_keyring), keys go to the thread keyring: the
 * table must be loaded from the same thread, and the key unlinked right
 * after (dm-crypt keeps its own copy).
 */
#ifndef COMMON_KEYRING_H
#define COMMON_KEYRING_H

#include <stddef.h>

/* 1 when the kernel has the keyring syscalls, 0 when not. */
int keyring_supported(void);
/* Add a logon key (description "prefix:rest") to the thread keyring;
 * returns its serial (> 0). */
int keyring_logon_add(const char *desc, const void *key, size_t len);
/* Revoke the logon key desc found from this thread and unlink it from the
 * thread, process and user keyrings; 0 also when there is none. */
int keyring_logon_drop(const char *desc);

#endif
