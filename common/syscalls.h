/* common/syscalls.h: wrappers for the system calls glibc 2.36 does not wrap. Nothing else.
 * (glibc 2.36 already has open_tree, move_mount, mount_setattr, pidfd_open,
 * pidfd_send_signal and close_range.) */
#pragma once

#include <linux/openat2.h>
#include <linux/sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* openat2(2). @mode is used only with O_CREAT. */
static inline int sys_openat2(int dir_fd, const char *path, uint64_t flags, uint64_t mode,
			      uint64_t resolve)
{
	struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};

	return (int)syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));
}

static inline pid_t sys_clone3(struct clone_args *args)
{
	return (pid_t)syscall(SYS_clone3, args, sizeof(*args));
}

static inline int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}
