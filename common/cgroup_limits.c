/* common/cgroup_limits.c: writing a session's limits, and reading what it uses (cgroup.h).
 *
 *   limit        cgroup v2                     cgroup v1
 *   memory       memory.max                    memory.limit_in_bytes
 *   swap         memory.swap.max               memory.memsw.limit_in_bytes (memory + swap)
 *   pids         pids.max                      pids.max
 *   cpu          cpu.max "quota period"        cpu.cfs_quota_us, cpu.cfs_period_us
 *
 * When memory is limited and swap is not, no swap is allowed on top: a memory limit that a
 * process can escape into swap holds nothing. Swap files exist only where the kernel
 * accounts swap; where they do not, there is no swap limit to set. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/cleanup.h"
#include "common/fs.h"

#define CPU_PERIOD_USEC 100000

static const char *const limit_names[] = {"memory", "pids", "cpu"};

/* Write one control file below an open cgroup directory. Returns 0 or -errno. */
static int write_control(int dir_fd, const char *file, const char *value)
{
	autoclose int fd = -1;
	size_t len = strlen(value);
	ssize_t n;

	fd = openat(dir_fd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int write_number(int dir_fd, const char *file, uint64_t value)
{
	char text[32];

	snprintf(text, sizeof(text), "%" PRIu64, value);
	return write_control(dir_fd, file, text);
}

/* On v2 a controller works in a cgroup only when every ancestor enables it for its
 * children: the top, carrel/ and the user's directory. */
static int enable_v2_controller(const struct cgroup_hierarchy *h, const char *name,
				const char *controller)
{
	char enable[32], path[512], parent[CGROUP_NAME_MAX];
	const char *levels[] = {"", "/" CGROUP_PARENT, parent};

	snprintf(enable, sizeof(enable), "+%s", controller);
	snprintf(parent, sizeof(parent), "/" CGROUP_PARENT "/%.*s", (int)strcspn(name, "/"), name);
	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		autoclose int fd = -1;
		int r;

		snprintf(path, sizeof(path), "%s%s", h->mount, levels[i]);
		fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return -errno;
		r = write_control(fd, "cgroup.subtree_control", enable);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The directory a limit goes to in the hierarchy providing @controller: the session's, or
 * with @user its user's. -ENOENT when no hierarchy provides it. */
static int open_limit_dir(const struct cgroup_layout *l, enum cgroup_controller controller,
			  const char *name, bool user)
{
	char path[512], dir[CGROUP_NAME_MAX];
	int i = l->provider[controller], fd, r;

	if (i < 0)
		return -ENOENT;
	if (user)
		snprintf(dir, sizeof(dir), "%.*s", (int)strcspn(name, "/"), name);
	else
		snprintf(dir, sizeof(dir), "%s", name);
	if (l->h[i].version == CGROUP_V2) {
		r = enable_v2_controller(
		    &l->h[i], name, controller == CGROUP_CPU ? "cpu" : limit_names[controller]);
		if (r < 0)
			return r;
	}
	r = cgroup_session_path(l, (size_t)i, dir, path, sizeof(path));
	if (r < 0)
		return r;
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

static bool is_v2(const struct cgroup_layout *l, enum cgroup_controller c)
{
	return l->h[l->provider[c]].version == CGROUP_V2;
}

/* A swap file is missing where the kernel does not account swap: nothing to limit then. */
static int write_swap(int fd, const char *file, const char *value)
{
	int r = write_control(fd, file, value);

	return r == -ENOENT ? 0 : r;
}

static int write_memory(const struct cgroup_layout *l, int fd, const struct cfg_limits *lim)
{
	uint64_t swap = (lim->set & CFG_LIMIT_SWAP) ? lim->swap : 0;
	char memsw[32];
	int r;

	if (is_v2(l, CGROUP_MEMORY)) {
		r = write_number(fd, "memory.max", lim->memory);
		snprintf(memsw, sizeof(memsw), "%" PRIu64, swap);
		return r < 0 ? r : write_swap(fd, "memory.swap.max", memsw);
	}
	/* v1 refuses a memory limit above the memory+swap one: lift that first, so that a
	 * user's cgroup that still exists from another session can be given a higher one. */
	r = write_swap(fd, "memory.memsw.limit_in_bytes", "-1");
	if (r >= 0)
		r = write_number(fd, "memory.limit_in_bytes", lim->memory);
	snprintf(memsw, sizeof(memsw), "%" PRIu64, lim->memory + swap);
	return r < 0 ? r : write_swap(fd, "memory.memsw.limit_in_bytes", memsw);
}

static int write_cpu(const struct cgroup_layout *l, int fd, const struct cfg_limits *lim)
{
	uint64_t quota = lim->cpu_milli * CPU_PERIOD_USEC / 1000;
	char text[64];
	int r;

	if (is_v2(l, CGROUP_CPU)) {
		snprintf(text, sizeof(text), "%" PRIu64 " %d", quota, CPU_PERIOD_USEC);
		return write_control(fd, "cpu.max", text);
	}
	r = write_number(fd, "cpu.cfs_period_us", CPU_PERIOD_USEC);
	return r < 0 ? r : write_number(fd, "cpu.cfs_quota_us", quota);
}

/* One kind of limit. @what ("limits" or "user_limits") is for messages. */
static int apply_one(const struct cgroup_layout *l, const char *name, bool user,
		     const struct cfg_limits *lim, enum cgroup_controller c, const char *what,
		     char *why, size_t why_size)
{
	autoclose int fd = -1;
	int r;

	fd = open_limit_dir(l, c, name, user);
	if (fd == -ENOENT && l->provider[c] < 0) {
		snprintf(
		    why, why_size,
		    "%s.%s is set, but this host has no %s cgroup controller (neither cgroup v2 "
		    "nor a v1 hierarchy provides it): enable it, or drop the limit",
		    what, limit_names[c], limit_names[c]);
		return -ENOENT;
	}
	if (fd < 0)
		r = fd;
	else if (c == CGROUP_MEMORY)
		r = write_memory(l, fd, lim);
	else if (c == CGROUP_PIDS)
		r = write_number(fd, "pids.max", lim->pids);
	else
		r = write_cpu(l, fd, lim);
	if (r < 0)
		snprintf(why, why_size, "cannot set %s.%s: %s", what, limit_names[c], strerror(-r));
	return r;
}

static int apply_set(const struct cgroup_layout *l, const char *name, bool user,
		     const struct cfg_limits *lim, char *why, size_t why_size)
{
	static const struct {
		unsigned bit;
		enum cgroup_controller controller;
	} kinds[] = {
	    {CFG_LIMIT_MEMORY, CGROUP_MEMORY},
	    {CFG_LIMIT_PIDS, CGROUP_PIDS},
	    {CFG_LIMIT_CPU, CGROUP_CPU},
	};
	const char *what = user ? "user_limits" : "limits";

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		int r;

		if (!(lim->set & kinds[i].bit))
			continue;
		r = apply_one(l, name, user, lim, kinds[i].controller, what, why, why_size);
		if (r < 0)
			return r;
	}
	return 0;
}

int cgroup_apply_limits(const struct cgroup_layout *l, const char *name,
			const struct cfg_limits *session, const struct cfg_limits *user, char *why,
			size_t why_size)
{
	int r = apply_set(l, name, true, user, why, why_size);

	return r < 0 ? r : apply_set(l, name, false, session, why, why_size);
}

/* The first number in a control file of the session, or in its line starting with @key
 * (cpu.stat); -1 when there is none. @carrel_fds: the carrel/ directory of each hierarchy. */
static int64_t read_value(const struct cgroup_layout *l, const int *carrel_fds,
			  enum cgroup_controller c, const char *name, const char *file,
			  const char *key)
{
	char path[CGROUP_NAME_MAX + 64], line[256];
	int64_t value = -1;
	int fd;
	FILE *f;

	if (l->provider[c] < 0 || carrel_fds[l->provider[c]] < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", name, file);
	fd = openat(carrel_fds[l->provider[c]], path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	f = fd < 0 ? NULL : fdopen(fd, "re");
	if (!f) {
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t n = key ? strlen(key) : 0;

		if (key && (strncmp(line, key, n) != 0 || line[n] != ' '))
			continue;
		if (line[n] != '\0' && line[n] != '\n')
			value = strtoll(line + n, NULL, 10);
		break;
	}
	fclose(f);
	return value;
}

void cgroup_read_usage_at(const struct cgroup_layout *l, const int *carrel_fds, const char *name,
			  struct cgroup_usage *ret)
{
	bool memory_v2 = l->provider[CGROUP_MEMORY] >= 0 && is_v2(l, CGROUP_MEMORY);
	bool cpu_v2 = l->provider[CGROUP_CPU] >= 0 && is_v2(l, CGROUP_CPU);

	ret->memory_bytes =
	    read_value(l, carrel_fds, CGROUP_MEMORY, name,
		       memory_v2 ? "memory.current" : "memory.usage_in_bytes", NULL);
	ret->pids = read_value(l, carrel_fds, CGROUP_PIDS, name, "pids.current", NULL);
	if (cpu_v2) {
		ret->cpu_usec =
		    read_value(l, carrel_fds, CGROUP_CPU, name, "cpu.stat", "usage_usec");
	} else {
		ret->cpu_usec =
		    read_value(l, carrel_fds, CGROUP_CPUACCT, name, "cpuacct.usage", NULL);
		if (ret->cpu_usec >= 0)
			ret->cpu_usec /= 1000; /* nanoseconds */
	}
}

void cgroup_read_usage(const struct cgroup_layout *l, const char *name, struct cgroup_usage *ret)
{
	int fds[CGROUP_MAX_HIERARCHIES];

	for (size_t i = 0; i < CGROUP_MAX_HIERARCHIES; i++) {
		char path[300];

		fds[i] = -1;
		if (i >= l->n)
			continue;
		snprintf(path, sizeof(path), "%s/" CGROUP_PARENT, l->h[i].mount);
		fds[i] = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	}
	cgroup_read_usage_at(l, fds, name, ret);
	for (size_t i = 0; i < CGROUP_MAX_HIERARCHIES; i++)
		if (fds[i] >= 0)
			(void)close(fds[i]);
}
