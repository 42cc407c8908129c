/* launcher/rootfs.c: see rootfs.h.
 *
 * Invariants:
 * 1. Nothing the session writes reaches an image: every image directory is only ever a lower
 *    layer of an overlay, or bound read-only when it cannot be one.
 * 2. Image directories are opened once and checked on the fd (root-owned, not writable by
 *    group or others); overlayfs is handed that fd's /proc/self/fd path, never the name. An
 *    image of type "oci" is its layers in the store, each opened and checked the same way,
 *    top first as the overlay's lower stack.
 * 3. For the image "host", each further real filesystem of the host (a separate /usr, /var,
 *    /home, /srv, ...) gets an overlay of its own over the same tmpfs, so the whole host tree
 *    is visible and writable inside but no write goes through to the host. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/image.h"
#include "common/mountinfo.h"
#include "common/syscalls.h"
#include "config/policy.h"
#include "common/store.h"
#include "launcher/launch.h"
#include "launcher/layer.h"
#include "common/mounts.h"
#include "launcher/ociimage.h"
#include "launcher/rootfs.h"

/* Host filesystems that are not part of the image: kernel interfaces, volatile and
 * per-boot state the session gets its own of, and mounts a user can make (FUSE). */
static const char *const skipped_fstypes[] = {
    "proc",       "sysfs",   "devtmpfs", "devpts",    "tmpfs",       "ramfs",  "cgroup",
    "cgroup2",    "mqueue",  "debugfs",  "tracefs",   "securityfs",  "pstore", "bpf",
    "autofs",     "fusectl", "configfs", "hugetlbfs", "binfmt_misc", "nsfs",   "efivarfs",
    "rpc_pipefs", "nfsd",    "overlay",  "fuse",      "selinuxfs",   "rootfs",
};

static const char *const skipped_prefixes[] = {"/proc", "/sys", "/dev",
					       "/run",  "/tmp", "/var/lib/carrel"};

static bool under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static bool is_image_mount(const struct mountinfo_entry *e)
{
	if (strcmp(e->mount_point, "/") == 0)
		return false;
	if (strncmp(e->fstype, "fuse", 4) == 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(skipped_fstypes); i++)
		if (strcmp(e->fstype, skipped_fstypes[i]) == 0)
			return false;
	for (size_t i = 0; i < ARRAY_SIZE(skipped_prefixes); i++)
		if (under(e->mount_point, skipped_prefixes[i]))
			return false;
	return true;
}

static int open_image_dir(const char *path, struct launch_report *report)
{
	/* The reason is complete as it is: no errno text appended. */
	return image_open_dir(path, report->error, sizeof(report->error));
}

static int mount_overlay(const int *lower_fds, size_t n, int layer_fd, const char *name,
			 int target_fd)
{
	char upper[600], work[600];
	const char *sep = name[0] ? "/" : "";

	snprintf(upper, sizeof(upper), "/proc/self/fd/%d/%s%supper", layer_fd, name, sep);
	snprintf(work, sizeof(work), "/proc/self/fd/%d/%s%swork", layer_fd, name, sep);
	/* nodev: device nodes in an image never open; the session's /dev is its own. */
	return mounts_overlay(lower_fds, n, upper, work, MOUNT_ATTR_NODEV, target_fd);
}

struct submount_walk {
	struct launch_ctx *c;
	int root_fd;
	int layer_fd;
};

/* One more real host filesystem: its own overlay, or read-only when it cannot be a lower
 * layer (some filesystems cannot). Either way never writable through to the host. */
