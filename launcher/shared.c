/* launcher/shared.c: see shared.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/control.h"
#include "common/identity.h"
#include "common/proc.h"
#include "common/session_state.h"
#include "config/policy.h"
#include "launcher/launch.h"
#include "launcher/shared.h"

#define USERS_DIR SESSION_RUN_DIR "/users"

static int take_user_lock(struct launch_ctx *c)
{
	char path[128];
	int fd;

	if (mkdir(USERS_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), USERS_DIR "/%u.lock", (unsigned)c->who->uid);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	/* Blocking: a second first login waits here until the first has its session. */
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int r = -errno;

			(void)close(fd);
			return r;
		}
	}
	c->user_lock_fd = fd;
	return 0;
}

/* The user's running shared session, if any: its record in *@ret, its directory fd. */
static int find_shared(struct launch_ctx *c, struct session_record **ret)
{
	char **ids = NULL;
	int n, found = -ENOENT;

	n = session_list_ids(c->state_root_fd, &ids);
	if (n < 0)
		return n;
	for (int i = 0; i < n && found < 0; i++) {
		struct session_record *rec = NULL;
		autoclose int dir_fd = session_dir_open(c->state_root_fd, ids[i]);

		if (dir_fd < 0 || session_is_alive(dir_fd) != 1 ||
		    session_record_load(dir_fd, &rec) < 0)
			continue;
		if (rec->uid == c->who->uid && rec->scope && strcmp(rec->scope, "user") == 0) {
			found = take_fd(dir_fd);
			*ret = rec;
		} else {
			session_record_free(rec);
		}
	}
	session_ids_free(ids);
	return found;
}

/* A session that answered "stopping": wait (bounded) until its init is gone. */
static void wait_for_end(const struct session_record *rec, uint64_t stop_sec)
{
	autoclose int pidfd = proc_open_verified(rec->init_pid, rec->init_start);
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

	if (pidfd >= 0)
		(void)poll(&pfd, 1, (int)(stop_sec + 30) * 1000);
}

int shared_attach(struct launch_ctx *c)
{
	int r = take_user_lock(c);

	if (r < 0)
		return r;
	for (int attempt = 0; attempt < 3; attempt++) {
		struct session_record *rec __attribute__((cleanup(session_record_freep))) = NULL;
		autoclose int dir_fd = find_shared(c, &rec);
		char reply = 0;

		if (dir_fd == -ENOENT)
			return 0;
		if (dir_fd < 0)
			return dir_fd;
		r = control_call(dir_fd, CONTROL_ATTACH, c->caller_pidfd, &reply, NULL);
		if (r == 0 && reply == CONTROL_OK) {
			memcpy(c->id, rec->id, sizeof(c->id));
			c->init_pid = rec->init_pid;
			return 1;
		}
		if (r == 0 && reply == CONTROL_STOPPING)
			wait_for_end(rec, c->profile->stop_timeout_sec);
		else
			return r < 0 ? r : -EPROTO;
	}
	return -EBUSY;
}
