/* image/buildbox.h: the sandbox a RUN instruction runs in. The build runs the image's code as
 * root; it gets no more than a container of docker's defaults would:
 *
 *   - new mount, pid, uts, ipc and cgroup namespaces, and a new network namespace (only
 *     loopback, up) with network "none";
 *   - the root is an overlay of the image so far (lower layers, read-only) and the new
 *     layer's directory (upper, in the store's staging): what the command changes lands
 *     there, in overlay form, and nowhere else; the root is nodev;
 *   - /proc of its own pid namespace, with /proc/sys, sysrq-trigger, irq, bus and fs read-only
 *     and kcore, keys, timer_list, ... hidden; a small /dev (null, zero, full, random,
 *     urandom and tty bound from the host, shm, the fd links); the host's /etc/resolv.conf
 *     bound read-only when the network is the host's;
 *   - pivot_root into it; the command runs as the image's USER (root by default) with its
 *     Env and WorkingDir, stdin /dev/null, stdout and stderr the build's own;
 *   - docker's default capabilities as the bounding set (without CAP_MKNOD), no_new_privs and
 *     carrel's seccomp filter (common/harden.h).
 *
 * Its pid 1 is a copy of carrel that only waits: it exits with the command's status, which
 * ends every process left in the namespace. It dies with carrel (PR_SET_PDEATHSIG), so a
 * killed build leaves no process and no mount behind. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

struct image_error;

/* Directories are named by their paths below the store (common/store.h), and opened from
 * inside the new mount namespace: overlayfs takes no layer from another namespace's mount. */
struct buildbox_spec {
	char *const *lower; /* top first: the mount points layer, then the image's layers */
	size_t n_lower;
	const char *upper, *work; /* the new layer's root and overlayfs' work directory */
	const char *mnt;          /* an empty directory of the staging to mount the root on */
	char *const *argv;
	char *const *env;    /* the config's Env: PATH and HOME are added when it has none */
	const char *user;    /* USER, "" for root */
	const char *workdir; /* WorkingDir (made when missing), "" for "/" */
	bool host_network;
	const volatile sig_atomic_t *interrupted;
};

/* Run s->argv in a new sandbox and wait for it. Returns 0 with the command's exit status in
 * *@ret_status (128 + the signal that killed it), or -errno with @e saying what failed:
 * -EINTR when interrupted (the sandbox is killed first), -ENOEXEC when the command could not
 * be run (*@ret_status is then 127 for a program not found, 126 for one not runnable, as a
 * shell says), another -errno when the sandbox could not be built. */
int buildbox_run(const struct buildbox_spec *s, int *ret_status, struct image_error *e);

/* In the sandbox's pid 1, from buildbox.c: build the mount tree and pivot into it. Returns 0
 * or -errno with @why (of @size) saying what failed. */
int buildbox_mount_tree(const struct buildbox_spec *s, char *why, size_t size);
