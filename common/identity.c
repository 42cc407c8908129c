/* common/identity.c: see identity.h. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/identity.h"

static int group_name(gid_t gid, char **ret)
{
	struct group grp, *found = NULL;
	char buf[16384], number[16];
	int r;

	r = getgrgid_r(gid, &grp, buf, sizeof(buf), &found);
	if (r != 0 && r != ENOENT)
		return -r;
	if (!found)
		snprintf(number, sizeof(number), "%u", (unsigned)gid);
	*ret = strdup(found ? found->gr_name : number);
	return *ret ? 0 : -ENOMEM;
}

static int lookup_groups(struct identity *id)
{
	int n = 32;

	for (;;) {
		gid_t *gids = calloc((size_t)n, sizeof(*gids));
		int want = n;

		if (!gids)
			return -ENOMEM;
		if (getgrouplist(id->user, id->gid, gids, &want) >= 0) {
			id->gids = gids;
			id->n_groups = (size_t)want;
			break;
		}
		free(gids);
		if (want <= n)
			return -EIO;
		n = want;
	}
	id->groups = calloc(id->n_groups + 1, sizeof(*id->groups));
	if (!id->groups)
		return -ENOMEM;
	for (size_t i = 0; i < id->n_groups; i++) {
		int r = group_name(id->gids[i], &id->groups[i]);

		if (r < 0)
			return r;
	}
	return 0;
}

int identity_lookup(const char *user, struct identity **ret)
{
	struct identity *id = NULL;
	struct passwd pw, *found = NULL;
	autofree char *buf = NULL;
	size_t size = 16384;
	int r;

	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	r = getpwnam_r(user, &pw, buf, size, &found);
	if (r != 0 && r != ENOENT)
		return -r;
	if (!found)
		return -ENOENT;

	id = calloc(1, sizeof(*id));
	if (!id)
		return -ENOMEM;
	id->uid = pw.pw_uid;
	id->gid = pw.pw_gid;
	id->user = strdup(pw.pw_name);
	id->gecos = strdup(pw.pw_gecos ? pw.pw_gecos : "");
	id->home = strdup(pw.pw_dir ? pw.pw_dir : "");
	id->shell = strdup(pw.pw_shell && pw.pw_shell[0] ? pw.pw_shell : "/bin/sh");
	r = (!id->user || !id->gecos || !id->home || !id->shell) ? -ENOMEM : 0;
	if (r == 0)
		r = lookup_groups(id);
	if (r == 0) {
		/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): set, as r is 0 */
		id->group = strdup(id->groups[0]);
		r = id->group ? 0 : -ENOMEM;
	}
	if (r < 0) {
		identity_free(id);
		return r;
	}
	*ret = id;
	return 0;
}

void identity_free(struct identity *id)
{
	if (!id)
		return;
	free(id->user);
	free(id->gecos);
	free(id->home);
	free(id->shell);
	free(id->group);
	for (size_t i = 0; id->groups && i < id->n_groups; i++)
		free(id->groups[i]);
	free(id->groups);
	free(id->gids);
	free(id);
}

void identity_to_login(const struct identity *id, const char *service, const char *rhost,
		       struct policy_login *ret)
{
	*ret = (struct policy_login){
	    .user = id->user,
	    .uid = id->uid,
	    .gid = id->gid,
	    .home = id->home,
	    .group = id->group,
	    .groups = (const char *const *)id->groups,
	    .n_groups = id->n_groups,
	    .service = service,
	    .rhost = rhost,
	};
}
