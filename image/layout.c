/* image/layout.c: see layout.h.
 *
 * Every document is read from blobs/sha256/<digest> after its digest was validated, checked
 * against its descriptor's size and digest, and only then parsed; every descriptor that
 * leads on (index to manifest, manifest to config and layers) is validated the same way
 * before it is followed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "image/blob.h"
#include "image/error.h"
#include "image/jsondoc.h"
#include "image/layout.h"
#include "image/mediatype.h"
#include "image/plan.h"
#include "image/platform.h"

#define REF_ANNOTATION "org.opencontainers.image.ref.name"
#define MAX_INDEX_DEPTH 2

/* A small file of the layout itself (oci-layout, index.json), parsed. */
static int read_document(int layout_fd, const char *name, json_object **ret, struct image_error *e)
{
	autoclose int fd = -1;
	autofree char *text = NULL;
	size_t len = 0;
	int r;

	fd = blob_open(layout_fd, name, UINT64_MAX, name, e);
	if (fd == -ENOENT)
		return image_fail(e, -ENOENT, "not an OCI image layout: '%s' is missing", name);
	if (fd < 0)
		return fd;
	r = fs_read_small(fd, BLOB_SMALL_MAX, &text, &len);
	if (r < 0)
		return image_fail(e, r, "%s: cannot read it: %s", name, strerror(-r));
	r = jsondoc_parse(text, len, name, ret, e);
	if (r >= 0 && !json_object_is_type(*ret, json_type_object)) {
		json_object_put(*ret);
		r = image_fail(e, -EPROTO, "%s: not a JSON object", name);
	}
	return r;
}

static int check_version(int layout_fd, struct image_error *e)
{
	json_object *o = NULL;
	const char *version;
	int r;

	r = read_document(layout_fd, "oci-layout", &o, e);
	if (r < 0)
		return r;
	version = jsondoc_string(o, "imageLayoutVersion");
	if (!version || strcmp(version, "1.0.0") != 0)
		r = image_fail(e, -EPROTO,
			       "oci-layout: unsupported imageLayoutVersion '%.40s' "
			       "(expected 1.0.0)",
			       version ? version : "(none)");
	json_object_put(o);
	return r;
}

static int parse_descriptor(json_object *o, const char *what, struct image_descriptor *d,
			    struct image_error *e)
{
	const char *type = jsondoc_string(o, "mediaType"), *digest = jsondoc_string(o, "digest");
	char path[80];
	int r;

	if (!json_object_is_type(o, json_type_object))
		return image_fail(e, -EPROTO, "%s: the descriptor is not a JSON object", what);
	r = blob_layout_path(digest, what, path, e);
	if (r < 0)
		return r;
	if (!type || jsondoc_size(o, "size", &d->size) < 0)
		return image_fail(e, -EPROTO, "%s: the descriptor has no mediaType or size", what);
	memcpy(d->digest, digest, sizeof(d->digest));
	free(d->media_type);
	d->media_type = strdup(type);
	return d->media_type ? 0 : image_fail(e, -ENOMEM, "out of memory");
}

static const char *ref_of(json_object *desc)
{
	return jsondoc_string(jsondoc_get(desc, "annotations", json_type_object), REF_ANNOTATION);
}

static bool desc_matches(json_object *desc, const struct platform *want)
{
	json_object *p = jsondoc_get(desc, "platform", json_type_object);

	return p &&
	       platform_matches(want, jsondoc_string(p, "os"), jsondoc_string(p, "architecture"),
				jsondoc_string(p, "variant"));
}

/* The entries of @manifests with @ref (any when NULL), one per digest. */
static size_t filter(json_object *manifests, const char *ref, json_object **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < json_object_array_length(manifests) && n < max; i++) {
		json_object *d = json_object_array_get_idx(manifests, i);
		const char *digest = jsondoc_string(d, "digest"), *r = ref_of(d);
		bool seen = false;

		if (ref && (!r || strcmp(r, ref) != 0))
			continue;
		for (size_t j = 0; j < n && digest && !seen; j++)
			seen = strcmp(digest, jsondoc_string(out[j], "digest") ?: "") == 0;
		if (!seen)
			out[n++] = d;
	}
	return n;
}

