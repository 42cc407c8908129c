/* config/policy.h: which policy applies to a login, and the effective settings it yields.
 *
 * Policies are tried in file order; the first whose every given criterion matches wins.
 * No match means the login is not sandboxed. Templates are expanded here:
 * %u user name, %h home directory, %U numeric uid, %g primary group name, %% a percent sign. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"

/* Who is logging in, and from where. Strings are borrowed; NULL or "" service/rhost mean none
 * (a local login has no remote host). */
struct policy_login {
	const char *user;
	uid_t uid;
	gid_t gid;
	const char *home;
	const char *group;         /* primary group name */
	const char *const *groups; /* names of all the user's groups, primary included */
	size_t n_groups;
	const char *service;
	const char *rhost;
};

struct profile_volume {
	enum cfg_volume_kind kind;
	char *source; /* bind: expanded, absolute, no ".."; otherwise NULL */
	char *name;   /* named: the volume's name; otherwise NULL */
	char *target; /* expanded, absolute, no "..", not "/" */
	bool readonly;
	bool optional;
	enum cfg_propagation propagation;
};

/* The effective settings for one login. */
struct profile {
	bool sandbox;                    /* false: no policy matched, or it said sandbox = false */
	const struct cfg_policy *policy; /* the matching policy; NULL when none matched */
	size_t policy_index;             /* its index in cfg->policies (valid when policy) */
	const struct cfg_image *image;
	char *hostname; /* expanded; characters other than [A-Za-z0-9.-] become '-' */
	enum cfg_network network;
	enum cfg_rootfs rootfs;
	uint64_t rootfs_size;
	struct profile_volume *volumes;
	size_t n_volumes;
	struct cfg_limits limits;      /* defaults' limits with the policy's given keys over them */
	struct cfg_limits user_limits; /* likewise */
	uint64_t capabilities;         /* bit (1 << CAP_x) for each capability kept */
	enum cfg_seccomp seccomp;
	bool allow_userns;
	enum cfg_session_scope session;
	uint64_t linger_sec;
	uint64_t idle_timeout_sec;
	uint64_t stop_timeout_sec;
};

/* Resolve the profile for @login under @c. Returns 0 with a new profile in *@ret (which may
 * say sandbox = false), or -EINVAL when an expansion gives an unusable value (a relative home
 * directory, say; @err then names the key and the value), or -ENOMEM. @err may be NULL. */
int policy_resolve(const struct cfg *c, const struct policy_login *login, struct profile **ret,
		   struct cfg_diag *err);

void profile_free(struct profile *p);

static inline void profile_freep(struct profile **p)
{
	profile_free(*p);
}

/* Expand %u %h %U %g %% in @tmpl for @login. Returns 0 and a new string, -EINVAL for an
 * unknown or trailing '%', -ENOMEM. */
int policy_expand(const char *tmpl, const struct policy_login *login, char **ret);

/* Does @pattern (glob, or CIDR when it contains '/') match the remote host @rhost?
 * A CIDR only matches a numeric address. */
bool policy_rhost_matches(const char *pattern, const char *rhost);

/* A one-line human description of the policy, e.g. "#2 'students' (carrel.conf:14)", into
 * @buf. Returns @buf. */
const char *policy_describe(const struct cfg *c, const struct profile *p, char *buf, size_t size);
