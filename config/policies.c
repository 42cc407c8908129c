/* config/policies.c: the "policies" list: who each policy applies to, and what it overrides. */
#include <stdio.h>
#include <string.h>

#include "config/check.h"
#include "config/cidr.h"
#include "config/parse.h"

#define STRING_OR_LIST "a string or a list of strings"

/* One pattern of criterion @key; NULL after reporting a problem. */
static char *parse_pattern(struct cfg_parser *p, const config_setting_t *s, const char *key,
			   const char *where)
{
	const char *pattern;
	struct cfg_net net;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_type_error(p, s, key, where, STRING_OR_LIST);
		return NULL;
	}
	pattern = config_setting_get_string(s);
	if (cfg_has_control(pattern)) {
		cfg_key_error(p, s, key, where, "pattern contains a control character");
		return NULL;
	}
	if (strcmp(key, "rhosts") == 0 && strchr(pattern, '/') &&
	    cfg_cidr_parse(pattern, &net) < 0) {
		cfg_key_error(p, s, key, where, "bad CIDR \"%.60s\" (use a.b.c.d/n or x:x::x/n)",
			      pattern);
		return NULL;
	}
	return cfg_strdup(p, pattern);
}

/* users, groups, services, rhosts: one string, or an array or list of them. */
static void parse_patterns(struct cfg_parser *p, const config_setting_t *s, const char *where,
			   struct cfg_patterns *out)
{
	const char *key = config_setting_name(s);
	size_t n = 1;

	if (config_setting_type(s) == CONFIG_TYPE_ARRAY ||
	    config_setting_type(s) == CONFIG_TYPE_LIST)
		n = (size_t)config_setting_length(s);
	else if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_type_error(p, s, key, where, STRING_OR_LIST);
		return;
	}
	if (n == 0) {
		cfg_error(p, s, "%s: empty '%s' matches nobody", where, key);
		return;
	}
	out->patterns = cfg_calloc(p, n, sizeof(out->patterns[0]));
	if (!out->patterns)
		return;
	out->n = n;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		out->patterns[0] = parse_pattern(p, s, key, where);
		return;
	}
	for (size_t i = 0; i < n; i++)
		out->patterns[i] =
		    parse_pattern(p, config_setting_get_elem(s, (unsigned)i), key, where);
}

static void parse_name(struct cfg_parser *p, const config_setting_t *s, const char *where,
		       struct cfg_policy *pol)
{
	const char *name = cfg_get_string(p, s, where);

	if (!name)
		return;
	if (name[0] == '\0' || strlen(name) > CFG_NAME_MAX || cfg_has_control(name)) {
		cfg_key_error(p, s, "name", where,
			      "must be 1 to 64 characters long, without control characters");
		return;
	}
	pol->name = cfg_strdup(p, name);
}

static struct cfg_patterns *criterion(struct cfg_policy *pol, const char *key)
{
	if (strcmp(key, "users") == 0)
		return &pol->users;
	if (strcmp(key, "groups") == 0)
		return &pol->groups;
	if (strcmp(key, "services") == 0)
		return &pol->services;
	if (strcmp(key, "rhosts") == 0)
		return &pol->rhosts;
	return NULL;
}

static void parse_key(struct cfg_parser *p, const config_setting_t *s, const char *where,
		      struct cfg_policy *pol)
{
	const char *key = config_setting_name(s);
	struct cfg_patterns *patterns = criterion(pol, key);

	if (patterns)
		parse_patterns(p, s, where, patterns);
	else if (strcmp(key, "name") == 0)
		parse_name(p, s, where, pol);
	else if (strcmp(key, "sandbox") == 0)
		(void)cfg_get_bool(p, s, where, &pol->sandbox);
	else if (cfg_is_settings_key(key))
		cfg_parse_setting(p, s, where, &pol->settings);
	else
		cfg_error(p, s, "unknown key '%s' in %s", key, where);
}

/* "policy #2", or "policy #2 'lab users'" when it has a usable name. */
static void describe(const config_setting_t *s, size_t index, char *buf, size_t size)
{
	const config_setting_t *name = config_setting_get_member(s, "name");
	const char *v = name ? config_setting_get_string(name) : NULL;

	if (v && v[0] && !cfg_has_control(v))
		snprintf(buf, size, "policy #%zu '%.64s'", index + 1, v);
	else
		snprintf(buf, size, "policy #%zu", index + 1);
}

static void parse_policy(struct cfg_parser *p, const config_setting_t *s, size_t index,
			 struct cfg_policy *pol)
{
	char where[96];

	pol->line = cfg_line(s);
	pol->sandbox = true;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_error(p, s, "policy #%zu: expected a group, got %s", index + 1,
			  cfg_type_desc(s));
		return;
	}
	describe(s, index, where, sizeof(where));
	for (int i = 0; i < config_setting_length(s); i++)
		parse_key(p, config_setting_get_elem(s, (unsigned)i), where, pol);
}

void cfg_parse_policies(struct cfg_parser *p, const config_setting_t *s)
{
	struct cfg *c = p->cfg;
	size_t n;

	/* libconfig arrays hold only scalars: accept one so that each element gets a message */
	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    config_setting_type(s) != CONFIG_TYPE_ARRAY) {
		cfg_type_error(p, s, "policies", NULL, "a list of groups");
		return;
	}
	n = (size_t)config_setting_length(s);
	c->policies = cfg_calloc(p, n, sizeof(c->policies[0]));
	if (!c->policies)
		return;
	c->n_policies = n;
	for (size_t i = 0; i < n; i++)
		parse_policy(p, config_setting_get_elem(s, (unsigned)i), i, &c->policies[i]);
}
