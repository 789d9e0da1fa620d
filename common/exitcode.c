/* SPDX-License-Identifier: GPL-2.0-or-later */
/* errno to exit code, keeping cryptsetup's meanings of 1-5. */
#include <errno.h>

#include "common/exitcode.h"

int exit_from_errno(int r)
{
	if (r >= 0)
		return RC_OK;
	switch (-r) {
	case EPERM:
	case EACCES:
		return RC_PERM;
	case ENOMEM:
		return RC_NOMEM;
	case ENODEV:
	case ENOTBLK:
	case ENXIO:
		return RC_NODEV;
	case EBUSY:
	case EEXIST:
	case EAGAIN:
		return RC_BUSY;
	/* the engine's state answers (luks2/reenc.h) */
	case EALREADY:
		return RC_DONE;
	case EUCLEAN:
		return RC_RECOVER;
	case EBADMSG:
		return RC_REPAIR;
	default:
		return RC_FAIL;
	}
}
