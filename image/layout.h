/* image/layout.h: reading an OCI image layout (oci-layout, index.json, blobs/sha256/). */
#pragma once

struct image_error;
struct import_plan;
struct platform;

/* Plan the import of one image from the layout open at @layout_fd: the manifest tagged @ref
 * (org.opencontainers.image.ref.name), or the only one when @ref is NULL; through an image
 * index, the one for platform @want. The manifest and config are read and verified (size,
 * digest), their media types and the layers' checked; the layer blobs are not read yet.
 * Fills @p (src_fd is @layout_fd). Returns 0 or -errno with @e saying why. */
int layout_plan(int layout_fd, const char *ref, const struct platform *want, struct import_plan *p,
		struct image_error *e);
