/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Keyslot, config, area and JSON size checks (validate_keyslots.c), called
 * by luks2_validate() in validate.c; not a public API. */
#ifndef LUKS2_VALIDATE_KEYSLOTS_H
#define LUKS2_VALIDATE_KEYSLOTS_H

#include "luks2/validate_util.h"

int luks2_validate_keyslots_generic(struct luks2_vctx *c);
int luks2_validate_config(struct luks2_vctx *c);
int luks2_validate_json_size(struct luks2_vctx *c);
int luks2_validate_areas(struct luks2_vctx *c);
int luks2_validate_keyslot_types(struct luks2_vctx *c);

#endif
