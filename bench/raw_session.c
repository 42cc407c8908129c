/* bench/raw_session.c: the reference for what the kernel costs. The least a login sandbox
 * does, in raw system calls and nothing else: clone into new mount, pid, uts and ipc
 * namespaces, a tmpfs writable layer, an overlay over /, /proc, the home bound in,
 * pivot_root, exec the command; the parent waits. No config, no policy, no cgroup, no
 * record, no init that stays: carrel does all of those on top, so the ratio of the two is
 * carrel's overhead.
 *
 *   raw_session ITERATIONS HOME COMMAND...   prints one line per iteration: nanoseconds */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *home;
static char **command;
static char stage[64];

static void die(const char *what)
{
	perror(what);
	_exit(127);
}

static int child(void *arg)
{
	char upper[128], work[128], merged[128], opts[512], target[256];

	(void)arg;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("private");
	if (mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=0700") < 0)
		die("tmpfs");
	snprintf(upper, sizeof(upper), "%s/upper", stage);
	snprintf(work, sizeof(work), "%s/work", stage);
	snprintf(merged, sizeof(merged), "%s/merged", stage);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0 || mkdir(merged, 0755) < 0)
		die("mkdir");
	snprintf(opts, sizeof(opts), "lowerdir=/,upperdir=%s,workdir=%s", upper, work);
	if (mount("overlay", merged, "overlay", MS_NODEV, opts) < 0)
		die("overlay");
	snprintf(target, sizeof(target), "%s/proc", merged);
	if (mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die("proc");
	snprintf(target, sizeof(target), "%s%s", merged, home);
	if (mount(home, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("home");
	if (chdir(merged) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		die("pivot_root");
	execvp(command[0], command);
	die("exec");
	return 0;
}

int main(int argc, char **argv)
{
	static char stack[64 * 1024];
	int iterations;

	if (argc < 4) {
		fprintf(stderr, "usage: raw_session ITERATIONS HOME COMMAND...\n");
		return 2;
	}
	iterations = atoi(argv[1]);
	home = argv[2];
	command = argv + 3;
	snprintf(stage, sizeof(stage), "/run/carrel-bench-raw.%d", (int)getpid());
	if (mkdir(stage, 0700) < 0 && errno != EEXIST)
		die("stage");
	for (int i = 0; i < iterations; i++) {
		struct timespec a, b;
		int status;
		pid_t pid;

		clock_gettime(CLOCK_MONOTONIC, &a);
		pid = clone(child, stack + sizeof(stack),
			    CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD, NULL);
		if (pid < 0)
			die("clone");
		if (waitpid(pid, &status, 0) < 0)
			die("waitpid");
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "raw_session: iteration %d failed\n", i);
			return 1;
		}
		printf("%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL +
					 (b.tv_nsec - a.tv_nsec));
	}
	rmdir(stage);
	return 0;
}