static void list_refs(json_object *manifests, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(manifests) && used < size; i++) {
		const char *r = ref_of(json_object_array_get_idx(manifests, i));

		if (r)
			used += (size_t)snprintf(buf + used, size - used, "%s'%.40s'",
						 used ? ", " : "", r);
	}
	if (!buf[0])
		snprintf(buf, size, "none");
}

/* Several images: the one for @want. */
static int by_platform(json_object **cands, size_t n, const struct platform *want,
		       const char *where, json_object **ret, struct image_error *e)
{
	json_object *found = NULL;
	size_t matches = 0;
	char text[100];

	for (size_t i = 0; i < n; i++)
		if (desc_matches(cands[i], want) && matches++ == 0)
			found = cands[i];
	platform_format(want, text, sizeof(text));
	if (matches == 0)
		return image_fail(e, -ENOENT,
				  "%s: %zu images, none for platform %s (see --platform)", where, n,
				  text);
	if (matches > 1)
		return image_fail(e, -EEXIST,
				  "%s: %zu images for platform %s: name one with SOURCE:TAG", where,
				  matches, text);
	*ret = found;
	return 0;
}

static int choose(json_object *index, const char *ref, const struct platform *want,
		  const char *where, json_object **ret, struct image_error *e)
{
	json_object *manifests = jsondoc_get(index, "manifests", json_type_array);
	json_object *cands[64];
	char refs[200];
	size_t n;

	if (!manifests)
		return image_fail(e, -EPROTO, "%s: no \"manifests\" list", where);
	n = filter(manifests, ref, cands, ARRAY_SIZE(cands));
	if (n == 0 && ref) {
		list_refs(manifests, refs, sizeof(refs));
		return image_fail(e, -ENOENT, "%s: no image tagged '%s' (tags: %s)", where, ref,
				  refs);
	}
	if (n == 0)
		return image_fail(e, -ENOENT, "%s: the index lists no image", where);
	if (n == 1) {
		*ret = cands[0];
		return 0;
	}
	return by_platform(cands, n, want, where, ret, e);
}

/* From index.json down to one manifest descriptor: through nested indexes, by platform. */
static int resolve(int layout_fd, json_object *index, const char *ref, const struct platform *want,
		   struct image_descriptor *ret, struct image_error *e)
{
	json_object *doc = json_object_get(index), *chosen = NULL;
	const char *where = "index.json";
	char what[100];
	int r = 0;

	for (int depth = 0; r >= 0; depth++) {
		enum media_kind kind;
		autofree char *text = NULL;
		size_t len = 0;

		r = choose(doc, depth == 0 ? ref : NULL, want, where, &chosen, e);
		if (r >= 0)
			r = parse_descriptor(chosen, where, ret, e);
		if (r < 0)
			break;
		kind = media_kind(ret->media_type, NULL);
		if (kind == MEDIA_MANIFEST)
			break;
		if (kind != MEDIA_INDEX || depth == MAX_INDEX_DEPTH) {
			r = image_fail(e, -EPROTO, "%s: unsupported manifest media type '%.100s'",
				       where, ret->media_type);
			break;
		}
		snprintf(what, sizeof(what), "index %.19s", ret->digest);
		where = what;
		r = blob_read(layout_fd, ret, what, &text, &len, e);
		json_object_put(doc);
		doc = NULL;
		if (r >= 0)
			r = jsondoc_parse(text, len, what, &doc, e);
	}
	json_object_put(doc);
	return r;
}

