/* launcher/userdb.c: see userdb.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/identity.h"
#include "common/syscalls.h"
#include "common/text.h"
#include "config/config.h"
#include "config/policy.h"
#include "launcher/launch.h"
#include "launcher/userdb.h"

#define DB_MAX (4 * 1024 * 1024)

struct text {
	char *data;
	size_t len;
	bool failed;
};

static void text_add(struct text *t, const char *s, size_t n)
{
	char *p;

	if (t->failed)
		return;
	p = realloc(t->data, t->len + n + 1);
	if (!p) {
		t->failed = true;
		return;
	}
	t->data = p;
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
}

/* The file @name in /etc of the image, or "" when it has none. -ELOOP for a symlink. */
static int read_db(int etc_fd, const char *name, char **ret)
{
	autoclose int fd = -1;

	fd = openat(etc_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno != ENOENT)
			return -errno;
		*ret = strdup("");
		return *ret ? 0 : -ENOMEM;
	}
	return fs_read_small(fd, DB_MAX, ret, NULL);
}

/* Does @line start with "@name:"? */
static bool line_is(const char *line, const char *name)
{
	size_t n = strlen(name);

	return strncmp(line, name, n) == 0 && line[n] == ':';
}

static bool field_ok(const char *s)
{
	return !strpbrk(s, ":\n");
}

static int sync_passwd(struct launch_ctx *c, int etc_fd)
{
	const struct identity *who = c->who;
	autofree char *old = NULL, *entry = NULL;
	struct text out = {0};
	bool found_same = false;
	char *save = NULL;
	int r;

	if (!field_ok(who->gecos) || !field_ok(who->home) || !field_ok(who->shell))
		return -EINVAL;
	if (asprintf(&entry, "%s:x:%u:%u:%s:%s:%s", who->user, (unsigned)who->uid,
		     (unsigned)who->gid, who->gecos, who->home, who->shell) < 0)
		return -ENOMEM;
	r = read_db(etc_fd, "passwd", &old);
	if (r < 0)
		return r;
	/* Keep every other line; drop the image's idea of this user unless it is ours. */
	for (char *line = strtok_r(old, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line_is(line, who->user)) {
			found_same = found_same || strcmp(line, entry) == 0;
			continue;
		}
		text_add(&out, line, strlen(line));
		text_add(&out, "\n", 1);
	}
	if (found_same) {
		free(out.data);
		return 0; /* the image already agrees: leave the file alone */
	}
	text_add(&out, entry, strlen(entry));
	text_add(&out, "\n", 1);
	if (out.failed) {
		free(out.data);
		return -ENOMEM;
	}
	r = fs_write_atomic(etc_fd, "passwd", out.data, out.len, 0644);
	free(out.data);
	return r;
}

/* Rewrite one "name:pw:gid:members" line for group @i of the user: the host's gid, and the
 * user among the members of a supplementary group. */
static int group_line(const struct identity *who, size_t i, const char *line, struct text *out)
{
	autofree char *copy = strdup(line);
	char *p = copy, *name, *password, *members;
	char gid[16];

	if (!copy)
		return -ENOMEM;
	name = strsep(&p, ":");
	password = strsep(&p, ":");
	(void)strsep(&p, ":"); /* the image's gid */
	members = p ? p : "";
	snprintf(gid, sizeof(gid), "%u", (unsigned)who->gids[i]);
	text_add(out, name, strlen(name));
	text_add(out, ":", 1);
	text_add(out, password ? password : "x", strlen(password ? password : "x"));
	text_add(out, ":", 1);
	text_add(out, gid, strlen(gid));
	text_add(out, ":", 1);
	text_add(out, members, strlen(members));
	if (who->gids[i] != who->gid && !text_list_contains(members, ',', who->user)) {
		if (members[0])
			text_add(out, ",", 1);
		text_add(out, who->user, strlen(who->user));
	}
	text_add(out, "\n", 1);
	return 0;
}

static int user_group_index(const struct identity *who, const char *line)
{
	for (size_t i = 0; i < who->n_groups; i++)
		if (line_is(line, who->groups[i]))
			return (int)i;
	return -1;
}

