/* carrel image import: see image/import.h. Here: options, signals and progress. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "admin/commands.h"
#include "admin/image_cmds.h"
#include "admin/interrupt.h"
#include "admin/progress.h"
#include "admin/units.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "config/config.h"
#include "image/error.h"
#include "image/import.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: carrel image import NAME SOURCE[:TAG] [--platform OS/ARCH[/VARIANT]]\n"
	    "                           [--max-layer-size SIZE] [--quiet]\n"
	    "\n"
	    "Import an image into the store as NAME. SOURCE is an OCI image layout directory\n"
	    "(as \"skopeo copy ... oci:DIR:TAG\" makes), an oci-archive or a docker-archive\n"
	    "(\"docker save\"); TAG picks one of several images in it. Every blob is verified;\n"
	    "layers are unpacked once and shared with the images that have them too.\n"
	    "\n"
	    "  -p, --platform P         the image of an index to take (default: this machine's)\n"
	    "  -m, --max-layer-size S   refuse layers holding more data (default 64G)\n"
	    "  -q, --quiet              no progress: only warnings, errors and the last line\n"
	    "  -h, --help               show this help\n");
}

static int parse(int argc, char **argv, struct import_request *req, bool *quiet)
{
	static const struct option options[] = {
	    {"platform", required_argument, NULL, 'p'},
	    {"max-layer-size", required_argument, NULL, 'm'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "p:m:qh", options, NULL)) != -1) {
		if (opt == 'p')
			req->platform = optarg;
		else if (opt == 'm' && cfg_parse_size(optarg, &req->max_layer_size) < 0)
			return log_error("--max-layer-size: '%s' is not a size", optarg), -EINVAL;
		else if (opt == 'q')
			*quiet = true;
		else if (opt == 'h')
			return 1;
		else if (opt != 'm')
			return -EINVAL;
	}
	if (optind + 2 != argc)
		return -EINVAL;
	req->name = argv[optind];
	req->source = argv[optind + 1];
	return 0;
}

int image_cmd_import(int argc, char **argv)
{
	struct image_record *rec __attribute__((cleanup(image_record_freep))) = NULL;
	struct import_request req = {.max_layer_size = IMPORT_MAX_LAYER_SIZE,
				     .interrupted = &interrupt_requested};
	struct image_error e = {""};
	struct progress p;
	bool quiet = false;
	uint64_t size = 0;
	char text[32];
	int r;

	r = parse(argc, argv, &req, &quiet);
	if (r != 0) {
		usage(r > 0 ? stdout : stderr);
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	}
	progress_init(&p, quiet);
	req.ui = &p.ui;
	interrupt_catch();
	r = image_import(&req, &rec, &e);
	progress_clear(&p);
	if (r < 0) {
		log_error("cannot import '%s' from '%s': %s", req.name, req.source, e.text);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < rec->n_layers; i++)
		size += rec->layers[i].unpacked_size;
	printf("imported image '%s' %s (%zu layer%s, %s)\n", rec->name, rec->config.digest,
	       rec->n_layers, rec->n_layers == 1 ? "" : "s",
	       units_size_si(size, text, sizeof(text)));
	return EXIT_OK;
}
