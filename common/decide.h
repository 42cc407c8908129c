/* common/decide.h: the one decision every entry point makes first: given the config, who is
 * logging in through which service from where, what are the effective settings? */
#pragma once

#include <stddef.h>

struct cfg;
struct identity;
struct profile;

struct decision {
	struct cfg *cfg;
	struct identity *who;
	struct profile *profile; /* profile->sandbox false: leave this login alone */
};

/* Load @config, look @user up and resolve the policy for @service/@rhost (either may be
 * NULL). Returns 0 with @ret filled, or -errno with @why saying what is wrong in one line:
 * -ENOENT an unknown user, -EINVAL a config problem (its file and line), or another -errno.
 * Release with decision_free(). */
int decide(const char *config, const char *user, const char *service, const char *rhost,
	   struct decision *ret, char *why, size_t why_size);

void decision_free(struct decision *d);
