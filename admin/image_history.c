/* carrel image history: an image's history, as "docker history" prints it: newest first, one
 * row per history entry of the config, the size of the layer it made ("0B" for the entries
 * that made none), and an image id on the newest row and on the rows of the steps built here
 * (the id the image had after that step, as docker's classic builder shows them); the steps
 * of an image taken from elsewhere have no image of their own here ("<missing>"), like the
 * layers of an image docker pulled. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/commands.h"
#include "admin/image_cmds.h"
#include "admin/images.h"
#include "admin/units.h"
#include "common/cleanup.h"
#include "common/image_store.h"

#define CREATED_BY_WIDTH 45
#define MISSING "<missing>"

enum { COL_IMAGE, COL_CREATED, COL_CREATED_BY, COL_SIZE, COL_COMMENT, N_COLS };

static const char *const headers[N_COLS] = {"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"};

struct step {
	const char *id;      /* the image after the step, when built here, or "" */
	const char *created; /* RFC 3339, or "" */
	const char *created_by;
	const char *comment;
	bool empty_layer;
	uint64_t size;
};

struct history {
	struct step *steps; /* oldest first, as the config lists them */
	size_t n;
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: carrel image history NAME [--no-trunc] [--json]\n"
		     "\n"
		     "Show the history of an image: IMAGE CREATED CREATED BY SIZE COMMENT, newest\n"
		     "first, as docker history does.\n"
		     "\n"
		     "      --no-trunc   do not shorten ids and commands\n"
		     "  -j, --json       print a JSON array (newest first) instead of a table\n"
		     "  -h, --help       show this help\n");
}

static const char *str_or_empty(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* The config's history, each entry that made a layer given that layer's size. Without a
 * history, one step per layer. */
static int load_steps(json_object *config, const struct image_record *r, struct history *h)
{
	json_object *list = NULL, *v;
	size_t layer = 0, n;

	if (!json_object_object_get_ex(config, "history", &list) ||
	    !json_object_is_type(list, json_type_array))
		list = NULL;
	n = list ? json_object_array_length(list) : r->n_layers;
	h->steps = calloc(n + 1, sizeof(*h->steps));
	if (!h->steps)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_object *entry = list ? json_object_array_get_idx(list, i) : NULL;
		struct step *s = &h->steps[i];

		s->id = list && r->n_step_ids == n ? r->step_ids[i] : "";
		s->created = str_or_empty(entry, "created");
		s->created_by = str_or_empty(entry, "created_by");
		s->comment = str_or_empty(entry, "comment");
		s->empty_layer = entry && json_object_object_get_ex(entry, "empty_layer", &v) &&
				 json_object_get_boolean(v);
		if (!s->empty_layer && layer < r->n_layers)
			s->size = r->layers[layer++].unpacked_size;
	}
	h->n = n;
	return 0;
}

/* The id of the image after step @s: the image's own for the newest. */
static const char *step_id(const struct image_record *r, const struct step *s, bool newest)
{
	return newest ? r->config.digest : s->id[0] ? s->id : MISSING;
}

