/* image/buildbox_mounts.c: the mount tree of a RUN's sandbox (see buildbox.h), built from
 * inside its new namespaces. The only file of a build that mounts (image/lowerview.c aside,
 * whose mounts are detached). The lists of masked /proc entries are docker's defaults, as
 * launcher/masks.c has them.
 *
 * Invariants:
 * 1. The mount tree is made private before anything is mounted: nothing reaches the host.
 * 2. Everything is attached by fd, and every target below the new root is opened inside it
 *    without following a symbolic link (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS): the image
 *    cannot redirect a mount onto the host's files.
 * 3. Every mount is nosuid, nodev and noexec but the root (nodev: the image's programs run
 *    from it) and the device nodes bound from the host (nosuid, noexec). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/mounts.h"
#include "common/overlay.h"
#include "common/store.h"
#include "common/syscalls.h"
#include "image/buildbox.h"

#define HOSTNAME "carrel-build"
#define RESOLVE_INSIDE (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
#define ATTR_SAFE (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

static const char *const host_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
static const char *const dev_links[][2] = {{"fd", "/proc/self/fd"},
					   {"stdin", "/proc/self/fd/0"},
					   {"stdout", "/proc/self/fd/1"},
					   {"stderr", "/proc/self/fd/2"}};
static const char *const proc_readonly[] = {"sys", "sysrq-trigger", "irq", "bus", "fs"};
static const char *const proc_hidden[] = {
    "kcore", "keys", "timer_list", "sched_debug", "latency_stats", "timer_stats", "acpi", "scsi"};

static int fail(char *why, size_t size, int r, const char *what)
{
	snprintf(why, size, "%s: %s", what, strerror(-r));
	return r;
}

static int open_inside(int root_fd, const char *path, int flags)
{
	int fd = sys_openat2(root_fd, path, flags | O_PATH | O_CLOEXEC, 0, RESOLVE_INSIDE);

	return fd < 0 ? -errno : fd;
}

/* A directory of the store, opened in this mount namespace. */
static int store_path(int store_fd, const char *path, int flags)
{
	int fd = sys_openat2(store_fd, path, flags | O_DIRECTORY | O_CLOEXEC, 0,
			     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);

	return fd < 0 ? -errno : fd;
}

struct root_dirs {
	int *lower;
	size_t n;
	int upper_fd, work_fd, mnt_fd;
};

static void close_dirs(struct root_dirs *d)
{
	for (size_t i = 0; d->lower && i < d->n; i++)
		(void)close(d->lower[i]);
	free(d->lower);
	if (d->upper_fd >= 0)
		(void)close(d->upper_fd);
	if (d->work_fd >= 0)
		(void)close(d->work_fd);
	if (d->mnt_fd >= 0)
		(void)close(d->mnt_fd);
}

static int open_dirs(const struct buildbox_spec *s, struct root_dirs *d)
{
	autoclose int store_fd = store_open(false);

	if (store_fd < 0)
		return store_fd;
	d->lower = calloc(s->n_lower, sizeof(*d->lower));
	if (!d->lower)
		return -ENOMEM;
	for (; d->n < s->n_lower; d->n++) {
		d->lower[d->n] = store_path(store_fd, s->lower[d->n], O_PATH);
		if (d->lower[d->n] < 0)
			return d->lower[d->n];
	}
	d->upper_fd = store_path(store_fd, s->upper, O_PATH);
	d->work_fd = store_path(store_fd, s->work, O_PATH);
	d->mnt_fd = store_path(store_fd, s->mnt, O_PATH);
	if (d->upper_fd < 0 || d->work_fd < 0 || d->mnt_fd < 0)
		return d->upper_fd < 0 ? d->upper_fd : d->work_fd < 0 ? d->work_fd : d->mnt_fd;
	return 0;
}

