/* common/image_store.c: see image_store.h.
 *
 * Invariants:
 * 1. Every name below the store that comes from outside (an image name, a digest) is
 *    validated before it becomes a path, and every path is resolved below the store fd
 *    without following a symlink.
 * 2. Layers, blobs and images are only ever removed by the holder of images.lock, and a
 *    layer or blob only when no image record names it; an unreadable record stops the
 *    reclaim rather than let it guess.
 * 3. A session's shared lock on image.json keeps its image (and so its layers) in place: the
 *    removal of an image needs the exclusive lock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/build_cache.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/image_store.h"
#include "common/store.h"
#include "common/syscalls.h"

#define RESOLVE_STORE (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

int image_store_prepare(int store_fd)
{
	/* NOLINTBEGIN(bugprone-suspicious-missing-comma): "/" BUILD_CACHE_DIR is one name */
	static const char *const dirs[] = {"/blobs/sha256", "/layers", "/images", "/tmp",
					   "/" BUILD_CACHE_DIR};
	/* NOLINTEND(bugprone-suspicious-missing-comma) */

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		int fd = store_dir(store_fd, dirs[i], 0700);

		if (fd < 0)
			return fd;
		(void)close(fd);
	}
	return 0;
}

int image_store_lock(int store_fd, bool wait)
{
	autoclose int fd = -1;

	fd = openat(store_fd, IMAGE_STORE_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EWOULDBLOCK)
			return -EBUSY;
		if (errno != EINTR)
			return -errno;
	}
	return take_fd(fd);
}

int image_store_subdir(int store_fd, const char *name)
{
	int fd = sys_openat2(store_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_STORE);

	return fd < 0 ? -errno : fd;
}

int image_dir_open(int store_fd, const char *name)
{
	char path[16 + IMAGE_NAME_MAX];

	if (!image_name_valid(name))
		return -EINVAL;
	snprintf(path, sizeof(path), "images/%s", name);
	return image_store_subdir(store_fd, path);
}

static int read_file(int dir_fd, const char *name, char **ret, size_t *ret_len)
{
	autoclose int fd = -1;

	fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	return fs_read_small(fd, IMAGE_RECORD_MAX, ret, ret_len);
}

int image_load(int store_fd, const char *name, struct image_record **ret)
{
	struct image_record *r __attribute__((cleanup(image_record_freep))) = NULL;
	autoclose int dir_fd = -1;
	autofree char *text = NULL;
	size_t len = 0;
	int rr;

	dir_fd = image_dir_open(store_fd, name);
	if (dir_fd < 0)
		return dir_fd;
	rr = read_file(dir_fd, IMAGE_RECORD_FILE, &text, &len);
	if (rr < 0)
		return rr;
	rr = image_record_parse(text, len, &r);
	if (rr < 0)
		return rr;
	if (strcmp(r->name, name) != 0)
		return -EPROTO; /* a record copied under another name */
	*ret = take_ptr(r);
	return 0;
}

int image_load_exec(int image_dir_fd, struct image_exec *ret)
{
	autofree char *text = NULL;
	size_t len = 0;
	int r;

	r = read_file(image_dir_fd, IMAGE_CONFIG_FILE, &text, &len);
	if (r < 0)
		return r;
	return image_exec_parse(text, len, ret);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of @dir_fd that @keep accepts, sorted; NULL-terminated. Returns the count. */
static int list_dir(int dir_fd, bool (*keep)(const char *name), char ***ret)
{
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = fd < 0 ? -errno : 0;
	char **names = calloc(1, sizeof(*names));
	size_t n = 0;
	struct dirent *de;
	DIR *dir;

	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir || !names) {
		if (fd >= 0 && !dir)
			(void)close(fd);
		free(names);
		return r < 0 ? r : -ENOMEM;
	}
	while ((de = readdir(dir))) {
		char **grown;

		if (!keep(de->d_name))
			continue;
		grown = realloc(names, (n + 2) * sizeof(*names));
		if (!grown || !(grown[n] = strdup(de->d_name))) {
			names = grown ? grown : names;
			names[n] = NULL;
			closedir(dir);
			image_names_free(names);
			return -ENOMEM;
		}
		names = grown;
		names[++n] = NULL;
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), compare_names);
	*ret = names;
	return (int)n;
}

