/* image/stage.c: see stage.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/image_store.h"
#include "common/store.h"
#include "image/stage.h"

static const char *const parts[] = {"blobs", "layers", "image", "src"};

static int open_dir(int dir_fd, const char *name)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int make_parts(struct stage *s)
{
	int *fds[] = {&s->blobs_fd, &s->layers_fd, &s->image_fd, &s->src_fd};

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		if (mkdirat(s->dir_fd, parts[i], 0700) < 0)
			return -errno;
		*fds[i] = open_dir(s->dir_fd, parts[i]);
		if (*fds[i] < 0)
			return *fds[i];
	}
	return 0;
}

int stage_make(int store_fd, struct stage *ret)
{
	return stage_make_named(store_fd, "import", ret);
}

int stage_make_named(int store_fd, const char *prefix, struct stage *ret)
{
	struct stage s = {.store_fd = store_fd,
			  .dir_fd = -1,
			  .blobs_fd = -1,
			  .layers_fd = -1,
			  .image_fd = -1,
			  .src_fd = -1};
	unsigned char rnd[6];
	int r;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -errno;
	snprintf(s.name, sizeof(s.name), "%.8s-%02x%02x%02x%02x%02x%02x", prefix, rnd[0], rnd[1],
		 rnd[2], rnd[3], rnd[4], rnd[5]);
	s.tmp_fd = image_store_subdir(store_fd, "tmp");
	if (s.tmp_fd < 0)
		return s.tmp_fd;
	if (mkdirat(s.tmp_fd, s.name, 0700) < 0) {
		r = -errno;
		(void)close(s.tmp_fd);
		return r;
	}
	s.dir_fd = open_dir(s.tmp_fd, s.name);
	r = s.dir_fd < 0 ? s.dir_fd : make_parts(&s);
	if (r < 0) {
		stage_discard(&s);
		return r;
	}
	*ret = s;
	return 0;
}

int stage_layer_make(struct stage *s, const char *chain_id)
{
	autoclose int dir_fd = -1;

	if (mkdirat(s->layers_fd, chain_id + 7, 0700) < 0)
		return -errno;
	dir_fd = open_dir(s->layers_fd, chain_id + 7);
	if (dir_fd < 0)
		return dir_fd;
	if (mkdirat(dir_fd, LAYER_ROOT_DIR, 0700) < 0)
		return -errno;
	return open_dir(dir_fd, LAYER_ROOT_DIR);
}

int stage_layer_done(struct stage *s, const char *chain_id, const char *diff_id, const char *parent,
		     uint64_t unpacked_size)
{
	json_object *o = json_object_new_object();
	autoclose int dir_fd = open_dir(s->layers_fd, chain_id + 7);
	const char *text;
	int r;

	json_object_object_add(o, "chainId", json_object_new_string(chain_id));
	json_object_object_add(o, "diffId", json_object_new_string(diff_id));
	json_object_object_add(o, "parent", parent ? json_object_new_string(parent) : NULL);
	json_object_object_add(o, "unpackedSize", json_object_new_int64((int64_t)unpacked_size));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
	r = dir_fd < 0 ? dir_fd
		       : fs_write_atomic(dir_fd, LAYER_RECORD_FILE, text, strlen(text), 0600);
	json_object_put(o);
	return r;
}

int stage_layer_size(int store_fd, const char *chain_id, uint64_t *ret)
{
	char path[32 + IMAGE_DIGEST_LEN];
	autoclose int dir_fd = -1, fd = -1;
	autofree char *text = NULL;
	json_object *o, *size;
	int r;

	snprintf(path, sizeof(path), "layers/%s", chain_id + 7);
	dir_fd = image_store_subdir(store_fd, path);
	if (dir_fd < 0)
		return dir_fd;
	fd = openat(dir_fd, LAYER_RECORD_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = fs_read_small(fd, 64 * 1024, &text, NULL);
	if (r < 0)
		return r;
	o = json_tokener_parse(text);
	r = json_object_object_get_ex(o, "unpackedSize", &size) ? 0 : -EPROTO;
	if (r == 0)
		*ret = (uint64_t)json_object_get_int64(size);
	json_object_put(o);
	return r;
}

/* Every entry of the staged @part into the store's @dest; one it has already stays (and ours,
 * the same by its name, goes). */
static int move_all(struct stage *s, int part_fd, const char *dest)
{
	autoclose int dest_fd = image_store_subdir(s->store_fd, dest);
	int fd = openat(part_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *dir;
	int r = 0;

	dir = fd < 0 ? NULL : fdopendir(fd);
	if (dest_fd < 0 || !dir) {
		r = dest_fd < 0 ? dest_fd : -errno;
		if (fd >= 0 && !dir)
			(void)close(fd);
		return r;
	}
	while (r == 0 && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (renameat2(part_fd, de->d_name, dest_fd, de->d_name, RENAME_NOREPLACE) == 0)
			continue;
		r = errno == EEXIST ? store_remove_tree(part_fd, de->d_name) : -errno;
	}
	closedir(dir);
	return r;
}

int stage_move_layers(struct stage *s)
{
	int r;

	/* What is renamed into place must be on disk first, or a crash could leave a record
	 * naming files that never made it. */
	if (syncfs(s->dir_fd) < 0)
		return -errno;
	r = move_all(s, s->blobs_fd, "blobs/sha256");
	if (r >= 0)
		r = move_all(s, s->layers_fd, "layers");
	return r;
}

int stage_commit(struct stage *s, const char *name)
{
	autoclose int images_fd = image_store_subdir(s->store_fd, "images");
	int r;

	if (images_fd < 0)
		return images_fd;
	r = stage_move_layers(s);
	if (r >= 0 && renameat2(s->dir_fd, "image", images_fd, name, RENAME_NOREPLACE) < 0)
		r = -errno;
	return r;
}

int stage_commit_replace(struct stage *s, const char *name)
{
	autoclose int images_fd = image_store_subdir(s->store_fd, "images");
	int r;

	if (images_fd < 0)
		return images_fd;
	r = stage_move_layers(s);
	if (r < 0)
		return r;
	if (renameat2(s->dir_fd, "image", images_fd, name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	/* One step: a session starting meanwhile finds either image, never none. */
	if (renameat2(s->dir_fd, "image", images_fd, name, RENAME_EXCHANGE) < 0)
		return -errno;
	r = store_remove_tree(s->dir_fd, "image");
	return r < 0 ? r : 1;
}

void stage_discard(struct stage *s)
{
	int *fds[] = {&s->blobs_fd, &s->layers_fd, &s->image_fd, &s->src_fd, &s->dir_fd};

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			(void)close(*fds[i]);
		*fds[i] = -1;
	}
	if (s->tmp_fd >= 0) {
		(void)store_remove_tree(s->tmp_fd, s->name);
		(void)close(s->tmp_fd);
		s->tmp_fd = -1;
	}
}
