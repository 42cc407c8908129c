/* launcher/ociimage.c: see ociimage.h.
 *
 * The image's record is locked (LOCK_SH) before anything of it is read, and the lock is held
 * by the session's init until the session ends: "carrel image rm" takes it exclusively, so
 * the layers a session is mounted on cannot be reclaimed while it runs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/image_store.h"
#include "common/store.h"
#include "config/config.h"
#include "config/policy.h"
#include "launcher/launch.h"
#include "launcher/ociimage.h"

/* More than this would not fit the session record comfortably: refuse, do not truncate. */
#define ENV_MAX (64 * 1024)

static int find_name(int store_fd, const struct cfg_image *img, char name[IMAGE_NAME_MAX + 1],
		     char *why, size_t why_size)
{
	int r;

	if (img->oci_name) {
		snprintf(name, IMAGE_NAME_MAX + 1, "%s", img->oci_name);
		return 0;
	}
	r = image_find_digest(store_fd, img->oci_digest, name);
	if (r == -ENOENT)
		snprintf(why, why_size, "image '%s': no stored image has digest %s", img->name,
			 img->oci_digest);
	else if (r < 0)
		snprintf(why, why_size, "image '%s': cannot search the store: %s", img->name,
			 strerror(-r));
	return r;
}

static int hold(struct launch_ctx *c, int store_fd, const char *name, char *why, size_t why_size)
{
	const char *image = c->profile->image->name;

	c->image_lock_fd = image_hold(store_fd, name, false);
	if (c->image_lock_fd == -ENOENT || c->image_lock_fd == -EINVAL)
		snprintf(why, why_size,
			 "image '%s': no image '%s' in the store (carrel image import %s SOURCE)",
			 image, name, name);
	else if (c->image_lock_fd == -EBUSY)
		snprintf(why, why_size, "image '%s': the stored image '%s' is being removed", image,
			 name);
	else if (c->image_lock_fd < 0)
		snprintf(why, why_size, "image '%s': cannot lock the stored image '%s': %s", image,
			 name, strerror(-c->image_lock_fd));
	return c->image_lock_fd < 0 ? c->image_lock_fd : 0;
}

static int load(struct launch_ctx *c, int store_fd, const char *name, char *why, size_t why_size)
{
	autoclose int dir_fd = -1;
	size_t env_bytes = 0;
	int r;

	r = image_load(store_fd, name, &c->oci_image);
	if (r >= 0) {
		dir_fd = image_dir_open(store_fd, name);
		r = dir_fd < 0 ? dir_fd : image_load_exec(dir_fd, &c->oci_exec);
	}
	if (r < 0) {
		snprintf(why, why_size, "stored image '%s' is unreadable: %s", name, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < c->oci_exec.n_env; i++)
		env_bytes += strlen(c->oci_exec.env[i]) + 1;
	if (env_bytes > ENV_MAX) {
		snprintf(why, why_size, "stored image '%s': its Env is larger than %d bytes", name,
			 ENV_MAX);
		return -E2BIG;
	}
	return 0;
}

int ociimage_resolve(struct launch_ctx *c, char *why, size_t why_size)
{
	const struct cfg_image *img = c->profile->image;
	char name[IMAGE_NAME_MAX + 1];
	autoclose int store_fd = -1;
	int r;

	if (img->type != CFG_IMAGE_OCI)
		return 0;
	store_fd = store_open(false);
	if (store_fd < 0) {
		snprintf(why, why_size, "image '%s': cannot open the image store %s: %s", img->name,
			 STORE_DIR, strerror(-store_fd));
		return store_fd;
	}
	r = find_name(store_fd, img, name, why, why_size);
	if (r >= 0)
		r = hold(c, store_fd, name, why, why_size);
	if (r >= 0)
		r = load(c, store_fd, name, why, why_size);
	return r;
}

int ociimage_open_layers(const struct launch_ctx *c, int *ret_fds, char *lower, size_t size)
{
	const struct image_record *rec = c->oci_image;
	autoclose int store_fd = store_open(false);
	size_t used = 0;

	if (store_fd < 0)
		return store_fd;
	lower[0] = '\0';
	for (size_t i = 0; i < rec->n_layers; i++) {
		const struct image_layer *l = &rec->layers[rec->n_layers - 1 - i];
		int fd = image_layer_open(store_fd, l->chain_id);

		if (fd < 0) {
			while (i-- > 0)
				(void)close(ret_fds[i]);
			return fd;
		}
		ret_fds[i] = fd;
		if (used < size)
			used += (size_t)snprintf(lower + used, size - used,
						 "%s" STORE_DIR "/layers/%s/" LAYER_ROOT_DIR,
						 i ? ":" : "", l->chain_id + 7);
	}
	return (int)rec->n_layers;
}
