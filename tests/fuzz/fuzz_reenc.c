// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the reencryption-state loader (reenc_load: state,
 * parameters, keys, reencryption digest) run through a recovery (crash
 * state) or one hotzone step on an in-memory image. Input byte 0 picks a
 * base image made by cryptsetup (tests/fuzz/make-seeds.sh: keyslots open
 * with the passphrase "fuzz-pass", PBKDF2 1000 iterations); the rest
 * replaces the start of that image (its header copies; zeroed checksum
 * fields are fixed up as in fuzz_hdr).
 *
 * With bit 7 of byte 0 set, the reencryption digest is first re-created
 * in memory from the keys, as someone who knows the passphrase could do:
 * mutated backup segments and reencrypt keyslot parameters then pass the
 * digest check and reach the step and recovery code.
 *
 * Base images: LUKS2BOX_FUZZ_BASE=DIR, else "base" next to the binary.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "luks2/luks2.h"
#include "luks2/reenc_internal.h"
#include "tests/fuzz/fuzz_common.h"

#define PASS "fuzz-pass"
#define MAX_BASE 32

static struct {
	uint8_t *img;
	size_t len;
} base[MAX_BASE];
static int nbase;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_base(const char *dir)
{
	char *names[MAX_BASE], path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	int n = 0, fd;
	DIR *dp = opendir(dir);

	while (dp && n < MAX_BASE && (e = readdir(dp)))
		if (strstr(e->d_name, ".img"))
			names[n++] = strdup(e->d_name);
	if (dp)
		closedir(dp);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fd = open(path, O_RDONLY);
		if (fd >= 0 && !fstat(fd, &st) && st.st_size > 0 &&
		    (size_t)st.st_size <= 4 * FUZZ_MAX_INPUT &&
		    (base[nbase].img = malloc((size_t)st.st_size)) &&
		    read(fd, base[nbase].img, (size_t)st.st_size) == st.st_size)
			base[nbase++].len = (size_t)st.st_size;
		if (fd >= 0)
			close(fd);
		free(names[i]);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("LUKS2BOX_FUZZ_BASE");
	char def[PATH_MAX], *slash;

	(void)argc;
	if (!dir) {
		snprintf(def, sizeof(def), "%s", (*argv)[0]);
		slash = strrchr(def, '/');
		snprintf(slash ? slash + 1 : def, sizeof(def) - (size_t)(slash ? slash + 1 - def : 0),
			 "base");
		dir = def;
	}
	fuzz_init();
	load_base(dir);
	if (!nbase) {
		fprintf(stderr, "fuzz_reenc: no base images in %s (make fuzz-progs)\n", dir);
		exit(1);
	}
	return 0;
}

static void run(const char *path, int resign)
{
	struct volume_key *vk_old = NULL, *vk_new = NULL;
	struct reenc_ctx *c = NULL;
	struct reenc_status ri;
	struct luks2_dev d;
	int fatal = 0, r;

	if (luks2_dev_open(&d, path, NULL, 1) < 0)
		return;
	if (resign && reenc_status_read(&d.hdr, d.size, &ri) == 0 && ri.version > 0 &&
	    reenc_unlock_keys(&d, -1, PASS, strlen(PASS), &vk_old, &vk_new) == 0)
		reenc_digest_create(&d.hdr, ri.version, vk_old, vk_new, 1000);
	vk_free(vk_old);
	vk_free(vk_new);
	if (reenc_status_read(&d.hdr, d.size, &ri) == 0 &&
	    reenc_ctx_load(&c, &d, PASS, strlen(PASS), -1, 0) == 0) {
		if (ri.state == REENC_STATE_CRASH) {
			r = reenc_recover_hotzone(c);
		} else {
			r = reenc_step(c, &fatal);
			if (r == 0 && c->res == REENC_RES_NONE)
				reenc_commit_progress(c);
		}
		reenc_progress(c);
		reenc_free(c);
	}
	luks2_dev_close(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	uint8_t *img;
	size_t len;
	int fd, i;

	if (size < 1 || size - 1 > FUZZ_MAX_INPUT)
		return 0;
	i = (data[0] & 0x7f) % nbase;
	len = base[i].len > size - 1 ? base[i].len : size - 1;
	img = calloc(1, len);
	if (!img)
		return 0;
	memcpy(img, base[i].img, base[i].len);
	memcpy(img, data + 1, size - 1);
	fuzz_fix_checksums(img, len);
	fuzz_dump(img, len);
	fd = fuzz_memfd(img, len, len, path, sizeof(path));
	free(img);
	if (fd < 0)
		return 0;
	run(path, data[0] & 0x80);
	close(fd);
	return 0;
}
