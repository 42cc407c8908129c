/* launcher/masks.c: see masks.h. The lists follow what container runtimes mask by default
 * (the OCI runtime spec's defaults as Docker ships them), for the same reasons: host-wide
 * settings (/proc/sys, sysrq), kernel memory and keys, and timing and energy side channels. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "launcher/launch.h"
#include "launcher/masks.h"
#include "common/mounts.h"

static const char *const proc_readonly[] = {"sys", "sysrq-trigger", "irq", "bus", "fs"};
static const char *const proc_hidden[] = {
    "kcore", "keys", "timer_list", "sched_debug", "latency_stats", "timer_stats", "acpi", "scsi"};
static const char *const sys_hidden[] = {"firmware", "devices/virtual/powercap"};

/* Bind @name onto itself, read-only. */
static int make_readonly(int dir_fd, const char *name)
{
	autoclose int fd = -1;

	fd = openat(dir_fd, name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	return mounts_bind(
	    fd, fd, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
	    true);
}

/* A directory gets an empty read-only tmpfs over it, a file /dev/null. */
static int hide(int dir_fd, const char *name)
{
	const char *options[] = {"size=0", "mode=0555", NULL};
	autoclose int fd = -1, null_fd = -1, mnt_fd = -1;
	struct stat st;

	fd = openat(dir_fd, name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		mnt_fd = mounts_new("tmpfs", "carrel-mask", options,
				    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					MOUNT_ATTR_NOEXEC,
				    fd);
		return mnt_fd < 0 ? mnt_fd : 0;
	}
	null_fd = open("/dev/null", O_PATH | O_CLOEXEC);
	if (null_fd < 0)
		return -errno;
	return mounts_bind(null_fd, fd, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
			   false);
}

int masks_apply(struct launch_ctx *c, int proc_fd, int sys_fd)
{
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(proc_readonly); i++) {
		r = make_readonly(proc_fd, proc_readonly[i]);
		if (r < 0)
			return report_fail(c->report, r, "cannot make /proc/%s read-only",
					   proc_readonly[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(proc_hidden); i++) {
		r = hide(proc_fd, proc_hidden[i]);
		if (r < 0)
			return report_fail(c->report, r, "cannot hide /proc/%s", proc_hidden[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sys_hidden); i++) {
		r = hide(sys_fd, sys_hidden[i]);
		if (r < 0)
			return report_fail(c->report, r, "cannot hide /sys/%s", sys_hidden[i]);
	}
	return 0;
}
