/* image/users.c: see users.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/syscalls.h"
#include "image/users.h"

#define DB_MAX (4 * 1024 * 1024)

/* The image's @path as text; a missing file (or image, @root_fd -1) is empty. O_NONBLOCK: a FIFO
 * there must not hang the build (it is then refused for not being a regular file). */
static int read_db(int root_fd, const char *path, char **ret)
{
	autoclose int fd = -1;
	struct stat st;

	if (root_fd < 0) { /* an image with no layers yet: no files */
		*ret = strdup("");
		return *ret ? 0 : -ENOMEM;
	}
	fd = sys_openat2(root_fd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0,
			 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (fd < 0 && errno == ENOENT) {
		*ret = strdup("");
		return *ret ? 0 : -ENOMEM;
	}
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return fs_read_small(fd, DB_MAX, ret, NULL);
}

static bool parse_id(const char *s, unsigned long *ret)
{
	char *end;

	if (!s[0] || s[0] == '-' || s[0] == '+')
		return false;
	errno = 0;
	*ret = strtoul(s, &end, 10);
	return errno == 0 && !*end && *ret < UINT_MAX;
}

/* Field @n (from 0) of the ':'-separated @line, into @buf. */
static const char *field(const char *line, int n, char *buf, size_t size)
{
	for (; n > 0 && line; n--) {
		line = strchr(line, ':');
		line = line ? line + 1 : NULL;
	}
	snprintf(buf, size, "%.*s", line ? (int)strcspn(line, ":\n") : 0, line ? line : "");
	return buf;
}

static const char *next_line(const char *line)
{
	line = strchr(line, '\n');
	return line ? line + 1 : NULL;
}

/* The line of @db whose field @key_field is @key (a name, or a number for the id field). */
static const char *find_line(const char *db, int key_field, const char *key)
{
	for (const char *line = db; line && *line; line = next_line(line)) {
		char buf[256];

		if (*line == '#' || *line == '\n')
			continue;
		if (strcmp(field(line, key_field, buf, sizeof(buf)), key) == 0)
			return line;
	}
	return NULL;
}

static int lookup_user(const char *passwd, const char *name, struct image_user *u, char *user_name,
		       size_t size, bool *ret_found)
{
	const char *line = find_line(passwd, 0, name);
	unsigned long id;
	char buf[256];

	*ret_found = false;
	user_name[0] = '\0';
	if (!line && parse_id(name, &id))
		line = find_line(passwd, 2, name); /* a number: its entry, if it has one */
	if (!line) {
		if (!parse_id(name, &id))
			return -ENOENT;
		u->uid = (uid_t)id;
		return 0;
	}
	if (!parse_id(field(line, 2, buf, sizeof(buf)), &id))
		return -EINVAL;
	u->uid = (uid_t)id;
	if (!parse_id(field(line, 3, buf, sizeof(buf)), &id))
		return -EINVAL;
	u->gid = (gid_t)id;
	field(line, 5, u->home, sizeof(u->home));
	field(line, 0, user_name, size);
	*ret_found = true;
	return 0;
}

static int lookup_group(const char *group, const char *name, gid_t *ret)
{
	const char *line = find_line(group, 0, name);
	unsigned long id;
	char buf[64];

	if (line && parse_id(field(line, 2, buf, sizeof(buf)), &id)) {
		*ret = (gid_t)id;
		return 0;
	}
	if (!line && parse_id(name, &id)) {
		*ret = (gid_t)id;
		return 0;
	}
	return line ? -EINVAL : -ENOENT;
}

/* The groups that list @user as a member. */
static void supplementary(const char *group, const char *user, struct image_user *u)
{
	for (const char *line = group; line && *line && u->n_groups < USERS_GROUPS_MAX;
	     line = next_line(line)) {
		char members[4096], id_text[32];
		unsigned long id;
		size_t n = strlen(user);

		field(line, 3, members, sizeof(members));
		for (const char *m = members; *m; m += strcspn(m, ","), m += *m == ',') {
			if (strncmp(m, user, n) != 0 || (m[n] && m[n] != ','))
				continue;
			if (parse_id(field(line, 2, id_text, sizeof(id_text)), &id))
				u->groups[u->n_groups++] = (gid_t)id;
			break;
		}
	}
}

static int resolve(const char *passwd, const char *group, const char *user, const char *grp,
		   enum users_for what, struct image_user *u, char *why, size_t why_size)
{
	char user_name[256];
	bool found;
	int r;

	r = lookup_user(passwd, user, u, user_name, sizeof(user_name), &found);
	if (r < 0) {
		snprintf(why, why_size, "no user '%s' in the image's /etc/passwd", user);
		return r;
	}
	if (grp) {
		r = lookup_group(group, grp, &u->gid);
		if (r < 0)
			snprintf(why, why_size, "no group '%s' in the image's /etc/group", grp);
		return r;
	}
	if (what == USERS_FOR_CHOWN)
		u->gid = (gid_t)u->uid;
	else if (found)
		supplementary(group, user_name, u);
	return 0;
}

int users_resolve(int root_fd, const char *spec, enum users_for what, struct image_user *ret,
		  char *why, size_t why_size)
{
	autofree char *passwd = NULL, *group = NULL, *copy = strdup(spec);
	struct image_user u = {0};
	char *colon;
	int r;

	if (!copy)
		return -ENOMEM;
	colon = strchr(copy, ':');
	if (colon)
		*colon = '\0';
	if (!copy[0] || (colon && !colon[1])) {
		snprintf(why, why_size, "'%s' is not USER[:GROUP]", spec);
		return -EINVAL;
	}
	r = read_db(root_fd, "etc/passwd", &passwd);
	if (r >= 0)
		r = read_db(root_fd, "etc/group", &group);
	if (r < 0) {
		snprintf(why, why_size, "cannot read the image's /etc/passwd and /etc/group: %s",
			 strerror(-r));
		return r;
	}
	r = resolve(passwd, group, copy, colon ? colon + 1 : NULL, what, &u, why, why_size);
	if (r < 0)
		return r;
	*ret = u;
	return 0;
}
