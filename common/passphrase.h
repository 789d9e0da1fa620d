/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Passphrase input: key file, stdin, no-echo prompt, kernel keyring. */
#ifndef COMMON_PASSPHRASE_H
#define COMMON_PASSPHRASE_H

#include <stddef.h>

#include "common/opt.h"

#define PASSPHRASE_MAX (8 * 1024 * 1024)	/* cryptsetup's key file limit */

/*
 * Read one passphrase as the common options say:
 *   --key-description DESC: the kernel keyring user key DESC;
 *   --key-file FILE: the whole file (or --keyfile-size bytes after
 *     --keyfile-offset), newlines included; '-' reads stdin the same way;
 *   no key file, stdin a terminal: prompt (no echo), line without newline;
 *   no key file, stdin not a terminal: one line from stdin.
 * The result lives in safe memory (safe_free it). 0 or negative errno.
 */
int passphrase_read(const struct common_opts *co, const char *prompt,
		    char **pass, size_t *len);

#endif
