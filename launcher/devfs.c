/* launcher/devfs.c: see devfs.h.
 *
 * Invariants:
 * 1. The only device nodes in the session are the ones bound here from the host's /dev; the
 *    tmpfs under them is nodev, so a node created some other way never opens.
 * 2. Terminals come from a devpts instance of the session's own: a session sees none of the
 *    host's ptys. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "config/policy.h"
#include "launcher/devfs.h"
#include "launcher/launch.h"
#include "common/mounts.h"

static const char *const host_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

static const struct {
	const char *name, *target;
} dev_links[] = {
    {"ptmx", "pts/ptmx"},          {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
};

/* Bind the host file @host_path onto a new empty file @name below @dir_fd. */
static int bind_host_file(const char *host_path, int dir_fd, const char *name, unsigned attrs)
{
	autoclose int src_fd = -1, target_fd = -1;

	src_fd = open(host_path, O_PATH | O_CLOEXEC);
	if (src_fd < 0)
		return -errno;
	target_fd =
	    openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (target_fd < 0)
		return -errno;
	return mounts_bind(src_fd, target_fd, attrs, false);
}

static int mount_in(int dir_fd, const char *name, mode_t mode, const char *fstype,
		    const char *const *options, unsigned attrs)
{
	autoclose int target_fd = -1, mnt_fd = -1;

	if (mkdirat(dir_fd, name, mode) < 0 && errno != EEXIST)
		return -errno;
	target_fd = openat(dir_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (target_fd < 0)
		return -errno;
	mnt_fd = mounts_new(fstype, fstype, options, attrs, target_fd);
	return mnt_fd < 0 ? mnt_fd : 0;
}

static int mount_devpts(int dev_fd)
{
	struct group *tty = getgrnam("tty");
	char gid[32];
	const char *options[] = {"newinstance", "ptmxmode=0666", "mode=0620", gid, NULL};

	snprintf(gid, sizeof(gid), "gid=%u", tty ? (unsigned)tty->gr_gid : 5u);
	return mount_in(dev_fd, "pts", 0755, "devpts", options,
			MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
}

static int mount_shm(struct launch_ctx *c, int dev_fd)
{
	char size[40];
	const char *options[] = {"mode=1777", size, NULL};

	snprintf(size, sizeof(size), "size=%" PRIu64, c->profile->rootfs_size);
	return mount_in(dev_fd, "shm", 01777, "tmpfs", options,
			MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
}

/* The login's terminal, when it is a console (/dev/tty1, /dev/ttyS0): bound at the same
 * name so the shell's ttyname() works. Pseudo-terminals are not: the session's devpts is its
 * own, and sshd allocates its pty after joining. */
static int bind_login_tty(struct launch_ctx *c, int dev_fd)
{
	const char *tty = c->args->tty;
	char host_path[64];
	const char *name;
	struct stat st;

	if (!tty || !tty[0])
		return 0;
	name = strncmp(tty, "/dev/", 5) == 0 ? tty + 5 : tty;
	if (strchr(name, '/') || strcmp(name, "tty") == 0 || strcmp(name, "console") == 0 ||
	    strlen(name) > 32)
		return 0;
	snprintf(host_path, sizeof(host_path), "/dev/%s", name);
	if (stat(host_path, &st) < 0 || !S_ISCHR(st.st_mode))
		return 0;
	return bind_host_file(host_path, dev_fd, name, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
}

static int add_nodes_and_links(struct launch_ctx *c, int dev_fd)
{
	for (size_t i = 0; i < ARRAY_SIZE(host_nodes); i++) {
		char host_path[32];
		int r;

		snprintf(host_path, sizeof(host_path), "/dev/%s", host_nodes[i]);
		r = bind_host_file(host_path, dev_fd, host_nodes[i],
				   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
		if (r < 0)
			return report_fail(c->report, r, "cannot bind %s into the session",
					   host_path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i].target, dev_fd, dev_links[i].name) < 0)
			return report_fail(c->report, -errno, "cannot create /dev/%s",
					   dev_links[i].name);
	return 0;
}

int devfs_build(struct launch_ctx *c, int root_fd)
{
	const char *options[] = {"mode=0755", "size=1m", NULL};
	autoclose int target_fd = -1, dev_fd = -1;
	int r;

	target_fd = fs_mkdir_p_in_root(root_fd, "/dev", 0755);
	if (target_fd < 0)
		return report_fail(c->report, target_fd, "cannot find /dev in the image");
	dev_fd = mounts_new("tmpfs", "carrel-dev", options,
			    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, target_fd);
	if (dev_fd < 0)
		return report_fail(c->report, dev_fd, "cannot mount /dev");
	report_mount(c->report, "tmpfs", "carrel-dev", "/dev", true);
	r = add_nodes_and_links(c, dev_fd);
	if (r < 0)
		return r;
	r = mount_devpts(dev_fd);
	if (r < 0)
		return report_fail(c->report, r, "cannot mount a devpts instance on /dev/pts");
	report_mount(c->report, "devpts", "devpts", "/dev/pts", true);
	r = mount_shm(c, dev_fd);
	if (r < 0)
		return report_fail(c->report, r, "cannot mount /dev/shm");
	report_mount(c->report, "tmpfs", "shm", "/dev/shm", true);
	/* mqueue belongs to the session's IPC namespace; not every kernel has it. */
	(void)mount_in(dev_fd, "mqueue", 0755, "mqueue", NULL,
		       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	/* The host's syslog socket: the session's own log lines (sshd's included) reach the
	 * host's log. A host without one simply has none inside either. */
	if (bind_host_file("/dev/log", dev_fd, "log", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC) == 0)
		report_mount(c->report, "bind", "/dev/log", "/dev/log", true);
	r = bind_login_tty(c, dev_fd);
	if (r < 0)
		return report_fail(c->report, r, "cannot bind the login terminal '%s'",
				   c->args->tty);
	return 0;
}
