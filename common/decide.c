/* common/decide.c: see decide.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cfgmsg.h"
#include "common/decide.h"
#include "common/identity.h"
#include "config/config.h"
#include "config/policy.h"

int decide(const char *config, const char *user, const char *service, const char *rhost,
	   struct decision *ret, char *why, size_t why_size)
{
	struct decision d = {0};
	struct cfg_diags diags = {0};
	struct cfg_diag err = {0};
	struct policy_login login;
	int r;

	r = cfg_load(config, &d.cfg, &diags);
	if (r < 0) {
		cfgmsg_summary(config, r, &diags, why, why_size);
		return -EINVAL;
	}
	r = identity_lookup(user, &d.who);
	if (r < 0) {
		if (r == -ENOENT)
			snprintf(why, why_size, "unknown user '%s'", user);
		else
			snprintf(why, why_size, "cannot look up user '%s': %s", user, strerror(-r));
		decision_free(&d);
		return r;
	}
	identity_to_login(d.who, service, rhost, &login);
	r = policy_resolve(d.cfg, &login, &d.profile, &err);
	if (r < 0) {
		snprintf(why, why_size, "config '%s' line %d: %s", config, err.line, err.text);
		decision_free(&d);
		return r == -ENOMEM ? r : -EINVAL;
	}
	*ret = d;
	return 0;
}

void decision_free(struct decision *d)
{
	profile_free(d->profile);
	identity_free(d->who);
	cfg_free(d->cfg);
	*d = (struct decision){0};
}
