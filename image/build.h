/* image/build.h: "carrel image build": an image made from a Dockerfile, one step per
 * instruction, into the layer store (common/image_store.h).
 *
 * Each step runs on the image the steps before it made and is committed on its own: RUN in
 * a sandbox (image/buildbox.h) whose writable layer becomes the new layer, COPY and ADD
 * straight into a new layer directory (image/buildcopy.h); every other instruction changes
 * the config only (a history entry with empty_layer). A new layer is written out as an OCI
 * layer blob (image/layertar.h), and the blob and the layer are moved into the store at once:
 * a later step, or a later build, can use them.
 *
 * The build cache: a step is skipped when the store has what the same step made before, on
 * the same image so far. Its key is sha256 over the id of the image so far (the digest of its
 * config: its layers, Env, WorkingDir, User, ... and history), the instruction as written,
 * and for COPY and ADD the digest of what they read from the context. A step taken from the
 * cache gives the same config, and so the same id, as when it was made: the next step can
 * hit the cache too.
 *
 * The image is written only at the end, under the store's lock, which the build holds from
 * start to end (as an import does): a failed or interrupted build leaves no image and no
 * staging (a killed one leaves staging the next import or build removes, and "carrel gc"
 * after five minutes), and only layers and blobs that no image names, which "carrel gc"
 * reclaims (and the build cache uses until then). An image of the same name is replaced,
 * unless a session uses it. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/image_record.h"

struct image_error;

/* What a build tells its user as it goes; every member may be NULL. */
struct build_ui {
	void (*waiting)(void *data); /* for the store lock */
	void (*step)(void *data, size_t n, size_t count, const char *instruction);
	void (*cached)(void *data);  /* the step was taken from the cache */
	void (*running)(void *data); /* a RUN starts: its output follows */
	void (*layer)(void *data, const char *diff_id, uint64_t size); /* a new layer */
	void (*done)(void *data, const char *id); /* the id of the image after the step */
	void (*warning)(void *data, const char *text);
	void *data;
};

struct build_request {
	const char *name;       /* the image's name in the store */
	const char *context;    /* the build context, a directory */
	const char *dockerfile; /* the Dockerfile, or NULL: CONTEXT/Dockerfile */
	bool no_cache;          /* make every step anew (and cache what is made) */
	bool host_network;      /* RUN on the host's network, else in a network of its own */
	const volatile sig_atomic_t *interrupted; /* set by a signal: stop, clean up, -EINTR */
	const struct build_ui *ui;
};

struct build_result {
	struct image_record *record; /* the new image's (free it) */
	bool replaced;               /* an image of that name was replaced */
	char old_id[IMAGE_DIGEST_LEN + 1];
	size_t new_layers; /* layers made by this build, not taken from the cache */
	int run_status;    /* the status of the RUN that failed (-ECANCELED) */
};

/* Build @req. Returns 0 with @ret filled, or -errno with @e saying what failed: -EINVAL (the
 * Dockerfile, "FILE:LINE: ..."), -ENOENT (FROM names no stored image, a COPY source is not in
 * the context), -EBUSY (a session uses the image of that name), -ECANCELED (a RUN failed:
 * ret->run_status is its exit status), -EINTR (interrupted), or another -errno. */
int image_build(const struct build_request *req, struct build_result *ret, struct image_error *e);
