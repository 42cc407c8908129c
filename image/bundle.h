/* image/bundle.h: an image that comes as one tar file (oci-archive: a tar of an OCI layout;
 * docker-archive: what "docker save" writes), unpacked into the import's staging directory.
 *
 * Only directories and regular files are written, each below the staging directory under
 * its cleaned member name. Links are never created: symbolic and hard link members are kept
 * as a table and followed by name, inside the archive only (skopeo's docker-archives make
 * <id>/layer.tar a symbolic link to ../<diff_id>.tar). A member with an absolute name, a ".."
 * component, or of another type (device, fifo) fails the import. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct image_error;
struct image_io;

struct bundle_link {
	char *name;
	char *target; /* symbolic: as written; hard: a member name */
	bool hard;
};

struct bundle {
	int dir_fd; /* the staging directory the members are in (not owned) */
	struct bundle_link *links;
	size_t n_links;
};

/* Unpack the tar (plain, gzip or zstd) read from @fd into the directory @dir_fd, at most
 * @max_bytes of file data. Returns 0 or -errno with @e saying why. */
int bundle_unpack(int fd, int dir_fd, uint64_t max_bytes, const struct image_io *io,
		  struct bundle *ret, struct image_error *e);

/* The path below dir_fd of the regular member @name, following link members (inside the
 * archive only). @what names who asks, for @e. Returns 0, -ENOENT (no such member), -EXDEV
 * (a link out of the archive) or -EINVAL (a malformed name). */
int bundle_resolve(const struct bundle *b, const char *name, const char *what, char ret[PATH_MAX],
		   struct image_error *e);

void bundle_free(struct bundle *b);
