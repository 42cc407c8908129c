/* config/volumes.c: the "volumes" list of a settings block.
 *
 * A volume's kind follows from its keys: "source" binds a host path in, "name" mounts the
 * user's named volume (kept across sessions), and neither gives an anonymous volume made for
 * the session and removed at its end. Every kind needs a "target". */
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "config/check.h"
#include "config/parse.h"

#define PROPAGATION_CHOICES "\"private\" or \"slave\""

static const char *const kind_names[] = {
    [CFG_VOLUME_BIND] = "bind",
    [CFG_VOLUME_NAMED] = "named",
    [CFG_VOLUME_ANONYMOUS] = "anonymous",
};

static const char *const propagation_names[] = {
    [CFG_PROPAGATION_PRIVATE] = "private",
    [CFG_PROPAGATION_SLAVE] = "slave",
};

const char *cfg_volume_kind_name(enum cfg_volume_kind k)
{
	if ((size_t)k >= ARRAY_SIZE(kind_names))
		return "?";
	return kind_names[k];
}

const char *cfg_propagation_name(enum cfg_propagation p)
{
	if ((size_t)p >= ARRAY_SIZE(propagation_names))
		return "?";
	return propagation_names[p];
}

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

/* "name": one path component below the user's own volume directory, so it takes no %-codes. */
static char *parse_name(struct cfg_parser *p, const config_setting_t *s, const char *where,
			const char *vwhere)
{
	const char *name = cfg_get_string(p, s, vwhere);

	if (!name)
		return NULL;
	if (strchr(name, '%')) {
		cfg_error(p, s,
			  "volume name \"%.60s\" in %s: takes no %%-codes (named volumes are "
			  "per user already)",
			  name, where);
		return NULL;
	}
	if (!cfg_name_ok(name)) {
		cfg_error(p, s,
			  "volume name \"%.40s\" in %s: use up to 64 letters, digits, '_', '.' and "
			  "'-', starting with a letter or digit",
			  name, where);
		return NULL;
	}
	return cfg_strdup(p, name);
}

static void parse_propagation(struct cfg_parser *p, const config_setting_t *s, const char *vwhere,
			      struct cfg_volume *vol)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_type_error(p, s, "propagation", vwhere, PROPAGATION_CHOICES);
		return;
	}
	v = config_setting_get_string(s);
	if (strcmp(v, "private") == 0)
		vol->propagation = CFG_PROPAGATION_PRIVATE;
	else if (strcmp(v, "slave") == 0)
		vol->propagation = CFG_PROPAGATION_SLAVE;
	else
		cfg_key_error(p, s, "propagation", vwhere, "expected %s, got \"%.60s\"",
			      PROPAGATION_CHOICES, v);
}

/* After all keys are read: the kind, and what it allows. */
static void check_volume(struct cfg_parser *p, const config_setting_t *s, const char *vwhere,
			 struct cfg_volume *vol)
{
	const config_setting_t *source = config_setting_get_member(s, "source");
	const config_setting_t *name = config_setting_get_member(s, "name");
	const config_setting_t *optional = config_setting_get_member(s, "optional");

	if (source && name)
		cfg_error(p, s,
			  "%s: give either 'source' (bind) or 'name' (named volume), not both",
			  vwhere);
	vol->kind = source ? CFG_VOLUME_BIND : name ? CFG_VOLUME_NAMED : CFG_VOLUME_ANONYMOUS;
	/* only a host path can be missing: named and anonymous volumes are made when needed */
	if (optional && vol->kind != CFG_VOLUME_BIND)
		cfg_error(p, optional, "%s: 'optional' applies to bind volumes only", vwhere);
	if (!config_setting_get_member(s, "target"))
		cfg_error(p, s, "%s: missing 'target'", vwhere);
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
		else if (strcmp(name, "name") == 0)
			vol->name = parse_name(p, key, where, vwhere);
		else if (strcmp(name, "target") == 0)
			vol->target = parse_end(p, key, where, vwhere);
		else if (strcmp(name, "readonly") == 0)
			(void)cfg_get_bool(p, key, vwhere, &vol->readonly);
		else if (strcmp(name, "optional") == 0)
			(void)cfg_get_bool(p, key, vwhere, &vol->optional);
		else if (strcmp(name, "propagation") == 0)
			parse_propagation(p, key, vwhere, vol);
		else
			cfg_error(p, key, "unknown key '%s' in %s", name, vwhere);
	}
	check_volume(p, s, vwhere, vol);
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
