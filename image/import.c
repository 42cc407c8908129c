/* image/import.c: see import.h. image_import() reads as its list of steps. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/image_store.h"
#include "common/store.h"
#include "image/blob.h"
#include "image/bundle.h"
#include "image/docker.h"
#include "image/error.h"
#include "image/import.h"
#include "image/io.h"
#include "image/layer_import.h"
#include "image/layout.h"
#include "image/plan.h"
#include "image/platform.h"
#include "image/stage.h"

struct import {
	const struct import_request *req;
	struct image_error *e;
	int store_fd;
	int lock_fd;
	int src_fd; /* a layout directory given as the source */
	struct stage stage;
	bool staged;
	struct bundle bundle;
	struct import_plan plan;
	struct platform want;
	bool want_given;
	char *source_path; /* the source's full name, for the record */
};

static void ui_warning(void *data, const char *text)
{
	const struct import_ui *ui = data;

	if (ui && ui->warning)
		ui->warning(ui->data, text);
}

/* A source of one image is taken whatever its platform (as "docker load" does), but an
 * image for another machine fails at the first program a session runs: say so now. */
static void warn_other_platform(struct import *im)
{
	char os[32], arch[32], host[100], text[300];
	const char *variant;

	if (sscanf(im->plan.platform, "%31[^/]/%31[^/]", os, arch) != 2)
		return;
	variant = strchr(im->plan.platform + strlen(os) + 1 + strlen(arch), '/');
	if (platform_matches(&im->want, os, arch, variant ? variant + 1 : NULL))
		return;
	snprintf(text, sizeof(text),
		 "the image is for %s, and this machine is %s: its programs may not run here",
		 im->plan.platform, platform_format(&im->want, host, sizeof(host)));
	ui_warning((void *)im->req->ui, text);
}

static int take_store(struct import *im)
{
	const struct import_ui *ui = im->req->ui;
	int r;

	im->store_fd = store_open(true);
	if (im->store_fd < 0)
		return image_fail(im->e, im->store_fd, "cannot open %s: %s", STORE_DIR,
				  strerror(-im->store_fd));
	r = image_store_prepare(im->store_fd);
	if (r < 0)
		return image_fail(im->e, r, "cannot prepare %s: %s", STORE_DIR, strerror(-r));
	im->lock_fd = image_store_lock(im->store_fd, false);
	if (im->lock_fd == -EBUSY) {
		if (ui && ui->waiting)
			ui->waiting(ui->data);
		im->lock_fd = image_store_lock(im->store_fd, true);
	}
	if (im->lock_fd < 0)
		return image_fail(im->e, im->lock_fd, "cannot lock the image store: %s",
				  strerror(-im->lock_fd));
	/* We hold the lock: whatever tmp/ has is left over from an import that died. */
	(void)image_store_clean_tmp(im->store_fd, 0, NULL, NULL);
	r = image_dir_open(im->store_fd, im->req->name);
	if (r >= 0) {
		(void)close(r);
		return image_fail(im->e, -EEXIST,
				  "image '%s' exists (remove it first: carrel image rm %s)",
				  im->req->name, im->req->name);
	}
	return 0;
}

