/* common/proc.c: see proc.h. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/proc.h"

int proc_start_time(pid_t pid, uint64_t *ret)
{
	char path[64];
	autofree char *stat = NULL;
	autoclose int fd = -1;
	const char *p;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	r = fs_read_small(fd, 4096, &stat, NULL);
	if (r < 0)
		return r;

	/* The command name may hold spaces and ')': fields start after the last ')'. */
	p = strrchr(stat, ')');
	if (!p)
		return -EPROTO;
	p++;
	/* After ')' come field 3 (state) onwards; start time is field 22. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EPROTO;
	}
	p++;
	if (*p < '0' || *p > '9')
		return -EPROTO;
	errno = 0;
	*ret = strtoull(p, NULL, 10);
	return errno ? -EPROTO : 0;
}

int proc_open_verified(pid_t pid, uint64_t start_time)
{
	autoclose int pidfd = -1;
	uint64_t now = 0;
	int r;

	if (pid <= 0)
		return -ESRCH;
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0)
		return -errno;
	/* Checked after opening: from here on the pidfd pins the process we compared. */
	r = proc_start_time(pid, &now);
	if (r < 0)
		return r;
	if (now != start_time)
		return -ESRCH;
	return take_fd(pidfd);
}

int proc_count_threads(void)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

int proc_pidfd_alive(int pidfd)
{
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	int n;

	assert(pidfd >= 0);
	n = poll(&pfd, 1, 0);
	if (n < 0)
		return -errno;
	return n == 0; /* a pidfd becomes readable when its process exits */
}
