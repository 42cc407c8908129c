/* common/cgroup.h: the session cgroups. The only code that writes to cgroupfs.
 *
 * A session of user U gets the cgroup carrel/user-<U>/<id> at the top of every hierarchy
 * carrel uses: the cgroup v2 (unified) hierarchy when one is mounted, and on v1 or hybrid
 * hosts each v1 hierarchy that holds one of the memory, pids, cpu or cpuacct controllers.
 * carrel/user-<U> holds the limits of all of U's sessions together (user_limits); it is made
 * with the user's first session and removed with their last. The layout is detected once,
 * from /proc/self/mountinfo and the v2 root's cgroup.controllers.
 *
 * Functions here name a session's cgroup by its path below carrel/ ("user-1001/<id>"), made
 * by cgroup_session_name().
 *
 * Errors callers may see: -ENOENT (no hierarchy mounted, a cgroup is gone, or a controller a
 * limit needs is not available), -EBUSY (a cgroup still has processes), -ENOMEM, and -errno
 * from cgroupfs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/session_state.h"

#define CGROUP_MAX_HIERARCHIES 8
#define CGROUP_PARENT "carrel"
#define CGROUP_NAME_MAX 48

enum cgroup_version {
	CGROUP_V1 = 1,
	CGROUP_V2 = 2,
};

/* The controllers limits are written to. */
enum cgroup_controller {
	CGROUP_MEMORY,
	CGROUP_PIDS,
	CGROUP_CPU,
	CGROUP_CPUACCT, /* v1 only: cpu usage; on v2 the cpu controller reports it */
	CGROUP_N_CONTROLLERS,
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
	/* Which hierarchy provides each controller (an index into h), -1 when none does. */
	int provider[CGROUP_N_CONTROLLERS];
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
	char name[CGROUP_NAME_MAX];
};

/* What a session uses now; a field is -1 when no controller reports it. */
struct cgroup_usage {
	int64_t memory_bytes;
	int64_t pids;
	int64_t cpu_usec;
};

/* Detect the hierarchies carrel uses and who provides which controller. Returns 0, or
 * -ENOENT when no cgroup hierarchy is mounted at all. */
int cgroup_layout_detect(struct cgroup_layout *ret);

/* Fill l->provider from l->h (reads each v2 hierarchy's top cgroup.controllers). Called by
 * cgroup_layout_detect(); exposed for layouts built by hand (tests). */
void cgroup_layout_find_providers(struct cgroup_layout *l);

/* A readable description of the layout, e.g.
 * "v1 memory /sys/fs/cgroup/memory, v2 /sys/fs/cgroup/unified". */
const char *cgroup_layout_describe(const struct cgroup_layout *l, char *buf, size_t size);

/* "user-<uid>/<id>" into @buf (at least CGROUP_NAME_MAX bytes). */
void cgroup_session_name(uid_t uid, const char *id, char *buf);

/* The session cgroup directory @name in hierarchy @i, as a host path. */
int cgroup_session_path(const struct cgroup_layout *l, size_t i, const char *name, char *buf,
			size_t size);

/* Create carrel/<name> in every hierarchy, with its user's parent, undoing what was made
 * on failure. */
int cgroup_session_create(const struct cgroup_layout *l, const char *name);

/* Write the limits of the session (@session, to carrel/<name>) and of all the user's sessions
 * (@user, to its parent), enabling the controllers they need on cgroup v2. Returns 0, or
 * -errno with @why saying which limit and why (-ENOENT: no controller for it). */
int cgroup_apply_limits(const struct cgroup_layout *l, const char *name,
			const struct cfg_limits *session, const struct cfg_limits *user, char *why,
			size_t why_size);

/* Read what the session @name uses now. The _at form works from the carrel/ directory of
 * each hierarchy, already open (by a session's init, which no longer sees cgroupfs). */
void cgroup_read_usage(const struct cgroup_layout *l, const char *name, struct cgroup_usage *ret);
void cgroup_read_usage_at(const struct cgroup_layout *l, const int *carrel_fds, const char *name,
			  struct cgroup_usage *ret);

/* Remove carrel/<name> everywhere it exists, then its user's parent if that is now empty.
 * With @wait, keep trying for about a second while exiting processes leave. Returns 0 or the
 * first error (-EBUSY when processes remain). */
int cgroup_session_remove(const struct cgroup_layout *l, const char *name, bool wait);

/* Find the session @id among the users' directories of the first hierarchy and write its name
 * into @buf (for a session whose record, and so its uid, is lost). 0 or -ENOENT. */
int cgroup_session_find(const struct cgroup_layout *l, const char *id, char *buf);

/* Open the cgroup.procs files of session @name / of the caller's current cgroups (read from
 * /proc/self/cgroup, to return to later) / of the top cgroup of each hierarchy. Returns 0
 * or -errno; close with cgroup_procs_close(). */
int cgroup_procs_open_session(const struct cgroup_layout *l, const char *name,
			      struct cgroup_procs *ret);
int cgroup_procs_open_current(const struct cgroup_layout *l, struct cgroup_procs *ret);
int cgroup_procs_open_top(const struct cgroup_layout *l, struct cgroup_procs *ret);

/* Move the calling process into the cgroups behind @p. Returns 0 or -errno. */
int cgroup_procs_enter(const struct cgroup_procs *p);

void cgroup_procs_close(struct cgroup_procs *p);

/* An O_PATH fd of the session cgroup in the only hierarchy of a pure cgroup v2 host, for
 * clone3(CLONE_INTO_CGROUP); -EOPNOTSUPP on v1 and hybrid hosts, where processes must enter
 * each hierarchy themselves. */
int cgroup_open_for_clone(const struct cgroup_layout *l, const char *name);

/* Open what cgroup_teardown_run() needs, while the host's cgroupfs is still reachable. */
int cgroup_teardown_open(const struct cgroup_layout *l, const char *name,
			 struct cgroup_teardown *ret);

/* Move the caller to the top cgroup of each hierarchy and remove the session's cgroups. The
 * caller must be back in the host's cgroup namespace. Returns 0 or the first error. */
int cgroup_teardown_run(struct cgroup_teardown *t);

void cgroup_teardown_close(struct cgroup_teardown *t);
