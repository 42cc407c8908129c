/* config/settings.c: the keys that "defaults" and every policy may set, and the built-in
 * defaults used where the file is silent. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "config/check.h"
#include "config/parse.h"

#define ROOTFS_SIZE_MIN (UINT64_C(1) << 20)
#define ROOTFS_SIZE_MAX (UINT64_C(1) << 40)
#define BUILTIN_ROOTFS_SIZE (UINT64_C(1) << 30)
#define BUILTIN_PIDS 4096 /* enough for a desktop session; stops a fork bomb */
#define BUILTIN_STOP_TIMEOUT_SEC 10
#define ROOTFS_CHOICES "\"tmpfs\", \"disk\" or \"persistent\""

const char *cfg_network_name(enum cfg_network n)
{
	return n == CFG_NETWORK_NONE ? "none" : "host";
}

static const char *const rootfs_names[] = {
    [CFG_ROOTFS_TMPFS] = "tmpfs",
    [CFG_ROOTFS_DISK] = "disk",
    [CFG_ROOTFS_PERSISTENT] = "persistent",
};

const char *cfg_rootfs_name(enum cfg_rootfs r)
{
	if ((size_t)r >= ARRAY_SIZE(rootfs_names))
		return "?";
	return rootfs_names[r];
}

static void parse_image(struct cfg_parser *p, const config_setting_t *s, const char *where,
			struct cfg_settings *out)
{
	const char *name = cfg_get_string(p, s, where);

	if (!name)
		return;
	out->image = cfg_image_find(p->cfg, name);
	if (!out->image)
		cfg_error(p, s, "%s: image '%.64s' is not defined in 'images'", where, name);
}

static void parse_hostname(struct cfg_parser *p, const config_setting_t *s, const char *where,
			   struct cfg_settings *out)
{
	const char *tmpl = cfg_get_string(p, s, where);
	const char *why;

	if (!tmpl || !cfg_template_ok(p, s, where, "hostname", tmpl))
		return;
	why = cfg_check_hostname(tmpl);
	if (why) {
		cfg_key_error(p, s, "hostname", where, "\"%.64s\" %s", tmpl, why);
		return;
	}
	out->hostname = cfg_strdup(p, tmpl);
}

static void parse_network(struct cfg_parser *p, const config_setting_t *s, const char *where,
			  struct cfg_settings *out)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_type_error(p, s, "network", where, "\"host\" or \"none\"");
		return;
	}
	v = config_setting_get_string(s);
	if (strcmp(v, "host") == 0)
		out->network = CFG_NETWORK_HOST;
	else if (strcmp(v, "none") == 0)
		out->network = CFG_NETWORK_NONE;
	else
		cfg_key_error(p, s, "network", where,
			      "expected \"host\" or \"none\", got \"%.60s\"", v);
}

static void parse_rootfs(struct cfg_parser *p, const config_setting_t *s, const char *where,
			 struct cfg_settings *out)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_type_error(p, s, "rootfs", where, ROOTFS_CHOICES);
		return;
	}
	v = config_setting_get_string(s);
	for (size_t i = 0; i < ARRAY_SIZE(rootfs_names); i++) {
		if (strcmp(v, rootfs_names[i]) == 0) {
			out->rootfs = (enum cfg_rootfs)i;
			return;
		}
	}
	cfg_key_error(p, s, "rootfs", where, "expected %s, got \"%.60s\"", ROOTFS_CHOICES, v);
}

static void parse_rootfs_size(struct cfg_parser *p, const config_setting_t *s, const char *where,
			      struct cfg_settings *out)
{
	char shown[72];
	uint64_t size = 0;
	long long n;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		snprintf(shown, sizeof(shown), "\"%.64s\"", config_setting_get_string(s));
		if (cfg_parse_size(config_setting_get_string(s), &size) == -EINVAL) {
			cfg_key_error(p, s, "rootfs_size", where,
				      "bad size %s (use a number with K, M, G or T)", shown);
			return;
		}
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		n = config_setting_get_int64(s);
		snprintf(shown, sizeof(shown), "%lld", n);
		size = n > 0 ? (uint64_t)n : 0;
		break;
	default:
		cfg_type_error(p, s, "rootfs_size", where, "a size such as \"1G\"");
		return;
	}
	/* -ERANGE from cfg_parse_size() leaves size 0: out of range too */
	if (size < ROOTFS_SIZE_MIN || size > ROOTFS_SIZE_MAX) {
		cfg_key_error(p, s, "rootfs_size", where, "%s is out of range (1M to 1T)", shown);
		return;
	}
	out->rootfs_size = size;
}

