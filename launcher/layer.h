/* launcher/layer.h: where the session's writable layer lives. */
#pragma once

struct launch_ctx;

/* Make (or, for a persistent layer, find) the directory the overlay's upper and work
 * directories go in, and return an fd for it or -errno (the report says why):
 *   rootfs = "tmpfs":      a tmpfs of rootfs_size on the session's staging directory
 *   rootfs = "disk":       /var/lib/carrel/sessions/<id>/layer, removed with the session
 *   rootfs = "persistent": /var/lib/carrel/users/<user>/<image>, kept; its lock is taken
 *                          for the session's life (-EBUSY: another session uses it)
 * Sets c->layer_path (for the record) and c->layer_lock_fd. */
int layer_open(struct launch_ctx *c);

/* Make <name>/upper and <name>/work below @layer_fd (existing ones are fine: a persistent
 * layer has them from earlier sessions). Returns 0 or -errno. */
int layer_make_dirs(int layer_fd, const char *name);
