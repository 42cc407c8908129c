/* config/match.h: does a policy apply to a login? Private to config/. */
#pragma once

#include <stdbool.h>

struct cfg_policy;
struct policy_login;

/* True when every criterion @pol gives matches @login (users, groups, services, rhosts);
 * within one criterion, any of its patterns may match. A criterion not given matches. */
bool policy_matches(const struct cfg_policy *pol, const struct policy_login *login);
