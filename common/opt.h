/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One option table per applet both parses (getopt_long) and renders
 * --help. The options every applet takes live in struct common_opts.
 */
#ifndef COMMON_OPT_H
#define COMMON_OPT_H

#include <stdint.h>

#include "common/crypto_backend/crypto_backend.h"

struct opt_spec {
	const char *name;	/* long name, without "--" */
	int key;		/* short letter, or an id >= OPT_APPLET */
	const char *arg;	/* argument name for --help; NULL = flag */
	const char *help;	/* one line */
};

enum {
	OPT_HEADER = 256, OPT_KEY_DESC, OPT_KEYFILE_OFFSET, OPT_KEYFILE_SIZE,
	OPT_BACKEND, OPT_DEBUG, OPT_VERSION, OPT_DISABLE_LOCKS,
	OPT_APPLET = 300,	/* first id free for applets */
};

struct applet_info {
	const char *name;
	const char *synopsis;	/* after the name: "[OPTIONS] DEVICE" */
	const char *about;	/* one paragraph */
	const struct opt_spec *opts;	/* terminated by { NULL } */
	int min_args, max_args;
};

struct common_opts {
	const char *header;
	const char *key_file;	/* the first --key-file */
	const char *key_files[8];	/* every --key-file, in order */
	int nkey_files;
	const char *key_description;
	uint64_t keyfile_offset;
	uint64_t keyfile_size;	/* 0 = whole file */
	int key_slot;		/* -1 = any */
	enum crypt_backend_id backend;
	int quiet, verbose, debug;
	int disable_locks;	/* take none of cryptsetup's locks */
};

/*
 * Parse argv. For each applet option cb(ctx, key, optarg) is called; it
 * returns 0 or a negative errno (after printing why). Returns the index of
 * the first operand, or -1 with *rc set: 0 after --help/--version, 1 on a
 * usage error (message printed). Selects the crypto backend and log level.
 */
int opt_parse(int argc, char **argv, const struct applet_info *ai,
	      struct common_opts *co,
	      int (*cb)(void *ctx, int key, const char *arg), void *ctx,
	      int *rc);

/* Parse "123", "4K", "4KiB", "1M", "2G", "8s" (512-byte sectors). */
int opt_parse_size(const char *s, uint64_t *bytes);
int opt_parse_uint(const char *s, uint64_t max, uint64_t *out);

/* Flush stdout; a failed write is an error (EPIPE silent). 0 or RC_FAIL. */
int opt_finish_stdout(void);

#endif
