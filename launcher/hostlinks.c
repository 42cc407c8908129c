/* launcher/hostlinks.c: see hostlinks.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "launcher/hostlinks.h"
#include "launcher/launch.h"
#include "common/mounts.h"

/* The host path, and where it goes inside (utmp may be reached through /var/run). */
static const struct {
	const char *host;
	const char *inside;
} links[] = {
    {"/run/utmp", "/run/utmp"},
    {"/var/log/wtmp", "/var/log/wtmp"},
    {"/var/log/btmp", "/var/log/btmp"},
    {"/var/log/lastlog", "/var/log/lastlog"},
    {"/run/systemd/journal/socket", "/run/systemd/journal/socket"},
    {"/run/systemd/journal/stdout", "/run/systemd/journal/stdout"},
    {"/run/systemd/journal/dev-log", "/run/systemd/journal/dev-log"},
};

/* An empty file at @path below @root_fd to bind over (an existing one is reused). */
static int make_target(int root_fd, const char *path)
{
	char copy[PATH_MAX];
	autoclose int dir_fd = -1;
	const char *name;
	int fd;

	snprintf(copy, sizeof(copy), "%s", path);
	dir_fd = fs_mkdir_p_in_root(root_fd, dirname(copy), 0755);
	if (dir_fd < 0)
		return dir_fd;
	name = strrchr(path, '/') + 1;
	if (mknodat(dir_fd, name, S_IFREG | 0644, 0) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(dir_fd, name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

static int bind_one(struct launch_ctx *c, int root_fd, const char *host, const char *inside)
{
	autoclose int src_fd = -1, target_fd = -1;
	int r;

	src_fd = open(host, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (src_fd < 0)
		return errno == ENOENT ? 0
				       : report_fail(c->report, -errno, "cannot open '%s'", host);
	target_fd = make_target(root_fd, inside);
	if (target_fd < 0)
		return report_fail(c->report, target_fd, "cannot make '%s' inside the session",
				   inside);
	r = mounts_bind(src_fd, target_fd, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
			false);
	if (r < 0)
		return report_fail(c->report, r, "cannot bind '%s' into the session", host);
	report_mount(c->report, "bind", host, inside, true);
	return 0;
}

int hostlinks_bind(struct launch_ctx *c, int root_fd)
{
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		int r = bind_one(c, root_fd, links[i].host, links[i].inside);

		if (r < 0)
			return r;
	}
	return 0;
}
