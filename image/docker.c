/* image/docker.c: see docker.h. Every name manifest.json gives is looked up among the
 * archive's members (bundle_resolve), never used as a path of its own. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "image/blob.h"
#include "image/bundle.h"
#include "image/digest.h"
#include "image/docker.h"
#include "image/error.h"
#include "image/jsondoc.h"
#include "image/mediatype.h"
#include "image/plan.h"

static int read_member(const struct bundle *b, const char *name, const char *what, char **ret,
		       size_t *ret_len, struct image_error *e)
{
	autoclose int fd = -1;
	char path[PATH_MAX];
	int r;

	r = bundle_resolve(b, name, what, path, e);
	if (r < 0)
		return r;
	fd = blob_open(b->dir_fd, path, UINT64_MAX, what, e);
	if (fd < 0)
		return fd;
	r = fs_read_small(fd, BLOB_SMALL_MAX, ret, ret_len);
	return r < 0 ? image_fail(e, r, "%s: cannot read '%s': %s", what, name, strerror(-r)) : 0;
}

static bool tag_matches(const char *tag, const char *ref)
{
	size_t t = strlen(tag), n = strlen(ref);
	const char *colon = strrchr(tag, ':');

	if (strcmp(tag, ref) == 0)
		return true;
	/* "docker.io/library/tiny:latest" is "tiny:latest"; a bare tag is "latest". */
	if (t > n && tag[t - n - 1] == '/' && strcmp(tag + t - n, ref) == 0)
		return true;
	return !strchr(ref, ':') && colon && strcmp(colon + 1, ref) == 0;
}

static const char *matching_tag(json_object *entry, const char *ref)
{
	json_object *tags = jsondoc_get(entry, "RepoTags", json_type_array);

	for (size_t i = 0; tags && i < json_object_array_length(tags); i++) {
		const char *tag = json_object_get_string(json_object_array_get_idx(tags, i));

		if (tag && tag_matches(tag, ref))
			return tag;
	}
	return NULL;
}

static const char *first_tag(json_object *entry)
{
	json_object *tags = jsondoc_get(entry, "RepoTags", json_type_array);

	return tags ? json_object_get_string(json_object_array_get_idx(tags, 0)) : NULL;
}

static int choose(json_object *list, const char *ref, json_object **ret, const char **ret_tag,
		  struct image_error *e)
{
	size_t n = json_object_array_length(list), found = 0;

	if (!ref && n != 1)
		return image_fail(e, -EEXIST, "manifest.json: %zu images: name one with SOURCE:TAG",
				  n);
	for (size_t i = 0; i < n; i++) {
		json_object *entry = json_object_array_get_idx(list, i);
		const char *tag = ref ? matching_tag(entry, ref) : first_tag(entry);

		if ((!ref || tag) && found++ == 0) {
			*ret = entry;
			*ret_tag = tag;
		}
	}
	if (found == 0)
		return image_fail(e, -ENOENT, "manifest.json: no image tagged '%s'", ref);
	if (found > 1)
		return image_fail(e, -EEXIST, "manifest.json: %zu images tagged '%s'", found, ref);
	return json_object_is_type(*ret, json_type_object)
		   ? 0
		   : image_fail(e, -EPROTO, "manifest.json: an entry is not a JSON object");
}

/* The config, checked against its name when the name is its digest ("<hex>.json"). */
static int read_config(const struct bundle *b, const char *name, struct import_plan *p,
		       struct image_error *e)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	char named[IMAGE_DIGEST_LEN + 8];
	int r;

	r = read_member(b, name, "manifest.json: Config", &p->config, &p->config_len, e);
	if (r < 0)
		return r;
	r = digest_buffer(p->config, p->config_len, p->config_desc.digest);
	if (r < 0)
		return image_fail(e, r, "cannot hash the config");
	p->config_desc.size = p->config_len;
	p->config_desc.media_type = strdup(MEDIA_OCI_CONFIG);
	if (!p->config_desc.media_type)
		return image_fail(e, -ENOMEM, "out of memory");
	snprintf(named, sizeof(named), "sha256:%.64s", base);
	if (strlen(base) == 69 && strcmp(base + 64, ".json") == 0 && image_digest_valid(named) &&
	    strncmp(named, p->config_desc.digest, IMAGE_DIGEST_LEN) != 0)
		return image_fail(e, -EPROTO, "config '%s': digest mismatch: it hashes to %s", name,
				  p->config_desc.digest);
	return 0;
}

