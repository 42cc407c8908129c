/* carrel image: the image store. Dispatches to the subcommands (admin/image_*.c). */
#include <stdio.h>
#include <string.h>

#include "admin/commands.h"
#include "admin/image_cmds.h"
#include "common/cleanup.h"
#include "common/log.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} subcommands[] = {
    {"import", image_cmd_import, "import an OCI layout, oci-archive or docker-archive"},
    {"build", image_cmd_build, "build an image from a Dockerfile, a layer per step"},
    {"ls", image_cmd_ls, "list the stored images"},
    {"inspect", image_cmd_inspect, "show images as JSON: config, layers, source"},
    {"history", image_cmd_history, "show the history of an image's layers"},
    {"rm", image_cmd_rm, "remove images, and the layers no other image uses"},
    {"export", image_cmd_export, "write an image as an OCI layout (for skopeo)"},
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: carrel image COMMAND [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(out, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(out, "\n'carrel image COMMAND --help' for a command's options.\n");
}

int cmd_image(int argc, char **argv)
{
	char name[64];

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++) {
		if (strcmp(argv[1], subcommands[i].name) != 0)
			continue;
		snprintf(name, sizeof(name), "carrel image %s", subcommands[i].name);
		argv[1] = name;
		return subcommands[i].run(argc - 1, argv + 1);
	}
	log_error("unknown command 'image %s' (see 'carrel image --help')", argv[1]);
	return EXIT_USAGE;
}
