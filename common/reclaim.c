/* common/reclaim.c: see reclaim.h. */
#include <errno.h>

#include "common/cgroup.h"
#include "common/cleanup.h"
#include "common/reclaim.h"
#include "common/session_state.h"

/* The session's cgroup name: from its record, or when that is lost, by looking. */
static int stale_cgroup_name(int root_fd, const struct cgroup_layout *l, const char *id, char *buf)
{
	struct session_record *rec __attribute__((cleanup(session_record_freep))) = NULL;
	autoclose int dir_fd = session_dir_open(root_fd, id);

	if (dir_fd >= 0 && session_record_load(dir_fd, &rec) == 0) {
		cgroup_session_name(rec->uid, id, buf);
		return 0;
	}
	return cgroup_session_find(l, id, buf);
}

static int is_stale(int root_fd, const char *id)
{
	autoclose int dir_fd = session_dir_open(root_fd, id);
	int alive;

	if (dir_fd < 0)
		return 0; /* gone meanwhile */
	alive = session_is_alive(dir_fd);
	return alive == 0;
}

int reclaim_stale_sessions(int root_fd, const struct cgroup_layout *l,
			   void (*reclaimed)(const char *id, int result, void *data), void *data)
{
	char **ids = NULL;
	int n, count = 0;

	n = session_list_ids(root_fd, &ids);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		int r = 0;

		if (!is_stale(root_fd, ids[i]))
			continue;
		/* The cgroups first: the record is what tells a later pass to try again. */
		if (l) {
			char name[CGROUP_NAME_MAX];

			if (stale_cgroup_name(root_fd, l, ids[i], name) == 0)
				r = cgroup_session_remove(l, name, false);
		}
		if (r >= 0)
			r = session_dir_remove(root_fd, ids[i]);
		if (reclaimed)
			reclaimed(ids[i], r, data);
		if (r >= 0)
			count++;
	}
	session_ids_free(ids);
	return count;
}
