/* image/buildlayer.c: the layers a build makes: their directories in the staging, RUN's
 * sandbox around one, and their commit into the store (see build_int.h).
 *
 * A RUN's overlay has one more lower layer on top of the image's: the mount points layer, a
 * directory of the staging holding /proc, /dev and (host network) /etc/resolv.conf, so that
 * the sandbox can mount there without the command's layer ever holding them, as docker's
 * "init" layer does. It is removed with the sandbox. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/image_store.h"
#include "common/store.h"
#include "common/syscalls.h"
#include "image/build_int.h"
#include "image/buildbox.h"
#include "image/buildconf.h"
#include "image/dfwords.h"
#include "image/digest.h"
#include "image/error.h"
#include "image/layertar.h"
#include "image/mediatype.h"
#include "image/unpack.h"

#define INCOMING_BLOB "incoming"

static int open_dir(int dir_fd, const char *name, int flags)
{
	int fd = openat(dir_fd, name, flags | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* @name below @dir_fd made anew (whatever was left there removed first). */
static int fresh_dir(int dir_fd, const char *name, int flags)
{
	int r = store_remove_tree(dir_fd, name);

	if (r < 0)
		return r;
	if (mkdirat(dir_fd, name, 0700) < 0)
		return -errno;
	return open_dir(dir_fd, name, flags);
}

int build_view(struct build *b)
{
	int fd;

	if (b->n_layers == 0)
		return -1;
	fd = unpack_lower_open(b->layer_fds, b->n_layers);
	return fd < 0 ? image_fail(b->e, fd, "cannot mount the image's layers: %s", strerror(-fd))
		      : fd;
}

