/* config/parser.c: the diagnostics and type helpers every part of the parser shares. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/check.h"
#include "config/diag.h"
#include "config/parse.h"

int cfg_line(const config_setting_t *s)
{
	return (int)config_setting_source_line(s);
}

const char *cfg_type_desc(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a floating-point number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	}
	return "something unknown";
}

void cfg_error(struct cfg_parser *p, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_diags_addv(p->diags, cfg_line(s), fmt, ap);
	va_end(ap);
}

void cfg_key_error(struct cfg_parser *p, const config_setting_t *s, const char *key,
		   const char *where, const char *fmt, ...)
{
	char what[sizeof(p->diags->items[0].text)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (where)
		cfg_error(p, s, "key '%s' in %s: %s", key, where, what);
	else
		cfg_error(p, s, "key '%s': %s", key, what);
}

void cfg_type_error(struct cfg_parser *p, const config_setting_t *s, const char *key,
		    const char *where, const char *expected)
{
	cfg_key_error(p, s, key, where, "expected %s, got %s", expected, cfg_type_desc(s));
}

char *cfg_strdup(struct cfg_parser *p, const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		p->r = -ENOMEM;
	return copy;
}

void *cfg_calloc(struct cfg_parser *p, size_t n, size_t size)
{
	void *mem = calloc(n ? n : 1, size);

	if (!mem)
		p->r = -ENOMEM;
	return mem;
}

const char *cfg_get_string(struct cfg_parser *p, const config_setting_t *s, const char *where)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_type_error(p, s, config_setting_name(s), where, "a string");
		return NULL;
	}
	return config_setting_get_string(s);
}

bool cfg_get_bool(struct cfg_parser *p, const config_setting_t *s, const char *where, bool *ret)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cfg_type_error(p, s, config_setting_name(s), where, "true or false");
		return false;
	}
	*ret = config_setting_get_bool(s);
	return true;
}

bool cfg_template_ok(struct cfg_parser *p, const config_setting_t *s, const char *where,
		     const char *key, const char *value)
{
	char code;

	if (cfg_check_template(value, &code) == 0)
		return true;
	if (code == '\0')
		cfg_error(p, s, "%s: trailing '%%' in '%s' (write %%%% for a percent sign)", where,
			  key);
	else
		cfg_error(p, s,
			  "%s: unknown expansion '%%%c' in '%s' (known: %%u %%h %%U %%g %%%%)",
			  where, code, key);
	return false;
}
