/* common/reclaim.h: reclaiming what sessions left behind when their init could not clean up
 * (it was killed, or crashed): the record directory and the cgroups. Cheap enough to run at
 * every session start. Named volumes, persistent layers and homes are never touched: only
 * the names session_state.c and cgroup.c create. */
#pragma once

#include <stddef.h>

struct cgroup_layout;

/* For every session directory below @root_fd whose lock nobody holds (its init is gone),
 * remove its cgroups and then the directory. Live sessions and sessions being created are
 * never touched. @reclaimed (may be NULL) is called with each id and the result of removing
 * it. Returns the number of sessions reclaimed, or -errno. */
int reclaim_stale_sessions(int root_fd, const struct cgroup_layout *l,
			   void (*reclaimed)(const char *id, int result, void *data), void *data);

/* Told of each thing reclaim_orphans() removes, or fails to: @what is "cgroup", "layer"
 * (a session's store directory, or an image layer no image names), "record" (a session
 * directory never finished), "blob" (of no image) or "staging" (what an image import left in
 * the store's tmp/). */
struct reclaim_report {
	void (*reclaimed)(const char *what, const char *id, int result, void *data);
	void *data;
};

/* What sessions that are over left with no record to name it (the machine crashed and /run
 * was emptied, a launcher was killed): session cgroups and store directories of no live
 * session, and session directories a launcher never finished. And what image imports that
 * died left in the store: staging older than five minutes, layers and blobs no image names
 * (only while no import or removal holds the store's lock). @root_fd (may be -1) is the
 * state directory. Returns the number of things removed. */
int reclaim_orphans(int root_fd, const struct cgroup_layout *l, const struct reclaim_report *rep);
