/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Repair of reencryption metadata that carries no verification digest:
 * the "online-reencrypt" flag of cryptsetup 2.2.0-2.4.2, or a v2/v3 flag
 * whose digest is missing. Nothing proves such metadata was written by
 * the key owner (CVE-2021-4122), so the applet shows it and asks first;
 * this file only does the signing, as cryptsetup's
 * reencrypt_repair_by_passphrase() (lib/luks2/luks2_reencrypt.c).
 */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "luks2/reenc_internal.h"

/* v3 for a decryption with a moved segment under datashift-*, else v2. */
int reenc_repair_version(struct luks2_hdr *hdr, const struct reenc_status *ri)
{
	if (ri->mode == REENC_MODE_DECRYPT && (ri->resilience == REENC_RES_DS_CHECKSUM ||
						ri->resilience == REENC_RES_DS_JOURNAL) &&
	    luks2_segment_backup(hdr, SEGF_BACKUP_MOVED) >= 0)
		return 3;
	return 2;
}

/* Sign in memory, then check the result as a later run would load it. */
static int sign(struct luks2_dev *d, int version, const struct volume_key *vk_old,
		const struct volume_key *vk_new)
{
	struct reenc_status ri;
	int r;

	reenc_set_flag(&d->hdr, version);
	r = reenc_digest_create(&d->hdr, version, vk_old, vk_new, 0);
	if (r < 0) {
		log_err("cannot create the reencryption digest: %s", strerror(-r));
		return r;
	}
	r = reenc_status_read(&d->hdr, d->size, &ri);
	if (!r && ri.state != REENC_STATE_CLEAN && ri.state != REENC_STATE_CRASH)
		r = -EINVAL;
	if (!r)
		r = reenc_digest_verify(&d->hdr, version, vk_old, vk_new);
	if (!r)
		r = reenc_check_metadata(d);
	if (r < 0) {
		log_err("the repaired metadata would not be usable; nothing was written");
		return -EINVAL;
	}
	return 0;
}

int reenc_repair_sign(struct luks2_dev *d, int keyslot, const char *pass, size_t pass_len)
{
	struct volume_key *vk_old = NULL, *vk_new = NULL;
	struct reenc_status ri;
	int r, v;

	r = reenc_status_read(&d->hdr, d->size, &ri);
	if (r < 0)
		return r;
	if (ri.state != REENC_STATE_REPAIR)
		return -EINVAL;
	v = reenc_repair_version(&d->hdr, &ri);
	r = reenc_unlock_keys(d, keyslot, pass, pass_len, &vk_old, &vk_new);
	if (r == -EPERM)
		log_err("no key available with this passphrase");
	else if (r == -ENOENT)
		log_err("no usable keyslot");
	else if (r == -EINVAL)
		log_err("the metadata names no key to unlock");
	if (!r)
		r = sign(d, v, vk_old, vk_new);
	if (!r)
		r = luks2_hdr_write(d->hdr_fd, &d->hdr);
	vk_free(vk_old);
	vk_free(vk_new);
	return r < 0 ? r : v;
}
