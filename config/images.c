/* config/images.c: the "images" group, and the built-in image "host".
 *
 *   lab = { type = "dir"; path = "/srv/images/lab"; };
 *   app = { type = "oci"; };                        the stored image "app"
 *   web = { type = "oci"; name = "nginx-1.25"; };   the stored image "nginx-1.25"
 *   pin = { type = "oci"; digest = "sha256:..."; }; the stored image with that id or manifest
 *
 * Whether a stored image exists is the machine's business, not the file's: check-config
 * reports it, a login on a missing one fails with a clear message. */
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "config/check.h"
#include "config/parse.h"

#define TYPES "\"host\", \"dir\" or \"oci\""

static const char *const image_type_names[] = {
    [CFG_IMAGE_HOST] = "host",
    [CFG_IMAGE_DIR] = "dir",
    [CFG_IMAGE_OCI] = "oci",
};

/* The keys each type allows besides "type" and "description". */
enum image_key {
	KEY_PATH = 1u << 0,
	KEY_NAME = 1u << 1,
	KEY_DIGEST = 1u << 2,
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
		cfg_type_error(p, s, "type", where, TYPES);
		return;
	}
	type = config_setting_get_string(s);
	for (size_t i = 0; i < ARRAY_SIZE(image_type_names); i++) {
		if (strcmp(type, image_type_names[i]) == 0) {
			img->type = (enum cfg_image_type)i;
			return;
		}
	}
	cfg_key_error(p, s, "type", where, "expected " TYPES ", got \"%.60s\"", type);
}

static void parse_oci_name(struct cfg_parser *p, const config_setting_t *s, const char *where,
			   struct cfg_image *img)
{
	const char *name = cfg_get_string(p, s, where);

	if (!name)
		return;
	if (!cfg_name_ok(name)) {
		cfg_key_error(p, s, "name", where,
			      "\"%.64s\" is not an image name (letters, digits, '_', '.' and '-', "
			      "starting with a letter or digit)",
			      name);
		return;
	}
	img->oci_name = cfg_strdup(p, name);
}

static bool is_digest(const char *d)
{
	return strncmp(d, "sha256:", 7) == 0 && strlen(d) == 71 &&
	       strspn(d + 7, "0123456789abcdef") == 64;
}

static void parse_digest(struct cfg_parser *p, const config_setting_t *s, const char *where,
			 struct cfg_image *img)
{
	const char *digest = cfg_get_string(p, s, where);

	if (!digest)
		return;
	if (!is_digest(digest)) {
		cfg_key_error(p, s, "digest", where,
			      "\"%.80s\" is not a digest (sha256: and 64 lowercase hex digits)",
			      digest);
		return;
	}
	img->oci_digest = cfg_strdup(p, digest);
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

static unsigned allowed_keys(enum cfg_image_type t)
{
	return t == CFG_IMAGE_DIR ? KEY_PATH : t == CFG_IMAGE_OCI ? KEY_NAME | KEY_DIGEST : 0;
}

/* After all keys are read: what the type requires of the other keys. */
static void check_image(struct cfg_parser *p, const config_setting_t *s, const char *where,
			struct cfg_image *img, bool has_type, unsigned keys)
{
	static const char *const key_names[] = {"path", "name", "digest"};
	unsigned extra = keys & ~allowed_keys(img->type);

	if (!has_type) {
		cfg_error(p, s, "%s: missing 'type' (" TYPES ")", where);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(key_names); i++)
		if (extra & (1u << i))
			cfg_error(p, s, "%s: '%s' is not allowed for type \"%s\"", where,
				  key_names[i], cfg_image_type_name(img->type));
	if (img->type == CFG_IMAGE_DIR && !(keys & KEY_PATH))
		cfg_error(p, s, "%s: missing 'path' (required for type \"dir\")", where);
	if (img->type == CFG_IMAGE_OCI && (keys & KEY_NAME) && (keys & KEY_DIGEST))
		cfg_error(p, s, "%s: give 'name' or 'digest', not both", where);
	if (img->type == CFG_IMAGE_OCI && !(keys & (KEY_NAME | KEY_DIGEST)))
		img->oci_name = cfg_strdup(p, img->name); /* the entry's own name */
	if (img->type != CFG_IMAGE_HOST && strcmp(img->name, "host") == 0)
		cfg_error(p, s, "%s: the built-in image 'host' can only have type \"host\"", where);
}

static void parse_key(struct cfg_parser *p, const config_setting_t *key, const char *where,
		      struct cfg_image *img, unsigned *keys)
{
	const char *name = config_setting_name(key);

	if (strcmp(name, "path") == 0) {
		*keys |= KEY_PATH;
		parse_path(p, key, where, img);
	} else if (strcmp(name, "name") == 0) {
		*keys |= KEY_NAME;
		parse_oci_name(p, key, where, img);
	} else if (strcmp(name, "digest") == 0) {
		*keys |= KEY_DIGEST;
		parse_digest(p, key, where, img);
	} else if (strcmp(name, "description") == 0) {
		(void)cfg_get_string(p, key, where); /* for people; validated, not kept */
	} else {
		cfg_error(p, key, "unknown key '%s' in %s", name, where);
	}
}

static void parse_image(struct cfg_parser *p, const config_setting_t *s, struct cfg_image *img)
{
	bool has_type = false;
	unsigned keys = 0;
	char where[96];

	snprintf(where, sizeof(where), "image '%s'", img->name);
	img->line = cfg_line(s);
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_error(p, s, "%s: expected a group, got %s", where, cfg_type_desc(s));
		return;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *key = config_setting_get_elem(s, (unsigned)i);

		if (strcmp(config_setting_name(key), "type") == 0) {
			has_type = true;
			parse_type(p, key, where, img);
		} else {
			parse_key(p, key, where, img, &keys);
		}
	}
	check_image(p, s, where, img, has_type, keys);
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