static int add_layer(struct import_plan *p, json_object *o, size_t i, struct image_error *e)
{
	struct plan_layer *l = plan_add_layer(p);
	enum media_kind kind;
	char what[32];

	snprintf(what, sizeof(what), "layer %zu", i + 1);
	if (!l)
		return image_fail(e, -ENOMEM, "out of memory");
	if (jsondoc_get(o, "urls", json_type_array))
		return image_fail(e, -EPROTO,
				  "%s: a foreign layer with URLs: carrel never fetches layers "
				  "named by URL",
				  what);
	if (parse_descriptor(o, what, &l->blob, e) < 0)
		return -EPROTO;
	kind = media_kind(l->blob.media_type, &l->compression);
	if (kind == MEDIA_FOREIGN_LAYER)
		return image_fail(e, -EPROTO,
				  "%s: non-distributable layer type '%.100s' is refused", what,
				  l->blob.media_type);
	if (kind != MEDIA_LAYER)
		return image_fail(e, -EPROTO, "%s: unsupported layer media type '%.100s'", what,
				  l->blob.media_type);
	l->digest_known = true;
	snprintf(l->src_path, sizeof(l->src_path), "blobs/sha256/%s", l->blob.digest + 7);
	return 0;
}

static int parse_manifest(struct import_plan *p, json_object *m, const char *what,
			  struct image_error *e)
{
	json_object *config = jsondoc_get(m, "config", json_type_object);
	json_object *layers = jsondoc_get(m, "layers", json_type_array);
	json_object *version = jsondoc_get(m, "schemaVersion", json_type_int);
	const char *type = jsondoc_string(m, "mediaType");

	if (!version || json_object_get_int(version) != 2)
		return image_fail(e, -EPROTO, "%s: schemaVersion is not 2", what);
	if (type && strcmp(type, p->manifest_desc.media_type) != 0)
		return image_fail(e, -EPROTO, "%s: its mediaType '%.100s' is not the descriptor's",
				  what, type);
	if (!config || !layers)
		return image_fail(e, -EPROTO, "%s: no config or layers", what);
	if (parse_descriptor(config, "config", &p->config_desc, e) < 0)
		return -EPROTO;
	if (media_kind(p->config_desc.media_type, NULL) != MEDIA_CONFIG)
		return image_fail(e, -EPROTO, "config: unsupported media type '%.100s'",
				  p->config_desc.media_type);
	for (size_t i = 0; i < json_object_array_length(layers); i++)
		if (add_layer(p, json_object_array_get_idx(layers, i), i, e) < 0)
			return -EPROTO;
	return 0;
}

static int read_manifest(int layout_fd, struct import_plan *p, struct image_error *e)
{
	json_object *m = NULL;
	char what[100];
	int r;

	snprintf(what, sizeof(what), "manifest %s", p->manifest_desc.digest);
	r = blob_read(layout_fd, &p->manifest_desc, what, &p->manifest, &p->manifest_len, e);
	if (r >= 0)
		r = jsondoc_parse(p->manifest, p->manifest_len, what, &m, e);
	if (r >= 0)
		r = parse_manifest(p, m, what, e);
	json_object_put(m);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "config %s", p->config_desc.digest);
	return blob_read(layout_fd, &p->config_desc, what, &p->config, &p->config_len, e);
}

int layout_plan(int layout_fd, const char *ref, const struct platform *want, struct import_plan *p,
		struct image_error *e)
{
	json_object *index = NULL;
	int r;

	r = check_version(layout_fd, e);
	if (r >= 0)
		r = read_document(layout_fd, "index.json", &index, e);
	if (r >= 0)
		r = resolve(layout_fd, index, ref, want, &p->manifest_desc, e);
	json_object_put(index);
	if (r < 0)
		return r;
	p->src_fd = layout_fd;
	snprintf(p->ref, sizeof(p->ref), "%s", ref ? ref : "");
	return read_manifest(layout_fd, p, e);
}
