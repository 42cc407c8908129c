/* common/build_cache.h: the build cache of the image store (common/image_store.h), the only
 * code that knows its format: build-cache/<key hex>, one JSON file per step a build made:
 *
 *   {"key": "sha256:...", "created": "<RFC 3339>", "parentChainId": "sha256:..." or "",
 *    "layer": null, or {"mediaType", "digest", "size", "diffId", "chainId", "unpackedSize"}}
 *
 * The key is a digest of what the step's result depends on (image/build.c says what); the
 * entry is what the step made: its time (so that a step taken from the cache gives the same
 * image id again) and its layer, if it made one. An entry is only a hint: the layer it names
 * is used only while the store has it, and "carrel gc" or an image removal removes entries
 * whose layer, or whose parent layers, the store no longer keeps.
 *
 * Errors callers may see: -ENOENT (no such entry), -EPROTO (a malformed entry), -ENOMEM. */
#pragma once

#include <stdbool.h>

#include "common/image_record.h"

#define BUILD_CACHE_DIR "build-cache"

struct build_cache_entry {
	char created[40];
	char parent_chain[IMAGE_DIGEST_LEN + 1]; /* the chain id below the step, or "" */
	bool has_layer;
	struct image_layer layer; /* blob.media_type is owned: build_cache_entry_free() */
};

/* Read the entry of @key (a digest). Returns 0, -ENOENT or -EPROTO. */
int build_cache_get(int store_fd, const char *key, struct build_cache_entry *ret);

/* Write (or replace) the entry of @key. The caller holds images.lock. Returns 0 or -errno. */
int build_cache_put(int store_fd, const char *key, const struct build_cache_entry *entry);

void build_cache_entry_free(struct build_cache_entry *entry);

/* Remove the entries whose layer or parent chain @keep (given a chain id's hex) says the
 * store no longer has, and malformed ones; tell @told ("cache", the key) of each. The caller
 * holds images.lock. Returns the number removed or -errno. */
int build_cache_reclaim(int store_fd, bool (*keep)(const char *chain_hex, void *data),
			void *keep_data,
			void (*told)(const char *what, const char *digest, int result, void *data),
			void *told_data);
