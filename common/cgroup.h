/* common/cgroup.h: the session cgroups. The only code that writes to cgroupfs.
 *
 * A session gets the directory carrel/<id> at the top of every hierarchy carrel uses: the
 * cgroup v2 (unified) hierarchy when one is mounted, and on v1 or hybrid hosts each v1
 * hierarchy that holds one of the memory, pids, cpu or cpuacct controllers. The layout is
 * detected once, from /proc/self/mountinfo.
 *
 * Errors callers may see: -ENOENT (no hierarchy mounted, or a cgroup is gone), -EBUSY (a cgroup
 * still has processes), -ENOMEM, and -errno from cgroupfs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/session_state.h"

#define CGROUP_MAX_HIERARCHIES 8
#define CGROUP_PARENT "carrel"

enum cgroup_version {
	CGROUP_V1 = 1,
	CGROUP_V2 = 2,
};

struct cgroup_hierarchy {
	enum cgroup_version version;
	char mount[256];      /* where it is mounted */
	char root[256];       /* the cgroup the mount shows ("/" unless nested) */
	char controllers[64]; /* v1: e.g. "cpu,cpuacct"; v2: "" */
};

struct cgroup_layout {
	struct cgroup_hierarchy h[CGROUP_MAX_HIERARCHIES];
	size_t n;
};

/* One open cgroup.procs file per hierarchy of a layout (same order); -1 where absent. */
struct cgroup_procs {
	int fd[CGROUP_MAX_HIERARCHIES];
	size_t n;
};

/* What a session's init needs to leave and remove its cgroups after it has pivoted away from
 * the host's cgroupfs: the carrel/ directories and the top-level cgroup.procs files. */
struct cgroup_teardown {
	int parent_fd[CGROUP_MAX_HIERARCHIES];
	int top_procs_fd[CGROUP_MAX_HIERARCHIES];
	size_t n;
	char id[SESSION_ID_LEN + 1];
};

/* Detect the hierarchies carrel uses. Returns 0, or -ENOENT when no cgroup hierarchy is
 * mounted at all. */
int cgroup_layout_detect(struct cgroup_layout *ret);

/* A readable description of the layout, e.g.
 * "v1 memory /sys/fs/cgroup/memory, v2 /sys/fs/cgroup/unified". */
const char *cgroup_layout_describe(const struct cgroup_layout *l, char *buf, size_t size);

/* The session cgroup directory of @id in hierarchy @i, as a host path. */
int cgroup_session_path(const struct cgroup_layout *l, size_t i, const char *id, char *buf,
			size_t size);

/* Create carrel/<id> in every hierarchy (undoing what was made on failure). */
int cgroup_session_create(const struct cgroup_layout *l, const char *id);

/* Remove carrel/<id> everywhere it exists. With @wait, keep trying for about a second while
 * exiting processes leave. Returns 0 or the first error (-EBUSY when processes remain). */
int cgroup_session_remove(const struct cgroup_layout *l, const char *id, bool wait);

/* Open the cgroup.procs files of session @id / of the caller's current cgroups (read from
 * /proc/self/cgroup, to return to later). Returns 0 or -errno; close with
 * cgroup_procs_close(). */
int cgroup_procs_open_session(const struct cgroup_layout *l, const char *id,
			      struct cgroup_procs *ret);
int cgroup_procs_open_current(const struct cgroup_layout *l, struct cgroup_procs *ret);

/* Open the cgroup.procs files of the top cgroup of each hierarchy (to leave a session's). */
int cgroup_procs_open_top(const struct cgroup_layout *l, struct cgroup_procs *ret);

/* Move the calling process into the cgroups behind @p. Returns 0 or -errno. */
int cgroup_procs_enter(const struct cgroup_procs *p);

void cgroup_procs_close(struct cgroup_procs *p);

/* Open what cgroup_teardown_run() needs, while the host's cgroupfs is still reachable. */
int cgroup_teardown_open(const struct cgroup_layout *l, const char *id,
			 struct cgroup_teardown *ret);

/* Move the caller to the top cgroup of each hierarchy and remove the session's cgroups. The
 * caller must be back in the host's cgroup namespace. Returns 0 or the first error. */
int cgroup_teardown_run(struct cgroup_teardown *t);

void cgroup_teardown_close(struct cgroup_teardown *t);
