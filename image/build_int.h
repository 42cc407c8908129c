/* image/build_int.h: what the files of a build share (build.c: the build as a whole;
 * buildstep.c: one instruction; buildlayer.c: new layers). Private to them. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/image_record.h"
#include "image/build.h"
#include "image/dockerfile.h"
#include "image/io.h"
#include "image/stage.h"

#define BUILD_LAYER_DIR "new" /* below the staging's layers/, until its chain id is known */

struct build {
	const struct build_request *req;
	struct image_error *e;
	struct dockerfile df;
	int store_fd, lock_fd, context_fd;
	struct stage stage;
	bool staged;
	json_object *config; /* the image so far */
	char *base_config;   /* the base's config as stored, until a step changes it */
	size_t base_config_len;
	char id[IMAGE_DIGEST_LEN + 1]; /* its id: the digest of the config */
	struct image_layer *layers;    /* its layers, bottom first (blob.media_type owned) */
	int *layer_fds;                /* their roots in the store (O_PATH), bottom first */
	size_t n_layers;
	char **step_ids; /* per history entry: the id after it, "" when not built here */
	size_t n_step_ids;
	bool cmd_set; /* a CMD of this Dockerfile (an ENTRYPOINT keeps it) */
	size_t new_layers;
	int run_status;
	struct image_io io;
	char *context_path;
};

/* Pass @text on to the user (@data is the build). */
void build_warn(void *data, const char *text);

/* Do the step @in: from the cache, or anew. Returns 0 or -errno with b->e. */
int build_step(struct build *b, const struct df_instr *in);

/* The image so far, merged read-only (image/unpack.h): an O_PATH fd, -1 when it has no
 * layers, or -errno with b->e. */
int build_view(struct build *b);

/* A new empty layer directory in the staging, layers/new/root, its root set up as the image
 * so far has "/" (@view_fd, or -1). Returns an O_RDONLY fd of it or -errno with b->e. */
int build_layer_dir(struct build *b, int view_fd);

/* Write layers/new as a layer (image/layertar.h), name it by its chain id and move it and its
 * blob into the store. Returns 0 with @ret filled (blob.media_type static) or -errno. */
int build_layer_commit(struct build *b, int view_fd, struct image_layer *ret);

/* Add the stored layer @l on top of the image so far (its record entry and its root). */
int build_add_layer(struct build *b, const struct image_layer *l);

/* RUN @argv on the image so far, with the config's Env, User and WorkingDir, and commit what
 * it changed as @ret. -ECANCELED (b->run_status) when it fails. */
int build_run(struct build *b, char *const *argv, struct image_layer *ret);
