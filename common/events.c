/* common/events.c: see events.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/events.h"

int events_open(void)
{
	int fd = open(EVENTS_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	return fd < 0 ? -errno : fd;
}

/* A field on one line: tabs and newlines would break the format. */
static void clean(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; src && *src && i + 1 < size; src++)
		dst[i++] = (char)((*src == '\t' || *src == '\n' || *src == '\r') ? ' ' : *src);
	if (i == 0 && size > 1)
		dst[i++] = '-';
	dst[i] = '\0';
}

/* Past the size cap, the log moves aside whole. Two writers may both rotate: the second
 * rename only moves a few fresh lines, which is fine for a log of this kind. */
static void rotate_if_big(int dir_fd, int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && st.st_size > EVENTS_MAX_BYTES)
		(void)renameat(dir_fd, EVENTS_NAME, dir_fd, EVENTS_NAME ".1");
}

int events_write(int dir_fd, const struct events_entry *e)
{
	autoclose int fd = -1;
	char when[32], fields[5][256], line[1536];
	struct timespec now;
	struct tm tm;
	int n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	clean(fields[0], sizeof(fields[0]), e->id);
	clean(fields[1], sizeof(fields[1]), e->user);
	clean(fields[2], sizeof(fields[2]), e->service);
	clean(fields[3], sizeof(fields[3]), e->rhost);
	clean(fields[4], sizeof(fields[4]), e->detail);
	n = snprintf(line, sizeof(line), "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", when, e->event, fields[0],
		     fields[1], fields[2], fields[3], fields[4]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -EOVERFLOW;
	fd = openat(dir_fd, EVENTS_NAME, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0600);
	if (fd < 0)
		return -errno;
	if (write(fd, line, (size_t)n) != n)
		return -errno;
	rotate_if_big(dir_fd, fd);
	return 0;
}

int events_log(const struct events_entry *e)
{
	autoclose int fd = events_open();

	if (fd < 0)
		return fd;
	return events_write(fd, e);
}
