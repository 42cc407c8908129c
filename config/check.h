/* config/check.h: checks on strings from the config, and on what templates expand to.
 * Private to config/. Each check returns NULL when the string is fine, else a reason that
 * completes a sentence such as "volume source \"x\" in defaults: <reason>". */
#pragma once

#include <stdbool.h>

#define CFG_HOSTNAME_MAX 64
#define CFG_NAME_MAX 64

enum cfg_path_kind {
	CFG_PATH_LITERAL,  /* an absolute path, no %-codes expected (image paths) */
	CFG_PATH_TEMPLATE, /* an absolute path or one starting with %h (volumes) */
};

/* 0 when every '%' in @tmpl starts a known code (%u %h %U %g %%); else -EINVAL with the
 * offending code in *@ret_code ('\0' for a trailing '%'). */
int cfg_check_template(const char *tmpl, char *ret_code);

/* A path as written in the config: not empty, no control characters, no leading or trailing
 * white space, absolute (or %h-relative for templates), no "." or ".." component. */
const char *cfg_check_path(const char *path, enum cfg_path_kind kind);

/* A hostname template: not empty, at most CFG_HOSTNAME_MAX characters, literal characters
 * from [A-Za-z0-9.-] only (%-codes are checked by cfg_check_template()). */
const char *cfg_check_hostname(const char *tmpl);

/* An image or volume name: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}. Such a name is safe as one
 * path component: no '/', no '%', and never "." or "..". */
bool cfg_name_ok(const char *name);

/* Does @s contain a control character? */
bool cfg_has_control(const char *s);

/* Does @path have a "." or ".." component? */
bool cfg_has_dot_component(const char *path, bool dotdot_only);

/* Collapse repeated slashes and drop a trailing one (except for "/"), in place. */
void cfg_path_normalise(char *path);
