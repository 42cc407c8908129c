/* carrel image inspect: everything about stored images, as JSON in the spirit of "docker
 * image inspect": the record (manifest, layers with their digests and sizes, source) and the
 * image's config itself. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>

#include "admin/commands.h"
#include "admin/image_cmds.h"
#include "admin/images.h"
#include "common/cleanup.h"
#include "common/image_store.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: carrel image inspect NAME...\n"
		     "\n"
		     "Print a JSON array with one object per image: its id, manifest, config,\n"
		     "layers (blob digest, media type and size, diff_id, chain id, data size),\n"
		     "platform, where it was imported from and when.\n"
		     "\n"
		     "  -h, --help   show this help\n");
}

static json_object *descriptor(const struct image_descriptor *d)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "MediaType", json_object_new_string(d->media_type));
	json_object_object_add(o, "Digest", json_object_new_string(d->digest));
	json_object_object_add(o, "Size", json_object_new_int64((int64_t)d->size));
	return o;
}

static json_object *layers(const struct image_record *r)
{
	json_object *array = json_object_new_array();

	for (size_t i = 0; i < r->n_layers; i++) {
		const struct image_layer *l = &r->layers[i];
		json_object *o = descriptor(&l->blob);

		json_object_object_add(o, "DiffId", json_object_new_string(l->diff_id));
		json_object_object_add(o, "ChainId", json_object_new_string(l->chain_id));
		json_object_object_add(o, "UnpackedSize",
				       json_object_new_int64((int64_t)l->unpacked_size));
		json_object_array_add(array, o);
	}
	return array;
}

static json_object *source(const struct image_record *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "Type", json_object_new_string(r->source_type));
	json_object_object_add(o, "Path", json_object_new_string(r->source_path));
	json_object_object_add(o, "Ref", json_object_new_string(r->source_ref));
	return o;
}

static json_object *describe(const struct image_record *r, json_object *config)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "Name", json_object_new_string(r->name));
	json_object_object_add(o, "Id", json_object_new_string(r->config.digest));
	json_object_object_add(o, "Created", json_object_new_string(r->created));
	json_object_object_add(o, "Platform", json_object_new_string(r->platform));
	json_object_object_add(o, "Size", json_object_new_int64((int64_t)images_size(r)));
	json_object_object_add(o, "Manifest", descriptor(&r->manifest));
	json_object_object_add(o, "ConfigDescriptor", descriptor(&r->config));
	json_object_object_add(o, "Config", config);
	json_object_object_add(o, "Layers", layers(r));
	json_object_object_add(o, "Source", source(r));
	json_object_object_add(o, "Imported", json_object_new_string(r->imported));
	return o;
}

int image_cmd_inspect(int argc, char **argv)
{
	static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {}};
	autoclose int store_fd = -1;
	json_object *array;
	int opt, status = EXIT_OK;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	store_fd = images_open_store();
	array = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		struct image_record *r __attribute__((cleanup(image_record_freep))) = NULL;
		json_object *config = NULL;

		if (images_load(store_fd, argv[i], &r) < 0 ||
		    images_load_config(store_fd, argv[i], &config) < 0) {
			status = EXIT_FAIL;
			continue;
		}
		json_object_array_add(array, describe(r, config));
	}
	printf("%s\n", json_object_to_json_string_ext(array, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(array);
	return status;
}