static const struct {
	const char *key;
	enum cfg_field field;
	void (*parse)(struct cfg_parser *p, const config_setting_t *s, const char *where,
		      struct cfg_settings *out);
} settings_keys[] = {
    {"image", CFG_FIELD_IMAGE, parse_image},
    {"hostname", CFG_FIELD_HOSTNAME, parse_hostname},
    {"network", CFG_FIELD_NETWORK, parse_network},
    {"rootfs", CFG_FIELD_ROOTFS, parse_rootfs},
    {"rootfs_size", CFG_FIELD_ROOTFS_SIZE, parse_rootfs_size},
    {"volumes", CFG_FIELD_VOLUMES, cfg_parse_volumes},
    {"limits", 0, cfg_parse_limits}, /* merged key by key: cfg_limits.set */
    {"user_limits", 0, cfg_parse_limits},
    {"capabilities", CFG_FIELD_CAPABILITIES, cfg_parse_capabilities},
    {"seccomp", CFG_FIELD_SECCOMP, cfg_parse_seccomp},
    {"allow_userns", CFG_FIELD_ALLOW_USERNS, cfg_parse_allow_userns},
    {"session", CFG_FIELD_SESSION, cfg_parse_session},
    {"linger", CFG_FIELD_LINGER, cfg_parse_linger},
    {"idle_timeout", CFG_FIELD_IDLE_TIMEOUT, cfg_parse_idle_timeout},
    {"stop_timeout", CFG_FIELD_STOP_TIMEOUT, cfg_parse_stop_timeout},
};

bool cfg_is_settings_key(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(settings_keys); i++)
		if (strcmp(settings_keys[i].key, key) == 0)
			return true;
	return false;
}

void cfg_parse_setting(struct cfg_parser *p, const config_setting_t *s, const char *where,
		       struct cfg_settings *out)
{
	const char *key = config_setting_name(s);

	for (size_t i = 0; i < ARRAY_SIZE(settings_keys); i++) {
		if (strcmp(settings_keys[i].key, key) == 0) {
			out->set |= settings_keys[i].field;
			settings_keys[i].parse(p, s, where, out);
			return;
		}
	}
}

static void builtin_volumes(struct cfg_parser *p, struct cfg_settings *out)
{
	out->volumes = cfg_calloc(p, 1, sizeof(out->volumes[0]));
	if (!out->volumes)
		return;
	out->n_volumes = 1;
	out->volumes[0].kind = CFG_VOLUME_BIND;
	out->volumes[0].source = cfg_strdup(p, "%h");
	out->volumes[0].target = cfg_strdup(p, "%h");
	out->volumes[0].propagation = CFG_PROPAGATION_PRIVATE;
}

void cfg_settings_fill_builtin(struct cfg_parser *p, struct cfg_settings *out)
{
	if (!(out->set & CFG_FIELD_IMAGE))
		out->image = cfg_image_find(p->cfg, "host");
	if (!(out->set & CFG_FIELD_HOSTNAME))
		out->hostname = cfg_strdup(p, "%u-carrel");
	if (!(out->set & CFG_FIELD_NETWORK))
		out->network = CFG_NETWORK_HOST;
	if (!(out->set & CFG_FIELD_ROOTFS))
		out->rootfs = CFG_ROOTFS_TMPFS;
	if (!(out->set & CFG_FIELD_ROOTFS_SIZE))
		out->rootfs_size = BUILTIN_ROOTFS_SIZE;
	if (!(out->set & CFG_FIELD_VOLUMES))
		builtin_volumes(p, out);
	/* limits: only a pids cap, unless the file gave pids (a number or "max") */
	if (!((out->limits.set | out->limits.unlimited) & CFG_LIMIT_PIDS)) {
		out->limits.set |= CFG_LIMIT_PIDS;
		out->limits.pids = BUILTIN_PIDS;
	}
	/* user_limits: none */
	if (!(out->set & CFG_FIELD_CAPABILITIES))
		out->capabilities = 0;
	if (!(out->set & CFG_FIELD_SECCOMP))
		out->seccomp = CFG_SECCOMP_DEFAULT;
	if (!(out->set & CFG_FIELD_ALLOW_USERNS))
		out->allow_userns = false;
	if (!(out->set & CFG_FIELD_SESSION))
		out->session = CFG_SESSION_LOGIN;
	if (!(out->set & CFG_FIELD_LINGER))
		out->linger_sec = 0;
	if (!(out->set & CFG_FIELD_IDLE_TIMEOUT))
		out->idle_timeout_sec = 0; /* never */
	if (!(out->set & CFG_FIELD_STOP_TIMEOUT))
		out->stop_timeout_sec = BUILTIN_STOP_TIMEOUT_SEC;
}
