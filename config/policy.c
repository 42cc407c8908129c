/* config/policy.c: from a config and a login to the effective profile.
 *
 * Invariants:
 * 1. The first policy that matches decides; no match means no sandbox.
 * 2. Every path in a profile is absolute, normalised and free of ".." after expansion: a home
 *    directory or user name from NSS is not trusted to be well-formed.
 * 3. A profile is returned whole or not at all. */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "config/check.h"
#include "config/match.h"
#include "config/policy.h"

static void set_err(struct cfg_diag *err, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(struct cfg_diag *err, int line, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

/* Where the value of @field comes from: the policy when it sets it, else the defaults. */
static const struct cfg_settings *pick(const struct cfg *c, const struct cfg_policy *pol,
				       enum cfg_field field)
{
	return (pol->settings.set & field) ? &pol->settings : &c->defaults;
}

static int resolve_hostname(const struct cfg_policy *pol, const char *tmpl,
			    const struct policy_login *login, struct profile *p,
			    struct cfg_diag *err)
{
	int line = (pol->settings.set & CFG_FIELD_HOSTNAME) ? pol->line : 0;
	char *name = NULL;
	int r;

	r = policy_expand(tmpl, login, &name);
	if (r < 0)
		return r;
	for (char *c = name; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", *c))
			*c = '-';
	if (strlen(name) > CFG_HOSTNAME_MAX)
		name[CFG_HOSTNAME_MAX] = '\0';
	if (name[0] == '\0') {
		free(name);
		set_err(err, line, "hostname '%s' expands to an empty name for user '%.40s'", tmpl,
			login->user);
		return -EINVAL;
	}
	p->hostname = name;
	return 0;
}

/* Expand one end of a volume; @what is "source" or "target". */
static int resolve_path(const struct cfg_volume *vol, const char *what, const char *tmpl,
			const struct policy_login *login, char **ret, struct cfg_diag *err)
{
	autofree char *path = NULL;
	const char *why = NULL;
	int r;

	r = policy_expand(tmpl, login, &path);
	if (r < 0)
		return r;
	cfg_path_normalise(path);
	if (path[0] != '/')
		why = "not an absolute path";
	else if (cfg_has_dot_component(path, true))
		why = "contains a '..' component";
	else if (cfg_has_control(path))
		why = "contains a control character";
	else if (strcmp(what, "target") == 0 && strcmp(path, "/") == 0)
		why = "cannot mount over /";
	if (why) {
		set_err(err, vol->line, "volume %s '%.40s' expands to '%.40s' for user '%.32s': %s",
			what, tmpl, path, login->user, why);
		return -EINVAL;
	}
	*ret = take_ptr(path);
	return 0;
}

/* Only a bind volume has a source, and only a named one a name; both are NULL otherwise. */
static int resolve_volume(const struct cfg_volume *vol, const struct policy_login *login,
			  struct profile_volume *out, struct cfg_diag *err)
{
	int r;

	out->kind = vol->kind;
	out->readonly = vol->readonly;
	out->optional = vol->optional;
	out->propagation = vol->propagation;
	if (vol->kind == CFG_VOLUME_BIND) {
		r = resolve_path(vol, "source", vol->source, login, &out->source, err);
		if (r < 0)
			return r;
	}
	if (vol->kind == CFG_VOLUME_NAMED) {
		out->name = strdup(vol->name);
		if (!out->name)
			return -ENOMEM;
	}
	return resolve_path(vol, "target", vol->target, login, &out->target, err);
}

static int resolve_volumes(const struct cfg_settings *s, const struct policy_login *login,
			   struct profile *p, struct cfg_diag *err)
{
	int r;

	p->volumes = calloc(s->n_volumes ? s->n_volumes : 1, sizeof(p->volumes[0]));
	if (!p->volumes)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_volumes; i++) {
		/* counted first: profile_free() then frees whatever resolve_volume() set */
		r = resolve_volume(&s->volumes[i], login, &p->volumes[p->n_volumes++], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Each limit from the policy when it gives that key (a value or "max"), else from @defaults. */
static void merge_limits(const struct cfg_limits *defaults, const struct cfg_limits *pol,
			 struct cfg_limits *out)
{
	unsigned from_pol = pol->set | pol->unlimited;

	out->set = (defaults->set & ~from_pol) | pol->set;
	out->unlimited = (defaults->unlimited & ~from_pol) | pol->unlimited;
	out->memory = (pol->set & CFG_LIMIT_MEMORY) ? pol->memory : defaults->memory;
	out->swap = (pol->set & CFG_LIMIT_SWAP) ? pol->swap : defaults->swap;
	out->pids = (pol->set & CFG_LIMIT_PIDS) ? pol->pids : defaults->pids;
	out->cpu_milli = (pol->set & CFG_LIMIT_CPU) ? pol->cpu_milli : defaults->cpu_milli;
}

static int resolve_settings(const struct cfg *c, const struct cfg_policy *pol,
			    const struct policy_login *login, struct profile *p,
			    struct cfg_diag *err)
{
	int r;

	p->image = pick(c, pol, CFG_FIELD_IMAGE)->image;
	p->network = pick(c, pol, CFG_FIELD_NETWORK)->network;
	p->rootfs = pick(c, pol, CFG_FIELD_ROOTFS)->rootfs;
	p->rootfs_size = pick(c, pol, CFG_FIELD_ROOTFS_SIZE)->rootfs_size;
	merge_limits(&c->defaults.limits, &pol->settings.limits, &p->limits);
	merge_limits(&c->defaults.user_limits, &pol->settings.user_limits, &p->user_limits);
	p->capabilities = pick(c, pol, CFG_FIELD_CAPABILITIES)->capabilities;
	p->seccomp = pick(c, pol, CFG_FIELD_SECCOMP)->seccomp;
	p->allow_userns = pick(c, pol, CFG_FIELD_ALLOW_USERNS)->allow_userns;
	p->session = pick(c, pol, CFG_FIELD_SESSION)->session;
	p->linger_sec = pick(c, pol, CFG_FIELD_LINGER)->linger_sec;
	p->idle_timeout_sec = pick(c, pol, CFG_FIELD_IDLE_TIMEOUT)->idle_timeout_sec;
	p->stop_timeout_sec = pick(c, pol, CFG_FIELD_STOP_TIMEOUT)->stop_timeout_sec;
	r = resolve_hostname(pol, pick(c, pol, CFG_FIELD_HOSTNAME)->hostname, login, p, err);
	if (r < 0)
		return r;
	return resolve_volumes(pick(c, pol, CFG_FIELD_VOLUMES), login, p, err);
}

int policy_resolve(const struct cfg *c, const struct policy_login *login, struct profile **ret,
		   struct cfg_diag *err)
{
	__attribute__((cleanup(profile_freep))) struct profile *p = NULL;
	int r;

	assert(c && login && login->user && ret);

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_policies && !p->policy; i++) {
		if (policy_matches(&c->policies[i], login)) {
			p->policy = &c->policies[i];
			p->policy_index = i;
		}
	}
	/* Settings of a policy that does not sandbox are never used: do not let an odd home
	 * directory fail a login that would not be sandboxed anyway. */
	if (p->policy && p->policy->sandbox) {
		p->sandbox = true;
		r = resolve_settings(c, p->policy, login, p, err);
		if (r < 0)
			return r;
	}
	*ret = take_ptr(p);
	return 0;
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	free(p->hostname);
	for (size_t i = 0; i < p->n_volumes; i++) {
		free(p->volumes[i].source);
		free(p->volumes[i].name);
		free(p->volumes[i].target);
	}
	free(p->volumes);
	free(p);
}

const char *policy_describe(const struct cfg *c, const struct profile *p, char *buf, size_t size)
{
	const char *file = c->path ? c->path : "?";
	const struct cfg_policy *pol = p ? p->policy : NULL;

	assert(buf && size > 0);

	if (strrchr(file, '/'))
		file = strrchr(file, '/') + 1;
	if (!pol)
		snprintf(buf, size, "none");
	else if (pol->name)
		snprintf(buf, size, "#%zu '%s' (%s:%d)", p->policy_index + 1, pol->name, file,
			 pol->line);
	else
		snprintf(buf, size, "#%zu (%s:%d)", p->policy_index + 1, file, pol->line);
	return buf;
}
