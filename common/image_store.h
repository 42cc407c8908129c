/* common/image_store.h: the images in carrel's store (see store.h), below /var/lib/carrel:
 *
 *   images.lock                  flock(LOCK_EX) held by whoever adds or removes images, layers
 *                                or blobs: imports, builds, "image rm", gc
 *   blobs/sha256/<hex>           every blob as imported (manifests, configs, layer tarballs),
 *                                verified: an export gives back the same bytes and digests
 *   layers/<chain hex>/root/     one layer unpacked in overlayfs form: a whiteout is a 0:0
 *                                character device, an opaque directory has the xattr
 *                                trusted.overlay.opaque=y
 *   layers/<chain hex>/layer.json  {"chainId", "diffId", "parent", "unpackedSize"}
 *   images/<name>/image.json     the image's record (common/image_record.h); every session on
 *                                the image holds it locked (LOCK_SH) while it runs
 *   images/<name>/config.json    the image's config blob
 *   tmp/<entry>                  staging: belongs to the holder of images.lock; whatever is
 *                                there when the lock is free is left over from a crash
 *   build-cache/<key hex>        what each step of a build made (common/build_cache.h)
 *
 * A layer's directory is named by its chain id (OCI image spec: the bottom layer's is its
 * diff_id, every other one sha256("<parent chain id> <diff_id>")), not by its diff_id alone:
 * in overlay form a layer depends on the layers below it (a directory its tar leaves implicit
 * takes its owner and mode from them), so two images share a layer when they share every
 * layer below it too.
 *
 * Nothing appears half-made: an entry is built under tmp/ and renamed into place when
 * complete (an image after every layer and blob it names); removal renames out to tmp/ first.
 * Directories are root-owned and 0700 (the store itself is checked by store_open()).
 *
 * Errors callers may see: -ENOENT (no such image), -EBUSY (locked), -EPROTO (a corrupt
 * record), -EPERM (a layer directory with the wrong owner or mode), -EINVAL (a bad name). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "common/image_record.h"

#define IMAGE_STORE_LOCK "images.lock"
#define IMAGE_RECORD_FILE "image.json"
#define IMAGE_CONFIG_FILE "config.json"
#define LAYER_RECORD_FILE "layer.json"
#define LAYER_ROOT_DIR "root"

/* Make blobs/sha256, layers, images and tmp below the store open at @store_fd where missing.
 * Returns 0 or -errno. */
int image_store_prepare(int store_fd);

/* Take images.lock: waiting for it with @wait, else -EBUSY when someone holds it. Returns the
 * lock fd (close it to release) or -errno. */
int image_store_lock(int store_fd, bool wait);

/* Open one of the store's own directories ("images", "layers", "blobs/sha256", "tmp") as an
 * O_RDONLY directory fd, never through a symlink. -ENOENT when there is none yet. */
int image_store_subdir(int store_fd, const char *name);

/* Open images/<name> (O_RDONLY directory). -ENOENT when there is no such image. */
int image_dir_open(int store_fd, const char *name);

/* Load images/<name>'s record. Returns 0 or -errno (-ENOENT, -EPROTO). */
int image_load(int store_fd, const char *name, struct image_record **ret);

/* Load Env and WorkingDir from the config of the image open at @image_dir_fd. */
int image_load_exec(int image_dir_fd, struct image_exec *ret);

/* The name of the image whose id (config digest) or manifest digest is @digest, into @ret:
 * the first by name when several have it (the same config means the same layers, so any of
 * them makes the same root). Returns 0, -ENOENT or -EINVAL (not a digest). */
int image_find_digest(int store_fd, const char *digest, char ret[IMAGE_NAME_MAX + 1]);

/* The names of every image, sorted. Returns the count or -errno; *@ret is NULL-terminated,
 * free it with image_names_free(). No images (or no store) is 0. */
int image_list(int store_fd, char ***ret);
void image_names_free(char **names);

/* Lock the record of image @name: LOCK_SH for a session using it (keep the fd for as long as
 * the session runs), LOCK_EX to remove it. Never waits. Returns the lock fd or -errno:
 * -EBUSY when the other kind is held, -ENOENT when there is no such image (also when it was
 * removed while we opened it). */
int image_hold(int store_fd, const char *name, bool exclusive);

/* Open a layer's root directory, layers/<chain hex>/root, as an O_PATH fd, refusing a layer
 * directory that is not root's or that group or others may write. */
int image_layer_open(int store_fd, const char *chain_id);

/* Told of each thing removed, or not: @what is "layer", "blob", "cache" (image_store_reclaim())
 * or "staging" (image_store_clean_tmp(), @digest is then the tmp/ entry's name). */
typedef void (*image_reclaimed_fn)(const char *what, const char *digest, int result, void *data);

/* Remove every layer and blob no image names, and the build cache entries of layers that are
 * gone. The caller holds images.lock. Returns the number removed or -errno. */
int image_store_reclaim(int store_fd, image_reclaimed_fn told, void *data);

/* Remove the entries of tmp/ last changed more than @min_age seconds ago. The caller holds
 * images.lock. Returns the number removed or -errno. */
int image_store_clean_tmp(int store_fd, time_t min_age, image_reclaimed_fn told, void *data);

/* Move @name from the directory @dir_fd into tmp/ and remove it there: it disappears at once
 * and whole, whatever then interrupts the removal. The caller holds images.lock. */
int image_store_discard(int store_fd, int dir_fd, const char *name);
