/* common/reclaim.c: see reclaim.h. */
#include <errno.h>

#include "common/cgroup.h"
#include "common/cleanup.h"
#include "common/reclaim.h"
#include "common/session_state.h"

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
		if (l)
			r = cgroup_session_remove(l, ids[i], false);
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
