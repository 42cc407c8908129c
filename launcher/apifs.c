/* launcher/apifs.c: see apifs.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/identity.h"
#include "config/policy.h"
#include "launcher/apifs.h"
#include "launcher/launch.h"
#include "launcher/masks.h"
#include "common/mounts.h"

static int mount_at(int root_fd, const char *path, mode_t mode, const char *fstype,
		    const char *source, const char *const *options, unsigned attrs)
{
	autoclose int target_fd = -1;

	target_fd = fs_mkdir_p_in_root(root_fd, path, mode);
	if (target_fd < 0)
		return target_fd;
	return mounts_new(fstype, source, options, attrs, target_fd);
}

/* /run: carrel's own and the host's runtime state stay outside; the session gets the usual
 * skeleton (/run/lock, and /run/user/<uid> owned by the user, the XDG runtime dir). */
static int populate_run(struct launch_ctx *c, int run_fd)
{
	autoclose int user_fd = -1;
	char uid[16];

	if (mkdirat(run_fd, "lock", 01777) < 0 || fchmodat(run_fd, "lock", 01777, 0) < 0)
		return -errno;
	if (mkdirat(run_fd, "user", 0755) < 0)
		return -errno;
	user_fd = openat(run_fd, "user", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (user_fd < 0)
		return -errno;
	snprintf(uid, sizeof(uid), "%u", (unsigned)c->who->uid);
	if (mkdirat(user_fd, uid, 0700) < 0 ||
	    fchownat(user_fd, uid, c->who->uid, c->who->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int mount_scratch(struct launch_ctx *c, int root_fd)
{
	char size[40];
	const char *tmp_options[] = {"mode=1777", size, NULL};
	const char *run_options[] = {"mode=0755", size, NULL};
	const unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	autoclose int tmp_fd = -1, run_fd = -1;
	int r;

	/* Each is capped at rootfs_size, like the writable layer and /dev/shm: a session can
	 * fill each of them up to that, never the host's memory. */
	snprintf(size, sizeof(size), "size=%" PRIu64, c->profile->rootfs_size);
	tmp_fd = mount_at(root_fd, "/tmp", 01777, "tmpfs", "carrel-tmp", tmp_options, attrs);
	if (tmp_fd < 0)
		return report_fail(c->report, tmp_fd, "cannot mount a private /tmp");
	report_mount(c->report, "tmpfs", "carrel-tmp", "/tmp", true);
	run_fd = mount_at(root_fd, "/run", 0755, "tmpfs", "carrel-run", run_options, attrs);
	if (run_fd < 0)
		return report_fail(c->report, run_fd, "cannot mount a private /run");
	report_mount(c->report, "tmpfs", "carrel-run", "/run", true);
	r = populate_run(c, run_fd);
	if (r < 0)
		return report_fail(c->report, r, "cannot prepare /run");
	return 0;
}

int apifs_build(struct launch_ctx *c, int root_fd)
{
	const unsigned kernel_attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	autoclose int proc_fd = -1, sys_fd = -1;
	int r;

	/* We are PID 1 of the new pid namespace: this procfs shows the session only. */
	proc_fd = mount_at(root_fd, "/proc", 0555, "proc", "proc", NULL, kernel_attrs);
	if (proc_fd < 0)
		return report_fail(c->report, proc_fd, "cannot mount /proc");
	report_mount(c->report, "proc", "proc", "/proc", true);
	sys_fd = mount_at(root_fd, "/sys", 0555, "sysfs", "sysfs", NULL,
			  kernel_attrs | MOUNT_ATTR_RDONLY);
	if (sys_fd < 0)
		return report_fail(c->report, sys_fd, "cannot mount /sys");
	report_mount(c->report, "sysfs", "sysfs", "/sys", false);
	r = masks_apply(c, proc_fd, sys_fd);
	if (r < 0)
		return r;
	return mount_scratch(c, root_fd);
}
