/* common/overlay.c: see overlay.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/overlay.h"

#define FSCONFIG_VALUE_MAX 255

static int lowerdir_value(const int *fds, size_t n, char *buf, size_t size)
{
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, size - used, "%s%d", i ? ":" : "", fds[i]);

		if (w < 0 || (size_t)w >= size - used)
			return -E2BIG;
		used += (size_t)w;
	}
	return 0;
}

/* Linux 6.8 and later take the layers one by one ("lowerdir+"), as many as overlayfs stacks
 * (500). Returns 0, 1 when this kernel does not know "lowerdir+" (nothing was set), or
 * -errno. */
static int append_lowers(int fs_fd, const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "%d", fds[i]);
		if (fsconfig(fs_fd, FSCONFIG_SET_STRING, "lowerdir+", name, 0) == 0)
			continue;
		if (i == 0 && errno == EINVAL)
			return 1;
		return -errno;
	}
	return 0;
}

/* Everything that resolves a layer path, with the cwd in /proc/self/fd: the kernels that
 * parse overlay options only at create time (before 6.5) resolve them then. */
static int configure_here(int fs_fd, const int *fds, size_t n, const char *upper, const char *work)
{
	char lower[FSCONFIG_VALUE_MAX + 1];
	int r = append_lowers(fs_fd, fds, n);

	if (r < 0)
		return r;
	if (r == 1) { /* before 6.8: one "lowerdir" value of at most 255 bytes */
		r = lowerdir_value(fds, n, lower, sizeof(lower));
		if (r < 0)
			return r;
		if (fsconfig(fs_fd, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0)
			return -errno;
	}
	if (upper && fsconfig(fs_fd, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0)
		return -errno;
	if (work && fsconfig(fs_fd, FSCONFIG_SET_STRING, "workdir", work, 0) < 0)
		return -errno;
	if (fsconfig(fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	return 0;
}

int overlay_configure(int fs_fd, const int *lower_fds, size_t n, const char *upper,
		      const char *work)
{
	autoclose int cwd_fd = -1, fds_fd = -1;
	int r;

	if (n == 0)
		return -EINVAL;
	cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	fds_fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd_fd < 0 || fds_fd < 0)
		return -errno;
	if (fchdir(fds_fd) < 0)
		return -errno;
	r = configure_here(fs_fd, lower_fds, n, upper, work);
	if (fchdir(cwd_fd) < 0 && r == 0)
		r = -errno;
	return r;
}
