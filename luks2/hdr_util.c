// SPDX-License-Identifier: GPL-2.0-or-later
/* Header helpers beside reading and writing: the blkid signature probe,
 * label, keyslots area size, data offset. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <blkid/blkid.h>

#include "common/log.h"
#include "luks2/json.h"
#include "luks2/luks2.h"
#include "luks2/validate.h"

/*
 * As cryptsetup's detect_device_signatures() (lib/luks2/luks2_disk_metadata.c):
 * blkid partition tables and superblocks other than crypto_LUKS. 0 when
 * there are none; otherwise 1 with what was found in name.
 */
int luks2_foreign_signature(int fd, char *name, size_t len)
{
	static char luks[] = "crypto_LUKS";
	char *not_luks[] = { luks, NULL };
	const char *v = NULL;
	blkid_probe pr;
	int r;

	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, 0)) {
		blkid_free_probe(pr);
		snprintf(name, len, "blkid cannot probe the device");
		return 1;
	}
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, 0);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	blkid_probe_filter_superblocks_type(pr, BLKID_FLTR_NOTIN, not_luks);
	r = blkid_do_safeprobe(pr);
	if (r == 0 && (!blkid_probe_lookup_value(pr, "TYPE", &v, NULL) ||
		       !blkid_probe_lookup_value(pr, "PTTYPE", &v, NULL)))
		snprintf(name, len, "%s", v);
	else if (r == 0)
		snprintf(name, len, "unnamed signature");
	else if (r == -2)
		snprintf(name, len, "several signatures");
	else if (r != 1)
		snprintf(name, len, "blkid probe failed");
	blkid_free_probe(pr);
	return r != 1;
}

int luks2_hdr_set_label(struct luks2_hdr *hdr, const char *label,
			const char *subsystem)
{
	if ((label && strlen(label) > 47) || (subsystem && strlen(subsystem) > 47))
		return -EINVAL;
	if (label)
		snprintf(hdr->label, sizeof(hdr->label), "%s", label);
	if (subsystem)
		snprintf(hdr->subsystem, sizeof(hdr->subsystem), "%s", subsystem);
	return 0;
}

uint64_t luks2_keyslots_size(struct luks2_hdr *hdr)
{
	uint64_t v = 0;

	ljson_get_u64(ljson_get(hdr->jobj, "config"), "keyslots_size", &v);
	return v;
}

uint64_t luks2_data_offset(struct luks2_hdr *hdr)
{
	uint64_t min = UINT64_MAX, off;
	const char *flag;

	ljson_foreach(ljson_get(hdr->jobj, "segments"), name, s) {
		(void)name;
		flag = ljson_array_str(ljson_get(s, "flags"), 0);
		if (flag && !strncmp(flag, "backup-", 7))
			continue;
		if (!ljson_get_u64(s, "offset", &off) && off < min)
			min = off;
	}
	return min == UINT64_MAX ? 0 : min;
}

/* Digests with neither keyslots nor segments are dropped before a write. */
static void drop_unused_digests(struct json_object *root)
{
	struct json_object *digests = ljson_get(root, "digests"), *ks, *sg;
	char names[64][12];
	int n = 0;

	ljson_foreach(digests, name, d) {
		ks = ljson_get(d, "keyslots");
		sg = ljson_get(d, "segments");
		if (ljson_array_len(ks) == 0 && ljson_array_len(sg) == 0 &&
		    n < 64)
			snprintf(names[n++], sizeof(names[0]), "%s", name);
	}
	while (n--)
		json_object_object_del(digests, names[n]);
}

int luks2_hdr_check(struct luks2_hdr *hdr, const char **text)
{
	size_t area_len = hdr->hdr_size - LUKS2_HDR_BIN_LEN;
	const char *t;
	char why[200];
	int r;

	drop_unused_digests(hdr->jobj);
	r = luks2_validate(hdr->jobj, hdr->hdr_size, why, sizeof(why));
	if (r < 0) {
		log_err("refusing to write invalid metadata: %s", why);
		return r;
	}
	t = ljson_to_string(hdr->jobj);
	if (!t || strlen(t) >= area_len) {
		log_err("metadata does not fit the %zu-byte JSON area", area_len);
		return -ENOSPC;
	}
	if (text)
		*text = t;
	return 0;
}
