/* common/image.c: see image.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/image.h"

int image_open_dir(const char *path, char *why, size_t why_size)
{
	autoclose int fd = -1, dir_fd = -1;
	const char *name;
	struct stat st;

	/* Whoever can rename a directory above the image can put another tree in its place. */
	why[0] = '\0';
	dir_fd = fs_open_trusted_parent(path, &name, why, why_size);
	if (why[0]) { /* a directory above is not trusted, or a symlink, or ".." */
		char detail[256];

		snprintf(detail, sizeof(detail), "%s", why);
		snprintf(why, why_size, "image directory '%s' %s", path, detail);
		return dir_fd;
	}
	fd = dir_fd < 0 ? dir_fd
			: openat(dir_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		int r = dir_fd < 0 ? dir_fd : -errno;

		snprintf(why, why_size, "image directory '%s' %s", path,
			 r == -ENOENT    ? "does not exist"
			 : r == -ENOTDIR ? "is not a directory (or is a symbolic link)"
					 : strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(why, why_size, "cannot stat image directory '%s': %s", path,
			 strerror(errno));
		return -errno;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(why, why_size,
			 "image directory '%s' must be owned by root and not writable by group or "
			 "others (it is owned by uid %u, mode %04o)",
			 path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return take_fd(fd);
}