int image_list(int store_fd, char ***ret)
{
	autoclose int images_fd = image_store_subdir(store_fd, "images");

	if (images_fd == -ENOENT) {
		*ret = calloc(1, sizeof(**ret));
		return *ret ? 0 : -ENOMEM;
	}
	if (images_fd < 0)
		return images_fd;
	return list_dir(images_fd, image_name_valid, ret);
}

void image_names_free(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

int image_find_digest(int store_fd, const char *digest, char ret[IMAGE_NAME_MAX + 1])
{
	char **names = NULL;
	int n, found = -ENOENT;

	if (!image_digest_valid(digest))
		return -EINVAL;
	n = image_list(store_fd, &names);
	if (n < 0)
		return n;
	for (int i = 0; i < n && found < 0; i++) {
		struct image_record *r __attribute__((cleanup(image_record_freep))) = NULL;

		if (image_load(store_fd, names[i], &r) < 0)
			continue;
		if (strcmp(r->config.digest, digest) != 0 &&
		    strcmp(r->manifest.digest, digest) != 0)
			continue;
		snprintf(ret, IMAGE_NAME_MAX + 1, "%s", names[i]);
		found = 0;
	}
	image_names_free(names);
	return found;
}

static int open_record(int store_fd, const char *name, int flags)
{
	char path[32 + IMAGE_NAME_MAX];
	int fd;

	if (!image_name_valid(name))
		return -EINVAL;
	snprintf(path, sizeof(path), "images/%s/" IMAGE_RECORD_FILE, name);
	fd = sys_openat2(store_fd, path, flags | O_CLOEXEC, 0, RESOLVE_STORE);
	return fd < 0 ? -errno : fd;
}

int image_hold(int store_fd, const char *name, bool exclusive)
{
	autoclose int fd = -1, again_fd = -1;
	struct stat st, again;

	fd = open_record(store_fd, name, O_RDONLY);
	if (fd < 0)
		return fd;
	if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	/* Removed before we had the lock: the file is gone, or moved out with its directory
	 * (image_store_discard()) and no longer the one the name gives. */
	again_fd = open_record(store_fd, name, O_PATH);
	if (again_fd < 0)
		return again_fd;
	if (fstat(fd, &st) < 0 || fstat(again_fd, &again) < 0)
		return -errno;
	if (st.st_nlink == 0 || st.st_ino != again.st_ino || st.st_dev != again.st_dev)
		return -ENOENT;
	return take_fd(fd);
}

int image_layer_open(int store_fd, const char *chain_id)
{
	autoclose int layer_fd = -1;
	char path[16 + IMAGE_DIGEST_LEN];
	struct stat st;
	int fd;

	if (!image_digest_valid(chain_id))
		return -EINVAL;
	snprintf(path, sizeof(path), "layers/%s", chain_id + 7);
	layer_fd = sys_openat2(store_fd, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_STORE);
	if (layer_fd < 0)
		return -errno;
	if (fstat(layer_fd, &st) < 0)
		return -errno;
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM; /* whoever could write here could change every session on it */
	fd = openat(layer_fd, LAYER_ROOT_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

/* ---- removal ---- */

int image_store_discard(int store_fd, int dir_fd, const char *name)
{
	autoclose int tmp_fd = image_store_subdir(store_fd, "tmp");
	unsigned char rnd[6];
	char moved[64];

	if (tmp_fd < 0)
		return tmp_fd;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -errno;
	snprintf(moved, sizeof(moved), "rm-%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
		 rnd[3], rnd[4], rnd[5]);
	if (renameat(dir_fd, name, tmp_fd, moved) < 0)
		return -errno;
	return store_remove_tree(tmp_fd, moved);
}

/* The digests (hex only) every image names: its chain ids, or its blobs. */
struct digest_set {
	char **hex;
	size_t n;
};

static int set_add(struct digest_set *s, const char *digest)
{
	char **grown = realloc(s->hex, (s->n + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	s->hex = grown;
	s->hex[s->n] = strdup(digest + 7);
	if (!s->hex[s->n])
		return -ENOMEM;
	s->n++;
	return 0;
}

static bool set_has(const struct digest_set *s, const char *hex)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->hex[i], hex) == 0)
			return true;
	return false;
}

static void set_free(struct digest_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->hex[i]);
	free(s->hex);
}

static int add_image_refs(const struct image_record *r, struct digest_set *layers,
			  struct digest_set *blobs)
{
	int e = 0;

	e |= set_add(blobs, r->manifest.digest);
	e |= set_add(blobs, r->config.digest);
	for (size_t i = 0; i < r->n_layers; i++) {
		e |= set_add(blobs, r->layers[i].blob.digest);
		e |= set_add(layers, r->layers[i].chain_id);
	}
	return e ? -ENOMEM : 0;
}

static int collect_refs(int store_fd, struct digest_set *layers, struct digest_set *blobs)
{
	char **names = NULL;
	int n, r = 0;

	n = image_list(store_fd, &names);
	if (n < 0)
		return n;
	for (int i = 0; i < n && r >= 0; i++) {
		struct image_record *rec __attribute__((cleanup(image_record_freep))) = NULL;

		r = image_load(store_fd, names[i], &rec);
		if (r >= 0)
			r = add_image_refs(rec, layers, blobs);
	}
	image_names_free(names);
	return r;
}

static bool is_hex64(const char *name)
{
	char digest[IMAGE_DIGEST_LEN + 8];

	snprintf(digest, sizeof(digest), "sha256:%s", name);
	return image_digest_valid(digest);
}

/* Remove what @dir of the store holds and @keep does not name. */
static int reclaim_dir(int store_fd, const char *dir, const char *what,
		       const struct digest_set *keep, image_reclaimed_fn told, void *data)
{
	autoclose int dir_fd = image_store_subdir(store_fd, dir);
	char **names = NULL;
	int n, count = 0;

	if (dir_fd == -ENOENT)
		return 0;
	n = dir_fd < 0 ? dir_fd : list_dir(dir_fd, is_hex64, &names);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		char digest[IMAGE_DIGEST_LEN + 8];
		int r;

		if (set_has(keep, names[i]))
			continue;
		r = strcmp(what, "blob") == 0 ? (unlinkat(dir_fd, names[i], 0) < 0 ? -errno : 0)
					      : image_store_discard(store_fd, dir_fd, names[i]);
		snprintf(digest, sizeof(digest), "sha256:%s", names[i]);
		if (told)
			told(what, digest, r, data);
		if (r >= 0)
			count++;
	}
	image_names_free(names);
	return count;
}