static int mount_overlay(const struct root_dirs *d)
{
	static const char *const off[] = {"redirect_dir", "index", "metacopy"};
	autoclose int fs_fd = -1, mnt_fd = -1;
	char upper[64], work[64];
	int r;

	fs_fd = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs_fd < 0)
		return -errno;
	if (fsconfig(fs_fd, FSCONFIG_SET_STRING, "source", HOSTNAME, 0) < 0)
		return -errno;
	for (size_t i = 0; i < ARRAY_SIZE(off); i++)
		if (fsconfig(fs_fd, FSCONFIG_SET_STRING, off[i], "off", 0) < 0)
			return -errno;
	snprintf(upper, sizeof(upper), "/proc/self/fd/%d", d->upper_fd);
	snprintf(work, sizeof(work), "/proc/self/fd/%d", d->work_fd);
	r = overlay_configure(fs_fd, d->lower, d->n, upper, work);
	if (r < 0)
		return r;
	mnt_fd = fsmount(fs_fd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV);
	if (mnt_fd < 0)
		return -errno;
	if (move_mount(mnt_fd, "", d->mnt_fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return take_fd(mnt_fd);
}

/* The image's layers, the new layer as upper: the root. overlayfs features that would put
 * anything but whiteouts and opaque directories in the upper directory are turned off. */
static int mount_root(const struct buildbox_spec *s)
{
	struct root_dirs d = {.upper_fd = -1, .work_fd = -1, .mnt_fd = -1};
	int r = open_dirs(s, &d);

	if (r >= 0)
		r = mount_overlay(&d);
	close_dirs(&d);
	return r;
}

static int bind_host_node(int dev_fd, const char *name)
{
	autoclose int src_fd = -1, target_fd = -1;
	char path[32];

	snprintf(path, sizeof(path), "/dev/%s", name);
	src_fd = open(path, O_PATH | O_CLOEXEC);
	if (src_fd < 0)
		return -errno;
	target_fd =
	    openat(dev_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (target_fd < 0)
		return -errno;
	return mounts_bind(src_fd, target_fd, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, false);
}

static int mount_dev(int root_fd)
{
	static const char *const options[] = {"mode=0755", "size=1m", NULL};
	static const char *const shm[] = {"mode=1777", "size=64m", NULL};
	autoclose int target_fd = open_inside(root_fd, "dev", O_DIRECTORY), dev_fd = -1;
	autoclose int shm_fd = -1, mnt_fd = -1;
	int r;

	if (target_fd < 0)
		return target_fd;
	dev_fd = mounts_new("tmpfs", HOSTNAME, options, ATTR_SAFE, target_fd);
	if (dev_fd < 0)
		return dev_fd;
	for (size_t i = 0; i < ARRAY_SIZE(host_nodes); i++) {
		r = bind_host_node(dev_fd, host_nodes[i]);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i][1], dev_fd, dev_links[i][0]) < 0)
			return -errno;
	if (mkdirat(dev_fd, "shm", 01777) < 0)
		return -errno;
	shm_fd = openat(dev_fd, "shm", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (shm_fd < 0)
		return -errno;
	mnt_fd = mounts_new("tmpfs", HOSTNAME, shm, ATTR_SAFE, shm_fd);
	return mnt_fd < 0 ? mnt_fd : 0;
}

/* A directory of /proc gets an empty read-only tmpfs over it, a file /dev/null. */
static int hide(int proc_fd, const char *name)
{
	static const char *const empty[] = {"size=0", "mode=0555", NULL};
	autoclose int fd = -1, null_fd = -1, mnt_fd = -1;
	struct stat st;

	fd = openat(proc_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		mnt_fd = mounts_new("tmpfs", HOSTNAME, empty, ATTR_SAFE | MOUNT_ATTR_RDONLY, fd);
		return mnt_fd < 0 ? mnt_fd : 0;
	}
	null_fd = open("/dev/null", O_PATH | O_CLOEXEC);
	if (null_fd < 0)
		return -errno;
	return mounts_bind(null_fd, fd, ATTR_SAFE | MOUNT_ATTR_RDONLY, false);
}

static int mount_proc(int root_fd)
{
	autoclose int target_fd = open_inside(root_fd, "proc", O_DIRECTORY), proc_fd = -1;
	int r;

	if (target_fd < 0)
		return target_fd;
	proc_fd = mounts_new("proc", HOSTNAME, NULL, ATTR_SAFE, target_fd);
	if (proc_fd < 0)
		return proc_fd;
	for (size_t i = 0; i < ARRAY_SIZE(proc_readonly); i++) {
		autoclose int fd =
		    openat(proc_fd, proc_readonly[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0 && errno != ENOENT)
			return -errno;
		r = fd < 0 ? 0 : mounts_bind(fd, fd, ATTR_SAFE | MOUNT_ATTR_RDONLY, false);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(proc_hidden); i++) {
		r = hide(proc_fd, proc_hidden[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The host's resolver configuration, read-only, on the empty file the mount points layer has
 * at /etc/resolv.conf. A host without one gives none. */
static int bind_resolv_conf(int root_fd)
{
	autoclose int src_fd = open("/etc/resolv.conf", O_PATH | O_CLOEXEC), target_fd = -1;

	if (src_fd < 0)
		return errno == ENOENT ? 0 : -errno;
	target_fd = open_inside(root_fd, "etc/resolv.conf", 0);
	if (target_fd < 0)
		return target_fd;
	return mounts_bind(src_fd, target_fd, ATTR_SAFE | MOUNT_ATTR_RDONLY, false);
}

static int loopback_up(void)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	autoclose int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

/* pivot_root(".", "."): the old root ends up under the new one, and is detached from there. */
static int pivot(int root_fd)
{
	if (fchdir(root_fd) < 0 || sys_pivot_root(".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
	    chdir("/") < 0)
		return -errno;
	return 0;
}

int buildbox_mount_tree(const struct buildbox_spec *s, char *why, size_t size)
{
	autoclose int root_fd = -1;
	int r;

	/* Nothing mounted from here on may reach the host's mount tree. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail(why, size, -errno, "cannot make the mount tree private");
	if (sethostname(HOSTNAME, strlen(HOSTNAME)) < 0)
		return fail(why, size, -errno, "cannot set the host name");
	r = s->host_network ? 0 : loopback_up();
	if (r < 0)
		return fail(why, size, r, "cannot bring the loopback interface up");
	root_fd = mount_root(s);
	if (root_fd < 0)
		return fail(why, size, root_fd, "cannot mount the image's layers");
	r = mount_dev(root_fd);
	if (r < 0)
		return fail(why, size, r, "cannot mount /dev");
	r = mount_proc(root_fd);
	if (r < 0)
		return fail(why, size, r, "cannot mount /proc");
	r = s->host_network ? bind_resolv_conf(root_fd) : 0;
	if (r < 0)
		return fail(why, size, r, "cannot bind /etc/resolv.conf");
	r = pivot(root_fd);
	return r < 0 ? fail(why, size, r, "cannot switch to the image's root") : 0;
}
