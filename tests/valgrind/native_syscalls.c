/* tests/valgrind/native_syscalls.c: an LD_PRELOAD library for tests/valgrind/run.sh only,
 * never linked into carrel. Valgrind 3.19 (Debian 12) does not know some system calls carrel
 * makes: it fails them with ENOSYS, and the admin tool then stops short of the code worth
 * checking ("cannot list the images: Function not implemented"). They are openat2 (every
 * store lookup), the mount API (open_tree, move_mount, fsopen, fsconfig, fsmount, fspick,
 * mount_setattr: an import unpacks a layer on the ones below) and the pidfd calls (session
 * records are verified through a pidfd).
 *
 * This library takes over syscall() and glibc's wrappers of those calls and, under valgrind,
 * makes them on the real CPU (VALGRIND_NON_SIMD_CALL): the kernel sees exactly what carrel
 * asked. None of them writes to the caller's memory, so memcheck loses nothing but the
 * check that the path and struct they read are initialized. Outside valgrind, and for
 * every other call, it hands over to glibc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <valgrind/valgrind.h>

#ifndef __x86_64__
#error "the system call below is x86-64's"
#endif

struct call {
	long nr, a[5];
};

/* Run by valgrind on the real CPU: the system call itself, -errno on failure. No glibc here:
 * its errno would be valgrind's own. */
static long native(unsigned tid, struct call *c)
{
	register long r10 __asm__("r10") = c->a[3];
	register long r8 __asm__("r8") = c->a[4];
	long ret;

	(void)tid;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"(c->nr), "D"(c->a[0]), "S"(c->a[1]), "d"(c->a[2]), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

static bool unknown_to_valgrind(long nr)
{
	switch (nr) {
	case SYS_openat2:
	case SYS_open_tree:
	case SYS_move_mount:
	case SYS_fsopen:
	case SYS_fsconfig:
	case SYS_fsmount:
	case SYS_fspick:
	case SYS_mount_setattr:
	case SYS_pidfd_open:
	case SYS_pidfd_send_signal:
	case SYS_pidfd_getfd:
		return RUNNING_ON_VALGRIND;
	default:
		return false;
	}
}

long syscall(long nr, ...)
{
	static long (*real)(long, ...);
	long a[6];
	va_list ap;

	/* As glibc's own syscall() does: six arguments, whatever the call takes. */
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (unknown_to_valgrind(nr)) {
		struct call c = {nr, {a[0], a[1], a[2], a[3], a[4]}};
		long r = (long)VALGRIND_NON_SIMD_CALL1(native, &c);

		if (r < 0 && r > -4096) {
			errno = (int)-r;
			return -1;
		}
		return r;
	}
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int open_tree(int dfd, const char *path, unsigned flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}

int move_mount(int from_dfd, const char *from, int to_dfd, const char *to, unsigned flags)
{
	return (int)syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}

int fsopen(const char *fs, unsigned flags)
{
	return (int)syscall(SYS_fsopen, fs, flags);
}

int fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

int fsmount(int fd, unsigned flags, unsigned attr_flags)
{
	return (int)syscall(SYS_fsmount, fd, flags, attr_flags);
}

int fspick(int dfd, const char *path, unsigned flags)
{
	return (int)syscall(SYS_fspick, dfd, path, flags);
}

int mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *attr, size_t size)
{
	return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, size);
}

int pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

int pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

int pidfd_getfd(int fd, int target, unsigned flags)
{
	return (int)syscall(SYS_pidfd_getfd, fd, target, flags);
}
