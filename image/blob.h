/* image/blob.h: blobs read from an image source and kept in the import's staging directory,
 * every one checked against its size and digest before anything uses it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/image_record.h"

struct image_error;
struct image_io;

#define BLOB_SMALL_MAX IMAGE_RECORD_MAX /* manifests, indexes, configs */

/* The path of a blob in an OCI layout, "blobs/sha256/<hex>"; -EPROTO (with @e saying so,
 * naming @what) for a malformed digest, which must never become a path. */
int blob_layout_path(const char *digest, const char *what, char buf[80], struct image_error *e);

/* Open the file @path below @dir_fd for reading: a regular file, resolved beneath @dir_fd
 * without symlinks, and @size bytes long unless @size is UINT64_MAX. Returns the fd or
 * -errno: -ENOENT (blob not found), -EPROTO (size mismatch). */
int blob_open(int dir_fd, const char *path, uint64_t size, const char *what, struct image_error *e);

/* Read the small blob @d from an OCI layout and check its size and digest. *@ret is
 * NUL-terminated. Returns 0 or -errno (-EPROTO: digest or size mismatch). */
int blob_read(int layout_fd, const struct image_descriptor *d, const char *what, char **ret,
	      size_t *ret_len, struct image_error *e);

/* Read all of @src_fd (@size bytes) into a new file @name below @dst_dir_fd, or, with
 * @link (the source is on the store's filesystem: an archive's member in the staging
 * directory), hash it in place and hard-link @src_path (below @src_dir_fd) as @name. Either
 * way the sha256 of the content comes back in @ret_digest. Returns 0 or -errno (-EINTR when
 * @io says stop). */
int blob_store(int src_dir_fd, const char *src_path, int src_fd, uint64_t size, bool link,
	       int dst_dir_fd, const char *name, const struct image_io *io,
	       char ret_digest[IMAGE_DIGEST_LEN + 1], struct image_error *e);

/* Write @len bytes of @data as a new file @name below @dir_fd (0644). */
int blob_write(int dir_fd, const char *name, const char *data, size_t len);

/* Write the blob @digest (@len bytes at @data, already verified) into the staging blobs
 * directory @blobs_fd, unless it is there already. Returns 0 or -errno. */
int blob_stage_bytes(int blobs_fd, const char *digest, const char *data, size_t len);
