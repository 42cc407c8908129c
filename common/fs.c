/* common/fs.c: see fs.h. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/syscalls.h"

int fs_open_trusted(const char *path, char *why, size_t why_size)
{
	autoclose int fd = -1;
	struct stat st;

	assert(path);

	/* O_NONBLOCK: a FIFO planted at the path must not hang the login before the type check. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP && why)
			snprintf(why, why_size, "is a symbolic link");
		return -errno;
	}
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		if (why)
			snprintf(why, why_size, "is not a regular file");
		return -EINVAL;
	}
	if (st.st_uid != 0) {
		if (why)
			snprintf(why, why_size, "is owned by uid %u, not root",
				 (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		if (why)
			snprintf(why, why_size, "is writable by %s (mode %04o)",
				 (st.st_mode & S_IWOTH) ? "others" : "its group",
				 (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return take_fd(fd);
}

int fs_read_small(int fd, size_t max, char **ret, size_t *ret_len)
{
	autofree char *buf = NULL;
	size_t len = 0, cap = 0;

	assert(fd >= 0);

	/* Read up to max + 1 bytes: getting that one more byte is how "too big" shows. */
	for (;;) {
		ssize_t n;

		if (len == cap) {
			size_t want = cap ? cap * 2 : 4096;
			char *bigger;

			if (len > max)
				return -EFBIG;
			if (want > max + 1)
				want = max + 1;
			bigger = realloc(buf, want + 1);
			if (!bigger)
				return -ENOMEM;
			buf = bigger;
			cap = want;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max)
		return -EFBIG;
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret = take_ptr(buf);
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int fs_write_atomic(int dir_fd, const char *name, const char *data, size_t len, mode_t mode)
{
	char tmp[256];
	autoclose int fd = -1;
	int r;

	assert(dir_fd >= 0);
	assert(!strchr(name, '/'));

	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r >= 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r >= 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dir_fd, tmp, 0);
	return r;
}

int fs_mkdir_p_in_root(int root_fd, const char *path, mode_t mode)
{
	autofree char *copy = strdup(path);
	autofree char *prefix = calloc(1, strlen(path) + 2);
	autoclose int dir_fd = -1;
	char *save = NULL;

	assert(root_fd >= 0);
	if (!copy || !prefix)
		return -ENOMEM;

	dir_fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
	if (dir_fd < 0)
		return -errno;
	for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		int next;

		if (strcmp(part, ".") == 0 || strcmp(part, "..") == 0)
			return -EINVAL;
		if (mkdirat(dir_fd, part, mode) < 0 && errno != EEXIST)
			return -errno;
		strcat(prefix, "/");
		strcat(prefix, part);
		/* Resolve the whole prefix from the root each time, and follow no symlink at
		 * all: part of the tree may be a user's bound home, where a planted link must
		 * not redirect a mount point. */
		next = sys_openat2(root_fd, prefix, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
				   RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
		if (next < 0)
			return -errno;
		(void)close(dir_fd);
		dir_fd = next;
	}
	return take_fd(dir_fd);
}
