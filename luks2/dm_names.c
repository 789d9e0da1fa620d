/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names, dm uuids and keyring keys of a LUKS2 device's dm devices
 * (luks2/dm_table.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <uuid/uuid.h>

#include "common/keyring.h"
#include "common/log.h"
#include "luks2/dm_table.h"

int luks2_dm_key_desc(const char *uuid, int digest, char *buf, size_t len)
{
	int r;

	if (!uuid || !uuid[0] || digest < 0)
		return -EINVAL;
	r = snprintf(buf, len, "cryptsetup:%s-d%d", uuid, digest);
	return r < 0 || (size_t)r >= len ? -ENAMETOOLONG : 0;
}

int luks2_dm_uuid(const char *uuid, const char *name, int subdev, char *buf,
		  size_t len)
{
	char hex[37];
	size_t n = 0;
	uuid_t uu;
	int r;

	if (!uuid || uuid_parse(uuid, uu) < 0) {
		log_err("invalid LUKS2 uuid");
		return -EINVAL;
	}
	for (const char *p = uuid; *p && n < sizeof(hex) - 1; p++)
		if (*p != '-')
			hex[n++] = *p;
	hex[n] = '\0';
	/* lib/libdevmapper.c dm_prepare_uuid: CRYPT-<type>-<uuid>-<name>,
	 * truncated (with a message) past DM_UUID_LEN */
	r = snprintf(buf, len, "CRYPT-%s-%s-%s", subdev ? "SUBDEV" : "LUKS2", hex, name);
	if (r < 0)
		return -EINVAL;
	if ((size_t)r >= len)
		log_warn("DM-UUID for device %s was truncated", name);
	return 0;
}

int luks2_dm_helper_name(const char *name, enum luks2_dm_helper h, char *buf,
			 size_t len)
{
	static const char *const sfx[] = { "-overlay", "-hotzone-forward",
					   "-hotzone-backward" };
	int r;

	if ((unsigned)h > LUKS2_DM_HOTZONE_BACKWARD)
		return -EINVAL;
	r = snprintf(buf, len, "%s%s", name, sfx[h]);
	return r < 0 || (size_t)r >= len ? -ENAMETOOLONG : 0;
}

/* Kernel release >= 4.15 (lib/setup.c dmcrypt_keyring_bug). */
static int kernel_4_15(void)
{
	struct utsname u;
	unsigned long ma, mi;
	char *end;

	if (uname(&u) < 0)
		return 0;
	ma = strtoul(u.release, &end, 10);
	if (*end != '.')
		return 0;
	mi = strtoul(end + 1, &end, 10);
	return ma > 4 || (ma == 4 && mi >= 15);
}

int luks2_dm_keyring_ok(void)
{
	unsigned v[3];

	if (!keyring_supported())
		return 0;
	/* lib/libdevmapper.c _dm_set_crypt_compat: keyring keys from
	 * dm-crypt 1.18.1; the kernel version when the target is not
	 * loaded yet */
	if (ldm_target_version("crypt", v) < 0)
		return kernel_4_15();
	return v[0] > 1 || (v[0] == 1 && (v[1] > 18 || (v[1] == 18 && v[2] >= 1)));
}

static const struct volume_key *find_vk(const struct luks2_dm_key *keys, size_t n,
					int digest)
{
	for (size_t i = 0; i < n; i++)
		if (keys[i].digest == digest && keys[i].vk)
			return keys[i].vk;
	return NULL;
}

int luks2_dm_keys_upload(struct luks2_hdr *hdr, const struct luks2_dm_table *tab,
			 const struct luks2_dm_key *keys, size_t nkeys)
{
	char desc[LUKS2_KEY_DESC_LEN];
	const struct volume_key *vk;
	int r;

	for (size_t i = 0; i < tab->ndigests; i++) {
		vk = find_vk(keys, nkeys, tab->digest[i]);
		if (!vk) {
			log_err("no volume key for digest %d", tab->digest[i]);
			r = -ENOKEY;
			goto fail;
		}
		if ((r = luks2_dm_key_desc(hdr->uuid, tab->digest[i], desc, sizeof(desc))) < 0 ||
		    (r = keyring_logon_add(desc, vk->key, vk->len)) < 0)
			goto fail;
	}
	return 0;
fail:
	luks2_dm_keys_drop(hdr, tab);
	return r;
}

void luks2_dm_keys_drop(struct luks2_hdr *hdr, const struct luks2_dm_table *tab)
{
	char desc[LUKS2_KEY_DESC_LEN];

	for (size_t i = 0; i < tab->ndigests; i++)
		if (luks2_dm_key_desc(hdr->uuid, tab->digest[i], desc, sizeof(desc)) == 0)
			keyring_logon_drop(desc);
}