/* SOURCE, or SOURCE:TAG when SOURCE alone names nothing. */
static int open_source(struct import *im, char **ret_tag)
{
	autofree char *path = strdup(im->req->source);
	char *colon;
	int fd;

	if (!path)
		return image_fail(im->e, -ENOMEM, "out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	colon = strrchr(path, ':');
	if (fd < 0 && errno == ENOENT && colon && colon[1]) {
		*colon = '\0';
		*ret_tag = strdup(colon + 1);
		if (!*ret_tag)
			return image_fail(im->e, -ENOMEM, "out of memory");
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0)
		return image_fail(im->e, -errno, "cannot open '%s': %s", path, strerror(errno));
	im->source_path = realpath(path, NULL);
	return fd;
}

static int plan_archive(struct import *im, int fd, const char *tag)
{
	const struct image_io io = {.interrupted = im->req->interrupted};
	struct import_plan *p = &im->plan;
	int r;

	r = bundle_unpack(fd, im->stage.src_fd, 16 * im->req->max_layer_size, &io, &im->bundle,
			  im->e);
	if (r < 0)
		return image_fail_context(im->e, r, "'%s'", im->req->source);
	if (faccessat(im->stage.src_fd, "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return docker_plan(&im->bundle, tag, p, im->e);
	r = layout_plan(im->stage.src_fd, tag, &im->want, p, im->e);
	p->src_is_staging = true;
	snprintf(p->source_type, sizeof(p->source_type), "oci-archive");
	return r;
}

static int plan_source(struct import *im)
{
	autofree char *tag = NULL;
	autoclose int fd = -1;
	struct stat st;
	int r;

	fd = open_source(im, &tag);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return image_fail(im->e, -errno, "cannot stat '%s'", im->req->source);
	if (S_ISDIR(st.st_mode)) {
		im->src_fd = take_fd(fd);
		r = layout_plan(im->src_fd, tag, &im->want, &im->plan, im->e);
		snprintf(im->plan.source_type, sizeof(im->plan.source_type), "oci-layout");
	} else if (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode)) {
		r = plan_archive(im, fd, tag);
	} else {
		return image_fail(im->e, -EINVAL, "'%s' is neither a directory nor an archive",
				  im->req->source);
	}
	if (r >= 0)
		r = plan_check_config(&im->plan, im->want_given ? &im->want : NULL, im->e);
	if (r >= 0 && !im->want_given)
		warn_other_platform(im);
	return r;
}

static int check_exec(const struct import_plan *p, struct image_error *e)
{
	struct image_exec x;
	int r = image_exec_parse(p->config, p->config_len, &x);

	if (r < 0)
		return image_fail(e, r, "config: malformed Env or WorkingDir");
	image_exec_free(&x);
	return 0;
}

static int make_record(struct import *im, const struct image_layer *layers,
		       struct image_record **ret)
{
	struct image_record *r __attribute__((cleanup(image_record_freep))) = calloc(1, sizeof(*r));
	const struct import_plan *p = &im->plan;
	char now[32];
	time_t t = time(NULL);
	int e = 0;

	if (!r)
		return -ENOMEM;
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	snprintf(r->name, sizeof(r->name), "%s", im->req->name);
	r->manifest = p->manifest_desc;
	r->config = p->config_desc;
	r->manifest.media_type = strdup(p->manifest_desc.media_type);
	r->config.media_type = strdup(p->config_desc.media_type);
	e |= !r->manifest.media_type || !r->config.media_type;
	for (size_t i = 0; i < p->n_layers; i++)
		e |= image_record_add_layer(r, &layers[i]) < 0;
	e |= image_record_set(&r->platform, p->platform) < 0;
	e |= image_record_set(&r->created, p->created) < 0;
	e |= image_record_set(&r->imported, now) < 0;
	e |= image_record_set(&r->source_type, p->source_type) < 0;
	e |= image_record_set(&r->source_path,
			      im->source_path ? im->source_path : im->req->source) < 0;
	e |= image_record_set(&r->source_ref, p->ref) < 0;
	if (e)
		return -ENOMEM;
	*ret = take_ptr(r);
	return 0;
}

/* The manifest, config and record into the staging directory. */
static int stage_image(struct import *im, const struct image_record *rec)
{
	struct import_plan *p = &im->plan;
	autofree char *text = NULL;
	int r;

	r = blob_stage_bytes(im->stage.blobs_fd, p->manifest_desc.digest, p->manifest,
			     p->manifest_len);
	if (r >= 0)
		r = blob_stage_bytes(im->stage.blobs_fd, p->config_desc.digest, p->config,
				     p->config_len);
	if (r >= 0)
		r = blob_write(im->stage.image_fd, IMAGE_CONFIG_FILE, p->config, p->config_len);
	if (r >= 0)
		r = image_record_format(rec, &text);
	if (r >= 0)
		r = blob_write(im->stage.image_fd, IMAGE_RECORD_FILE, text, strlen(text));
	return r < 0 ? image_fail(im->e, r, "cannot stage the image: %s", strerror(-r)) : 0;
}

static int import_layers(struct import *im, struct image_record **ret)
{
	struct layer_import li = {
	    .store_fd = im->store_fd,
	    .stage = &im->stage,
	    .plan = &im->plan,
	    .max_bytes = im->req->max_layer_size,
	    .interrupted = im->req->interrupted,
	    .ui = im->req->ui,
	    .warn = ui_warning,
	    .warn_data = (void *)im->req->ui,
	};
	int r;

	r = layer_import_all(&li, im->e);
	if (r >= 0 && !im->plan.manifest)
		r = docker_make_manifest(&im->plan, im->e);
	if (r >= 0)
		r = make_record(im, li.layers, ret) < 0
			? image_fail(im->e, -ENOMEM, "out of memory")
			: 0;
	layer_import_free(&li);
	return r;
}

static int commit(struct import *im, const struct image_record *rec)
{
	int r;

	if (im->req->interrupted && *im->req->interrupted)
		return image_fail(im->e, -EINTR, "interrupted");
	r = stage_image(im, rec);
	if (r < 0)
		return r;
	r = stage_commit(&im->stage, im->req->name);
	if (r >= 0)
		return 0;
	/* Blobs or layers may have made it: nothing names them. */
	(void)image_store_reclaim(im->store_fd, NULL, NULL);
	return image_fail(im->e, r, "cannot move the image into the store: %s", strerror(-r));
}

static int parse_platform(struct import *im)
{
	platform_host(&im->want);
	if (!im->req->platform)
		return 0;
	im->want_given = true;
	if (platform_parse(im->req->platform, &im->want) < 0)
		return image_fail(im->e, -EINVAL, "--platform '%s': expected OS/ARCH[/VARIANT]",
				  im->req->platform);
	return 0;
}

static void finish(struct import *im)
{
	if (im->staged)
		stage_discard(&im->stage);
	bundle_free(&im->bundle);
	plan_free(&im->plan);
	if (im->src_fd >= 0)
		(void)close(im->src_fd);
	if (im->lock_fd >= 0)
		(void)close(im->lock_fd);
	if (im->store_fd >= 0)
		(void)close(im->store_fd);
	free(im->source_path);
}

int image_import(const struct import_request *req, struct image_record **ret, struct image_error *e)
{
	struct image_record *rec __attribute__((cleanup(image_record_freep))) = NULL;
	struct import im = {.req = req,
			    .e = e,
			    .store_fd = -1,
			    .lock_fd = -1,
			    .src_fd = -1,
			    .plan = {.src_fd = -1}};
	int r;

	if (!image_name_valid(req->name))
		return image_fail_bad_name(e, req->name);
	r = parse_platform(&im);
	if (r >= 0)
		r = take_store(&im);
	if (r >= 0) {
		r = stage_make(im.store_fd, &im.stage);
		im.staged = r >= 0;
		if (r < 0)
			image_fail(e, r, "cannot make a staging directory: %s", strerror(-r));
	}
	if (r >= 0)
		r = plan_source(&im);
	if (r >= 0)
		r = check_exec(&im.plan, e);
	if (r >= 0)
		r = import_layers(&im, &rec);
	if (r >= 0)
		r = commit(&im, rec);
	finish(&im);
	if (r < 0)
		return r;
	*ret = take_ptr(rec);
	return 0;
}