/* Display width: UTF-8 characters, not bytes. */
static size_t width_of(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* For the table: tabs and newlines as spaces, and, unless @no_trunc, at most 45 characters
 * (44 and an ellipsis), as docker shortens them. */
static void shorten(const char *in, bool no_trunc, char *out, size_t size)
{
	bool cut = !no_trunc && width_of(in) > CREATED_BY_WIDTH;
	size_t used = 0, chars = 0;

	for (; *in && used + 4 < size; in++) {
		unsigned char c = (unsigned char)*in;

		if ((c & 0xc0) != 0x80 && cut && ++chars == CREATED_BY_WIDTH) {
			memcpy(out + used, "\xe2\x80\xa6", 3); /* "…" */
			used += 3;
			break;
		}
		out[used++] = (char)(c == '\t' || c == '\n' || c == '\r' ? ' ' : c);
	}
	out[used] = '\0';
}

struct cells {
	char image[80], created[48], by[8192], size[32];
	const char *cell[N_COLS];
};

static void fill(const struct image_record *r, const struct step *s, bool newest, bool no_trunc,
		 struct cells *c)
{
	const char *id = step_id(r, s, newest);
	char hex[13];

	snprintf(c->image, sizeof(c->image), "%s",
		 no_trunc || strcmp(id, MISSING) == 0 ? id : image_digest_short(id, hex));
	images_created_ago(s->created, c->created, sizeof(c->created));
	shorten(s->created_by, no_trunc, c->by, sizeof(c->by));
	units_size_si(s->size, c->size, sizeof(c->size));
	c->cell[COL_IMAGE] = c->image;
	c->cell[COL_CREATED] = c->created;
	c->cell[COL_CREATED_BY] = c->by;
	c->cell[COL_SIZE] = c->size;
	c->cell[COL_COMMENT] = s->comment;
}

static void print_row(const char *const cell[N_COLS], const size_t width[N_COLS])
{
	for (int c = 0; c + 1 < N_COLS; c++)
		printf("%s%*s", cell[c], (int)(width[c] - width_of(cell[c]) + 3), "");
	printf("%s\n", cell[N_COLS - 1]);
}

static void print_table(const struct image_record *r, const struct history *h, bool no_trunc)
{
	size_t width[N_COLS];
	struct cells *c = malloc(sizeof(*c));

	if (!c)
		return;
	for (int k = 0; k < N_COLS; k++)
		width[k] = width_of(headers[k]);
	for (size_t i = h->n; i-- > 0;) {
		fill(r, &h->steps[i], i + 1 == h->n, no_trunc, c);
		for (int k = 0; k < N_COLS; k++)
			if (width_of(c->cell[k]) > width[k])
				width[k] = width_of(c->cell[k]);
	}
	print_row(headers, width);
	for (size_t i = h->n; i-- > 0;) {
		fill(r, &h->steps[i], i + 1 == h->n, no_trunc, c);
		print_row(c->cell, width);
	}
	free(c);
}

static void print_json(const struct image_record *r, const struct history *h)
{
	json_object *array = json_object_new_array();

	for (size_t i = h->n; i-- > 0;) {
		const struct step *s = &h->steps[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "Id",
				       json_object_new_string(step_id(r, s, i + 1 == h->n)));
		json_object_object_add(o, "Created", json_object_new_string(s->created));
		json_object_object_add(o, "CreatedBy", json_object_new_string(s->created_by));
		json_object_object_add(o, "Size", json_object_new_int64((int64_t)s->size));
		json_object_object_add(o, "Comment", json_object_new_string(s->comment));
		json_object_object_add(o, "EmptyLayer", json_object_new_boolean(s->empty_layer));
		json_object_array_add(array, o);
	}
	printf("%s\n", json_object_to_json_string_ext(array, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(array);
}

static int show(const char *name, bool no_trunc, bool json)
{
	struct image_record *r __attribute__((cleanup(image_record_freep))) = NULL;
	autoclose int store_fd = images_open_store();
	json_object *config = NULL;
	struct history h = {0};

	if (images_load(store_fd, name, &r) < 0 || images_load_config(store_fd, name, &config) < 0)
		return EXIT_FAIL;
	if (load_steps(config, r, &h) < 0) {
		json_object_put(config);
		return EXIT_FAIL;
	}
	if (json)
		print_json(r, &h);
	else
		print_table(r, &h, no_trunc);
	free(h.steps);
	json_object_put(config);
	return EXIT_OK;
}

int image_cmd_history(int argc, char **argv)
{
	static const struct option options[] = {{"no-trunc", no_argument, NULL, 'n'},
						{"json", no_argument, NULL, 'j'},
						{"help", no_argument, NULL, 'h'},
						{}};
	bool no_trunc = false, json = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "jh", options, NULL)) != -1) {
		if (opt == 'n' || opt == 'j') {
			*(opt == 'n' ? &no_trunc : &json) = true;
			continue;
		}
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return show(argv[optind], no_trunc, json);
}
