/* common/image_record.h: the only code that knows the format of an image's record in the
 * store, images/<name>/image.json (see image_store.h), and what a session takes from the
 * image's config (Env, WorkingDir).
 *
 * image.json (JSON, written by carrel only):
 *   {"schemaVersion": 1, "name": "lab", "id": "sha256:<config digest>",
 *    "manifest": DESCRIPTOR, "config": DESCRIPTOR,
 *    "layers": [{DESCRIPTOR of the blob, "diffId": ..., "chainId": ..., "unpackedSize": N}],
 *    "platform": "linux/amd64", "created": "<the config's>", "imported": "<RFC 3339>",
 *    "source": {"type": "oci-layout", "path": "...", "ref": "latest"},
 *    "stepIds": ["", "sha256:...", ...]}
 * "stepIds" only for a built image: one per history entry of its config, the id the image had
 * after that step when it was built here, "" for the steps it took from its base.
 * where DESCRIPTOR is {"mediaType": ..., "digest": "sha256:<64 hex>", "size": N}. Layers are
 * listed bottom first, as in the manifest.
 *
 * Errors callers may see: -ENOMEM, -EPROTO (a malformed record or config). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMAGE_DIGEST_LEN 71 /* "sha256:" and 64 lowercase hex digits */
#define IMAGE_NAME_MAX 64
#define IMAGE_RECORD_MAX (16 * 1024 * 1024) /* also the largest config an import takes */

struct image_descriptor {
	char digest[IMAGE_DIGEST_LEN + 1];
	char *media_type;
	uint64_t size;
};

struct image_layer {
	struct image_descriptor blob; /* the layer as imported (tar, tar+gzip, tar+zstd) */
	char diff_id[IMAGE_DIGEST_LEN + 1];
	char chain_id[IMAGE_DIGEST_LEN + 1]; /* names its directory in layers/ */
	uint64_t unpacked_size;              /* bytes of file data in the layer */
};

struct image_record {
	char name[IMAGE_NAME_MAX + 1];
	struct image_descriptor manifest;
	struct image_descriptor config; /* its digest is the image's id */
	struct image_layer *layers;     /* bottom first */
	size_t n_layers;
	char *platform;    /* "os/arch[/variant]" from the config */
	char *created;     /* the config's "created", or "" */
	char *imported;    /* when it was imported, RFC 3339 UTC */
	char *source_type; /* "oci-layout", "oci-archive", "docker-archive", "build" */
	char *source_path; /* what was imported, as given; the context of a build */
	char *source_ref;  /* the tag chosen, or ""; the Dockerfile of a build */
	char **step_ids;   /* a built image's: digest or "" per history entry */
	size_t n_step_ids;
};

/* What a session takes from the image's config. */
struct image_exec {
	char **env; /* "KEY=VALUE", NULL-terminated; never NULL once loaded */
	size_t n_env;
	char *workdir; /* absolute, or "" when the config sets none */
};

/* Is @name fit to be an image name: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}? (one path component,
 * never "." or "..") */
bool image_name_valid(const char *name);

/* Is @digest "sha256:" and 64 lowercase hex digits? Only then may it become a path. */
bool image_digest_valid(const char *digest);

/* The first 12 hex digits of @digest, the short form of an id. */
const char *image_digest_short(const char *digest, char buf[13]);

/* Copy @digest (may be NULL) into @dst when image_digest_valid(). Returns 0 or -EPROTO. */
int image_digest_copy(char dst[IMAGE_DIGEST_LEN + 1], const char *digest);

/* A layer as image.json and the build cache keep it, a JSON object: mediaType, digest, size,
 * diffId, chainId, unpackedSize. _from_json checks every digest and allocates the media type
 * (the caller frees it, after a failure too). Returns 0, -EPROTO or -ENOMEM. */
struct json_object;
struct json_object *image_layer_to_json(const struct image_layer *l);
int image_layer_from_json(struct json_object *o, struct image_layer *l);

/* Serialise / parse a record. Parsing checks every digest and name (they become paths) and
 * returns -EPROTO for anything malformed. */
int image_record_format(const struct image_record *r, char **ret);
int image_record_parse(const char *text, size_t len, struct image_record **ret);

/* Append a layer (strings copied) to @r. Returns 0 or -ENOMEM. */
int image_record_add_layer(struct image_record *r, const struct image_layer *l);

/* Append a step id (a digest, or "" for none) to @r. Returns 0 or -ENOMEM. */
int image_record_add_step_id(struct image_record *r, const char *id);

/* Set a string field of @r to a copy of @value (NULL: ""). Returns 0 or -ENOMEM. */
int image_record_set(char **field, const char *value);

void image_record_free(struct image_record *r);

static inline void image_record_freep(struct image_record **r)
{
	image_record_free(*r);
}

/* Parse Env and WorkingDir out of an image config (JSON text). A config without them gives
 * an empty list and "". Returns 0 or -EPROTO / -ENOMEM. */
int image_exec_parse(const char *config, size_t len, struct image_exec *ret);

void image_exec_free(struct image_exec *x);
