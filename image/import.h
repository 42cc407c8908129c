/* image/import.h: "carrel image import": an OCI image layout, an oci-archive or a
 * docker-archive into the layer store (common/image_store.h).
 *
 * Every blob is verified (size and sha256) before it is used, every layer against its diff_id
 * in the pass that unpacks it; layers are unpacked safely (image/unpack.h). Everything is
 * built in a staging directory under the store's tmp/ and renamed into place only once the
 * whole image is there: a failed or interrupted import leaves no image, no layer, no blob
 * and no temporary file behind (a killed one leaves tmp/ entries that the next import, or
 * "carrel gc", removes). The store lock is held throughout. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/image_record.h"

struct image_error;

#define IMPORT_MAX_LAYER_SIZE (64ull << 30)

/* What an import tells its user as it goes; every member may be NULL. */
struct import_ui {
	void (*waiting)(void *data); /* for the store lock, held by another import or removal */
	void (*layer_begin)(void *data, size_t n, size_t count, const char *digest, uint64_t size);
	/* @step: "copying", "unpacking" or "verifying"; @done of @total blob bytes */
	void (*layer_progress)(void *data, const char *step, uint64_t done, uint64_t total);
	void (*layer_end)(void *data, size_t n, size_t count, const char *digest, uint64_t size,
			  bool reused);
	void (*warning)(void *data, const char *text);
	void *data;
};

struct import_request {
	const char *name;     /* the image's name in the store */
	const char *source;   /* a layout directory or an archive, with ":TAG" optionally */
	const char *platform; /* "os/arch[/variant]", or NULL: the host's (and no check) */
	uint64_t max_layer_size;
	const volatile sig_atomic_t *interrupted; /* set by a signal: stop, clean up, -EINTR */
	const struct import_ui *ui;
};

/* Import @req. Returns 0 and the new image's record in *@ret (free it), or -errno with @e
 * saying what was wrong: -EEXIST (the name is taken), -EPROTO (the image is malformed or
 * fails a check), -EINTR (interrupted), or another -errno. */
int image_import(const struct import_request *req, struct image_record **ret,
		 struct image_error *e);
