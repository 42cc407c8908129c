/* image/buildconf.c: see buildconf.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "image/buildconf.h"
#include "image/dfwords.h"
#include "image/digest.h"
#include "image/error.h"
#include "image/jsondoc.h"
#include "image/platform.h"

/* The member @key of @o as @type, made (empty) when it is missing or null. NULL when it is
 * there with another type, or out of memory. */
static json_object *member(json_object *o, const char *key, json_type type)
{
	json_object *v = NULL;

	if (json_object_object_get_ex(o, key, &v) && v)
		return json_object_is_type(v, type) ? v : NULL;
	v = type == json_type_array ? json_object_new_array() : json_object_new_object();
	if (v && json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		v = NULL;
	}
	return v;
}

static json_object *section(json_object *c)
{
	return member(c, "config", json_type_object);
}

int buildconf_scratch(json_object **ret)
{
	json_object *c = json_object_new_object(), *rootfs;
	struct platform host = {0};
	int r;

	if (!c)
		return -ENOMEM;
	platform_host(&host);
	json_object_object_add(c, "architecture", json_object_new_string(host.arch));
	if (host.variant[0])
		json_object_object_add(c, "variant", json_object_new_string(host.variant));
	json_object_object_add(c, "os", json_object_new_string(host.os));
	rootfs = member(c, "rootfs", json_type_object);
	if (!rootfs || !section(c) || !member(c, "history", json_type_array)) {
		json_object_put(c);
		return -ENOMEM;
	}
	json_object_object_add(rootfs, "type", json_object_new_string("layers"));
	json_object_object_add(rootfs, "diff_ids", json_object_new_array());
	r = buildconf_set_env(c, "PATH", BUILDCONF_DEFAULT_PATH);
	if (r < 0) {
		json_object_put(c);
		return r;
	}
	*ret = c;
	return 0;
}

/* A base without history: one entry per layer, so that entries still map to layers. */
static int fill_history(json_object *c, json_object *history, json_object *diff_ids)
{
	if (json_object_array_length(history) > 0)
		return 0;
	for (size_t i = 0; i < json_object_array_length(diff_ids); i++) {
		json_object *entry = json_object_new_object();

		if (!entry)
			return -ENOMEM;
		json_object_object_add(entry, "created_by", json_object_new_string(""));
		json_object_array_add(history, entry);
	}
	return 0;
}

int buildconf_parse(const char *text, size_t len, json_object **ret)
{
	struct image_error e = {""};
	json_object *c = NULL, *rootfs, *config, *history, *diff_ids;
	int r;

	r = jsondoc_parse(text, len, "config", &c, &e);
	if (r < 0)
		return -EPROTO;
	r = -EPROTO;
	config = json_object_is_type(c, json_type_object) ? section(c) : NULL;
	rootfs = config ? member(c, "rootfs", json_type_object) : NULL;
	diff_ids = rootfs ? member(rootfs, "diff_ids", json_type_array) : NULL;
	history = diff_ids ? member(c, "history", json_type_array) : NULL;
	if (history && member(config, "Env", json_type_array))
		r = fill_history(c, history, diff_ids);
	if (r < 0) {
		json_object_put(c);
		return r;
	}
	*ret = c;
	return 0;
}

int buildconf_env(json_object *c, char ***ret)
{
	json_object *env = jsondoc_get(section(c), "Env", json_type_array);
	size_t n = env ? json_object_array_length(env) : 0;
	char **list = calloc(n + 1, sizeof(*list));

	if (!list)
		return -ENOMEM;
	for (size_t i = 0, k = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(env, i);

		if (!json_object_is_type(v, json_type_string))
			continue;
		list[k] = strdup(json_object_get_string(v));
		if (!list[k++]) {
			dfwords_free(list);
			return -ENOMEM;
		}
	}
	*ret = list;
	return 0;
}

