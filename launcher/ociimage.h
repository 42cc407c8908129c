/* launcher/ociimage.h: a session's image of type "oci": the stored image the config names,
 * found, locked and read before the session's init is started. */
#pragma once

#include <stddef.h>

struct launch_ctx;

/* For an image of type "oci": find it in the store (by name, or by the digest of its config
 * or manifest), lock its record shared (c->image_lock_fd, which init keeps for the session's
 * life so that the image cannot be removed under it) and load its record and its config's
 * Env and WorkingDir (c->oci_image, c->oci_exec). Nothing for other types. Returns 0 or
 * -errno with @why (of @why_size) saying what is wrong in words for the login's log. */
int ociimage_resolve(struct launch_ctx *c, char *why, size_t why_size);

/* Open the layers of c->oci_image, top first, into @ret_fds (O_PATH, each checked: a
 * root-owned layer directory of the store), and write their store paths, ':'-separated, into
 * @lower (of @size). Returns the number of layers or -errno. */
int ociimage_open_layers(const struct launch_ctx *c, int *ret_fds, char *lower, size_t size);
