/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks2box: run the applet named by argv[0], or by argv[1] after "luks2box". */
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "applets/applet.h"
#include "common/exitcode.h"

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *about;
} applets[] = {
#define APPLET(name, fn, about) { name, fn, about },
#include "applets/applets.h"
#undef APPLET
};

static void list(FILE *f)
{
	fprintf(f, "luks2box %s: LUKS2 reencryption toolbox\n"
		"Usage: luks2box APPLET [ARGS...]   or   APPLET [ARGS...] via a link\n"
		"       luks2box -h|--help|-V|--version;   APPLET --help for its options\n\n"
		"Applets:\n", LUKS2BOX_VERSION);
	for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++)
		fprintf(f, "  %-22s %s\n", applets[i].name, applets[i].about);
	fprintf(f, "\nThe whole job with cryptsetup's reencrypt command line is the shell\n"
		"script luks2-reencrypt (scripts/ in the source; installed next to\n"
		"luks2box), which runs these applets. Exit codes: luks2box(7).\n");
}

int main(int argc, char **argv)
{
	const char *name = argc > 0 ? basename(argv[0]) : "luks2box";

	if (!strcmp(name, "luks2box")) {
		if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			list(stdout);
			return argc < 2 ? RC_FAIL : RC_OK;
		}
		if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
			printf("luks2box %s\n", LUKS2BOX_VERSION);
			return RC_OK;
		}
		argc--;
		argv++;
		name = argv[0];
	}
	for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++)
		if (!strcmp(name, applets[i].name))
			return applets[i].main(argc, argv);
	fprintf(stderr, "luks2box: unknown applet '%s'\n", name);
	list(stderr);
	return RC_UNKNOWN_APPLET;
}
