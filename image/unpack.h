/* image/unpack.h: one layer's tar unpacked into a directory of the layer store, in overlayfs
 * form (see common/image_store.h). */
#pragma once

#include <stdint.h>

struct archive;
struct image_error;
struct image_io;

struct unpack_opts {
	int root_fd;  /* the layer's root directory, empty (O_RDONLY) */
	int lower_fd; /* the merged view of the layers below (unpack_lower_open), or -1 */
	uint64_t max_bytes;
	const struct image_io *io;
	void (*warn)(void *data, const char *text); /* what was neutralised, and how */
	void *warn_data;
};

/* Unpack every entry @tar reads into o->root_fd:
 * - names are cleaned; a leading "/" is dropped (with a warning), a ".." component is refused;
 * - nothing is ever written through a symbolic link: every parent directory is opened one
 *   component at a time without following links, and an entry below a link is refused;
 * - directories the tar leaves implicit take owner, mode and time from the same directory in
 *   o->lower_fd (what overlayfs would show below), or root:root 0755;
 * - hard links only to names already unpacked in this layer, made with linkat(2) flags 0 (a
 *   link to a symbolic link is a second name of the link itself);
 * - device nodes are skipped with a warning; FIFOs are kept;
 * - modes (with set-user-ID, set-group-ID, sticky), owners, times and the xattrs user.* and
 *   security.capability are kept; other xattrs are dropped (trusted.* with a warning);
 * - ".wh.NAME" becomes a 0:0 character device NAME, ".wh..wh..opq" the xattr
 *   trusted.overlay.opaque=y on its directory; a whiteout of "", "." or ".." is refused;
 * - at most o->max_bytes of file data (a sparse file counts its full size); sizes claimed by
 *   headers are never allocated in advance.
 * Returns 0 with the bytes of file data in *@ret_bytes, or -errno with @e naming the entry
 * and what is wrong with it. On failure the directory holds a partial layer: discard it. */
int unpack_layer(struct archive *tar, const struct unpack_opts *o, uint64_t *ret_bytes,
		 struct image_error *e);

/* A read-only view of the layers open at @layer_fds (bottom first), merged as overlayfs
 * merges them, for unpack_opts.lower_fd: the layer itself when @n is 1, a detached overlay
 * mount otherwise. Returns an O_PATH directory fd or -errno. */
int unpack_lower_open(const int *layer_fds, size_t n);
