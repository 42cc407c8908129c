/* common/mounts.c: see mounts.h. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/overlay.h"
#include "common/syscalls.h"
#include "common/mounts.h"

int mounts_make_slave(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return -errno;
	return 0;
}

static int configure(int fs_fd, const char *option)
{
	const char *eq = strchr(option, '=');
	char key[64];
	int r;

	if (!eq)
		r = fsconfig(fs_fd, FSCONFIG_SET_FLAG, option, NULL, 0);
	else {
		size_t n = (size_t)(eq - option);

		if (n >= sizeof(key))
			return -EINVAL;
		memcpy(key, option, n);
		key[n] = '\0';
		r = fsconfig(fs_fd, FSCONFIG_SET_STRING, key, eq + 1, 0);
	}
	return r < 0 ? -errno : 0;
}

/* The created filesystem of @fs_fd, mounted with @attrs on @target_fd. */
static int attach(int fs_fd, unsigned attrs, int target_fd)
{
	autoclose int mnt_fd = -1;

	mnt_fd = fsmount(fs_fd, FSMOUNT_CLOEXEC, attrs);
	if (mnt_fd < 0)
		return -errno;
	if (move_mount(mnt_fd, "", target_fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return take_fd(mnt_fd);
}

int mounts_new(const char *fstype, const char *source, const char *const *options, unsigned attrs,
	       int target_fd)
{
	autoclose int fs_fd = -1;
	int r;

	assert(target_fd >= 0);

	fs_fd = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fs_fd < 0)
		return -errno;
	if (source && fsconfig(fs_fd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return -errno;
	for (size_t i = 0; options && options[i]; i++) {
		r = configure(fs_fd, options[i]);
		if (r < 0)
			return r;
	}
	if (fsconfig(fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	return attach(fs_fd, attrs, target_fd);
}

int mounts_overlay(const int *lower_fds, size_t n, const char *upper, const char *work,
		   unsigned attrs, int target_fd)
{
	autoclose int fs_fd = -1;
	int r;

	assert(target_fd >= 0 && n > 0);

	fs_fd = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs_fd < 0)
		return -errno;
	if (fsconfig(fs_fd, FSCONFIG_SET_STRING, "source", "carrel", 0) < 0)
		return -errno;
	r = overlay_configure(fs_fd, lower_fds, n, upper, work);
	if (r < 0)
		return r;
	return attach(fs_fd, attrs, target_fd);
}

static int bind_with(int src_fd, int target_fd, unsigned attrs, bool recursive,
		     uint64_t propagation)
{
	struct mount_attr attr = {.attr_set = attrs, .propagation = propagation};
	unsigned tree_flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH;
	autoclose int tree_fd = -1;

	assert(src_fd >= 0 && target_fd >= 0);

	if (recursive)
		tree_flags |= AT_RECURSIVE;
	tree_fd = open_tree(src_fd, "", tree_flags);
	if (tree_fd < 0)
		return -errno;
	if (mount_setattr(tree_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
			  sizeof(attr)) < 0)
		return -errno;
	if (move_mount(tree_fd, "", target_fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

int mounts_bind(int src_fd, int target_fd, unsigned attrs, bool recursive)
{
	return bind_with(src_fd, target_fd, attrs, recursive, MS_PRIVATE);
}

int mounts_bind_slave(int src_fd, int target_fd, unsigned attrs, bool recursive)
{
	return bind_with(src_fd, target_fd, attrs, recursive, MS_SLAVE);
}

int mounts_pivot(int new_root_fd)
{
	if (fchdir(new_root_fd) < 0)
		return -errno;
	/* new_root and put_old the same: the old root ends up stacked under the new one, from
	 * where it is detached, leaving no path back to the host. */
	if (sys_pivot_root(".", ".") < 0)
		return -errno;
	if (umount2(".", MNT_DETACH) < 0)
		return -errno;
	if (chdir("/") < 0)
		return -errno;
	return 0;
}
