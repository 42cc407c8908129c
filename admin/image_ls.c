/* carrel image ls: the stored images, as "docker image ls" lists them. */
#include <getopt.h>
#include <json-c/json.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/commands.h"
#include "admin/image_cmds.h"
#include "admin/images.h"
#include "admin/units.h"
#include "common/cleanup.h"
#include "common/image_store.h"
#include "common/log.h"

enum { COL_NAME, COL_ID, COL_LAYERS, COL_SIZE, COL_CREATED, N_COLS };

static const char *const headers[N_COLS] = {"NAME", "ID", "LAYERS", "SIZE", "CREATED"};

struct row {
	char id[13], layers[16], size[32], created[48];
	const char *cells[N_COLS];
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: carrel image ls [--json]\n"
		     "\n"
		     "List the stored images: NAME ID LAYERS SIZE CREATED. ID is the start of the\n"
		     "config's digest, SIZE the data in all its layers.\n"
		     "\n"
		     "  -j, --json   print a JSON array instead of a table\n"
		     "  -h, --help   show this help\n");
}

static void fill_row(const struct image_record *r, struct row *row)
{
	image_digest_short(r->config.digest, row->id);
	snprintf(row->layers, sizeof(row->layers), "%zu", r->n_layers);
	units_size_si(images_size(r), row->size, sizeof(row->size));
	images_created_ago(r->created, row->created, sizeof(row->created));
	row->cells[COL_NAME] = r->name;
	row->cells[COL_ID] = row->id;
	row->cells[COL_LAYERS] = row->layers;
	row->cells[COL_SIZE] = row->size;
	row->cells[COL_CREATED] = row->created;
}

static void print_row(const char *const cells[N_COLS], const size_t width[N_COLS])
{
	for (int c = 0; c + 1 < N_COLS; c++)
		printf("%-*s   ", (int)width[c], cells[c]);
	printf("%s\n", cells[N_COLS - 1]);
}

static void print_table(struct image_record **recs, size_t n)
{
	size_t width[N_COLS];
	struct row row;

	for (int c = 0; c < N_COLS; c++)
		width[c] = strlen(headers[c]);
	for (size_t i = 0; i < n; i++) {
		fill_row(recs[i], &row);
		for (int c = 0; c < N_COLS; c++)
			if (strlen(row.cells[c]) > width[c])
				width[c] = strlen(row.cells[c]);
	}
	print_row(headers, width);
	for (size_t i = 0; i < n; i++) {
		fill_row(recs[i], &row);
		print_row(row.cells, width);
	}
}

static void print_json(struct image_record **recs, size_t n)
{
	json_object *array = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "Name", json_object_new_string(recs[i]->name));
		json_object_object_add(o, "Id", json_object_new_string(recs[i]->config.digest));
		json_object_object_add(o, "Layers",
				       json_object_new_int64((int64_t)recs[i]->n_layers));
		json_object_object_add(o, "Size",
				       json_object_new_int64((int64_t)images_size(recs[i])));
		json_object_object_add(o, "Created", json_object_new_string(recs[i]->created));
		json_object_array_add(array, o);
	}
	printf("%s\n", json_object_to_json_string_ext(array, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(array);
}

static int list(bool json)
{
	autoclose int store_fd = images_open_store();
	struct image_record **recs = NULL;
	char **names = NULL;
	size_t n = 0;
	int count = 0, failed = 0;

	if (store_fd < 0 && store_fd != -ENOENT)
		return EXIT_FAIL;
	if (store_fd >= 0)
		count = image_list(store_fd, &names);
	if (count < 0)
		return log_error_errno(count, "cannot list the images"), EXIT_FAIL;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers, as meant */
	recs = calloc((size_t)count + 1, sizeof(*recs));
	for (int i = 0; recs && i < count; i++)
		if (images_load(store_fd, names[i], &recs[n]) == 0)
			n++;
		else
			failed++;
	if (recs && json)
		print_json(recs, n);
	else if (recs)
		print_table(recs, n);
	for (size_t i = 0; i < n; i++)
		image_record_free(recs[i]);
	free(recs);
	image_names_free(names);
	return failed || (!recs && count) ? EXIT_FAIL : EXIT_OK;
}

int image_cmd_ls(int argc, char **argv)
{
	static const struct option options[] = {
	    {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {}};
	bool json = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "jh", options, NULL)) != -1) {
		if (opt == 'j') {
			json = true;
			continue;
		}
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return list(json);
}
