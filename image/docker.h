/* image/docker.h: reading a docker-archive ("docker save": manifest.json, the config as
 * <id>.json, one tar per layer), unpacked as a bundle (bundle.h). */
#pragma once

struct bundle;
struct image_error;
struct import_plan;

/* Plan the import of the image tagged @ref (a RepoTags entry, or just its tag), or of the
 * only one when @ref is NULL. The config is read (and checked against its name when that is
 * a digest); layers are found but not read. Fills @p. Returns 0 or -errno with @e. */
int docker_plan(const struct bundle *b, const char *ref, struct import_plan *p,
		struct image_error *e);

/* Once every layer blob is hashed: the OCI manifest that describes the image, in
 * p->manifest and p->manifest_desc. Returns 0 or -ENOMEM. */
int docker_make_manifest(struct import_plan *p, struct image_error *e);
