/* launcher/volumes.c: see volumes.h.
 *
 * Invariants (the user owns their home and may race us while we mount it):
 * 1. A source is resolved once, with openat2(RESOLVE_NO_SYMLINKS): no component of the path
 *    may be a symbolic link, so a home replaced by a link to /etc or to another user's home
 *    is refused, never followed.
 * 2. What was opened is what is mounted: the source fd is cloned with open_tree(), checked
 *    with fstat() on the same fd (owned by root or by the session's user), and attached by
 *    fd. No path is looked up twice.
 * 3. Targets are resolved inside the session root without following symbolic links either,
 *    so a link planted in a bound home cannot redirect a later volume.
 * 4. Every volume is nosuid and nodev; "readonly" applies to its submounts too. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/store.h"
#include "common/identity.h"
#include "common/syscalls.h"
#include "config/policy.h"
#include "launcher/launch.h"
#include "common/mounts.h"
#include "launcher/volumes.h"

/* A volume carrel keeps in its store (named: /volumes/<user>/<name>, anonymous:
 * /sessions/<id>/volumes/<n>): its _data directory, made on first use and owned by the user.
 * The directories above it are root's, 0700, so nobody but root reaches it from the host. */
static int open_store_volume(struct launch_ctx *c, const char *dir, char *shown, size_t size,
			     struct stat *st)
{
	autoclose int store_fd = -1, vol_fd = -1, fd = -1;

	snprintf(shown, size, STORE_DIR "%s/_data", dir);
	store_fd = store_open(true);
	if (store_fd < 0)
		return report_fail(c->report, store_fd, "cannot open %s", STORE_DIR);
	vol_fd = store_dir(store_fd, dir, 0700);
	if (vol_fd < 0)
		return report_fail(c->report, vol_fd, "cannot make %s%s", STORE_DIR, dir);
	if (mkdirat(vol_fd, "_data", 0700) == 0 &&
	    fchownat(vol_fd, "_data", c->who->uid, c->who->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return report_fail(c->report, -errno, "cannot give %s to '%s'", shown,
				   c->who->user);
	fd = openat(vol_fd, "_data", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, st) < 0)
		return report_fail(c->report, -errno, "cannot open %s", shown);
	return take_fd(fd);
}

static int open_bind_source(struct launch_ctx *c, const struct profile_volume *v, struct stat *st)
{
	autoclose int fd = -1;

	fd = sys_openat2(AT_FDCWD, v->source, O_PATH | O_CLOEXEC, 0,
			 RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (fd < 0) {
		if (errno == ELOOP)
			return report_refuse(c->report, -ELOOP,
					     "volume source '%s' has a symbolic link in its path: "
					     "refused (configure the real path)",
					     v->source);
		if (errno == ENOENT && v->optional)
			return -ENOENT;
		if (errno == ENOENT)
			return report_refuse(c->report, -ENOENT,
					     "volume source '%s' does not exist (mark the volume "
					     "optional if that is expected)",
					     v->source);
		return report_fail(c->report, -errno, "cannot open volume source '%s'", v->source);
	}
	if (fstat(fd, st) < 0)
		return report_fail(c->report, -errno, "cannot stat volume source '%s'", v->source);
	if (!S_ISDIR(st->st_mode) && !S_ISREG(st->st_mode) && !S_ISSOCK(st->st_mode))
		return report_fail(c->report, -EINVAL,
				   "volume source '%s' is neither a directory nor a file",
				   v->source);
	if (st->st_uid != 0 && st->st_uid != c->who->uid)
		return report_refuse(c->report, -EPERM,
				     "volume source '%s' belongs to uid %u, neither root nor '%s': "
				     "refused",
				     v->source, (unsigned)st->st_uid, c->who->user);
	return take_fd(fd);
}

/* The directory (or file) to bind for @v, the @index-th volume; @shown gets its host path. */
static int open_source(struct launch_ctx *c, const struct profile_volume *v, size_t index,
		       char *shown, size_t size, struct stat *st)
{
	char dir[300];

	if (v->kind == CFG_VOLUME_NAMED) {
		snprintf(dir, sizeof(dir), "/volumes/%s/%s", c->who->user, v->name);
		return open_store_volume(c, dir, shown, size, st);
	}
	if (v->kind == CFG_VOLUME_ANONYMOUS) {
		snprintf(dir, sizeof(dir), "/sessions/%s/volumes/%zu", c->id, index);
		return open_store_volume(c, dir, shown, size, st);
	}
	snprintf(shown, size, "%s", v->source);
	return open_bind_source(c, v, st);
}

/* The mount point inside: a directory for a directory, an empty file otherwise. */
static int open_target(int root_fd, const char *target, bool is_dir)
{
	char parent[PATH_MAX];
	autoclose int dir_fd = -1;
	const char *name = strrchr(target, '/') + 1;
	int fd;

	if (is_dir)
		return fs_mkdir_p_in_root(root_fd, target, 0755);
	snprintf(parent, sizeof(parent), "%s", target);
	dir_fd = fs_mkdir_p_in_root(root_fd, dirname(parent), 0755);
	if (dir_fd < 0)
		return dir_fd;
	if (mknodat(dir_fd, name, S_IFREG | 0644, 0) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(dir_fd, name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

static int bind_volume(struct launch_ctx *c, int root_fd, const struct profile_volume *v,
		       size_t index)
{
	autoclose int src_fd = -1, target_fd = -1;
	unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	char source[400];
	struct stat st = {0};
	int r;

	src_fd = open_source(c, v, index, source, sizeof(source), &st);
	if (src_fd == -ENOENT && v->optional)
		return 0;
	if (src_fd < 0)
		return src_fd;
	target_fd = open_target(root_fd, v->target, S_ISDIR(st.st_mode));
	if (target_fd < 0)
		return report_fail(c->report, target_fd,
				   "cannot make the mount point '%s' for volume '%s'", v->target,
				   source);
	if (v->readonly)
		attrs |= MOUNT_ATTR_RDONLY;
	if (v->propagation == CFG_PROPAGATION_SLAVE)
		r = mounts_bind_slave(src_fd, target_fd, attrs, true);
	else
		r = mounts_bind(src_fd, target_fd, attrs, true);
	if (r < 0)
		return report_fail(c->report, r, "cannot bind volume '%s' on '%s'", source,
				   v->target);
	report_mount(c->report, cfg_volume_kind_name(v->kind), source, v->target, !v->readonly);
	if (v->propagation == CFG_PROPAGATION_SLAVE)
		report_last_propagation(c->report, "slave");
	return 0;
}

int volumes_bind(struct launch_ctx *c, int root_fd)
{
	for (size_t i = 0; i < c->profile->n_volumes; i++) {
		int r = bind_volume(c, root_fd, &c->profile->volumes[i], i);

		if (r < 0)
			return r;
	}
	return 0;
}