static int add_submount(const struct mountinfo_entry *e, void *data)
{
	struct submount_walk *w = data;
	autoclose int lower_fd = -1, target_fd = -1, mnt_fd = -1;
	char name[512];
	int r;

	if (!is_image_mount(e))
		return 0;
	lower_fd = open(e->mount_point, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	target_fd = sys_openat2(w->root_fd, e->mount_point, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
				RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
	if (lower_fd < 0 || target_fd < 0)
		return 0; /* hidden below another mount, or gone: nothing to show */
	store_layer_name(e->mount_point, name, sizeof(name));
	r = layer_make_dirs(w->layer_fd, name);
	if (r < 0)
		return report_fail(w->c->report, r, "cannot prepare a layer for '%s'",
				   e->mount_point);
	mnt_fd = mount_overlay(&lower_fd, 1, w->layer_fd, name, target_fd);
	if (mnt_fd >= 0) {
		report_mount(w->c->report, "overlay", e->mount_point, e->mount_point, true);
		return 0;
	}
	r = mounts_bind(lower_fd, target_fd,
			MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, false);
	if (r < 0)
		return report_fail(w->c->report, r, "cannot show host filesystem '%s' inside",
				   e->mount_point);
	report_mount(w->c->report, "bind", e->mount_point, e->mount_point, false);
	return 0;
}

/* carrel's own store may hold other users' persistent layers: never visible inside. */
static int mask_state_dir(struct launch_ctx *c, int root_fd)
{
	const char *options[] = {"mode=0755", "size=4k", NULL};
	autoclose int target_fd = -1, mnt_fd = -1;

	target_fd = sys_openat2(root_fd, "/var/lib/carrel", O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
				RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
	if (target_fd < 0)
		return errno == ENOENT ? 0 : -errno;
	mnt_fd =
	    mounts_new("tmpfs", "carrel-mask", options,
		       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
		       target_fd);
	return mnt_fd < 0 ? mnt_fd : 0;
}

static void report_layers(struct launch_ctx *c, const char *lower)
{
	struct launch_report *r = c->report;

	snprintf(r->lower_dir, sizeof(r->lower_dir), "%s", lower);
	snprintf(r->upper_dir, sizeof(r->upper_dir), "%s/upper", c->layer_path);
	snprintf(r->work_dir, sizeof(r->work_dir), "%s/work", c->layer_path);
	snprintf(r->merged_dir, sizeof(r->merged_dir), "%s/" SESSION_MERGED_DIR, c->session_path);
	report_mount(r, "overlay", lower, "/", true);
}

/* The image's layers, top first: the host's /, a directory, or a stored image's layers. */
struct lowers {
	int *fds;
	size_t n;
	char path[sizeof(((struct launch_report *)0)->lower_dir)];
};

static void close_lowers(struct lowers *l)
{
	for (size_t i = 0; i < l->n; i++)
		(void)close(l->fds[i]);
	free(l->fds);
}

static int open_lowers(struct launch_ctx *c, struct lowers *l)
{
	const struct cfg_image *image = c->profile->image;
	size_t n = image->type == CFG_IMAGE_OCI ? c->oci_image->n_layers : 1;
	int r;

	l->fds = calloc(n, sizeof(*l->fds));
	if (!l->fds)
		return report_fail(c->report, -ENOMEM, "cannot open the image");
	if (image->type == CFG_IMAGE_OCI) {
		r = ociimage_open_layers(c, l->fds, l->path, sizeof(l->path));
		if (r < 0)
			return report_fail(c->report, r, "cannot open the layers of image '%s'",
					   image->name);
		l->n = (size_t)r;
		return 0;
	}
	snprintf(l->path, sizeof(l->path), "%s", image->type == CFG_IMAGE_HOST ? "/" : image->path);
	r = image->type == CFG_IMAGE_HOST ? open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)
					  : open_image_dir(image->path, c->report);
	if (r < 0)
		return image->type == CFG_IMAGE_HOST
			   ? report_fail(c->report, -errno, "cannot open /")
			   : r;
	l->fds[0] = r;
	l->n = 1;
	return 0;
}

/* Every further filesystem of the host gets its overlay too, and the store is hidden. */
static int add_host_mounts(struct launch_ctx *c, int root_fd, int layer_fd)
{
	struct submount_walk w = {.c = c, .root_fd = root_fd, .layer_fd = layer_fd};
	int r;

	r = mountinfo_foreach(add_submount, &w);
	if (r < 0)
		return c->report->error[0] ? r : report_fail(c->report, r, "cannot read mountinfo");
	r = mask_state_dir(c, root_fd);
	if (r < 0)
		return report_fail(c->report, r, "cannot hide /var/lib/carrel");
	return 0;
}

int rootfs_build(struct launch_ctx *c)
{
	const struct cfg_image *image = c->profile->image;
	autoclose int layer_fd = -1, merged_fd = -1, root_fd = -1;
	struct lowers l = {0};
	int r;

	layer_fd = layer_open(c);
	if (layer_fd < 0)
		return layer_fd;
	c->layer_fd = fcntl(layer_fd, F_DUPFD_CLOEXEC, 3);
	r = c->layer_fd < 0 ? -errno : layer_make_dirs(layer_fd, "");
	if (r < 0)
		return report_fail(c->report, r, "cannot prepare the writable layer");
	merged_fd = openat(c->session_dir_fd, SESSION_MERGED_DIR,
			   O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (merged_fd < 0)
		return report_fail(c->report, -errno, "cannot open the session's mount point");
	r = open_lowers(c, &l);
	if (r >= 0) {
		root_fd = mount_overlay(l.fds, l.n, layer_fd, "", merged_fd);
		if (root_fd == -E2BIG)
			r = report_refuse(
			    c->report, root_fd,
			    "image '%s' has %zu layers: too many for one overlay mount",
			    image->name, l.n);
		else if (root_fd < 0)
			r = report_fail(c->report, root_fd,
					"cannot mount the overlay root over image '%s'",
					image->name);
	}
	if (r >= 0)
		report_layers(c, l.path);
	close_lowers(&l);
	if (r >= 0 && image->type == CFG_IMAGE_HOST)
		r = add_host_mounts(c, root_fd, layer_fd);
	return r < 0 ? r : take_fd(root_fd);
}
