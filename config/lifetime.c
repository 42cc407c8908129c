/* config/lifetime.c: which logins share a session and how long it lives: the keys
 * "session", "linger", "idle_timeout" and "stop_timeout" of a settings block. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/parse.h"

#define DAY_SEC (UINT64_C(24) * 60 * 60)
#define HOUR_SEC (UINT64_C(60) * 60)

const char *cfg_session_scope_name(enum cfg_session_scope s)
{
	return s == CFG_SESSION_USER ? "user" : "login";
}

void cfg_parse_session(struct cfg_parser *p, const config_setting_t *s, const char *where,
		       struct cfg_settings *out)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_type_error(p, s, "session", where, "\"login\" or \"user\"");
		return;
	}
	v = config_setting_get_string(s);
	if (strcmp(v, "login") == 0)
		out->session = CFG_SESSION_LOGIN;
	else if (strcmp(v, "user") == 0)
		out->session = CFG_SESSION_USER;
	else
		cfg_key_error(p, s, "session", where,
			      "expected \"login\" or \"user\", got \"%.60s\"", v);
}

/* A duration string or a number of seconds, from 0 to @max (written @max_text), into *@ret.
 * False after reporting a problem. */
static bool parse_duration(struct cfg_parser *p, const config_setting_t *s, const char *where,
			   uint64_t max, const char *max_text, uint64_t *ret)
{
	const char *key = config_setting_name(s);
	char shown[72];
	uint64_t sec = 0;
	long long n;
	int r = 0;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		snprintf(shown, sizeof(shown), "\"%.64s\"", config_setting_get_string(s));
		r = cfg_parse_duration(config_setting_get_string(s), &sec);
		if (r == -EINVAL) {
			cfg_key_error(p, s, key, where,
				      "bad duration %s (use a number with s, m, h or d)", shown);
			return false;
		}
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		n = config_setting_get_int64(s);
		snprintf(shown, sizeof(shown), "%lld", n);
		if (n < 0)
			r = -ERANGE;
		else
			sec = (uint64_t)n;
		break;
	default:
		cfg_type_error(p, s, key, where, "a duration such as \"10m\"");
		return false;
	}
	if (r == -ERANGE || sec > max) {
		cfg_key_error(p, s, key, where, "%s is out of range (0 to %s)", shown, max_text);
		return false;
	}
	*ret = sec;
	return true;
}

void cfg_parse_linger(struct cfg_parser *p, const config_setting_t *s, const char *where,
		      struct cfg_settings *out)
{
	(void)parse_duration(p, s, where, 365 * DAY_SEC, "365d", &out->linger_sec);
}

void cfg_parse_idle_timeout(struct cfg_parser *p, const config_setting_t *s, const char *where,
			    struct cfg_settings *out)
{
	(void)parse_duration(p, s, where, 365 * DAY_SEC, "365d", &out->idle_timeout_sec);
}

/* Past an hour, a session that ignores SIGTERM is not shutting down: it is stuck. */
void cfg_parse_stop_timeout(struct cfg_parser *p, const config_setting_t *s, const char *where,
			    struct cfg_settings *out)
{
	(void)parse_duration(p, s, where, HOUR_SEC, "1h", &out->stop_timeout_sec);
}