/* Owner, mode and time of @path in @view_fd (a directory), or root's 0755, onto @fd. */
static int like_image(int fd, int view_fd, const char *path)
{
	struct stat st = {.st_mode = S_IFDIR | 0755};
	autoclose int src_fd = -1;
	struct timespec times[2];

	if (view_fd >= 0)
		src_fd = sys_openat2(view_fd, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
				     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (src_fd >= 0 && fstat(src_fd, &st) < 0)
		return -errno;
	if (fchown(fd, src_fd >= 0 ? st.st_uid : 0, src_fd >= 0 ? st.st_gid : 0) < 0 ||
	    fchmod(fd, st.st_mode & 07777) < 0)
		return -errno;
	times[0] = times[1] = st.st_mtim;
	return src_fd >= 0 && futimens(fd, times) < 0 ? -errno : 0;
}

int build_layer_dir(struct build *b, int view_fd)
{
	autoclose int dir_fd = fresh_dir(b->stage.layers_fd, BUILD_LAYER_DIR, O_RDONLY);
	int root_fd, r;

	if (dir_fd < 0)
		return image_fail(b->e, dir_fd, "cannot make a layer directory: %s",
				  strerror(-dir_fd));
	if (mkdirat(dir_fd, LAYER_ROOT_DIR, 0700) < 0)
		return image_fail(b->e, -errno, "cannot make a layer directory: %s",
				  strerror(errno));
	root_fd = open_dir(dir_fd, LAYER_ROOT_DIR, O_RDONLY);
	if (root_fd < 0)
		return image_fail(b->e, root_fd, "cannot open the layer directory");
	/* overlayfs shows the upper directory's root as "/": it must be the image's. */
	r = like_image(root_fd, view_fd, ".");
	if (r < 0) {
		(void)close(root_fd);
		return image_fail(b->e, r, "cannot set up the layer's root: %s", strerror(-r));
	}
	return root_fd;
}

/* layers/new into the staging's layers/<chain hex>, with its layer.json, and the blob. */
static int name_layer(struct build *b, const struct layertar_result *t, const char *parent,
		      const char *chain)
{
	struct stage *s = &b->stage;
	int r;

	if (renameat2(s->blobs_fd, INCOMING_BLOB, s->blobs_fd, t->blob_digest + 7,
		      RENAME_NOREPLACE) < 0 &&
	    (errno != EEXIST || unlinkat(s->blobs_fd, INCOMING_BLOB, 0) < 0))
		return -errno;
	if (renameat2(s->layers_fd, BUILD_LAYER_DIR, s->layers_fd, chain + 7, RENAME_NOREPLACE) <
	    0) {
		/* This build made the same layer already: it is in the store. */
		return errno == EEXIST ? store_remove_tree(s->layers_fd, BUILD_LAYER_DIR) : -errno;
	}
	r = stage_layer_done(s, chain, t->diff_id, parent, t->data_bytes);
	return r;
}

int build_layer_commit(struct build *b, int view_fd, struct image_layer *ret)
{
	const char *parent = b->n_layers ? b->layers[b->n_layers - 1].chain_id : NULL;
	autoclose int dir_fd = open_dir(b->stage.layers_fd, BUILD_LAYER_DIR, O_RDONLY);
	autoclose int root_fd = dir_fd < 0 ? dir_fd : open_dir(dir_fd, LAYER_ROOT_DIR, O_RDONLY);
	struct layertar_opts o = {.root_fd = root_fd,
				  .lower_fd = view_fd,
				  .io = &b->io,
				  .warn = build_warn,
				  .warn_data = b};
	struct layertar_result t = {0};
	char chain[IMAGE_DIGEST_LEN + 1];
	int r;

	if (root_fd < 0)
		return image_fail(b->e, root_fd, "cannot open the new layer");
	(void)unlinkat(b->stage.blobs_fd, INCOMING_BLOB, 0);
	r = layertar_write(&o, b->stage.blobs_fd, INCOMING_BLOB, &t, b->e);
	if (r < 0)
		return image_fail_context(b->e, r, "cannot write the layer");
	r = digest_chain(parent, t.diff_id, chain);
	if (r >= 0)
		r = name_layer(b, &t, parent, chain);
	if (r >= 0)
		r = stage_move_layers(&b->stage);
	if (r < 0)
		return image_fail(b->e, r, "cannot move the layer into the store: %s",
				  strerror(-r));
	*ret = (struct image_layer){
	    .blob = {.media_type = (char *)media_layer_type(COMPRESSION_GZIP), .size = t.blob_size},
	    .unpacked_size = t.data_bytes};
	memcpy(ret->blob.digest, t.blob_digest, sizeof(ret->blob.digest));
	memcpy(ret->diff_id, t.diff_id, sizeof(ret->diff_id));
	memcpy(ret->chain_id, chain, sizeof(ret->chain_id));
	return 0;
}

int build_add_layer(struct build *b, const struct image_layer *l)
{
	struct image_layer *layers = realloc(b->layers, (b->n_layers + 1) * sizeof(*layers));
	int *fds;

	if (layers)
		b->layers = layers;
	fds = layers ? realloc(b->layer_fds, (b->n_layers + 1) * sizeof(*fds)) : NULL;
	if (!fds)
		return image_fail(b->e, -ENOMEM, "out of memory");
	b->layer_fds = fds;
	layers[b->n_layers] = *l;
	layers[b->n_layers].blob.media_type = strdup(l->blob.media_type);
	fds[b->n_layers] = image_layer_open(b->store_fd, l->chain_id);
	if (!layers[b->n_layers].blob.media_type) {
		if (fds[b->n_layers] >= 0)
			(void)close(fds[b->n_layers]);
		return image_fail(b->e, -ENOMEM, "out of memory");
	}
	if (fds[b->n_layers] < 0) {
		free(layers[b->n_layers].blob.media_type);
		return image_fail(b->e, fds[b->n_layers], "cannot open layer %s in the store: %s",
				  l->chain_id, strerror(-fds[b->n_layers]));
	}
	b->n_layers++;
	return 0;
}

/* ---- RUN ---- */

/* A directory @name of the mount points layer, as the image has it. */
static int mount_point_dir(int init_fd, int view_fd, const char *name)
{
	autoclose int fd = -1;

	if (mkdirat(init_fd, name, 0700) < 0)
		return -errno;
	fd = open_dir(init_fd, name, O_RDONLY);
	return fd < 0 ? fd : like_image(fd, view_fd, name);
}

static int mount_points(int init_fd, int view_fd, bool host_network)
{
	autoclose int fd = -1;
	int r;

	r = mount_point_dir(init_fd, view_fd, "proc");
	if (r >= 0)
		r = mount_point_dir(init_fd, view_fd, "dev");
	if (r < 0 || !host_network)
		return r;
	r = mount_point_dir(init_fd, view_fd, "etc");
	if (r < 0)
		return r;
	fd = openat(init_fd, "etc/resolv.conf",
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	return fd < 0 ? -errno : 0;
}

struct run_dirs {
	int upper_fd, work_fd, mnt_fd, init_fd;
};

static int make_run_dirs(struct build *b, int view_fd, struct run_dirs *d)
{
	int r;

	d->upper_fd = build_layer_dir(b, view_fd);
	if (d->upper_fd < 0)
		return d->upper_fd;
	d->work_fd = fresh_dir(b->stage.src_fd, "work", O_PATH);
	d->mnt_fd = d->work_fd < 0 ? d->work_fd : fresh_dir(b->stage.src_fd, "mnt", O_PATH);
	d->init_fd = d->mnt_fd < 0 ? d->mnt_fd : fresh_dir(b->stage.src_fd, "init", O_RDONLY);
	r = d->init_fd < 0 ? d->init_fd : mount_points(d->init_fd, view_fd, b->req->host_network);
	return r < 0
		   ? image_fail(b->e, r, "cannot make the sandbox's directories: %s", strerror(-r))
		   : 0;
}

static void remove_run_dirs(struct build *b, struct run_dirs *d)
{
	int *fds[] = {&d->upper_fd, &d->work_fd, &d->mnt_fd, &d->init_fd};

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			(void)close(*fds[i]);
	(void)store_remove_tree(b->stage.src_fd, "work");
	(void)store_remove_tree(b->stage.src_fd, "mnt");
	(void)store_remove_tree(b->stage.src_fd, "init");
}

/* The paths below the store the sandbox opens: the mount points layer, then the layers top
 * first; NULL-terminated. */
static char **lower_paths(const struct build *b)
{
	char **paths = calloc(b->n_layers + 2, sizeof(*paths));
	int e = 0;

	if (!paths)
		return NULL;
	e |= asprintf(&paths[0], "tmp/%s/src/init", b->stage.name) < 0;
	for (size_t i = 0; !e && i < b->n_layers; i++)
		e |= asprintf(&paths[i + 1], "layers/%s/" LAYER_ROOT_DIR,
			      b->layers[b->n_layers - 1 - i].chain_id + 7) < 0;
	if (e) {
		dfwords_free(paths);
		return NULL;
	}
	return paths;
}

static int run_box(struct build *b, char *const *argv)
{
	char **lower = lower_paths(b), **env = NULL;
	char upper[96], work[96], mnt[96];
	struct buildbox_spec s = {
	    .lower = lower,
	    .n_lower = b->n_layers + 1,
	    .upper = upper,
	    .work = work,
	    .mnt = mnt,
	    .argv = argv,
	    .user = buildconf_string(b->config, "User"),
	    .workdir = buildconf_string(b->config, "WorkingDir"),
	    .host_network = b->req->host_network,
	    .interrupted = b->req->interrupted,
	};
	int status = 0, r;

	if (!lower || buildconf_env(b->config, &env) < 0) {
		dfwords_free(lower);
		return image_fail(b->e, -ENOMEM, "out of memory");
	}
	snprintf(upper, sizeof(upper), "tmp/%s/layers/" BUILD_LAYER_DIR "/" LAYER_ROOT_DIR,
		 b->stage.name);
	snprintf(work, sizeof(work), "tmp/%s/src/work", b->stage.name);
	snprintf(mnt, sizeof(mnt), "tmp/%s/src/mnt", b->stage.name);
	s.env = env;
	r = buildbox_run(&s, &status, b->e);
	dfwords_free(env);
	dfwords_free(lower);
	if (r == -ENOEXEC) { /* ends the build as a shell would: 127 not found, 126 not runnable */
		b->run_status = status;
		return -ECANCELED;
	}
	if (r < 0)
		return r;
	if (status == 0)
		return 0;
	b->run_status = status;
	return image_fail(b->e, -ECANCELED, "the command exited with status %d", status);
}

int build_run(struct build *b, char *const *argv, struct image_layer *ret)
{
	struct run_dirs d = {-1, -1, -1, -1};
	autoclose int view_fd = build_view(b);
	int r;

	if (view_fd < -1)
		return view_fd;
	r = make_run_dirs(b, view_fd, &d);
	if (r >= 0)
		r = run_box(b, argv);
	remove_run_dirs(b, &d);
	if (r >= 0)
		r = build_layer_commit(b, view_fd, ret);
	return r;
}
