/* image/layertar.h: a layer directory in overlayfs form (see common/image_store.h) written out
 * as an OCI layer: a tar in which a whiteout (0:0 character device NAME) is ".wh.NAME" and an
 * opaque directory (trusted.overlay.opaque=y) holds ".wh..wh..opq", compressed with gzip.
 * Both the blob (compressed) and the tar (the diff_id) are hashed as they are written.
 *
 * The tar is deterministic: entries depth first, each directory's in byte order of their
 * names, times in whole seconds, no atime, ctime, user or group names. Before an entry is
 * written its file is made exactly what the tar says, so that the directory, which becomes
 * the stored layer, is what an import of the tar would unpack (image/unpack.h): */
#pragma once

#include <stdint.h>

#include "common/image_record.h"

struct image_error;
struct image_io;

struct layertar_opts {
	int root_fd;  /* the layer's root directory (O_RDONLY) */
	int lower_fd; /* the merged layers below it (image/unpack.h), or -1 */
	const struct image_io *io;
	void (*warn)(void *data, const char *text); /* what was removed, and why */
	void *warn_data;
};

struct layertar_result {
	char blob_digest[IMAGE_DIGEST_LEN + 1]; /* of the gzip stream */
	uint64_t blob_size;
	char diff_id[IMAGE_DIGEST_LEN + 1]; /* of the tar */
	uint64_t data_bytes;                /* file data in the layer (hard links once) */
};

/* Write the layer open at o->root_fd as a new file @name below @dir_fd (0644). On the way:
 * - device nodes other than whiteouts, and sockets, are removed (with a warning): a layer
 *   never holds them;
 * - xattrs other than user.*, security.capability and the opaque marker are removed (what
 *   overlayfs leaves in an upper directory: origin, impure);
 * - times are cut to whole seconds (directories keep theirs across these changes);
 * - the root takes owner, mode and time from o->lower_fd (the tar has no entry for it);
 * - a name starting with ".wh." is refused (-EINVAL): it would read as a whiteout.
 * Returns 0 or -errno with @e saying which entry and why (-EINTR when o->io says stop). */
int layertar_write(const struct layertar_opts *o, int dir_fd, const char *name,
		   struct layertar_result *ret, struct image_error *e);
