/* common/store.h: carrel's store on disk, /var/lib/carrel (root, 0700):
 *
 *   sessions/<id>/layer/...          rootfs = "disk": the writable layer, removed with the session
 *   sessions/<id>/volumes/<n>/_data  anonymous volumes, removed with the session
 *   users/<user>/<image>/...         rootfs = "persistent": the writable layer, kept, with a
 *                                    "lock" its session holds (flock) while it runs
 *   volumes/<user>/<name>/_data      named volumes, kept, owned by the user
 *   images.lock, blobs/, layers/,    the image store: see common/image_store.h
 *   images/, tmp/
 *
 * Only sessions/ is ever removed without being asked to; users/ and volumes/ only by
 * "carrel reset" and "carrel volume rm", and never while a session uses them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define STORE_DIR "/var/lib/carrel"
#define STORE_LOCK "lock"

/* Open /var/lib/carrel (making it, root 0700, with @create), refusing one that is not a
 * root-owned directory closed to group and others. Returns an O_PATH fd or -errno. */
int store_open(bool create);

/* Open (making any missing part with @mode, root-owned) the directory @path below the store
 * open at @store_fd, never through a symlink. Returns an O_PATH directory fd or -errno. */
int store_dir(int store_fd, const char *path, mode_t mode);

/* Take the lock of the persistent layer open at @layer_fd, without waiting. Returns the lock
 * fd (hold it for as long as the layer is in use) or -errno: -EBUSY when a session holds it. */
int store_lock_layer(int layer_fd);

/* Remove @name below the directory @dir_fd and everything in it: never following a symlink,
 * never crossing into another filesystem (a mount point is left, and so is its parent).
 * Returns 0 (also when it does not exist) or -errno. */
int store_remove_tree(int dir_fd, const char *name);

/* The directory name, below a layer directory, of the upper/work pair for the host
 * filesystem mounted at @mount_point ("" for "/"): "/var/lib" becomes "mnt%2Fvar%2Flib".
 * Stable across sessions, so a persistent layer finds its parts again. */
void store_layer_name(const char *mount_point, char *buf, size_t size);
