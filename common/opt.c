/* SPDX-License-Identifier: GPL-2.0-or-later */
/* getopt_long driven by the applet's option table, plus --help output. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/log.h"
#include "common/opt.h"
#include "common/safemem.h"

static const struct opt_spec common_specs[] = {
	{ "header", OPT_HEADER, "FILE", "LUKS2 header in FILE (detached header)" },
	{ "key-file", 'd', "FILE", "read the passphrase from FILE ('-' = stdin)" },
	{ "keyfile-offset", OPT_KEYFILE_OFFSET, "BYTES", "skip BYTES at the start of the key file" },
	{ "keyfile-size", OPT_KEYFILE_SIZE, "BYTES", "read at most BYTES of the key file" },
	{ "key-description", OPT_KEY_DESC, "DESC", "passphrase from kernel keyring user key DESC" },
	{ "key-slot", 'S', "N", "use keyslot N only" },
	{ "crypto-backend", OPT_BACKEND, "auto|kernel|user", "crypto backend (default auto)" },
	{ "disable-locks", OPT_DISABLE_LOCKS, NULL, "take no metadata or reencryption lock (as cryptsetup)" },
	{ "verbose", 'v', NULL, "say more" },
	{ "quiet", 'q', NULL, "say nothing but errors" },
	{ "debug", OPT_DEBUG, NULL, "print debug messages" },
	{ "help", 'h', NULL, "show this help" },
	{ "version", OPT_VERSION, NULL, "show the version" },
	{ NULL, 0, NULL, NULL },
};

static void print_specs(const struct opt_spec *s)
{
	char left[72];

	for (; s->name; s++) {
		if (s->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", s->key, s->name,
				 s->arg ? " " : "", s->arg ? s->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", s->name,
				 s->arg ? " " : "", s->arg ? s->arg : "");
		if (strlen(left) > 34)
			printf("  %s\n  %-34s %s\n", left, "", s->help);
		else
			printf("  %-34s %s\n", left, s->help);
	}
}

static void print_help(const struct applet_info *ai)
{
	printf("Usage: %s %s\n\n%s\n\nOptions:\n", ai->name, ai->synopsis, ai->about);
	if (ai->opts)
		print_specs(ai->opts);
	printf("\nCommon options:\n");
	print_specs(common_specs);
	printf("\nExit codes: see luks2box(7).\n");
}

static int count_specs(const struct opt_spec *s)
{
	int n = 0;

	while (s && s[n].name)
		n++;
	return n;
}

static void add_specs(const struct opt_spec *s, struct option *lo, int *nlo,
		      char *so, int *nso)
{
	for (; s && s->name; s++) {
		lo[*nlo].name = s->name;
		lo[*nlo].has_arg = s->arg ? required_argument : no_argument;
		lo[*nlo].flag = NULL;
		lo[*nlo].val = s->key;
		(*nlo)++;
		if (s->key < 256) {
			so[(*nso)++] = (char)s->key;
			if (s->arg)
				so[(*nso)++] = ':';
		}
	}
}

static const char *name_of(const struct option *lo, int key)
{
	for (; lo->name; lo++)
		if (lo->val == key)
			return lo->name;
	return "?";
}

static int common_opt(struct common_opts *co, int key, const char *arg)
{
	uint64_t v;

	switch (key) {
	case OPT_HEADER: co->header = arg; return 0;
	case 'd':
		if (co->nkey_files == 8)
			return -E2BIG;
		co->key_files[co->nkey_files++] = arg;
		if (!co->key_file)
			co->key_file = arg;
		return 0;
	case OPT_KEY_DESC: co->key_description = arg; return 0;
	case OPT_KEYFILE_OFFSET:
		return opt_parse_size(arg, &co->keyfile_offset);
	case OPT_KEYFILE_SIZE:
		return opt_parse_size(arg, &co->keyfile_size);
	case 'S':
		if (opt_parse_uint(arg, 31, &v) < 0)
			return -EINVAL;
		co->key_slot = (int)v;
		return 0;
	case OPT_BACKEND:
		return crypt_backend_parse(arg, &co->backend);
	case 'v': co->verbose = 1; return 0;
	case 'q': co->quiet = 1; return 0;
	case OPT_DEBUG: co->debug = 1; return 0;
	case OPT_DISABLE_LOCKS: co->disable_locks = 1; return 0;
	}
	return 1;	/* not a common option */
}

static int finish_common(struct common_opts *co)
{
	int r;

	if (co->debug)
		log_set_level(LOG_DEBUG);
	else if (co->verbose)
		log_set_level(LOG_VERBOSE);
	else if (co->quiet)
		log_set_level(LOG_QUIET);
	r = crypt_backend_init(co->backend);
	if (r == -ENOTSUP)
		log_err("crypto backend 'kernel' is not available: no AF_ALG socket support in this kernel");
	else if (r < 0)
		log_err("cannot initialise the crypto backend: %s", strerror(-r));
	return r;
}

int opt_parse(int argc, char **argv, const struct applet_info *ai,
	      struct common_opts *co,
	      int (*cb)(void *ctx, int key, const char *arg), void *ctx, int *rc)
{
	int n = count_specs(ai->opts) + count_specs(common_specs), nlo = 0, nso = 0;
	struct option lo[n + 1];
	char so[2 * n + 2];
	int key, r, nargs;

	safemem_protect_process();
	memset(co, 0, sizeof(*co));
	co->key_slot = -1;
	log_set_prog(ai->name);
	memset(lo, 0, sizeof(lo));
	so[nso++] = '+';
	add_specs(ai->opts, lo, &nlo, so, &nso);
	add_specs(common_specs, lo, &nlo, so, &nso);
	so[nso] = '\0';
	*rc = RC_FAIL;
	opterr = 0;
	optind = 1;
	while ((key = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (key == '?' || key == ':') {
			log_err("unknown option or missing argument: %s (try --help)",
				argv[optind - 1]);
			return -1;
		}
		if (key == 'h') {
			print_help(ai);
			*rc = opt_finish_stdout();
			return -1;
		}
		if (key == OPT_VERSION) {
			printf("%s (luks2box) %s\n", ai->name, LUKS2BOX_VERSION);
			*rc = opt_finish_stdout();
			return -1;
		}
		r = common_opt(co, key, optarg);
		if (r == 1)
			r = cb ? cb(ctx, key, optarg) : -EINVAL;
		if (r < 0) {
			log_err("invalid value for --%s: '%s'", name_of(lo, key),
				optarg ? optarg : "");
			return -1;
		}
	}
	nargs = argc - optind;
	if (nargs < ai->min_args || (ai->max_args >= 0 && nargs > ai->max_args)) {
		log_err("expected %s (try --help)", ai->synopsis);
		return -1;
	}
	if (finish_common(co) < 0)
		return -1;
	return optind;
}

int opt_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int opt_parse_size(const char *s, uint64_t *bytes)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	uint64_t mul = 1;
	const char *u;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end == 's' && !end[1]) {
		mul = 512;
	} else if (*end) {
		u = strchr(units, end[0] & ~0x20);
		if (!u)
			return -EINVAL;
		for (int i = 0; i <= u - units; i++)
			mul *= 1024;
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
		if (*end)
			return -EINVAL;
	}
	if (v > UINT64_MAX / mul)
		return -EINVAL;
	*bytes = v * mul;
	return 0;
}

int opt_finish_stdout(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return RC_OK;
	if (errno != EPIPE)
		log_err("cannot write to standard output: %s", strerror(errno));
	return RC_FAIL;
}
