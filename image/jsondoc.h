/* image/jsondoc.h: reading the JSON documents of an image (index, manifest, config, Docker's
 * manifest.json) with json-c, with errors that say which document and what. */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

struct image_error;

/* Parse @len bytes of JSON text (nothing may follow the value but white space); @what names
 * the document for the error ("index.json", "manifest sha256:..."). Returns 0 or -EPROTO. */
int jsondoc_parse(const char *text, size_t len, const char *what, json_object **ret,
		  struct image_error *e);

/* The member @key of object @o if it has type @type, else NULL. */
json_object *jsondoc_get(json_object *o, const char *key, json_type type);

/* The string member @key of @o, or NULL. */
const char *jsondoc_string(json_object *o, const char *key);

/* The non-negative integer member @key of @o. Returns 0 or -EPROTO. */
int jsondoc_size(json_object *o, const char *key, uint64_t *ret);
