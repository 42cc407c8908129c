/* image/buildcopy.h: COPY and ADD, from the build context into a new layer directory. No
 * sandbox: carrel itself reads the context and writes the layer, so both are resolved with
 * care:
 *   - sources below the context directory (openat2 RESOLVE_BENEATH: symbolic links are
 *     followed only while they stay inside; a ".." component or a URL is refused); wildcards
 *     (* ? [...]) match names in the context, in byte order; a directory's contents are
 *     copied, never the directory itself; inside directories symbolic links are copied as
 *     links, never followed; other special files are refused;
 *   - the destination is resolved in the image so far as a session would see it (symbolic
 *     links of the layers below followed, inside the image), then written in the new layer
 *     only through directories opened there without following any link (RESOLVE_IN_ROOT |
 *     RESOLVE_NO_SYMLINKS); parent directories the layer lacks take owner, mode and time
 *     from the layers below, or are new (0755, the --chown owner, else root);
 *   - files take mode and time from the context, owner root:root or --chown's;
 *   - ADD unpacks a local tar archive (plain, gzip, bzip2, xz, zstd) at the destination, with
 *     the importer's rules (image/unpack.h).
 * What is read is hashed in the order it is copied: each entry's name, type, mode, owner and
 * size, then its data or link target. That digest is the content part of the build cache's
 * key, and names the source in the history ("COPY file:<hex> in /dest"). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/image_record.h"

struct image_error;
struct image_io;

struct copy_request {
	int context_fd;       /* the build context (O_PATH directory) */
	char *const *sources; /* as written, variables expanded; NULL-terminated */
	const char *dest;     /* absolute: WORKDIR applied */
	bool is_add;          /* unpack tar archives */
	bool chown;           /* owner from --chown, else root */
	uid_t uid;
	gid_t gid;
	int lower_fd; /* the merged image so far (image/unpack.h), or -1 */
	int layer_fd; /* the new layer's root (O_RDONLY); -1 to hash only */
	const struct image_io *io;
	void (*warn)(void *data, const char *text);
	void *warn_data;
};

/* Hash what @q would copy, or (q->layer_fd >= 0) copy it and hash what was copied. Gives the
 * digest, and what the sources are for the history: "file" (one file), "dir" (one directory)
 * or "multi". Returns 0 or -errno with @e: -ENOENT (a source that is not there), -EINVAL
 * (a source outside the context, a URL, a special file; several sources and a destination
 * without "/"), -ELOOP (a symbolic link in the way in the layer), -EINTR. */
int buildcopy(const struct copy_request *q, char ret_digest[IMAGE_DIGEST_LEN + 1],
	      const char **ret_kind, struct image_error *e);
