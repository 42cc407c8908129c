/* common/store.c: see store.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/store.h"

int store_open(bool create)
{
	autoclose int fd = -1;
	struct stat st;

	if (create && mkdir(STORE_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = open(STORE_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM; /* whoever could write here could redirect every layer */
	return take_fd(fd);
}

int store_dir(int store_fd, const char *path, mode_t mode)
{
	return fs_mkdir_p_in_root(store_fd, path, mode);
}

int store_lock_layer(int layer_fd)
{
	autoclose int fd = -1;

	fd = openat(layer_fd, STORE_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	return take_fd(fd);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP ? rmdir(path) : unlink(path)) {
		/* A mount point (FTW_MOUNT left its contents alone) or a racing delete. */
		if (errno != EBUSY && errno != ENOENT && errno != ENOTEMPTY)
			return -errno;
	}
	return 0;
}

int store_remove_tree(int dir_fd, const char *name)
{
	char path[64 + 256];
	struct stat st;
	int r;

	if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	/* nftw walks by path: the fd's magic link pins the starting point, and FTW_PHYS and
	 * FTW_MOUNT keep the walk off symlinks and out of other filesystems. The tree is
	 * static while this runs: its session is over or was never started. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dir_fd, name);
	r = nftw(path, remove_entry, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (r < 0)
		return -errno;
	return r > 0 ? -EIO : r;
}

void store_layer_name(const char *mount_point, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	if (strcmp(mount_point, "/") == 0 || !mount_point[0])
		return;
	used = (size_t)snprintf(buf, size, "mnt");
	for (const char *p = mount_point; *p && used + 4 < size; p++) {
		if (*p == '/' || *p == '%')
			used +=
			    (size_t)snprintf(buf + used, size - used, "%%%02X", (unsigned char)*p);
		else
			buf[used++] = *p;
	}
	buf[used < size ? used : size - 1] = '\0';
}
