/* config/match.c: matching logins against the criteria of a policy. */
#include <assert.h>
#include <fnmatch.h>
#include <string.h>

#include "config/cidr.h"
#include "config/match.h"
#include "config/policy.h"

bool policy_rhost_matches(const char *pattern, const char *rhost)
{
	struct cfg_net net, addr;

	if (!rhost)
		rhost = "";
	if (!strchr(pattern, '/'))
		return fnmatch(pattern, rhost, FNM_CASEFOLD) == 0; /* host names are caseless */
	if (cfg_cidr_parse(pattern, &net) < 0 || cfg_addr_parse(rhost, &addr) < 0)
		return false;
	return cfg_net_contains(&net, &addr);
}

static bool any_glob(const struct cfg_patterns *p, const char *subject)
{
	for (size_t i = 0; i < p->n; i++)
		if (fnmatch(p->patterns[i], subject, 0) == 0)
			return true;
	return false;
}

/* The primary group is tried too: policy.h promises it is in @groups, but a caller that
 * forgot it must not lose a group policy (and its sandbox) because of that. */
static bool groups_match(const struct cfg_patterns *p, const struct policy_login *login)
{
	if (login->group && any_glob(p, login->group))
		return true;
	for (size_t i = 0; i < login->n_groups; i++)
		if (login->groups[i] && any_glob(p, login->groups[i]))
			return true;
	return false;
}

static bool rhosts_match(const struct cfg_patterns *p, const char *rhost)
{
	for (size_t i = 0; i < p->n; i++)
		if (policy_rhost_matches(p->patterns[i], rhost))
			return true;
	return false;
}

bool policy_matches(const struct cfg_policy *pol, const struct policy_login *login)
{
	assert(login->user);

	if (pol->users.n > 0 && !any_glob(&pol->users, login->user))
		return false;
	if (pol->groups.n > 0 && !groups_match(&pol->groups, login))
		return false;
	if (pol->services.n > 0 && !any_glob(&pol->services, login->service ? login->service : ""))
		return false;
	if (pol->rhosts.n > 0 && !rhosts_match(&pol->rhosts, login->rhost))
		return false;
	return true;
}
