/* image/plan.h: an image as its source describes it (an OCI layout, or a Docker archive), once
 * the source reader has checked its documents: what the import then verifies and stores. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/image_record.h"
#include "image/mediatype.h"

struct image_error;
struct platform;

struct plan_layer {
	struct image_descriptor blob; /* digest "" until hashed when !digest_known */
	bool digest_known;            /* OCI: the manifest gives it; Docker archive: hashed */
	enum compression compression;
	char diff_id[IMAGE_DIGEST_LEN + 1];  /* from the config */
	char chain_id[IMAGE_DIGEST_LEN + 1]; /* computed from the diff_ids */
	char src_path[PATH_MAX];             /* below import_plan.src_fd */
};

struct import_plan {
	int src_fd;          /* the directory blobs are read from (not owned) */
	bool src_is_staging; /* blobs may be moved out of it rather than copied */
	char source_type[16];
	char ref[128];
	char *manifest; /* a Docker archive's is made once its layers are hashed */
	size_t manifest_len;
	struct image_descriptor manifest_desc;
	char *config;
	size_t config_len;
	struct image_descriptor config_desc;
	char platform[100]; /* from the config */
	char created[64];   /* from the config */
	struct plan_layer *layers;
	size_t n_layers;
};

void plan_free(struct import_plan *p);

/* Append a layer (zeroed) to @p; returns it, or NULL when out of memory. */
struct plan_layer *plan_add_layer(struct import_plan *p);

/* Check the config against the layers: rootfs.type "layers", one well-formed diff_id per
 * layer (into each layer's diff_id and chain_id), the platform (when @want, it must match)
 * and "created". Returns 0 or -EPROTO with @e saying what is wrong. */
int plan_check_config(struct import_plan *p, const struct platform *want, struct image_error *e);
