/* image/jsondoc.c: see jsondoc.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "image/error.h"
#include "image/jsondoc.h"

/* The text is counted, not NUL-terminated: strspn() could read past its end. */
static bool only_blanks(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", s[i]) || s[i] == '\0')
			return false;
	return true;
}

int jsondoc_parse(const char *text, size_t len, const char *what, json_object **ret,
		  struct image_error *e)
{
	json_tokener *tok = json_tokener_new();
	enum json_tokener_error err;
	json_object *o;
	size_t end;

	if (!tok)
		return image_fail(e, -ENOMEM, "%s: out of memory", what);
	o = len > INT32_MAX ? NULL : json_tokener_parse_ex(tok, text, (int)len);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!o) {
		/* A document cut short leaves the tokener waiting for more. */
		return image_fail(e, -EPROTO, "%s: malformed JSON: %s", what,
				  err == json_tokener_continue ? "unexpected end of text"
							       : json_tokener_error_desc(err));
	}
	if (end > len || !only_blanks(text + end, len - end)) {
		json_object_put(o);
		return image_fail(e, -EPROTO, "%s: malformed JSON: text after the value", what);
	}
	*ret = o;
	return 0;
}

json_object *jsondoc_get(json_object *o, const char *key, json_type type)
{
	json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

const char *jsondoc_string(json_object *o, const char *key)
{
	json_object *v = jsondoc_get(o, key, json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

int jsondoc_size(json_object *o, const char *key, uint64_t *ret)
{
	json_object *v = jsondoc_get(o, key, json_type_int);
	int64_t n;

	if (!v)
		return -EPROTO;
	n = json_object_get_int64(v);
	if (n < 0)
		return -EPROTO;
	*ret = (uint64_t)n;
	return 0;
}
