/* carrel-image: the "carrel image" commands that read or write archives, in a program of
 * their own so that carrel does not load libarchive (admin/cmd_image.c). carrel runs it as
 * "carrel-image SUBCOMMAND ARGS..."; it speaks as carrel. */
#include <stdio.h>
#include <string.h>

#include "admin/commands.h"
#include "admin/image_cmds.h"
#include "common/cleanup.h"
#include "common/log.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} subcommands[] = {
    {"import", image_cmd_import},
    {"build", image_cmd_build},
    {"export", image_cmd_export},
};

int main(int argc, char **argv)
{
	char name[64];

	log_init("carrel");
	for (size_t i = 0; argc >= 2 && i < ARRAY_SIZE(subcommands); i++) {
		if (strcmp(argv[1], subcommands[i].name) != 0)
			continue;
		/* getopt's own messages then read "carrel image build: invalid option". */
		snprintf(name, sizeof(name), "carrel image %s", subcommands[i].name);
		argv[1] = name;
		return subcommands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "carrel-image: run by 'carrel image import|build|export', not alone\n");
	return EXIT_USAGE;
}