static bool layer_kept(const char *chain_hex, void *data)
{
	return set_has(data, chain_hex);
}

int image_store_reclaim(int store_fd, image_reclaimed_fn told, void *data)
{
	struct digest_set layers = {0}, blobs = {0};
	int r, n_layers = 0, n_blobs = 0, n_cache = 0;

	r = collect_refs(store_fd, &layers, &blobs);
	if (r >= 0)
		r = n_layers = reclaim_dir(store_fd, "layers", "layer", &layers, told, data);
	if (r >= 0)
		r = n_blobs = reclaim_dir(store_fd, "blobs/sha256", "blob", &blobs, told, data);
	/* Build cache entries of the layers just removed: they could never be used again. */
	if (r >= 0)
		r = n_cache = build_cache_reclaim(store_fd, layer_kept, &layers, told, data);
	set_free(&layers);
	set_free(&blobs);
	return r < 0 ? r : n_layers + n_blobs + n_cache;
}

static bool any_entry(const char *name)
{
	return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int image_store_clean_tmp(int store_fd, time_t min_age, image_reclaimed_fn told, void *data)
{
	autoclose int tmp_fd = image_store_subdir(store_fd, "tmp");
	char **names = NULL;
	int n, count = 0;

	if (tmp_fd == -ENOENT)
		return 0;
	n = tmp_fd < 0 ? tmp_fd : list_dir(tmp_fd, any_entry, &names);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct stat st;

		int r;

		if (fstatat(tmp_fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    time(NULL) - st.st_mtime < min_age)
			continue;
		r = store_remove_tree(tmp_fd, names[i]);
		if (told)
			told("staging", names[i], r, data);
		if (r == 0)
			count++;
	}
	image_names_free(names);
	return count;
}
