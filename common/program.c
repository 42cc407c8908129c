/* common/program.c: see program.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/program.h"

int program_open_trusted(const char *path)
{
	autoclose int fd = open(path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	/* The caller's own file crosses no privilege boundary: a developer's build tree. For
	 * root, as carrel runs in earnest, that is root's file alone. */
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM;
	return take_fd(fd);
}

int program_open_beside_self(const char *name)
{
	char self[PATH_MAX], *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n == sizeof(self) - 1)
		return -ENAMETOOLONG; /* maybe cut short: not the directory it names */
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash || (size_t)(slash + 1 - self) + strlen(name) >= sizeof(self))
		return -ENOENT;
	strcpy(slash + 1, name); /* length checked above */
	return program_open_trusted(self);
}
