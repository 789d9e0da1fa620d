// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the header reader (both copies, secondary scan, blkid
 * check), the validator, the reencryption state and luks2-status's output
 * (key=value and JSON) on an in-memory image. The input is the start of an
 * image; copies whose checksum field is zero get a correct checksum first.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applets/status_kv.h"
#include "luks2/luks2.h"
#include "luks2/reenc_internal.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

static void report(struct reenc_dev *dev)
{
	struct luks2_dev *d = &dev->d;
	struct kv_list kv = { 0 };
	struct reenc_status st;
	struct luks2_map m;

	luks2_data_offset(&d->hdr);
	luks2_keyslots_size(&d->hdr);
	if (luks2_segment_map(&d->hdr, d->size, 0, &m) == 0)
		luks2_segment_map(&d->hdr, d->size, m.len, &m);
	if (reenc_status(dev, 0, &st) < 0)
		return;
	if (!reenc_describe(dev, &st, kv_emit, &kv)) {
		kv_print_all(&kv);
		kv_print_keys(&kv, "state,primary,secondary,progress_bytes");
	}
	kv_free(&kv);
	free(reenc_describe_json(dev, &st));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reenc_dev *dev;
	char path[64];
	uint8_t *img;
	int fd;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	img = malloc(size ? size : 1);
	if (!img)
		return 0;
	memcpy(img, data, size);
	fuzz_fix_checksums(img, size);
	fuzz_dump(img, size);
	/* room for keyslots areas and data behind a header of any size */
	fd = fuzz_memfd(img, size, 32U << 20, path, sizeof(path));
	free(img);
	if (fd < 0)
		return 0;
	if (reenc_dev_open(&dev, path, NULL, 0) == 0) {
		report(dev);
		reenc_dev_close(dev);
	}
	close(fd);
	return 0;
}
