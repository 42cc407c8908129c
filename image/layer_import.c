/* image/layer_import.c: see layer_import.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/image_store.h"
#include "image/blob.h"
#include "image/error.h"
#include "image/import.h"
#include "image/io.h"
#include "image/layer_import.h"
#include "image/layerstream.h"
#include "image/plan.h"
#include "image/stage.h"
#include "image/unpack.h"

#define INCOMING "incoming"

static void progress(void *data, uint64_t done)
{
	struct layer_import *li = data;

	if (li->ui && li->ui->layer_progress)
		li->ui->layer_progress(li->ui->data, li->step, done, li->total);
}

static struct image_io io_for(struct layer_import *li, const char *step, uint64_t total)
{
	li->step = step;
	li->total = total;
	return (struct image_io){.progress = progress, .data = li, .interrupted = li->interrupted};
}

/* A blob whose digest the manifest gives: staged once per import, checked on the way. */
static int stage_known(struct layer_import *li, struct plan_layer *pl, struct image_error *e)
{
	const struct import_plan *p = li->plan;
	struct image_io io = io_for(li, "copying", pl->blob.size);
	char got[IMAGE_DIGEST_LEN + 1];
	autoclose int src_fd = -1;
	int r;

	if (faccessat(li->stage->blobs_fd, pl->blob.digest + 7, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	src_fd = blob_open(p->src_fd, pl->src_path, pl->blob.size, "blob", e);
	if (src_fd < 0)
		return src_fd;
	r = blob_store(p->src_fd, pl->src_path, src_fd, pl->blob.size, p->src_is_staging,
		       li->stage->blobs_fd, pl->blob.digest + 7, &io, got, e);
	if (r >= 0 && strcmp(got, pl->blob.digest) != 0) {
		(void)unlinkat(li->stage->blobs_fd, pl->blob.digest + 7, 0);
		r = image_fail(e, -EPROTO, "blob: digest mismatch: it hashes to %s", got);
	}
	return r;
}

/* A Docker archive's layer: its digest is what it hashes to. */
static int stage_unknown(struct layer_import *li, struct plan_layer *pl, struct image_error *e)
{
	const struct import_plan *p = li->plan;
	struct image_io io = io_for(li, "copying", pl->blob.size);
	autoclose int src_fd = -1;
	int r;

	src_fd = blob_open(p->src_fd, pl->src_path, pl->blob.size, "blob", e);
	if (src_fd < 0)
		return src_fd;
	r = blob_store(p->src_fd, pl->src_path, src_fd, pl->blob.size, p->src_is_staging,
		       li->stage->blobs_fd, INCOMING, &io, pl->blob.digest, e);
	if (r < 0)
		return r;
	pl->digest_known = true;
	if (renameat2(li->stage->blobs_fd, INCOMING, li->stage->blobs_fd, pl->blob.digest + 7,
		      RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EEXIST)
		return image_fail(e, -errno, "cannot stage the blob: %s", strerror(errno));
	(void)unlinkat(li->stage->blobs_fd, INCOMING, 0); /* the same layer twice */
	return 0;
}

static int open_blob(struct layer_import *li, struct plan_layer *pl, struct image_error *e)
{
	int r = pl->digest_known ? stage_known(li, pl, e) : stage_unknown(li, pl, e);
	int fd;

	if (r < 0)
		return r;
	fd = openat(li->stage->blobs_fd, pl->blob.digest + 7, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? image_fail(e, -errno, "cannot open the staged blob") : fd;
}

static int check_diff_id(const struct plan_layer *pl, const char *got, struct image_error *e)
{
	if (strcmp(got, pl->diff_id) == 0)
		return 0;
	return image_fail(
	    e, -EPROTO, "diff_id mismatch: the uncompressed layer hashes to %s, the config says %s",
	    got, pl->diff_id);
}

/* The store has the layer: only check that this blob is that layer. */
static int verify_only(struct layer_import *li, struct plan_layer *pl, int blob_fd,
		       struct image_error *e)
{
	struct layer_stream *s __attribute__((cleanup(layer_stream_freep))) = NULL;
	struct image_io io = io_for(li, "verifying", pl->blob.size);
	char got[IMAGE_DIGEST_LEN + 1];
	int r;

	r = layer_stream_open(blob_fd, pl->compression, &io, &s, e);
	if (r >= 0)
		r = layer_stream_finish(s, got, e);
	return r < 0 ? r : check_diff_id(pl, got, e);
}

static int unpack_blob(struct layer_import *li, struct plan_layer *pl, int blob_fd, int root_fd,
		       int lower_fd, uint64_t *ret_bytes, struct image_error *e)
{
	struct layer_stream *s __attribute__((cleanup(layer_stream_freep))) = NULL;
	struct image_io io = io_for(li, "unpacking", pl->blob.size);
	struct unpack_opts o = {
	    .root_fd = root_fd,
	    .lower_fd = lower_fd,
	    .max_bytes = li->max_bytes,
	    .io = &io,
	    .warn = li->warn,
	    .warn_data = li->warn_data,
	};
	char got[IMAGE_DIGEST_LEN + 1];
	int r;

	r = layer_stream_open(blob_fd, pl->compression, &io, &s, e);
	if (r >= 0) {
		r = unpack_layer(layer_stream_tar(s), &o, ret_bytes, e);
		/* A tar error is only a symptom when the stream below it broke. */
		if (r < 0 && r != -EINTR && layer_stream_error(s))
			r = image_fail(e, -EPROTO, "%s", layer_stream_error(s));
	}
	if (r >= 0)
		r = layer_stream_finish(s, got, e);
	return r < 0 ? r : check_diff_id(pl, got, e);
}

static int unpack_new(struct layer_import *li, size_t i, int blob_fd, uint64_t *ret_bytes,
		      struct image_error *e)
{
	struct plan_layer *pl = &li->plan->layers[i];
	autoclose int root_fd = -1, lower_fd = -1;
	char path[16 + IMAGE_DIGEST_LEN];
	int r;

	root_fd = stage_layer_make(li->stage, pl->chain_id);
	if (root_fd < 0)
		return image_fail(e, root_fd, "cannot make its directory: %s", strerror(-root_fd));
	if (i > 0) {
		lower_fd = unpack_lower_open(li->root_fds, i);
		if (lower_fd < 0)
			return image_fail(e, lower_fd, "cannot mount the layers below it: %s",
					  strerror(-lower_fd));
	}
	r = unpack_blob(li, pl, blob_fd, root_fd, lower_fd, ret_bytes, e);
	if (r >= 0)
		r = stage_layer_done(li->stage, pl->chain_id, pl->diff_id,
				     i ? li->plan->layers[i - 1].chain_id : NULL, *ret_bytes);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/" LAYER_ROOT_DIR, pl->chain_id + 7);
	li->root_fds[i] = openat(li->stage->layers_fd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return li->root_fds[i] < 0 ? image_fail(e, -errno, "cannot open it") : 0;
}

static int one_layer(struct layer_import *li, size_t i, bool *ret_reused, struct image_error *e)
{
	struct plan_layer *pl = &li->plan->layers[i];
	struct image_layer *l = &li->layers[i];
	autoclose int blob_fd = -1;
	int r;

	blob_fd = open_blob(li, pl, e);
	if (blob_fd < 0)
		return blob_fd;
	li->root_fds[i] = image_layer_open(li->store_fd, pl->chain_id);
	if (li->root_fds[i] < 0 && li->root_fds[i] != -ENOENT)
		return image_fail(e, li->root_fds[i], "the store's copy of it is unusable: %s",
				  strerror(-li->root_fds[i]));
	*ret_reused = li->root_fds[i] >= 0;
	if (*ret_reused) {
		r = verify_only(li, pl, blob_fd, e);
		if (r >= 0 && stage_layer_size(li->store_fd, pl->chain_id, &l->unpacked_size) < 0)
			l->unpacked_size = 0;
	} else {
		r = unpack_new(li, i, blob_fd, &l->unpacked_size, e);
	}
	if (r < 0)
		return r;
	l->blob = pl->blob;
	memcpy(l->diff_id, pl->diff_id, sizeof(l->diff_id));
	memcpy(l->chain_id, pl->chain_id, sizeof(l->chain_id));
	return 0;
}

int layer_import_all(struct layer_import *li, struct image_error *e)
{
	const struct import_ui *ui = li->ui;
	size_t n = li->plan->n_layers;

	li->layers = calloc(n + 1, sizeof(*li->layers));
	li->root_fds = calloc(n + 1, sizeof(*li->root_fds));
	if (!li->layers || !li->root_fds)
		return image_fail(e, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct plan_layer *pl = &li->plan->layers[i];
		const char *digest = pl->digest_known ? pl->blob.digest : pl->diff_id;
		bool reused = false;
		int r;

		li->root_fds[i] = -1;
		li->n = i + 1;
		if (ui && ui->layer_begin)
			ui->layer_begin(ui->data, i + 1, n, digest, pl->blob.size);
		r = one_layer(li, i, &reused, e);
		if (r < 0)
			return image_fail_context(e, r, "layer %zu (%.19s)", i + 1,
						  pl->digest_known ? pl->blob.digest : digest);
		if (ui && ui->layer_end)
			ui->layer_end(ui->data, i + 1, n, pl->blob.digest, pl->blob.size, reused);
	}
	return 0;
}

void layer_import_free(struct layer_import *li)
{
	for (size_t i = 0; li->root_fds && i < li->n; i++)
		if (li->root_fds[i] >= 0)
			(void)close(li->root_fds[i]);
	free(li->root_fds);
	free(li->layers);
	li->root_fds = NULL;
	li->layers = NULL;
}
