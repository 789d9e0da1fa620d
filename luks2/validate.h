/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Full validation of LUKS2 JSON metadata (doc/format.md §1.6). */
#ifndef LUKS2_VALIDATE_H
#define LUKS2_VALIDATE_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Validate the metadata of one header copy whose hdr_size (binary header +
 * JSON area) is hdr_size. Returns 0 when valid; -EINVAL when a rule is
 * broken, with one human-readable line (no newline) in why, naming the
 * object and the rule, e.g. "segment 1: size is not a multiple of 512".
 */
int luks2_validate(struct json_object *root, uint64_t hdr_size,
		   char *why, size_t why_len);

/*
 * Requirement flags in config.requirements.mandatory.
 * Returns the reencryption flag version: 0 none, 1 "online-reencrypt",
 * 2 / 3 / N for "online-reencrypt-vN"; -EINVAL for duplicates.
 * *unknown is set to 1 when a flag we do not know is present (which makes
 * the device read-only), e.g. "online-reencrypt-v999" or "foo".
 */
int reenc_flag_version(struct json_object *root, int *unknown,
				 char *unknown_name, size_t unknown_len);

#endif
