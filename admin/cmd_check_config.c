/* carrel check-config: validate a config the way every login will read it, and the images
 * it names, before an admin enables the module. Prints "ok" or every problem. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin/commands.h"
#include "common/cgroup.h"
#include "common/cleanup.h"
#include "common/image.h"
#include "common/image_store.h"
#include "common/store.h"
#include "config/config.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: carrel check-config [-c FILE]\n"
		     "\n"
		     "Check the config (default " CARREL_CONFIG_PATH ") and the images it\n"
		     "names (directories, and stored images for type \"oci\"). Prints \"ok\" and\n"
		     "exits 0, or prints every problem as\n"
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

/* A stored image (type "oci"): is it in the store? 0, or a problem described in @why. */
static int check_stored(int store_fd, const struct cfg_image *img, char *why, size_t why_size)
{
	char name[IMAGE_NAME_MAX + 1];
	struct image_record *r __attribute__((cleanup(image_record_freep))) = NULL;
	int rr;

	if (img->oci_digest) {
		rr = store_fd < 0 ? -ENOENT : image_find_digest(store_fd, img->oci_digest, name);
		if (rr < 0)
			snprintf(why, why_size, "no image in the store has digest %s",
				 img->oci_digest);
		return rr;
	}
	rr = store_fd < 0 ? -ENOENT : image_load(store_fd, img->oci_name, &r);
	if (rr == -ENOENT)
		snprintf(why, why_size,
			 "no image '%s' in the store (carrel image import %s SOURCE)",
			 img->oci_name, img->oci_name);
	else if (rr < 0)
		snprintf(why, why_size, "the stored image '%s' is unreadable: %s", img->oci_name,
			 strerror(-rr));
	return rr;
}

/* Problems only the machine can show: image directories that are missing or unsafe, stored
 * images that are not there. */
static int check_images(const struct cfg *c)
{
	autoclose int store_fd = store_open(false);
	int problems = 0;

	for (size_t i = 0; i < c->n_images; i++) {
		const struct cfg_image *img = &c->images[i];
		char why[300];
		int fd;

		if (img->type == CFG_IMAGE_HOST)
			continue;
		if (img->type == CFG_IMAGE_OCI)
			fd = check_stored(store_fd, img, why, sizeof(why));
		else
			fd = image_open_dir(img->path, why, sizeof(why));
		if (fd >= 0) {
			if (img->type == CFG_IMAGE_DIR)
				(void)close(fd);
			continue;
		}
		printf("%s:%d: image '%s': %s\n", c->path, img->line, img->name, why);
		problems++;
	}
	return problems;
}

/* A limit needs its cgroup controller on this host: without it every matching login is
 * refused, so say so now. */
static int check_limits_on(const struct cgroup_layout *l, const char *path, const char *where,
			   int line, unsigned set, const char *what)
{
	static const struct {
		unsigned bit;
		enum cgroup_controller controller;
		const char *name;
	} needs[] = {
	    {CFG_LIMIT_MEMORY, CGROUP_MEMORY, "memory"},
	    {CFG_LIMIT_PIDS, CGROUP_PIDS, "pids"},
	    {CFG_LIMIT_CPU, CGROUP_CPU, "cpu"},
	};
	int problems = 0;

	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
		if (!(set & needs[i].bit) || l->provider[needs[i].controller] >= 0)
			continue;
		if (line > 0)
			printf("%s:%d: ", path, line);
		else
			printf("%s: ", path);
		printf(
		    "%s: %s.%s needs the %s cgroup controller, which this host does not have%s\n",
		    where, what, needs[i].name, needs[i].name,
		    needs[i].bit == CFG_LIMIT_PIDS ? " (pids = \"max\" runs without it)" : "");
		problems++;
	}
	return problems;
}

static int check_controllers(const struct cfg *c)
{
	const struct cfg_limits *dl = &c->defaults.limits, *du = &c->defaults.user_limits;
	struct cgroup_layout l;
	int problems = 0;

	if (cgroup_layout_detect(&l) < 0) {
		printf("%s: no cgroup hierarchy is mounted: every session would be refused\n",
		       c->path);
		return 1;
	}
	problems += check_limits_on(&l, c->path, "defaults", 0, dl->set, "limits");
	problems += check_limits_on(&l, c->path, "defaults", 0, du->set, "user_limits");
	for (size_t i = 0; i < c->n_policies; i++) {
		const struct cfg_policy *p = &c->policies[i];
		const struct cfg_limits *pl = &p->settings.limits, *pu = &p->settings.user_limits;
		char where[32];

		if (!p->sandbox)
			continue;
		snprintf(where, sizeof(where), "policy #%zu", i + 1);
		/* What the policy adds to the defaults' (already reported) limits. */
		problems +=
		    check_limits_on(&l, c->path, where, p->line, pl->set & ~dl->set, "limits");
		problems +=
		    check_limits_on(&l, c->path, where, p->line, pu->set & ~du->set, "user_limits");
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
	if (check_images(cfg) + check_controllers(cfg) > 0)
		return EXIT_FAIL;
	printf("ok\n");
	return EXIT_OK;
}
