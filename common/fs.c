/* common/fs.c: see fs.h. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/syscalls.h"

/* Could someone other than root change the entries of the directory @fd (at @shown)? */
static int check_directory(int fd, const char *path, size_t shown, char *why, size_t why_size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_uid != 0) {
		if (why)
			snprintf(why, why_size, "is in '%.*s', which is owned by uid %u, not root",
				 (int)shown, path, (unsigned)st.st_uid);
		return -EACCES;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		if (why)
			snprintf(why, why_size, "is in '%.*s', which is writable by %s (mode %04o)",
				 (int)shown, path, (st.st_mode & S_IWOTH) ? "others" : "its group",
				 (unsigned)(st.st_mode & 07777));
		return -EACCES;
	}
	return 0;
}

/* fs_open_trusted_parent() on an absolute path. */
static int open_trusted_parent(const char *path, const char **last, char *why, size_t why_size)
{
	autoclose int dir_fd = -1;
	const char *p;
	int r;

	*last = path; /* defined on failure too */
	dir_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return -errno;
	for (p = path;;) {
		size_t len;
		char name[NAME_MAX + 1];
		int next;

		r = check_directory(dir_fd, path, p == path ? 1 : (size_t)(p - path), why,
				    why_size);
		if (r < 0)
			return r;
		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0 || p[len + strspn(p + len, "/")] == '\0')
			break; /* p is the last component (or the path is "/") */
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, p, len);
		name[len] = '\0';
		if (strcmp(name, "..") == 0) {
			if (why)
				snprintf(why, why_size, "has a '..' component");
			return -EACCES;
		}
		next = openat(dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			struct stat st;

			r = -errno;
			/* O_NOFOLLOW with O_DIRECTORY says ENOTDIR for a symbolic link too. */
			if (r != -ENOTDIR || fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISLNK(st.st_mode))
				return r;
			if (why)
				snprintf(why, why_size, "is below '%.*s', which is a symbolic link",
					 (int)(p - path + len), path);
			return -EACCES;
		}
		close(dir_fd);
		dir_fd = next;
		p += len;
	}
	*last = p;
	return take_fd(dir_fd);
}

int fs_open_trusted_parent(const char *path, const char **last, char *why, size_t why_size)
{
	autofree char *cwd = NULL, *absolute = NULL;
	const char *abs_last;
	int fd;

	assert(path && last);

	*last = path; /* defined on failure too */
	if (path[0] == '/')
		return open_trusted_parent(path, last, why, why_size);
	/* A relative path (carrel check-config -c ./test.conf): the directories above the
	 * working directory count as much as those below it. */
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return -errno;
	if (asprintf(&absolute, "%s/%s", cwd, path) < 0) {
		absolute = NULL;
		return -ENOMEM;
	}
	fd = open_trusted_parent(absolute, &abs_last, why, why_size);
	if (fd >= 0) /* the same last component, at the end of both */
		*last = path + strlen(path) - strlen(abs_last);
	return fd;
}

int fs_open_trusted(const char *path, char *why, size_t why_size)
{
	autoclose int fd = -1, dir_fd = -1;
	const char *name;
	struct stat st;

	assert(path);

	dir_fd = fs_open_trusted_parent(path, &name, why, why_size);
	if (dir_fd < 0)
		return dir_fd;
	/* O_NONBLOCK: a FIFO planted at the path must not hang the login before the type check. */
	fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
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

DIR *fs_opendir_at(int dir_fd, const char *name)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *dir;
	int saved;

	if (fd < 0)
		return NULL;
	dir = fdopendir(fd);
	if (!dir) {
		saved = errno;
		(void)close(fd);
		errno = saved;
	}
	return dir;
}