static int add_layer(const struct bundle *b, const char *name, size_t i, struct import_plan *p,
		     struct image_error *e)
{
	struct plan_layer *l = plan_add_layer(p);
	unsigned char head[4] = {0};
	autoclose int fd = -1;
	struct stat st;
	char what[48];
	ssize_t n;

	snprintf(what, sizeof(what), "manifest.json: layer %zu", i + 1);
	if (!l)
		return image_fail(e, -ENOMEM, "out of memory");
	if (!name || bundle_resolve(b, name, what, l->src_path, e) < 0)
		return name ? -EPROTO : image_fail(e, -EPROTO, "%s is not a string", what);
	fd = blob_open(b->dir_fd, l->src_path, UINT64_MAX, what, e);
	if (fd < 0 || fstat(fd, &st) < 0)
		return fd < 0 ? fd : image_fail(e, -errno, "%s: cannot stat it", what);
	n = pread(fd, head, sizeof(head), 0);
	l->compression = media_sniff(head, n < 0 ? 0 : (unsigned long)n);
	l->blob.size = (uint64_t)st.st_size;
	l->blob.media_type = strdup(media_layer_type(l->compression));
	return l->blob.media_type ? 0 : image_fail(e, -ENOMEM, "out of memory");
}

static int plan_entry(const struct bundle *b, json_object *entry, struct import_plan *p,
		      struct image_error *e)
{
	json_object *layers = jsondoc_get(entry, "Layers", json_type_array);
	const char *config = jsondoc_string(entry, "Config");
	int r;

	if (!config || !layers)
		return image_fail(e, -EPROTO, "manifest.json: an image without Config or Layers");
	r = read_config(b, config, p, e);
	for (size_t i = 0; r >= 0 && i < json_object_array_length(layers); i++)
		r = add_layer(b, json_object_get_string(json_object_array_get_idx(layers, i)), i, p,
			      e);
	return r;
}

int docker_plan(const struct bundle *b, const char *ref, struct import_plan *p,
		struct image_error *e)
{
	autofree char *text = NULL;
	json_object *list = NULL, *entry = NULL;
	const char *tag = NULL;
	size_t len = 0;
	int r;

	r = read_member(b, "manifest.json", "manifest.json", &text, &len, e);
	if (r == -ENOENT)
		return image_fail(e, r,
				  "neither an OCI archive (no oci-layout) nor a Docker "
				  "archive (no manifest.json)");
	if (r >= 0)
		r = jsondoc_parse(text, len, "manifest.json", &list, e);
	if (r >= 0 && !json_object_is_type(list, json_type_array))
		r = image_fail(e, -EPROTO, "manifest.json: not a JSON array");
	if (r >= 0)
		r = choose(list, ref, &entry, &tag, e);
	if (r >= 0)
		r = plan_entry(b, entry, p, e);
	if (r >= 0) {
		p->src_fd = b->dir_fd;
		p->src_is_staging = true;
		snprintf(p->source_type, sizeof(p->source_type), "docker-archive");
		snprintf(p->ref, sizeof(p->ref), "%s", tag ? tag : "");
	}
	json_object_put(list);
	return r;
}

static json_object *descriptor(const struct image_descriptor *d)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "mediaType", json_object_new_string(d->media_type));
	json_object_object_add(o, "digest", json_object_new_string(d->digest));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)d->size));
	return o;
}

int docker_make_manifest(struct import_plan *p, struct image_error *e)
{
	json_object *m = json_object_new_object(), *layers = json_object_new_array();
	const char *text;
	int r = 0;

	json_object_object_add(m, "schemaVersion", json_object_new_int(2));
	json_object_object_add(m, "mediaType", json_object_new_string(MEDIA_OCI_MANIFEST));
	json_object_object_add(m, "config", descriptor(&p->config_desc));
	for (size_t i = 0; i < p->n_layers; i++)
		json_object_array_add(layers, descriptor(&p->layers[i].blob));
	json_object_object_add(m, "layers", layers);
	text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	p->manifest = text ? strdup(text) : NULL;
	p->manifest_desc.media_type = strdup(MEDIA_OCI_MANIFEST);
	json_object_put(m);
	if (!p->manifest || !p->manifest_desc.media_type)
		return image_fail(e, -ENOMEM, "out of memory");
	p->manifest_len = strlen(p->manifest);
	p->manifest_desc.size = p->manifest_len;
	r = digest_buffer(p->manifest, p->manifest_len, p->manifest_desc.digest);
	return r < 0 ? image_fail(e, r, "cannot hash the manifest") : 0;
}
