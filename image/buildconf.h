/* image/buildconf.h: the image config a build makes, one instruction at a time: the base's
 * config (or a new one for FROM scratch) as a json-c document, changed in place. Its
 * serialisation is deterministic (json-c keeps the order members were added in), so the
 * same steps give the same bytes and the same digest: the id of the image so far.
 *
 * Errors: -ENOMEM, -EPROTO (a base config whose members have the wrong types). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/image_record.h"

#define BUILDCONF_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The config of FROM scratch: this machine's os and architecture, PATH as docker sets it, no
 * layers, no history. */
int buildconf_scratch(json_object **ret);

/* A base image's config, checked: "config", its "Env", "rootfs.diff_ids" and "history" of the
 * right types (made when missing). */
int buildconf_parse(const char *text, size_t len, json_object **ret);

/* The config's Env, copied: "KEY=VALUE" strings, NULL-terminated (free with dfwords_free). */
int buildconf_env(json_object *c, char ***ret);

/* Set KEY=VALUE in Env, replacing an entry of the same key where it is. */
int buildconf_set_env(json_object *c, const char *key, const char *value);

/* A string member of "config" ("WorkingDir", "User"), or "" when unset. */
const char *buildconf_string(json_object *c, const char *key);
int buildconf_set_string(json_object *c, const char *key, const char *value);

/* "Labels": @key = @value. */
int buildconf_set_label(json_object *c, const char *key, const char *value);

/* "Cmd" or "Entrypoint" (@key) as the strings of @argv (NULL-terminated). */
int buildconf_set_argv(json_object *c, const char *key, char *const *argv);

/* Remove a member of "config" ("Cmd" when ENTRYPOINT replaces the base's). */
void buildconf_unset(json_object *c, const char *key);

/* "ExposedPorts": @port ("80/tcp"). */
int buildconf_expose(json_object *c, const char *port);

/* One more history entry (and the config's "created" set to @created); and one more diff_id. */
int buildconf_add_history(json_object *c, const char *created, const char *created_by,
			  bool empty_layer);
int buildconf_add_diff_id(json_object *c, const char *diff_id);

/* The number of entries in "history". */
size_t buildconf_history_len(json_object *c);

/* The config as bytes (NUL-terminated, *@ret_len without it) and their digest. */
int buildconf_text(json_object *c, char **ret, size_t *ret_len,
		   char ret_digest[IMAGE_DIGEST_LEN + 1]);

/* "os/arch[/variant]" of the config, into @buf. */
const char *buildconf_platform(json_object *c, char *buf, size_t size);
