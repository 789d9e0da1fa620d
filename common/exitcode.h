/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one exit-code table of luks2box (README "Exit codes", man/luks2box.7). */
#ifndef COMMON_EXITCODE_H
#define COMMON_EXITCODE_H

enum {
	RC_OK = 0,	/* success */
	RC_FAIL = 1,	/* failure or wrong parameters; metadata consistent */
	RC_PERM = 2,	/* wrong passphrase or no permission */
	RC_NOMEM = 3,	/* out of memory */
	RC_NODEV = 4,	/* wrong device, not LUKS2, invalid header */
	RC_BUSY = 5,	/* busy: locked, in use, exists */
	RC_DONE = 10,	/* nothing to do */
	RC_RECOVER = 11,	/* crash state: run luks2-recover */
	RC_REPAIR = 12,	/* metadata needs repair */
	RC_UNKNOWN_APPLET = 127,
};

/* Map a negative errno (or 0) to an exit code, as cryptsetup does for 1-5. */
int exit_from_errno(int r);

#endif
