/* launcher/layer.c: see layer.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/control.h"
#include "common/session_state.h"
#include "common/identity.h"
#include "common/log.h"
#include "common/store.h"
#include "config/policy.h"
#include "launcher/launch.h"
#include "launcher/layer.h"
#include "common/mounts.h"

static int tmpfs_layer(struct launch_ctx *c)
{
	char size[32];
	const char *options[] = {size, "mode=0700", NULL};
	autoclose int dir_fd = -1;
	int fd;

	snprintf(size, sizeof(size), "size=%" PRIu64, c->profile->rootfs_size);
	dir_fd = openat(c->session_dir_fd, SESSION_LAYER_DIR,
			O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dir_fd < 0)
		return report_fail(c->report, -errno, "cannot open the layer's mount point");
	fd = mounts_new("tmpfs", "carrel-layer", options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
			dir_fd);
	if (fd < 0)
		return report_fail(c->report, fd, "cannot mount the session's writable layer");
	snprintf(c->layer_path, sizeof(c->layer_path), "%s/" SESSION_LAYER_DIR, c->session_path);
	return fd;
}

static int disk_layer(struct launch_ctx *c, int store_fd)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/sessions/%s/layer", c->id);
	fd = store_dir(store_fd, path, 0700);
	if (fd < 0)
		return report_fail(c->report, fd, "cannot make the layer directory %s%s", STORE_DIR,
				   path);
	snprintf(c->layer_path, sizeof(c->layer_path), STORE_DIR "%s", path);
	return fd;
}

/* Is the session using the persistent layer at @upper running on (1), ending (0)? A session
 * that logged out a moment ago holds the layer until its init is gone. */
static int holder_is_running(const char *upper)
{
	autoclose int root_fd = session_state_open_root(false);
	char **ids = NULL;
	int n, running = 0;

	if (root_fd < 0)
		return 0;
	n = session_list_ids(root_fd, &ids);
	for (int i = 0; i < n && !running; i++) {
		struct session_record *rec = NULL;
		autoclose int dir_fd = session_dir_open(root_fd, ids[i]);
		char reply = 0;

		if (dir_fd < 0 || session_record_load(dir_fd, &rec) < 0)
			continue;
		if (rec->upper_dir && strcmp(rec->upper_dir, upper) == 0 &&
		    control_call(dir_fd, CONTROL_STATE, -1, &reply, NULL) == 0)
			running = reply == CONTROL_OK;
		session_record_free(rec);
	}
	if (n >= 0)
		session_ids_free(ids);
	return running;
}

/* Take the persistent layer's lock: wait while its last session is still ending, refuse
 * while another one runs. */
static int lock_persistent(struct launch_ctx *c, int layer_fd, const char *path)
{
	char upper[600];
	int waited_ms = 0, limit_ms = (int)(c->profile->stop_timeout_sec + 30) * 1000;

	snprintf(upper, sizeof(upper), "%s/upper", path);
	for (;;) {
		struct timespec pause = {0, 100 * 1000 * 1000};
		int fd = store_lock_layer(layer_fd);

		if (fd != -EBUSY)
			return fd;
		if (holder_is_running(upper) || waited_ms >= limit_ms)
			return -EBUSY;
		nanosleep(&pause, NULL);
		waited_ms += 100;
	}
}

static int persistent_layer(struct launch_ctx *c, int store_fd)
{
	const char *user = c->who->user, *image = c->profile->image->name;
	char path[300];
	autoclose int fd = -1;

	snprintf(path, sizeof(path), "/users/%s/%s", user, image);
	fd = store_dir(store_fd, path, 0700);
	if (fd < 0)
		return report_fail(c->report, fd, "cannot make the layer directory %s%s", STORE_DIR,
				   path);
	/* Two overlays on one upper directory corrupt it: one session at a time. */
	snprintf(c->layer_path, sizeof(c->layer_path), STORE_DIR "%s", path);
	c->layer_lock_fd = lock_persistent(c, fd, c->layer_path);
	if (c->layer_lock_fd == -EBUSY)
		return report_refuse(
		    c->report, -EBUSY,
		    "the persistent root of '%s' on image '%s' is in use by another "
		    "session (with session = \"user\" all logins share it)",
		    user, image);
	if (c->layer_lock_fd < 0)
		return report_fail(c->report, c->layer_lock_fd, "cannot lock %s%s", STORE_DIR,
				   path);
	snprintf(c->layer_path, sizeof(c->layer_path), STORE_DIR "%s", path);
	return take_fd(fd);
}

int layer_open(struct launch_ctx *c)
{
	autoclose int store_fd = -1;

	if (c->profile->rootfs == CFG_ROOTFS_TMPFS)
		return tmpfs_layer(c);
	store_fd = store_open(true);
	if (store_fd < 0)
		return report_fail(c->report, store_fd, "cannot open %s", STORE_DIR);
	if (c->profile->rootfs == CFG_ROOTFS_DISK)
		return disk_layer(c, store_fd);
	return persistent_layer(c, store_fd);
}

int layer_make_dirs(int layer_fd, const char *name)
{
	autoclose int dir_fd = -1;

	if (name[0] && mkdirat(layer_fd, name, 0700) < 0 && errno != EEXIST)
		return -errno;
	dir_fd =
	    openat(layer_fd, name[0] ? name : ".", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dir_fd < 0)
		return -errno;
	if (mkdirat(dir_fd, "upper", 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mkdirat(dir_fd, "work", 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
