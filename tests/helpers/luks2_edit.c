/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only: change a header through the luks2 library, so interop tests
 * can check that cryptsetup accepts what we write.
 *   luks2_edit label IMG LABEL SUBSYSTEM
 *   luks2_edit add-keyslot IMG KEYFILE NEWKEYFILE pbkdf2|argon2i|argon2id COST
 *     (COST = pbkdf2 iterations or argon2 time; argon2 uses 32 MiB, 1 cpu)
 *   luks2_edit kill-keyslot IMG N
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto_backend/crypto_backend.h"
#include "common/log.h"
#include "common/passphrase.h"
#include "luks2/json.h"
#include "luks2/luks2.h"

static int read_pass(const char *file, char **p, size_t *len)
{
	struct common_opts co = { .key_file = file, .key_slot = -1 };

	return passphrase_read(&co, "", p, len);
}

static int add_keyslot(struct luks2_dev *d, char **argv)
{
	struct luks2_pbkdf pb = { .type = argv[2], .hash = "sha256",
				  .iterations = (uint32_t)atoi(argv[3]),
				  .memory_kb = 32768, .parallel = 1 };
	struct json_object *seg = ljson_get_id(ljson_get(d->hdr.jobj, "segments"), 0);
	struct volume_key *vk = NULL;
	char *p1 = NULL, *p2 = NULL;
	size_t l1, l2;
	int digest = luks2_digest_by_segment(&d->hdr, 0), ks, r;

	r = read_pass(argv[0], &p1, &l1);
	if (!r)
		r = read_pass(argv[1], &p2, &l2);
	if (!r)
		r = luks2_keyslot_open_digest(d, digest, -1, p1, l1, &vk);
	if (r >= 0) {
		ks = ljson_free_id(ljson_get(d->hdr.jobj, "keyslots"));
		r = luks2_keyslot_create(d, ks, digest, vk, p2, l2, &pb,
					 ljson_get_str(seg, "encryption"), vk->len);
	}
	if (r >= 0)
		r = luks2_hdr_write(d->hdr_fd, &d->hdr);
	vk_free(vk);
	safe_free(p1);
	safe_free(p2);
	return r;
}

int main(int argc, char **argv)
{
	struct luks2_dev d;
	int r;

	log_set_prog("luks2_edit");
	if (argc < 3 || crypt_backend_init(CRYPT_BACKEND_AUTO) < 0)
		return 1;
	r = luks2_dev_open(&d, argv[2], NULL, 1);
	if (r < 0)
		return 4;
	if (!strcmp(argv[1], "label") && argc == 5) {
		r = luks2_hdr_set_label(&d.hdr, argv[3], argv[4]);
		if (!r)
			r = luks2_hdr_write(d.hdr_fd, &d.hdr);
	} else if (!strcmp(argv[1], "add-keyslot") && argc == 7) {
		r = add_keyslot(&d, argv + 3);
	} else if (!strcmp(argv[1], "kill-keyslot") && argc == 4) {
		r = luks2_keyslot_destroy(&d, atoi(argv[3]));
		if (!r)
			r = luks2_hdr_write(d.hdr_fd, &d.hdr);
	} else {
		r = -EINVAL;
	}
	luks2_dev_close(&d);
	if (r < 0)
		fprintf(stderr, "luks2_edit: %s\n", strerror(-r));
	return r < 0;
}
