/* carrel check-config: validate a config the way every login will read it, and the images
 * it names, before an admin enables the module. Prints "ok" or every problem. */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "admin/commands.h"
#include "common/cleanup.h"
#include "common/image.h"
#include "config/config.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: carrel check-config [-c FILE]\n"
		     "\n"
		     "Check the config (default " CARREL_CONFIG_PATH ") and the image\n"
		     "directories it names. Prints \"ok\" and exits 0, or prints every problem as\n"
		     "FILE:LINE: PROBLEM and exits 1.\n"
		     "\n"
		     "  -c, --config FILE   the config to check\n"
		     "  -h, --help          show this help\n");
}

static void print_diags(const char *path, const struct cfg_diags *d)
{
	for (size_t i = 0; i < d->count; i++) {
		if (d->items[i].line > 0)
			printf("%s:%d: %s\n", path, d->items[i].line, d->items[i].text);
		else
			printf("%s\n", d->items[i].text);
	}
	if (d->truncated)
		printf("%s: more problems not shown; fix these first\n", path);
}

/* Problems only the machine can show: image directories that are missing or unsafe. */
static int check_images(const struct cfg *c)
{
	int problems = 0;

	for (size_t i = 0; i < c->n_images; i++) {
		const struct cfg_image *img = &c->images[i];
		char why[300];
		int fd;

		if (img->type != CFG_IMAGE_DIR)
			continue;
		fd = image_open_dir(img->path, why, sizeof(why));
		if (fd >= 0) {
			(void)close(fd);
			continue;
		}
		printf("%s:%d: image '%s': %s\n", c->path, img->line, img->name, why);
		problems++;
	}
	return problems;
}

int cmd_check_config(int argc, char **argv)
{
	static const struct option options[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	struct cfg *cfg __attribute__((cleanup(cfg_freep))) = NULL;
	struct cfg_diags diags = {0};
	const char *path = CARREL_CONFIG_PATH;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cfg_load(path, &cfg, &diags) < 0) {
		print_diags(path, &diags);
		return EXIT_FAIL;
	}
	if (check_images(cfg) > 0)
		return EXIT_FAIL;
	printf("ok\n");
	return EXIT_OK;
}
