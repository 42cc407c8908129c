/* common/mounts.h: mounting for a session's tree (launcher/) and a build's sandbox
 * (image/buildbox_mounts.c); only overlays with options of their own (the build's root,
 * image/lowerview.c) call the new mount API elsewhere. Everything is attached by fd: a target is an
 * O_PATH directory (or file) fd that was resolved safely beforehand, so no path is ever resolved
 * twice. Attributes are MOUNT_ATTR_* from <sys/mount.h>. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Make every mount of the caller's (new) mount namespace a slave of the host's: nothing
 * mounted in the session propagates to the host, ever. Host mount events still reach the old
 * tree, which the pivot detaches, and the volumes that ask for them (mounts_bind_slave);
 * every other mount is made private when it is made. */
int mounts_make_slave(void);

/* Make a new @fstype filesystem from @options ("key=value" or a bare "flag", NULL-terminated),
 * with @attrs, and attach it on @target_fd. Returns an fd for the root of the new mount (keep
 * it to work below it) or -errno. */
int mounts_new(const char *fstype, const char *source, const char *const *options, unsigned attrs,
	       int target_fd);

/* Make an overlayfs of the layers open at @lower_fds (top first), with @upper and @work (paths,
 * may be /proc/self/fd/N/...), with @attrs, and attach it on @target_fd. Any number of layers
 * the kernel takes (common/overlay.h). Returns an fd for the root of the new mount or
 * -errno (-E2BIG: too many layers). */
int mounts_overlay(const int *lower_fds, size_t n, const char *upper, const char *work,
		   unsigned attrs, int target_fd);

/* Bind what @src_fd refers to (a directory, or a file of any type) onto @target_fd (the same
 * kind), with @attrs set on the new mount, and on every submount when @recursive. The new
 * mounts are private. Returns 0 or -errno. */
int mounts_bind(int src_fd, int target_fd, unsigned attrs, bool recursive);

/* The same, but the new mounts stay slaves of the host's: mounts the host makes later below
 * the source appear inside too (autofs and NFS homes need that). */
int mounts_bind_slave(int src_fd, int target_fd, unsigned attrs, bool recursive);

/* Make the directory mount @new_root_fd the root of the mount namespace and detach the old
 * root entirely (pivot_root(".", ".") then a lazy unmount of what is stacked under).
 * Returns 0 or -errno; the cwd is "/" afterwards. */
int mounts_pivot(int new_root_fd);
