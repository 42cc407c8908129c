/* image/stage.h: an import's or a build's staging directory, tmp/import-<random>/ or
 * tmp/build-<random>/ in the store:
 *
 *   blobs/<hex>                 blobs, verified
 *   layers/<chain hex>/root/    new layers; layer.json next to root once complete
 *   image/                      image.json and config.json
 *   src/                        an archive's members (image/bundle.h); a build's work area
 *
 * and its commit: blobs, then layers, then the image renamed into the store. */
#pragma once

#include <stdint.h>

#include "common/image_record.h"

struct stage {
	int store_fd; /* not owned */
	int tmp_fd;
	int dir_fd;
	int blobs_fd;
	int layers_fd;
	int image_fd;
	int src_fd;
	char name[32];
};

/* Make a new staging directory below the store's tmp/, "import-<random>" or, with
 * stage_make_named(), "<prefix>-<random>" (@prefix at most 8 characters). Returns 0 or -errno. */
int stage_make(int store_fd, struct stage *ret);
int stage_make_named(int store_fd, const char *prefix, struct stage *ret);

/* Make layers/<chain hex>/root and return it as an O_RDONLY directory fd, or -errno. */
int stage_layer_make(struct stage *s, const char *chain_id);

/* Write layers/<chain hex>/layer.json. Returns 0 or -errno. */
int stage_layer_done(struct stage *s, const char *chain_id, const char *diff_id, const char *parent,
		     uint64_t unpacked_size);

/* The unpackedSize from layer.json of the store's layer @chain_id. Returns 0 or -errno. */
int stage_layer_size(int store_fd, const char *chain_id, uint64_t *ret);

/* Move the staged blobs and layers into the store (synced first). A blob or layer the store
 * has already is left as it is, and the staged copy removed. Returns 0 or -errno. */
int stage_move_layers(struct stage *s);

/* Move everything staged into the store, the image last as images/@name. A blob or layer the
 * store has already is left as it is. Returns 0 or -errno (-EEXIST: the image is there). */
int stage_commit(struct stage *s, const char *name);

/* The same, but an image @name already there is replaced, in one rename (RENAME_EXCHANGE),
 * and then removed: the caller holds its record locked (image_hold, exclusive) and reclaims
 * its layers after. Returns 0, 1 (an image was replaced) or -errno. */
int stage_commit_replace(struct stage *s, const char *name);

/* Close the staging directory and remove it with whatever is left in it. */
void stage_discard(struct stage *s);
