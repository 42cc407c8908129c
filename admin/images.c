/* admin/images.c: see images.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/images.h"
#include "admin/units.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/image_store.h"
#include "common/log.h"
#include "common/store.h"
#include "config/config.h"
#include "image/unpack.h"

int images_open_store(void)
{
	int fd = store_open(false);

	if (fd < 0 && fd != -ENOENT)
		log_error_errno(fd, "cannot open %s", STORE_DIR);
	return fd;
}

int images_load(int store_fd, const char *name, struct image_record **ret)
{
	int r = store_fd < 0 ? -ENOENT : image_load(store_fd, name, ret);

	if (r == -ENOENT || r == -EINVAL)
		log_error("no image '%s' (see 'carrel image ls')", name);
	else if (r < 0)
		log_error_errno(r, "cannot read image '%s'", name);
	return r;
}

int images_load_config(int store_fd, const char *name, json_object **ret)
{
	autoclose int dir_fd = image_dir_open(store_fd, name), fd = -1;
	autofree char *text = NULL;
	int r;

	fd = dir_fd < 0 ? dir_fd
			: openat(dir_fd, IMAGE_CONFIG_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	r = fd < 0 ? (dir_fd < 0 ? dir_fd : -errno)
		   : fs_read_small(fd, IMAGE_RECORD_MAX, &text, NULL);
	if (r >= 0) {
		*ret = json_tokener_parse(text);
		r = *ret ? 0 : -EPROTO;
	}
	if (r < 0)
		log_error_errno(r, "cannot read the config of image '%s'", name);
	return r;
}

uint64_t images_size(const struct image_record *r)
{
	uint64_t size = 0;

	for (size_t i = 0; i < r->n_layers; i++)
		size += r->layers[i].unpacked_size;
	return size;
}

const char *images_created_ago(const char *created, char *buf, size_t size)
{
	time_t t;

	if (!created || units_parse_time(created, &t) < 0)
		snprintf(buf, size, "-");
	else
		units_ago(t, buf, size);
	return buf;
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		(void)close(fds[i]);
	free(fds);
}

/* @fds bottom first, as unpack_lower_open() takes them. */
static int merged(int *fds, size_t n, int r)
{
	if (r >= 0)
		r = unpack_lower_open(fds, n);
	close_all(fds, n);
	return r;
}

int images_open_view(int store_fd, const struct cfg_image *img)
{
	struct image_record *r __attribute__((cleanup(image_record_freep))) = NULL;
	char name[IMAGE_NAME_MAX + 1];
	size_t n = 0;
	int *fds, rr;

	rr = img->oci_name ? 0 : image_find_digest(store_fd, img->oci_digest, name);
	if (rr >= 0)
		rr = image_load(store_fd, img->oci_name ? img->oci_name : name, &r);
	if (rr < 0)
		return rr;
	fds = calloc(r->n_layers + 1, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	for (; n < r->n_layers && rr >= 0; n++) {
		rr = fds[n] = image_layer_open(store_fd, r->layers[n].chain_id);
		if (rr < 0)
			break;
	}
	return merged(fds, n, rr);
}

int images_open_lower_list(const char *lower)
{
	autofree char *copy = strdup(lower);
	size_t n = 0, max = 1;
	char *save = NULL;
	int *fds, r = 0;

	for (const char *p = lower; *p; p++)
		max += *p == ':';
	fds = copy ? calloc(max, sizeof(*fds)) : NULL;
	if (!fds)
		return -ENOMEM;
	/* Top first in the list: the fds go bottom first. */
	for (char *part = strtok_r(copy, ":", &save); part && r >= 0 && n < max;
	     part = strtok_r(NULL, ":", &save)) {
		r = open(part, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (r < 0) {
			r = -errno;
			break;
		}
		fds[max - 1 - n++] = r;
	}
	if (r >= 0 && n != max)
		r = -EINVAL;
	return merged(fds, n == max ? n : 0, r);
}
