/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by luks2/reenc_dm_status.c, reenc_dm_close.c and
 * reenc_init_online.c: the helper devices of a LUKS2 dm device, as
 * cryptsetup finds them, and the parser of a live table's targets. */
#ifndef LUKS2_REENC_DM_INTERNAL_H
#define LUKS2_REENC_DM_INTERNAL_H

#include <stddef.h>

#include "common/dm.h"
#include "luks2/reenc.h"

#define REENC_DM_LUKS2_PREFIX "CRYPT-LUKS2-"
#define REENC_DM_SUBDEV_PREFIX "CRYPT-SUBDEV-"

/* The devices under NAME, recursively, whose dm uuid starts with
 * CRYPT-SUBDEV-<uuid32> of NAME's dm uuid (lib/libdevmapper.c
 * dm_device_deps with the prefix LUKS2_deactivate gives it), at most max;
 * returns the count. */
int reenc_dm_subdevs(const char *name, const char *dm_uuid,
		     char (*names)[LDM_NAME_LEN], size_t max);
/* 1 when name is a reencryption helper by its suffix: -overlay,
 * -hotzone-forward, -hotzone-backward (lib/luks2/luks2_json_metadata.c
 * is_reencryption_helper, with the hotzone match later releases fixed). */
int reenc_dm_is_helper(const char *name);
/* The LUKS2 uuid (with dashes) in a CRYPT-LUKS2-<uuid32>-NAME dm uuid;
 * -ENODEV when dm_uuid is not one. */
int reenc_dm_luks2_uuid(const char *dm_uuid, char *uuid, size_t len);
/* One "start length type params" line of a table, parsed in place (the
 * line is cut into words); *keyword, when asked for, points at the crypt
 * target's key word in line (hex, keyring reference or "-"). 0, 1 when a
 * field was cut to fit t, -EINVAL without a type. */
int reenc_dm_parse_target(struct reenc_dm_target *t, char *line, const char **keyword);

#endif
