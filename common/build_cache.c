/* common/build_cache.c: see build_cache.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/build_cache.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/syscalls.h"

#define ENTRY_MAX (64 * 1024)

static int cache_dir(int store_fd)
{
	int fd = sys_openat2(store_fd, BUILD_CACHE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0,
			     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);

	return fd < 0 ? -errno : fd;
}

static const char *get_string(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int parse_entry(json_object *o, const char *key, struct build_cache_entry *ret)
{
	const char *created = get_string(o, "created"), *parent = get_string(o, "parentChainId");
	const char *own_key = get_string(o, "key");
	json_object *layer = NULL;

	if (!created || !parent || !own_key || strcmp(own_key, key) != 0 ||
	    strlen(created) >= sizeof(ret->created) ||
	    !json_object_object_get_ex(o, "layer", &layer))
		return -EPROTO;
	if (parent[0] && image_digest_copy(ret->parent_chain, parent) < 0)
		return -EPROTO;
	snprintf(ret->created, sizeof(ret->created), "%s", created);
	ret->has_layer = layer != NULL;
	if (!layer)
		return 0;
	return json_object_is_type(layer, json_type_object)
		   ? image_layer_from_json(layer, &ret->layer)
		   : -EPROTO;
}

int build_cache_get(int store_fd, const char *key, struct build_cache_entry *ret)
{
	struct build_cache_entry entry = {0};
	autoclose int dir_fd = -1, fd = -1;
	autofree char *text = NULL;
	json_object *o;
	int r;

	if (!image_digest_valid(key))
		return -EINVAL;
	dir_fd = cache_dir(store_fd);
	if (dir_fd < 0)
		return dir_fd;
	fd = openat(dir_fd, key + 7, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = fs_read_small(fd, ENTRY_MAX, &text, NULL);
	if (r < 0)
		return r;
	o = json_tokener_parse(text);
	r = o && json_object_is_type(o, json_type_object) ? parse_entry(o, key, &entry) : -EPROTO;
	json_object_put(o);
	if (r < 0) {
		build_cache_entry_free(&entry);
		return r;
	}
	*ret = entry;
	return 0;
}

int build_cache_put(int store_fd, const char *key, const struct build_cache_entry *entry)
{
	json_object *o = json_object_new_object();
	autoclose int dir_fd = cache_dir(store_fd);
	const char *text;
	int r;

	if (!image_digest_valid(key) || dir_fd < 0) {
		json_object_put(o);
		return dir_fd < 0 ? dir_fd : -EINVAL;
	}
	json_object_object_add(o, "key", json_object_new_string(key));
	json_object_object_add(o, "created", json_object_new_string(entry->created));
	json_object_object_add(o, "parentChainId", json_object_new_string(entry->parent_chain));
	json_object_object_add(o, "layer",
			       entry->has_layer ? image_layer_to_json(&entry->layer) : NULL);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	r = text ? fs_write_atomic(dir_fd, key + 7, text, strlen(text), 0600) : -ENOMEM;
	json_object_put(o);
	return r;
}

void build_cache_entry_free(struct build_cache_entry *entry)
{
	free(entry->layer.blob.media_type);
	entry->layer.blob.media_type = NULL;
}

/* Does the entry @name still have every layer it names? */
static bool still_good(int store_fd, const char *name, bool (*keep)(const char *, void *),
		       void *data)
{
	struct build_cache_entry entry = {0};
	char key[IMAGE_DIGEST_LEN + 1];
	bool good;

	if (strlen(name) != IMAGE_DIGEST_LEN - 7)
		return false;
	memcpy(key, "sha256:", 7);
	memcpy(key + 7, name, IMAGE_DIGEST_LEN - 7 + 1);
	if (build_cache_get(store_fd, key, &entry) < 0)
		return false;
	good = (!entry.parent_chain[0] || keep(entry.parent_chain + 7, data)) &&
	       (!entry.has_layer || keep(entry.layer.chain_id + 7, data));
	build_cache_entry_free(&entry);
	return good;
}

int build_cache_reclaim(int store_fd, bool (*keep)(const char *chain_hex, void *data),
			void *keep_data,
			void (*told)(const char *what, const char *digest, int result, void *data),
			void *told_data)
{
	autoclose int dir_fd = cache_dir(store_fd);
	int count = 0;
	struct dirent *de;
	DIR *d;

	if (dir_fd == -ENOENT)
		return 0;
	if (dir_fd < 0)
		return dir_fd;
	d = fs_opendir_at(dir_fd, ".");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char key[300];
		int r;

		snprintf(key, sizeof(key), "sha256:%s", de->d_name);
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    still_good(store_fd, de->d_name, keep, keep_data))
			continue;
		r = unlinkat(dir_fd, de->d_name, 0) < 0 ? -errno : 0;
		if (told)
			told("cache", image_digest_valid(key) ? key : de->d_name, r, told_data);
		count += r == 0;
	}
	closedir(d);
	return count;
}
