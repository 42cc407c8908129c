/* image/layer_import.h: the layers of an import, one after the other, bottom first: the blob
 * into the staging directory (verified), then the layer unpacked from it (verified against
 * its diff_id as it is unpacked), or, when the store has the layer already, only verified. */
#pragma once

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "common/image_record.h"

struct image_error;
struct import_plan;
struct import_ui;
struct stage;

struct layer_import {
	int store_fd;
	struct stage *stage;
	struct import_plan *plan;
	uint64_t max_bytes;
	const volatile sig_atomic_t *interrupted;
	const struct import_ui *ui;
	void (*warn)(void *data, const char *text);
	void *warn_data;
	/* filled by layer_import_all() */
	struct image_layer *layers; /* one per plan layer */
	int *root_fds;              /* each layer's root (store or staging), bottom first */
	size_t n;
	/* for progress */
	const char *step;
	uint64_t total;
};

/* Import every layer of li->plan. Returns 0 or -errno with @e naming the layer. */
int layer_import_all(struct layer_import *li, struct image_error *e);

void layer_import_free(struct layer_import *li);
