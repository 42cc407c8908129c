/* carrel image: the image store. Dispatches to the subcommands (admin/image_*.c). Those that
 * read or write archives (import, build, export) are in the program carrel-image
 * (admin/image_main.c), so that every other carrel command, join first, starts without
 * loading libarchive and what it brings (libxml2, ICU, libstdc++: about 3 ms a start). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/commands.h"
#include "admin/image_cmds.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/program.h"

#define HELPER "carrel-image"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv); /* NULL: in carrel-image */
	const char *summary;
} subcommands[] = {
    {"import", NULL, "import an OCI layout, oci-archive or docker-archive"},
    {"build", NULL, "build an image from a Dockerfile, a layer per step"},
    {"ls", image_cmd_ls, "list the stored images"},
    {"inspect", image_cmd_inspect, "show images as JSON: config, layers, source"},
    {"history", image_cmd_history, "show the history of an image's layers"},
    {"rm", image_cmd_rm, "remove images, and the layers no other image uses"},
    {"export", NULL, "write an image as an OCI layout (for skopeo)"},
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: carrel image COMMAND [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(out, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(out, "\n'carrel image COMMAND --help' for a command's options.\n");
}

static int refuse_helper(int r, const char *where)
{
	if (r == -EPERM)
		return log_error("cannot use %s: not a regular file owned by root (or you), or "
				 "writable by group or others",
				 where),
		       r;
	return log_error_errno(r, "cannot use %s", where);
}

/* carrel-image beside this program (a build tree), else where it is installed. Says which
 * one it could not use and why. */
static int open_helper(void)
{
	int fd = program_open_beside_self(HELPER);

	if (fd >= 0)
		return fd;
	if (fd != -ENOENT)
		return refuse_helper(fd, "the " HELPER " beside this carrel");
	fd = program_open_trusted(CARREL_IMAGE_HELPER_PATH);
	return fd < 0 ? refuse_helper(fd, CARREL_IMAGE_HELPER_PATH) : fd;
}

/* Run "carrel-image SUBCOMMAND ARGS..." in place of this process. */
static int delegate(char **argv)
{
	autoclose int fd = open_helper();

	if (fd < 0)
		return EXIT_FAIL;
	argv[0] = HELPER;
	(void)execveat(fd, "", argv, environ, AT_EMPTY_PATH);
	return log_error_errno(-errno, "cannot run %s", HELPER), EXIT_FAIL;
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
		if (!subcommands[i].run)
			return delegate(argv);
		snprintf(name, sizeof(name), "carrel image %s", subcommands[i].name);
		argv[1] = name;
		return subcommands[i].run(argc - 1, argv + 1);
	}
	log_error("unknown command 'image %s' (see 'carrel image --help')", argv[1]);
	return EXIT_USAGE;
}
