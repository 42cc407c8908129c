/* config/parse.h: the state shared by the parsers of each part of carrel.conf, and their
 * entry points. Private to config/. Every parser reports each problem it finds and carries on,
 * so that one run lists every error in the file; only running out of memory stops it. */
#pragma once

#include <libconfig.h>
#include <stdbool.h>

#include "config/config.h"

struct cfg_parser {
	struct cfg *cfg;         /* being filled; freed by the caller on any error */
	struct cfg_diags *diags; /* never NULL here */
	int r;                   /* 0, or -ENOMEM once an allocation failed */
};

/* The line of @s in the file, for diagnostics. */
int cfg_line(const config_setting_t *s);

/* "a string", "an integer", ...: what @s is, for "expected X, got Y". */
const char *cfg_type_desc(const config_setting_t *s);

/* Report a problem at the line of @s. */
void cfg_error(struct cfg_parser *p, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report "key '@key' in @where: ..." at the line of @s; @where may be NULL (top level). */
void cfg_key_error(struct cfg_parser *p, const config_setting_t *s, const char *key,
		   const char *where, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Report "key '@key' in @where: expected @expected, got <the type of @s>". */
void cfg_type_error(struct cfg_parser *p, const config_setting_t *s, const char *key,
		    const char *where, const char *expected);

/* strdup() that records -ENOMEM in @p. */
char *cfg_strdup(struct cfg_parser *p, const char *s);

/* calloc() that records -ENOMEM in @p; @n may be 0. */
void *cfg_calloc(struct cfg_parser *p, size_t n, size_t size);

/* The string value of @s, or NULL after reporting a type error. */
const char *cfg_get_string(struct cfg_parser *p, const config_setting_t *s, const char *where);

/* The value of boolean @s into *@ret, or false after reporting a type error. */
bool cfg_get_bool(struct cfg_parser *p, const config_setting_t *s, const char *where, bool *ret);

/* Check template @value of @key for unknown %-codes; report and return false if any. */
bool cfg_template_ok(struct cfg_parser *p, const config_setting_t *s, const char *where,
		     const char *key, const char *value);

/* images.c: fill cfg->images from the "images" group (@s may be NULL), adding the built-in
 * "host" unless the file defines it. */
void cfg_parse_images(struct cfg_parser *p, const config_setting_t *s);

/* settings.c: is @key one of the keys of struct cfg_settings? */
bool cfg_is_settings_key(const char *key);

/* settings.c: parse settings key @s (cfg_is_settings_key() said yes) of @where into @out. */
void cfg_parse_setting(struct cfg_parser *p, const config_setting_t *s, const char *where,
		       struct cfg_settings *out);

/* settings.c: fill the fields of @out the file did not set with the built-in defaults. */
void cfg_settings_fill_builtin(struct cfg_parser *p, struct cfg_settings *out);

/* volumes.c: parse the "volumes" list @s of @where into @out. */
void cfg_parse_volumes(struct cfg_parser *p, const config_setting_t *s, const char *where,
		       struct cfg_settings *out);

/* limits.c: parse the "limits" or "user_limits" group @s of @where into @out. A policy's
 * "swap" may rely on the defaults' "memory", so the defaults must be parsed first. */
void cfg_parse_limits(struct cfg_parser *p, const config_setting_t *s, const char *where,
		      struct cfg_settings *out);

/* privileges.c: parse "capabilities", "seccomp" and "allow_userns" @s of @where into @out. */
void cfg_parse_capabilities(struct cfg_parser *p, const config_setting_t *s, const char *where,
			    struct cfg_settings *out);
void cfg_parse_seccomp(struct cfg_parser *p, const config_setting_t *s, const char *where,
		       struct cfg_settings *out);
void cfg_parse_allow_userns(struct cfg_parser *p, const config_setting_t *s, const char *where,
			    struct cfg_settings *out);

/* lifetime.c: parse "session", "linger", "idle_timeout" and "stop_timeout" @s of @where
 * into @out. */
void cfg_parse_session(struct cfg_parser *p, const config_setting_t *s, const char *where,
		       struct cfg_settings *out);
void cfg_parse_linger(struct cfg_parser *p, const config_setting_t *s, const char *where,
		      struct cfg_settings *out);
void cfg_parse_idle_timeout(struct cfg_parser *p, const config_setting_t *s, const char *where,
			    struct cfg_settings *out);
void cfg_parse_stop_timeout(struct cfg_parser *p, const config_setting_t *s, const char *where,
			    struct cfg_settings *out);

/* policies.c: fill cfg->policies from the "policies" list @s. */
void cfg_parse_policies(struct cfg_parser *p, const config_setting_t *s);
