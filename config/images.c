/* config/images.c: the "images" group, and the built-in image "host". */
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "config/check.h"
#include "config/parse.h"

static const char *const image_type_names[] = {
    [CFG_IMAGE_HOST] = "host",
    [CFG_IMAGE_DIR] = "dir",
};

const char *cfg_image_type_name(enum cfg_image_type t)
{
	if ((size_t)t >= ARRAY_SIZE(image_type_names))
		return "?";
	return image_type_names[t];
}

const struct cfg_image *cfg_image_find(const struct cfg *c, const char *name)
{
	for (size_t i = 0; i < c->n_images; i++)
		if (strcmp(c->images[i].name, name) == 0)
			return &c->images[i];
	return NULL;
}

static void parse_type(struct cfg_parser *p, const config_setting_t *s, const char *where,
		       struct cfg_image *img)
{
	const char *type;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_type_error(p, s, "type", where, "\"host\" or \"dir\"");
		return;
	}
	type = config_setting_get_string(s);
	if (strcmp(type, "host") == 0)
		img->type = CFG_IMAGE_HOST;
	else if (strcmp(type, "dir") == 0)
		img->type = CFG_IMAGE_DIR;
	else
		cfg_key_error(p, s, "type", where, "expected \"host\" or \"dir\", got \"%.60s\"",
			      type);
}

static void parse_path(struct cfg_parser *p, const config_setting_t *s, const char *where,
		       struct cfg_image *img)
{
	const char *path = cfg_get_string(p, s, where);
	const char *why;

	if (!path)
		return;
	why = cfg_check_path(path, CFG_PATH_LITERAL);
	if (why) {
		cfg_key_error(p, s, "path", where, "\"%.60s\" %s", path, why);
		return;
	}
	img->path = cfg_strdup(p, path);
	if (img->path)
		cfg_path_normalise(img->path);
}

/* After all keys are read: what the type requires of the other keys. */
static void check_image(struct cfg_parser *p, const config_setting_t *s, const char *where,
			const struct cfg_image *img, bool has_type, bool has_path)
{
	if (!has_type)
		cfg_error(p, s, "%s: missing 'type' (\"host\" or \"dir\")", where);
	else if (img->type == CFG_IMAGE_DIR && !has_path)
		cfg_error(p, s, "%s: missing 'path' (required for type \"dir\")", where);
	else if (img->type == CFG_IMAGE_HOST && has_path)
		cfg_error(p, s, "%s: 'path' is not allowed for type \"host\"", where);
	if (has_type && img->type != CFG_IMAGE_HOST && strcmp(img->name, "host") == 0)
		cfg_error(p, s, "%s: the built-in image 'host' can only have type \"host\"", where);
}

static void parse_image(struct cfg_parser *p, const config_setting_t *s, struct cfg_image *img)
{
	bool has_type = false, has_path = false;
	char where[96];

	snprintf(where, sizeof(where), "image '%s'", img->name);
	img->line = cfg_line(s);
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_error(p, s, "%s: expected a group, got %s", where, cfg_type_desc(s));
		return;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *key = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(key);

		if (strcmp(name, "type") == 0) {
			has_type = true;
			parse_type(p, key, where, img);
		} else if (strcmp(name, "path") == 0) {
			has_path = true;
			parse_path(p, key, where, img);
		} else if (strcmp(name, "description") == 0) {
			(void)cfg_get_string(p, key, where); /* for people; validated, not kept */
		} else {
			cfg_error(p, key, "unknown key '%s' in %s", name, where);
		}
	}
	check_image(p, s, where, img, has_type, has_path);
}

static void add_builtin_host(struct cfg_parser *p)
{
	struct cfg_image *img = &p->cfg->images[p->cfg->n_images];

	img->name = cfg_strdup(p, "host");
	if (!img->name)
		return;
	img->type = CFG_IMAGE_HOST;
	p->cfg->n_images++;
}

void cfg_parse_images(struct cfg_parser *p, const config_setting_t *s)
{
	struct cfg *c = p->cfg;
	int n = 0;

	if (s && config_setting_type(s) != CONFIG_TYPE_GROUP)
		cfg_type_error(p, s, "images", NULL, "a group of images");
	else if (s)
		n = config_setting_length(s);
	/* One spare slot for "host": settings point into this array, so it never grows. */
	c->images = cfg_calloc(p, (size_t)n + 1, sizeof(c->images[0]));
	if (!c->images)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t *img = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(img);

		if (!cfg_name_ok(name)) {
			cfg_error(p, img,
				  "image name '%s' is not valid (use letters, digits, '_', "
				  "'.' and '-', starting with a letter or digit)",
				  name);
			continue;
		}
		c->images[c->n_images].name = cfg_strdup(p, name);
		if (!c->images[c->n_images].name)
			return;
		parse_image(p, img, &c->images[c->n_images++]);
	}
	if (!cfg_image_find(c, "host"))
		add_builtin_host(p);
}
