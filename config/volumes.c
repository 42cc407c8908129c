/* config/volumes.c: the "volumes" list of a settings block. */
#include <stdio.h>
#include <string.h>

#include "config/check.h"
#include "config/parse.h"

/* "source" or "target": a template for an absolute path; a target may not be "/". */
static char *parse_end(struct cfg_parser *p, const config_setting_t *s, const char *where,
		       const char *vwhere)
{
	const char *key = config_setting_name(s);
	const char *tmpl = cfg_get_string(p, s, vwhere);
	const char *why;
	char *copy;

	if (!tmpl || !cfg_template_ok(p, s, where, key, tmpl))
		return NULL;
	why = cfg_check_path(tmpl, CFG_PATH_TEMPLATE);
	if (why) {
		cfg_error(p, s, "volume %s \"%.60s\" in %s: %s", key, tmpl, where, why);
		return NULL;
	}
	copy = cfg_strdup(p, tmpl);
	if (!copy)
		return NULL;
	cfg_path_normalise(copy);
	if (strcmp(key, "target") == 0 && strcmp(copy, "/") == 0)
		cfg_error(p, s, "volume target \"%.60s\" in %s: must not be \"/\"", tmpl, where);
	return copy;
}

static void parse_volume(struct cfg_parser *p, const config_setting_t *s, size_t index,
			 const char *where, struct cfg_volume *vol)
{
	char vwhere[128];

	snprintf(vwhere, sizeof(vwhere), "volume #%zu of %s", index + 1, where);
	vol->line = cfg_line(s);
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_error(p, s, "%s: expected a group, got %s", vwhere, cfg_type_desc(s));
		return;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *key = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(key);

		if (strcmp(name, "source") == 0)
			vol->source = parse_end(p, key, where, vwhere);
		else if (strcmp(name, "target") == 0)
			vol->target = parse_end(p, key, where, vwhere);
		else if (strcmp(name, "readonly") == 0)
			(void)cfg_get_bool(p, key, vwhere, &vol->readonly);
		else if (strcmp(name, "optional") == 0)
			(void)cfg_get_bool(p, key, vwhere, &vol->optional);
		else
			cfg_error(p, key, "unknown key '%s' in %s", name, vwhere);
	}
	if (!config_setting_get_member(s, "source"))
		cfg_error(p, s, "%s: missing 'source'", vwhere);
	if (!config_setting_get_member(s, "target"))
		cfg_error(p, s, "%s: missing 'target'", vwhere);
}

void cfg_parse_volumes(struct cfg_parser *p, const config_setting_t *s, const char *where,
		       struct cfg_settings *out)
{
	size_t n;

	/* An array can only hold scalars, but "[]" is how many people write an empty list. */
	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    config_setting_type(s) != CONFIG_TYPE_ARRAY) {
		cfg_type_error(p, s, "volumes", where, "a list of groups");
		return;
	}
	n = (size_t)config_setting_length(s);
	out->volumes = cfg_calloc(p, n, sizeof(out->volumes[0]));
	if (!out->volumes)
		return;
	out->n_volumes = n;
	for (size_t i = 0; i < n; i++)
		parse_volume(p, config_setting_get_elem(s, (unsigned)i), i, where,
			     &out->volumes[i]);
}
