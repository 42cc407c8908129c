/* admin/images.h: what the "carrel image" commands share: the store, read-only. */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "common/image_record.h"

struct cfg_image;

/* Open the store for reading; a missing store is -ENOENT (no images), logged otherwise. */
int images_open_store(void);

/* Load image @name, logging what went wrong ("no image 'x'"). */
int images_load(int store_fd, const char *name, struct image_record **ret);

/* The image's config blob, parsed. */
int images_load_config(int store_fd, const char *name, json_object **ret);

/* The bytes of file data in all its layers. */
uint64_t images_size(const struct image_record *r);

/* The image's layers merged, read-only, as a session's overlay has them below its writable
 * layer: for an image of type "oci" named by the config (@img), or given as the ':'-separated
 * layer paths, top first, a session record keeps (@lower). Returns an O_PATH directory fd or
 * -errno. */
int images_open_view(int store_fd, const struct cfg_image *img);
int images_open_lower_list(const char *lower);

/* "2 years ago" for the image's "created", "-" when it has none. */
const char *images_created_ago(const char *created, char *buf, size_t size);
