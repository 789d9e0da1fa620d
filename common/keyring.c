/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel keyring through syscall(2) (common/keyring.h); the same calls as
 * cryptsetup's lib/utils_keyring.c, no libkeyutils. */
#include <errno.h>
#include <linux/keyctl.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/keyring.h"
#include "common/log.h"

typedef int32_t key_serial_t;

static key_serial_t find_logon(const char *desc)
{
	long r;

	do
		r = syscall(__NR_request_key, "logon", desc, NULL, 0);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : (key_serial_t)r;
}

int keyring_supported(void)
{
	/* as lib/utils_keyring.c keyring_check: a logon description
	 * without a "prefix:" fails with EINVAL, not ENOSYS */
	return syscall(__NR_request_key, "logon", "dummy", NULL, 0) == -1 &&
	       errno != ENOSYS;
}

int keyring_logon_add(const char *desc, const void *key, size_t len)
{
	long r;

	if (!desc || !strchr(desc, ':') || !key || !len)
		return -EINVAL;
	r = syscall(__NR_add_key, "logon", desc, key, len, KEY_SPEC_THREAD_KEYRING);
	if (r < 0) {
		r = -errno;
		log_err("cannot add key %s to the kernel keyring: %s", desc, strerror((int)-r));
		return (int)r;
	}
	return (int)r;
}

int keyring_logon_drop(const char *desc)
{
	key_serial_t kid = find_logon(desc);

	if (kid == -ENOKEY || kid == -ENOENT || kid == -EKEYREVOKED || kid == -EKEYEXPIRED)
		return 0;
	if (kid < 0)
		return kid;
	if (syscall(__NR_keyctl, KEYCTL_REVOKE, kid) < 0) {
		log_err("cannot revoke key %s: %s", desc, strerror(errno));
		return -errno;
	}
	/* best effort: revoked already, wherever else it is linked */
	syscall(__NR_keyctl, KEYCTL_UNLINK, kid, KEY_SPEC_THREAD_KEYRING);
	syscall(__NR_keyctl, KEYCTL_UNLINK, kid, KEY_SPEC_PROCESS_KEYRING);
	syscall(__NR_keyctl, KEYCTL_UNLINK, kid, KEY_SPEC_USER_KEYRING);
	return 0;
}
