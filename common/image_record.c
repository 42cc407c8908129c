/* common/image_record.c: see image_record.h. */
#include <errno.h>
#include <stdint.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/image_record.h"

#define RECORD_SCHEMA 1

bool image_name_valid(const char *name)
{
	size_t n = 0;

	if (!name || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
		       (name[0] >= '0' && name[0] <= '9')))
		return false;
	for (; name[n]; n++) {
		char ch = name[n];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-'))
			return false;
	}
	return n <= IMAGE_NAME_MAX;
}

bool image_digest_valid(const char *digest)
{
	size_t i;

	if (!digest || strncmp(digest, "sha256:", 7) != 0)
		return false;
	for (i = 7; digest[i]; i++)
		if (!((digest[i] >= '0' && digest[i] <= '9') ||
		      (digest[i] >= 'a' && digest[i] <= 'f')))
			return false;
	return i == IMAGE_DIGEST_LEN;
}

const char *image_digest_short(const char *digest, char buf[13])
{
	const char *hex = strchr(digest, ':');

	snprintf(buf, 13, "%s", hex ? hex + 1 : digest);
	return buf;
}

/* ---- writing ---- */

static json_object *descriptor_json(const struct image_descriptor *d)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "mediaType",
			       json_object_new_string(d->media_type ? d->media_type : ""));
	json_object_object_add(o, "digest", json_object_new_string(d->digest));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)d->size));
	return o;
}

json_object *image_layer_to_json(const struct image_layer *l)
{
	json_object *o = descriptor_json(&l->blob);

	json_object_object_add(o, "diffId", json_object_new_string(l->diff_id));
	json_object_object_add(o, "chainId", json_object_new_string(l->chain_id));
	json_object_object_add(o, "unpackedSize", json_object_new_int64((int64_t)l->unpacked_size));
	return o;
}

static json_object *layers_json(const struct image_record *r)
{
	json_object *array = json_object_new_array();

	for (size_t i = 0; i < r->n_layers; i++)
		json_object_array_add(array, image_layer_to_json(&r->layers[i]));
	return array;
}

static json_object *str(const char *s)
{
	return json_object_new_string(s ? s : "");
}

int image_record_format(const struct image_record *r, char **ret)
{
	json_object *o = json_object_new_object(), *source = json_object_new_object();
	const char *text;
	char *copy;

	json_object_object_add(o, "schemaVersion", json_object_new_int(RECORD_SCHEMA));
	json_object_object_add(o, "name", str(r->name));
	json_object_object_add(o, "id", str(r->config.digest));
	json_object_object_add(o, "manifest", descriptor_json(&r->manifest));
	json_object_object_add(o, "config", descriptor_json(&r->config));
	json_object_object_add(o, "layers", layers_json(r));
	json_object_object_add(o, "platform", str(r->platform));
	json_object_object_add(o, "created", str(r->created));
	json_object_object_add(o, "imported", str(r->imported));
	json_object_object_add(source, "type", str(r->source_type));
	json_object_object_add(source, "path", str(r->source_path));
	json_object_object_add(source, "ref", str(r->source_ref));
	json_object_object_add(o, "source", source);
	if (r->n_step_ids) {
		json_object *ids = json_object_new_array();

		for (size_t i = 0; i < r->n_step_ids; i++)
			json_object_array_add(ids, json_object_new_string(r->step_ids[i]));
		json_object_object_add(o, "stepIds", ids);
	}
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	copy = text ? strdup(text) : NULL;
	json_object_put(o);
	if (!copy)
		return -ENOMEM;
	*ret = copy;
	return 0;
}

/* ---- reading ---- */

