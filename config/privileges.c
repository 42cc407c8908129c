/* config/privileges.c: what a session may still ask of the kernel: the capabilities kept in
 * its bounding set, its seccomp filter, and whether it may create user namespaces. */
#include <string.h>

#include "config/capnames.h"
#include "config/parse.h"

#define STRING_OR_LIST "a string or a list of strings"

const char *cfg_seccomp_name(enum cfg_seccomp s)
{
	return s == CFG_SECCOMP_OFF ? "off" : "default";
}

/* One capability name into @mask; reports a problem instead. */
static void parse_capability(struct cfg_parser *p, const config_setting_t *s, const char *where,
			     uint64_t *mask)
{
	const char *name;
	int cap;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_type_error(p, s, "capabilities", where, STRING_OR_LIST);
		return;
	}
	name = config_setting_get_string(s);
	cap = cfg_capability_from_name(name);
	if (cap < 0) {
		cfg_error(p, s, "%s: unknown capability '%.60s' in 'capabilities'", where, name);
		return;
	}
	*mask |= UINT64_C(1) << cap;
}

/* One string, or an array or list of them; empty keeps none. A policy's list replaces the
 * defaults' one: a capability is only ever kept where a block names it. */
void cfg_parse_capabilities(struct cfg_parser *p, const config_setting_t *s, const char *where,
			    struct cfg_settings *out)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		parse_capability(p, s, where, &out->capabilities);
		return;
	}
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		cfg_type_error(p, s, "capabilities", where, STRING_OR_LIST);
		return;
	}
	for (int i = 0; i < config_setting_length(s); i++)
		parse_capability(p, config_setting_get_elem(s, (unsigned)i), where,
				 &out->capabilities);
}

void cfg_parse_seccomp(struct cfg_parser *p, const config_setting_t *s, const char *where,
		       struct cfg_settings *out)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_type_error(p, s, "seccomp", where, "\"default\" or \"off\"");
		return;
	}
	v = config_setting_get_string(s);
	if (strcmp(v, "default") == 0)
		out->seccomp = CFG_SECCOMP_DEFAULT;
	else if (strcmp(v, "off") == 0)
		out->seccomp = CFG_SECCOMP_OFF;
	else
		cfg_key_error(p, s, "seccomp", where,
			      "expected \"default\" or \"off\", got \"%.60s\"", v);
}

void cfg_parse_allow_userns(struct cfg_parser *p, const config_setting_t *s, const char *where,
			    struct cfg_settings *out)
{
	(void)cfg_get_bool(p, s, where, &out->allow_userns);
}
