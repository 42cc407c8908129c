/* common/reclaim.c: see reclaim.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/image_store.h"
#include "common/reclaim.h"
#include "common/session_state.h"
#include "common/store.h"

/* A staging directory of the image store this old is left over, whatever the lock says. */
#define STALE_STAGING_SEC (5 * 60)

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

/* The session's layer on disk and anonymous volumes, /var/lib/carrel/sessions/<id>. */
static int remove_store_session(const char *id)
{
	autoclose int store_fd = store_open(false);
	autoclose int sessions_fd = -1;

	if (store_fd == -ENOENT)
		return 0;
	if (store_fd < 0)
		return store_fd;
	sessions_fd = openat(store_fd, "sessions", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (sessions_fd < 0)
		return errno == ENOENT ? 0 : -errno;
	return store_remove_tree(sessions_fd, id);
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
			r = remove_store_session(ids[i]);
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

/* ---- orphans: what no record names any more ---- */

/* Is @id a session that is alive or being made (its directory exists without a lock yet)? */
static bool is_live(int root_fd, const char *id)
{
	autoclose int dir_fd = root_fd < 0 ? -1 : session_dir_open(root_fd, id);

	return dir_fd >= 0 && session_is_alive(dir_fd) != 0;
}

static void tell(const struct reclaim_report *rep, const char *what, const char *id, int r)
{
	if (rep && rep->reclaimed)
		rep->reclaimed(what, id, r, rep->data);
}

/* Every entry of the directory @dir_fd that @fn accepts; -errno when it cannot be read. */
static int for_each_entry(int dir_fd, void (*fn)(int dir_fd, const char *name, void *data),
			  void *data)
{
	DIR *dir = fs_opendir_at(dir_fd, ".");
	struct dirent *de;

	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			fn(dir_fd, de->d_name, data);
	closedir(dir);
	return 0;
}

struct orphan_walk {
	int root_fd;
	const struct reclaim_report *rep;
	int count;
};

static void orphan_cgroup(int user_fd, const char *id, void *data)
{
	struct orphan_walk *w = data;
	int r;

	if (!session_id_valid(id) || is_live(w->root_fd, id))
		return;
	r = unlinkat(user_fd, id, AT_REMOVEDIR) < 0 ? -errno : 0;
	tell(w->rep, "cgroup", id, r);
	if (r == 0)
		w->count++;
}

static void orphan_user_dir(int carrel_fd, const char *name, void *data)
{
	struct orphan_walk *w = data;
	autoclose int user_fd = -1;

	if (strncmp(name, "user-", 5) != 0)
		return;
	user_fd = openat(carrel_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (user_fd < 0)
		return;
	(void)for_each_entry(user_fd, orphan_cgroup, w);
	(void)unlinkat(carrel_fd, name, AT_REMOVEDIR); /* busy while the user has sessions */
}

static void orphan_store_session(int sessions_fd, const char *id, void *data)
{
	struct orphan_walk *w = data;
	int r;

	if (!session_id_valid(id) || is_live(w->root_fd, id))
		return;
	r = store_remove_tree(sessions_fd, id);
	tell(w->rep, "layer", id, r);
	if (r == 0)
		w->count++;
}

/* A session directory with no lock a minute after it was made: its launcher died making
 * it, between the mkdir and the lock. */
static void unfinished_session(int root_fd, const char *id, void *data)
{
	struct orphan_walk *w = data;
	struct stat st;
	int r;

	if (!session_id_valid(id) || fstatat(root_fd, id, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	{
		autoclose int dir_fd = session_dir_open(root_fd, id);

		if (dir_fd < 0 || faccessat(dir_fd, "lock", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
		    time(NULL) - st.st_mtime < 60)
			return;
	}
	r = session_dir_remove(root_fd, id);
	tell(w->rep, "record", id, r);
	if (r == 0)
		w->count++;
}

static void image_store_told(const char *what, const char *id, int result, void *data)
{
	struct orphan_walk *w = data;

	tell(w->rep, what, id, result);
	if (result == 0)
		w->count++;
}

/* The image store: staging an import or removal left when it died, and the layers and blobs
 * no image names (one that died between its renames). Never while someone holds the store's
 * lock: an import or removal is running, and tmp/ is its. */
static void reclaim_image_store(int store_fd, struct orphan_walk *w)
{
	autoclose int lock_fd = image_store_lock(store_fd, false);

	if (lock_fd < 0)
		return;
	(void)image_store_clean_tmp(store_fd, STALE_STAGING_SEC, image_store_told, w);
	(void)image_store_reclaim(store_fd, image_store_told, w);
}

int reclaim_orphans(int root_fd, const struct cgroup_layout *l, const struct reclaim_report *rep)
{
	struct orphan_walk w = {.root_fd = root_fd, .rep = rep};
	autoclose int store_fd = store_open(false), sessions_fd = -1;

	for (size_t i = 0; l && i < l->n; i++) {
		char path[300];
		autoclose int carrel_fd = -1;

		snprintf(path, sizeof(path), "%s/" CGROUP_PARENT, l->h[i].mount);
		carrel_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (carrel_fd >= 0)
			(void)for_each_entry(carrel_fd, orphan_user_dir, &w);
	}
	if (store_fd >= 0)
		sessions_fd =
		    openat(store_fd, "sessions", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (sessions_fd >= 0)
		(void)for_each_entry(sessions_fd, orphan_store_session, &w);
	if (root_fd >= 0)
		(void)for_each_entry(root_fd, unfinished_session, &w);
	if (store_fd >= 0)
		reclaim_image_store(store_fd, &w);
	return w.count;
}