static json_object *parse_json(const char *text, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *o;
	size_t end;

	if (!tok || len > INT32_MAX) {
		json_tokener_free(tok);
		return NULL;
	}
	o = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	/* The whole text, and nothing after the value but white space. */
	if (o && (json_tokener_get_error(tok) != json_tokener_success ||
		  strspn(text + end, " \t\r\n") != len - end)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static const char *get_string(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int get_size(json_object *o, const char *key, uint64_t *ret)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -EPROTO;
	n = json_object_get_int64(v);
	if (n < 0)
		return -EPROTO;
	*ret = (uint64_t)n;
	return 0;
}

int image_digest_copy(char dst[IMAGE_DIGEST_LEN + 1], const char *digest)
{
	if (!image_digest_valid(digest))
		return -EPROTO;
	memcpy(dst, digest, IMAGE_DIGEST_LEN + 1);
	return 0;
}

static int parse_descriptor(json_object *o, struct image_descriptor *d)
{
	const char *type = get_string(o, "mediaType");

	if (!type || image_digest_copy(d->digest, get_string(o, "digest")) < 0 ||
	    get_size(o, "size", &d->size) < 0)
		return -EPROTO;
	d->media_type = strdup(type);
	return d->media_type ? 0 : -ENOMEM;
}

int image_layer_from_json(json_object *o, struct image_layer *l)
{
	int r = parse_descriptor(o, &l->blob);

	if (r >= 0 && (image_digest_copy(l->diff_id, get_string(o, "diffId")) < 0 ||
		       image_digest_copy(l->chain_id, get_string(o, "chainId")) < 0 ||
		       get_size(o, "unpackedSize", &l->unpacked_size) < 0))
		r = -EPROTO;
	return r;
}

static int parse_layer(json_object *o, struct image_record *r)
{
	struct image_layer l = {0};
	int rr = image_layer_from_json(o, &l);

	if (rr >= 0)
		rr = image_record_add_layer(r, &l);
	free(l.blob.media_type);
	return rr;
}

static int parse_layers(json_object *o, struct image_record *r)
{
	json_object *array;
	int rr = 0;

	if (!json_object_object_get_ex(o, "layers", &array) ||
	    !json_object_is_type(array, json_type_array))
		return -EPROTO;
	for (size_t i = 0; rr >= 0 && i < json_object_array_length(array); i++) {
		json_object *l = json_object_array_get_idx(array, i);

		rr = json_object_is_type(l, json_type_object) ? parse_layer(l, r) : -EPROTO;
	}
	return rr;
}

static int parse_strings(json_object *o, struct image_record *r)
{
	json_object *source;
	int e = 0;

	if (!json_object_object_get_ex(o, "source", &source) ||
	    !json_object_is_type(source, json_type_object))
		return -EPROTO;
	e |= image_record_set(&r->platform, get_string(o, "platform"));
	e |= image_record_set(&r->created, get_string(o, "created"));
	e |= image_record_set(&r->imported, get_string(o, "imported"));
	e |= image_record_set(&r->source_type, get_string(source, "type"));
	e |= image_record_set(&r->source_path, get_string(source, "path"));
	e |= image_record_set(&r->source_ref, get_string(source, "ref"));
	return e ? -ENOMEM : 0;
}

/* Optional: only a built image has them. */
static int parse_step_ids(json_object *o, struct image_record *r)
{
	json_object *ids;
	int rr = 0;

	if (!json_object_object_get_ex(o, "stepIds", &ids))
		return 0;
	if (!json_object_is_type(ids, json_type_array))
		return -EPROTO;
	for (size_t i = 0; rr >= 0 && i < json_object_array_length(ids); i++) {
		json_object *v = json_object_array_get_idx(ids, i);
		const char *id = json_object_get_string(v);

		if (!json_object_is_type(v, json_type_string) || (id[0] && !image_digest_valid(id)))
			return -EPROTO;
		rr = image_record_add_step_id(r, id);
	}
	return rr;
}

static int parse_record(json_object *o, struct image_record *r)
{
	json_object *manifest, *config, *schema;
	const char *name = get_string(o, "name");
	int rr;

	if (!json_object_object_get_ex(o, "schemaVersion", &schema) ||
	    json_object_get_int(schema) != RECORD_SCHEMA || !image_name_valid(name))
		return -EPROTO;
	snprintf(r->name, sizeof(r->name), "%s", name);
	if (!json_object_object_get_ex(o, "manifest", &manifest) ||
	    !json_object_object_get_ex(o, "config", &config))
		return -EPROTO;
	rr = parse_descriptor(manifest, &r->manifest);
	if (rr >= 0)
		rr = parse_descriptor(config, &r->config);
	if (rr >= 0)
		rr = parse_layers(o, r);
	if (rr >= 0)
		rr = parse_strings(o, r);
	if (rr >= 0)
		rr = parse_step_ids(o, r);
	return rr;
}

int image_record_parse(const char *text, size_t len, struct image_record **ret)
{
	struct image_record *r __attribute__((cleanup(image_record_freep))) = NULL;
	json_object *o;
	int rr;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	o = parse_json(text, len);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EPROTO;
	}
	rr = parse_record(o, r);
	json_object_put(o);
	if (rr < 0)
		return rr;
	*ret = take_ptr(r);
	return 0;
}

int image_record_set(char **field, const char *value)
{
	char *copy = strdup(value ? value : "");

	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

int image_record_add_layer(struct image_record *r, const struct image_layer *l)
{
	struct image_layer *grown = realloc(r->layers, (r->n_layers + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	r->layers = grown;
	grown[r->n_layers] = *l;
	grown[r->n_layers].blob.media_type = strdup(l->blob.media_type ? l->blob.media_type : "");
	if (!grown[r->n_layers].blob.media_type)
		return -ENOMEM;
	r->n_layers++;
	return 0;
}

int image_record_add_step_id(struct image_record *r, const char *id)
{
	char **grown = realloc(r->step_ids, (r->n_step_ids + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	r->step_ids = grown;
	grown[r->n_step_ids] = strdup(id ? id : "");
	if (!grown[r->n_step_ids])
		return -ENOMEM;
	r->n_step_ids++;
	return 0;
}

void image_record_free(struct image_record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_step_ids; i++)
		free(r->step_ids[i]);
	free(r->step_ids);
	free(r->manifest.media_type);
	free(r->config.media_type);
	for (size_t i = 0; i < r->n_layers; i++)
		free(r->layers[i].blob.media_type);
	free(r->layers);
	free(r->platform);
	free(r->created);
	free(r->imported);
	free(r->source_type);
	free(r->source_path);
	free(r->source_ref);
	free(r);
}

/* ---- what a session takes from the config ---- */

static int parse_env(json_object *env, struct image_exec *x)
{
	size_t n = json_object_array_length(env);

	x->env = calloc(n + 1, sizeof(*x->env));
	if (!x->env)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(env, i);
		const char *s = json_object_get_string(v);

		/* "KEY=VALUE" with a non-empty key: anything else is no environment entry. */
		if (!json_object_is_type(v, json_type_string) || !strchr(s, '=') || s[0] == '=')
			return -EPROTO;
		x->env[x->n_env] = strdup(s);
		if (!x->env[x->n_env])
			return -ENOMEM;
		x->n_env++;
	}
	return 0;
}

static int parse_exec(json_object *o, struct image_exec *x)
{
	json_object *config = NULL, *env = NULL;
	const char *workdir = NULL;

	if (!json_object_is_type(o, json_type_object))
		return -EPROTO;
	/* "config" may be absent or null in a minimal image config. */
	if (json_object_object_get_ex(o, "config", &config) && config &&
	    !json_object_is_type(config, json_type_object))
		return -EPROTO;
	if (config && json_object_object_get_ex(config, "Env", &env) && env &&
	    !json_object_is_type(env, json_type_array))
		return -EPROTO;
	if (config)
		workdir = get_string(config, "WorkingDir");
	if (workdir && workdir[0] && workdir[0] != '/')
		return -EPROTO;
	x->workdir = strdup(workdir ? workdir : "");
	if (!x->workdir)
		return -ENOMEM;
	if (env)
		return parse_env(env, x);
	x->env = calloc(1, sizeof(*x->env));
	return x->env ? 0 : -ENOMEM;
}

int image_exec_parse(const char *config, size_t len, struct image_exec *ret)
{
	struct image_exec x = {0};
	json_object *o = parse_json(config, len);
	int r;

	if (!o)
		return -EPROTO;
	r = parse_exec(o, &x);
	json_object_put(o);
	if (r < 0) {
		image_exec_free(&x);
		return r;
	}
	*ret = x;
	return 0;
}

void image_exec_free(struct image_exec *x)
{
	for (size_t i = 0; x->env && i < x->n_env; i++)
		free(x->env[i]);
	free(x->env);
	free(x->workdir);
	x->env = NULL;
	x->workdir = NULL;
	x->n_env = 0;
}
