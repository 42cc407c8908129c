/* config/parse.c: config text in, struct cfg out: the top level of the file.
 *
 * Invariants:
 * 1. libconfig never sees a file with "@include": it would open the named file by path,
 *    with none of the owner and mode checks cfg_load() applies to the main file.
 * 2. A struct cfg is returned only when no diagnostic was produced: a half-valid config is
 *    never used to decide about a login. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "config/diag.h"
#include "config/parse.h"

/* libconfig only honours "@include" at the start of a line (after blanks). Rejecting it there
 * even inside a comment or a multi-line string is stricter than needed, and simpler. */
static int reject_includes(const char *text, struct cfg_diags *d)
{
	int line = 1, r = 0;

	for (const char *c = text; c; line++) {
		c += strspn(c, " \t\r\f\v");
		if (strncmp(c, "@include", strlen("@include")) == 0) {
			cfg_diags_add(d, line,
				      "'@include' is not allowed: included files would "
				      "escape the owner and mode checks");
			r = -EINVAL;
		}
		c = strchr(c, '\n');
		if (c)
			c++;
	}
	return r;
}

static void parse_defaults(struct cfg_parser *p, const config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_type_error(p, s, "defaults", NULL, "a group");
		return;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *key = config_setting_get_elem(s, (unsigned)i);

		if (cfg_is_settings_key(config_setting_name(key)))
			cfg_parse_setting(p, key, "defaults", &p->cfg->defaults);
		else
			cfg_error(p, key, "unknown key '%s' in defaults", config_setting_name(key));
	}
}

static void check_top_keys(struct cfg_parser *p, const config_setting_t *root)
{
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *key = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(key);

		if (strcmp(name, "images") != 0 && strcmp(name, "defaults") != 0 &&
		    strcmp(name, "policies") != 0)
			cfg_error(p, key, "unknown key '%s'", name);
	}
}

/* Images first: settings refer to them, wherever they are in the file. */
static void parse_root(struct cfg_parser *p, const config_setting_t *root)
{
	const config_setting_t *s;

	check_top_keys(p, root);
	cfg_parse_images(p, config_setting_get_member(root, "images"));
	if (p->r < 0)
		return;
	s = config_setting_get_member(root, "defaults");
	if (s)
		parse_defaults(p, s);
	cfg_settings_fill_builtin(p, &p->cfg->defaults);
	s = config_setting_get_member(root, "policies");
	if (s)
		cfg_parse_policies(p, s);
}

static int parse_config(const config_t *lc, const char *name, struct cfg **ret,
			struct cfg_diags *diags)
{
	__attribute__((cleanup(cfg_freep))) struct cfg *c = NULL;
	struct cfg_parser p = {.diags = diags};

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->path = strdup(name);
	if (!c->path)
		return -ENOMEM;
	p.cfg = c;
	parse_root(&p, config_root_setting(lc));
	if (p.r < 0)
		return p.r;
	if (diags->count > 0 || diags->truncated)
		return -EINVAL;
	*ret = take_ptr(c);
	return 0;
}

int cfg_parse_string(const char *text, const char *name, struct cfg **ret, struct cfg_diags *diags)
{
	autofree struct cfg_diags *own = NULL;
	config_t lc;
	int r;

	assert(text && name && ret);

	if (!diags) {
		own = calloc(1, sizeof(*own));
		if (!own)
			return -ENOMEM;
		diags = own;
	}
	memset(diags, 0, sizeof(*diags));
	r = reject_includes(text, diags);
	if (r < 0)
		return r;

	config_init(&lc);
	if (!config_read_string(&lc, text)) {
		cfg_diags_add(diags, config_error_line(&lc), "%s", config_error_text(&lc));
		config_destroy(&lc);
		return -EINVAL;
	}
	r = parse_config(&lc, name, ret, diags);
	config_destroy(&lc);
	return r;
}
