/* image/export.c: see export.h. Every blob is hashed again on its way out: a store damaged
 * since the import fails the export instead of producing a layout that lies. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/image_store.h"
#include "common/store.h"
#include "image/blob.h"
#include "image/error.h"
#include "image/export.h"
#include "image/io.h"
#include "image/mediatype.h"

static int open_empty_dir(const char *dir, struct image_error *e)
{
	autoclose int fd = -1;
	struct dirent *de;
	DIR *d;
	int dup_fd, found = 0;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return image_fail(e, -errno, "cannot make '%s': %s", dir, strerror(errno));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return image_fail(e, -errno, "cannot open '%s': %s", dir, strerror(errno));
	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!d)
		return image_fail(e, -errno, "cannot read '%s'", dir);
	while ((de = readdir(d)))
		found += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	if (found)
		return image_fail(e, -EEXIST, "'%s' is not empty", dir);
	return take_fd(fd);
}

static int copy_blob(int store_blobs_fd, int out_blobs_fd, const struct image_descriptor *d,
		     const struct image_io *io, struct image_error *e)
{
	autoclose int fd = -1;
	char got[IMAGE_DIGEST_LEN + 1];
	int r;

	if (faccessat(out_blobs_fd, d->digest + 7, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0; /* the same blob twice (a repeated layer) */
	fd = blob_open(store_blobs_fd, d->digest + 7, d->size, d->digest, e);
	if (fd < 0)
		return fd;
	r = blob_store(-1, NULL, fd, d->size, false, out_blobs_fd, d->digest + 7, io, got, e);
	if (r >= 0 && strcmp(got, d->digest) != 0)
		r = image_fail(e, -EIO, "%s: the store's copy is damaged (it hashes to %s)",
			       d->digest, got);
	return r;
}

static int copy_blobs(int store_fd, const struct image_record *rec, int out_fd,
		      const struct image_io *io, struct image_error *e)
{
	autoclose int store_blobs_fd = image_store_subdir(store_fd, "blobs/sha256"), blobs_fd = -1;
	int r;

	if (store_blobs_fd < 0)
		return image_fail(e, store_blobs_fd, "cannot open the store's blobs");
	if (mkdirat(out_fd, "blobs", 0755) < 0 || mkdirat(out_fd, "blobs/sha256", 0755) < 0)
		return image_fail(e, -errno, "cannot make blobs/sha256: %s", strerror(errno));
	blobs_fd = openat(out_fd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (blobs_fd < 0)
		return image_fail(e, -errno, "cannot open blobs/sha256");
	r = copy_blob(store_blobs_fd, blobs_fd, &rec->manifest, io, e);
	if (r >= 0)
		r = copy_blob(store_blobs_fd, blobs_fd, &rec->config, io, e);
	for (size_t i = 0; r >= 0 && i < rec->n_layers; i++)
		r = copy_blob(store_blobs_fd, blobs_fd, &rec->layers[i].blob, io, e);
	return r;
}

static int write_index(int out_fd, const struct image_record *rec, const char *tag)
{
	json_object *index = json_object_new_object(), *list = json_object_new_array();
	json_object *desc = json_object_new_object(), *notes = json_object_new_object();
	const char *layout = "{\"imageLayoutVersion\":\"1.0.0\"}";
	const char *text;
	int r;

	json_object_object_add(desc, "mediaType", json_object_new_string(rec->manifest.media_type));
	json_object_object_add(desc, "digest", json_object_new_string(rec->manifest.digest));
	json_object_object_add(desc, "size", json_object_new_int64((int64_t)rec->manifest.size));
	json_object_object_add(notes, "org.opencontainers.image.ref.name",
			       json_object_new_string(tag));
	json_object_object_add(desc, "annotations", notes);
	json_object_array_add(list, desc);
	json_object_object_add(index, "schemaVersion", json_object_new_int(2));
	json_object_object_add(index, "mediaType", json_object_new_string(MEDIA_OCI_INDEX));
	json_object_object_add(index, "manifests", list);
	text = json_object_to_json_string_ext(index, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
	r = blob_write(out_fd, "index.json", text, strlen(text));
	if (r >= 0)
		r = blob_write(out_fd, "oci-layout", layout, strlen(layout));
	json_object_put(index);
	return r;
}

int image_export(const char *name, const char *dir, const char *tag, const struct image_io *io,
		 struct image_error *e)
{
	struct image_record *rec __attribute__((cleanup(image_record_freep))) = NULL;
	autoclose int store_fd = -1, hold_fd = -1, out_fd = -1;
	int r;

	store_fd = store_open(false);
	if (store_fd < 0)
		return image_fail(e, store_fd, "cannot open %s: %s", STORE_DIR,
				  strerror(-store_fd));
	hold_fd = image_hold(store_fd, name, false);
	if (hold_fd < 0)
		return image_fail(e, hold_fd, "image '%s': %s", name,
				  hold_fd == -ENOENT ? "no such image" : "it is being removed");
	r = image_load(store_fd, name, &rec);
	if (r < 0)
		return image_fail(e, r, "cannot read image '%s': %s", name, strerror(-r));
	out_fd = open_empty_dir(dir, e);
	if (out_fd < 0)
		return out_fd;
	r = copy_blobs(store_fd, rec, out_fd, io, e);
	if (r >= 0 && write_index(out_fd, rec, tag) < 0)
		r = image_fail(e, -errno, "cannot write index.json and oci-layout in '%s'", dir);
	return r;
}
