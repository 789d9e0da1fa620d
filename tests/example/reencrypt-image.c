/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An example program outside the applets: encrypt, reencrypt or decrypt a
 * LUKS2 image through luks2box's public engine header alone.
 *   reencrypt-image encrypt|reencrypt|decrypt IMAGE HEADER < PASSPHRASE
 * HEADER is a detached header file (created by encrypt). New keyslots use
 * pbkdf2 with 1000 iterations: this is a test, not a key to keep.
 * Prints one line per hotzone and "finished" at the end; exit 0 when the
 * operation finished, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "luks2/reenc.h"

static void progress(const struct reenc_progress *p, void *arg)
{
	(void)arg;
	printf("hotzone %llu+%llu: %llu of %llu bytes\n", (unsigned long long)p->offset,
	       (unsigned long long)p->length, (unsigned long long)p->done,
	       (unsigned long long)p->total);
}

static int run(const char *image, const char *header, const char *pass, size_t len)
{
	struct reenc_run_params rp = { .progress = progress };
	struct reenc_dev *dev = NULL;
	struct reenc_ctx *ctx = NULL;
	struct reenc_status st;
	int r;

	r = reenc_dev_open(&dev, image, header, REENC_OPEN_WRITE);
	if (!r)
		r = reenc_status(dev, 0, &st);
	if (!r)
		printf("%s: %s, %s, resilience %s, %llu bytes to rewrite\n", image,
		       reenc_state_name(st.state), reenc_mode_name(st.mode),
		       reenc_res_name(st.resilience), (unsigned long long)st.total);
	if (!r)
		r = reenc_load(dev, pass, len, -1, 0, &ctx);
	if (!r)
		r = reenc_run(ctx, &rp);
	reenc_free(ctx);
	reenc_dev_close(dev);
	return r;
}

int main(int argc, char **argv)
{
	struct reenc_params p = {
		.keyslot = -1, .npass = 1,
		.pbkdf = { .type = "pbkdf2", .hash = "sha256", .iterations = 1000 },
		.flags = REENC_INIT_PBKDF | REENC_INIT_FORCE_ITERATIONS,
	};
	struct reenc_secret secret;
	char pass[256];
	size_t len;
	int r;

	if (argc != 4 || !fgets(pass, sizeof(pass), stdin)) {
		fprintf(stderr, "usage: %s encrypt|reencrypt|decrypt IMAGE HEADER < PASSPHRASE\n",
			argv[0]);
		return 1;
	}
	len = strcspn(pass, "\n");
	if (reenc_mode_parse(argv[1], &p.mode) < 0) {
		fprintf(stderr, "%s: unknown operation %s\n", argv[0], argv[1]);
		return 1;
	}
	secret.data = pass;
	secret.len = len;
	p.pass = &secret;
	p.header = argv[3];
	r = reenc_init(argv[2], &p);
	if (!r)
		r = run(argv[2], argv[3], pass, len);
	memset(pass, 0, sizeof(pass));
	if (r != REENC_RUN_FINISHED) {
		fprintf(stderr, "%s: %s\n", argv[0], r < 0 ? strerror(-r) : "not finished");
		return 1;
	}
	printf("finished\n");
	return 0;
}
