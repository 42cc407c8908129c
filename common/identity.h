/* common/identity.h: a user as the host's NSS knows them: passwd entry and group names. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "config/policy.h"

struct identity {
	char *user;
	uid_t uid;
	gid_t gid;
	char *gecos;
	char *home;
	char *shell;
	char *group;   /* primary group name (the number as text when it has no name) */
	char **groups; /* every group's name, primary first */
	gid_t *gids;
	size_t n_groups;
};

/* Look @user up. Returns 0, -ENOENT for an unknown user, -ENOMEM or -errno from NSS. */
int identity_lookup(const char *user, struct identity **ret);

void identity_free(struct identity *id);

static inline void identity_freep(struct identity **id)
{
	identity_free(*id);
}

/* Fill @ret from @id for policy matching; strings stay owned by @id. */
void identity_to_login(const struct identity *id, const char *service, const char *rhost,
		       struct policy_login *ret);