static int sync_group(struct launch_ctx *c, int etc_fd)
{
	const struct identity *who = c->who;
	autofree char *old = NULL, *before = NULL;
	autofree bool *seen = calloc(who->n_groups, sizeof(bool));
	struct text out = {0};
	char *save = NULL;
	int r;

	if (!seen)
		return -ENOMEM;
	r = read_db(etc_fd, "group", &old);
	if (r < 0)
		return r;
	/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): read_db() set it (-errno < 0) */
	before = strdup(old);
	if (!before)
		return -ENOMEM;
	for (char *line = strtok_r(old, "\n", &save); line && r >= 0;
	     line = strtok_r(NULL, "\n", &save)) {
		int i = user_group_index(who, line);

		if (i < 0 || seen[i]) {
			text_add(&out, line, strlen(line));
			text_add(&out, "\n", 1);
			continue;
		}
		seen[i] = true;
		r = group_line(who, (size_t)i, line, &out);
	}
	for (size_t i = 0; i < who->n_groups && r >= 0; i++) {
		char entry[512];

		if (seen[i] || !field_ok(who->groups[i]))
			continue;
		snprintf(entry, sizeof(entry), "%s:x:%u:%s\n", who->groups[i],
			 (unsigned)who->gids[i], who->gids[i] == who->gid ? "" : who->user);
		text_add(&out, entry, strlen(entry));
	}
	if (r >= 0 && out.failed)
		r = -ENOMEM;
	if (r >= 0 && strcmp(out.data ? out.data : "", before) != 0)
		r = fs_write_atomic(etc_fd, "group", out.data ? out.data : "", out.len, 0644);
	free(out.data);
	return r;
}

/* "127.0.1.1 <hostname>" so that tools resolving their own host name (sudo, mail) work. */
static int sync_hosts(struct launch_ctx *c, int etc_fd)
{
	const char *name = c->profile->hostname;
	autofree char *old = NULL, *updated = NULL;
	int r;

	r = read_db(etc_fd, "hosts", &old);
	if (r < 0)
		return r;
	/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): read_db() set it (-errno < 0) */
	for (char *p = strstr(old, name); p; p = strstr(p + 1, name)) {
		char after = p[strlen(name)];

		if ((p == old || strchr(" \t", p[-1])) && strchr(" \t\n", after ? after : '\n'))
			return 0;
	}
	if (asprintf(&updated, "%s%s127.0.1.1\t%s\n", old,
		     old[0] && old[strlen(old) - 1] != '\n' ? "\n" : "", name) < 0)
		return -ENOMEM;
	return fs_write_atomic(etc_fd, "hosts", updated, strlen(updated), 0644);
}

int userdb_sync(struct launch_ctx *c, int root_fd)
{
	autoclose int etc_fd = -1;
	int r;

	etc_fd = fs_mkdir_p_in_root(root_fd, "/etc", 0755);
	if (etc_fd < 0)
		return report_fail(c->report, etc_fd, "cannot open /etc in the image");
	r = sync_passwd(c, etc_fd);
	if (r < 0)
		return report_fail(c->report, r,
				   "cannot add user '%s' to the session's /etc/passwd",
				   c->who->user);
	r = sync_group(c, etc_fd);
	if (r < 0)
		return report_fail(c->report, r, "cannot add the groups of '%s' to /etc/group",
				   c->who->user);
	r = sync_hosts(c, etc_fd);
	if (r < 0)
		return report_fail(c->report, r, "cannot add the host name to /etc/hosts");
	return 0;
}

int userdb_check_shell(struct launch_ctx *c, int root_fd)
{
	const char *shell = c->who->shell;
	const char *image = c->profile->image->name;
	autoclose int fd = -1;
	struct stat st;

	/* Symlinks are followed inside the root: /bin is a link to usr/bin in most images. */
	fd = sys_openat2(root_fd, shell, O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT);
	if (fd < 0 || fstat(fd, &st) < 0)
		return report_refuse(
		    c->report, -ENOENT,
		    "login shell '%s' of user '%s' does not exist in image '%s': "
		    "install it in the image or give the user a shell the image has",
		    shell, c->who->user, image);
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return report_refuse(c->report, -EACCES,
				     "login shell '%s' of user '%s' is not an executable file in "
				     "image '%s'",
				     shell, c->who->user, image);
	return 0;
}
