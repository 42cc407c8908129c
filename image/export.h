/* image/export.h: "carrel image export": a stored image as an OCI image layout, with the
 * blobs exactly as they were imported (same digests), which skopeo can copy to a registry
 * ("skopeo copy oci:DIR:TAG docker://..."). */
#pragma once

struct image_error;
struct image_io;

/* Write image @name as an OCI layout into @dir (made if missing; it must be empty), its
 * manifest tagged @tag. Holds the image (as a session does) so that it cannot be removed
 * meanwhile. Returns 0 or -errno with @e. */
int image_export(const char *name, const char *dir, const char *tag, const struct image_io *io,
		 struct image_error *e);
