/* carrel image export: see image/export.h. */
#include <getopt.h>
#include <stdio.h>

#include "admin/commands.h"
#include "admin/image_cmds.h"
#include "common/log.h"
#include "image/error.h"
#include "image/export.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: carrel image export NAME DIR [--tag TAG]\n"
		"\n"
		"Write image NAME as an OCI image layout into DIR (made when missing; it must\n"
		"be empty), with the blobs as they were imported: the digests stay the same.\n"
		"skopeo takes it from there: skopeo copy oci:DIR:TAG docker://REGISTRY/NAME\n"
		"\n"
		"  -t, --tag TAG   the tag of the image in DIR (default \"latest\")\n"
		"  -h, --help      show this help\n");
}

int image_cmd_export(int argc, char **argv)
{
	static const struct option options[] = {
	    {"tag", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'}, {}};
	struct image_error e = {""};
	const char *tag = "latest";
	int opt;

	while ((opt = getopt_long(argc, argv, "t:h", options, NULL)) != -1) {
		if (opt == 't') {
			tag = optarg;
			continue;
		}
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind + 2 != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (image_export(argv[optind], argv[optind + 1], tag, NULL, &e) < 0) {
		log_error("cannot export image '%s' to '%s': %s", argv[optind], argv[optind + 1],
			  e.text);
		return EXIT_FAIL;
	}
	printf("exported image '%s' to %s (oci:%s:%s)\n", argv[optind], argv[optind + 1],
	       argv[optind + 1], tag);
	return EXIT_OK;
}