int buildconf_set_env(json_object *c, const char *key, const char *value)
{
	json_object *env = member(section(c), "Env", json_type_array), *entry;
	autofree char *text = NULL;
	size_t n = strlen(key);

	if (!env || asprintf(&text, "%s=%s", key, value) < 0)
		return -ENOMEM;
	entry = json_object_new_string(text);
	if (!entry)
		return -ENOMEM;
	for (size_t i = 0; i < json_object_array_length(env); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(env, i));

		if (s && strncmp(s, key, n) == 0 && s[n] == '=')
			return json_object_array_put_idx(env, i, entry) < 0 ? -ENOMEM : 0;
	}
	return json_object_array_add(env, entry) < 0 ? -ENOMEM : 0;
}

const char *buildconf_string(json_object *c, const char *key)
{
	const char *s = jsondoc_string(section(c), key);

	return s ? s : "";
}

int buildconf_set_string(json_object *c, const char *key, const char *value)
{
	json_object *config = section(c);

	if (!config)
		return -ENOMEM;
	return json_object_object_add(config, key, json_object_new_string(value)) < 0 ? -ENOMEM : 0;
}

int buildconf_set_label(json_object *c, const char *key, const char *value)
{
	json_object *labels = member(section(c), "Labels", json_type_object);

	if (!labels)
		return -EPROTO;
	return json_object_object_add(labels, key, json_object_new_string(value)) < 0 ? -ENOMEM : 0;
}

int buildconf_set_argv(json_object *c, const char *key, char *const *argv)
{
	json_object *config = section(c), *list = json_object_new_array();

	if (!config || !list) {
		json_object_put(list);
		return -ENOMEM;
	}
	for (size_t i = 0; argv[i]; i++)
		json_object_array_add(list, json_object_new_string(argv[i]));
	return json_object_object_add(config, key, list) < 0 ? -ENOMEM : 0;
}

void buildconf_unset(json_object *c, const char *key)
{
	json_object *config = section(c);

	if (config)
		json_object_object_del(config, key);
}

int buildconf_expose(json_object *c, const char *port)
{
	json_object *ports = member(section(c), "ExposedPorts", json_type_object);

	if (!ports)
		return -EPROTO;
	return json_object_object_add(ports, port, json_object_new_object()) < 0 ? -ENOMEM : 0;
}

int buildconf_add_history(json_object *c, const char *created, const char *created_by,
			  bool empty_layer)
{
	json_object *history = member(c, "history", json_type_array);
	json_object *entry = json_object_new_object();

	if (!history || !entry) {
		json_object_put(entry);
		return -ENOMEM;
	}
	json_object_object_add(entry, "created", json_object_new_string(created));
	json_object_object_add(entry, "created_by", json_object_new_string(created_by));
	if (empty_layer)
		json_object_object_add(entry, "empty_layer", json_object_new_boolean(1));
	json_object_array_add(history, entry);
	json_object_object_add(c, "created", json_object_new_string(created));
	return 0;
}

int buildconf_add_diff_id(json_object *c, const char *diff_id)
{
	json_object *rootfs = member(c, "rootfs", json_type_object);
	json_object *ids = rootfs ? member(rootfs, "diff_ids", json_type_array) : NULL;

	if (!ids)
		return -ENOMEM;
	return json_object_array_add(ids, json_object_new_string(diff_id)) < 0 ? -ENOMEM : 0;
}

size_t buildconf_history_len(json_object *c)
{
	json_object *history = jsondoc_get(c, "history", json_type_array);

	return history ? json_object_array_length(history) : 0;
}

int buildconf_text(json_object *c, char **ret, size_t *ret_len,
		   char ret_digest[IMAGE_DIGEST_LEN + 1])
{
	const char *text = json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE);
	char *copy = text ? strdup(text) : NULL;
	int r;

	if (!copy)
		return -ENOMEM;
	r = digest_buffer(copy, strlen(copy), ret_digest);
	if (r < 0) {
		free(copy);
		return r;
	}
	*ret_len = strlen(copy);
	*ret = copy;
	return 0;
}

const char *buildconf_platform(json_object *c, char *buf, size_t size)
{
	const char *os = jsondoc_string(c, "os"), *arch = jsondoc_string(c, "architecture");
	const char *variant = jsondoc_string(c, "variant");

	snprintf(buf, size, "%s/%s%s%s", os ? os : "linux", arch ? arch : "unknown",
		 variant && variant[0] ? "/" : "", variant && variant[0] ? variant : "");
	return buf;
}
