/* tests/security/probe.c: the attacker of the escape suite (tests/security/run.sh).
 *
 *   probe ATTACK [ARG...]
 *
 * Each subcommand tries one attack from inside a session and prints one line,
 * "ATTACK: RESULT", that the suite's cases assert on. RESULT is "ok" (with details) when the
 * attack worked, otherwise the errno name of the call that refused it ("EPERM", "ENOSYS").
 * The exit status is 0 either way: a refusal is the expected answer, not an error; 2 means
 * the probe itself was used wrongly.
 *
 * Where the kernel refuses an unprivileged caller by itself (a sysctl, a missing capability),
 * an EPERM does not tell whether the seccomp filter is what stopped the call. Those attacks
 * add "reach=ERRNO": the same system call made with an argument the kernel rejects early
 * with an error of its own (EFAULT, EBADF). "reach=EPERM" means the call never reached the
 * kernel's code: the filter refused it.
 *
 * Built static (the Makefile's check-security target) so it runs on any image, busybox
 * ones included. Linux x86_64 only (int80). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#define INJECTED "carrel-test-injected\n"

static const char *err_name(int e)
{
	const char *name = strerrorname_np(e);

	return name ? name : "EUNKNOWN";
}

/* "NAME: ok" when @r >= 0, else "NAME: ERRNO" with errno as the call left it. */
static int report(const char *name, long r)
{
	if (r >= 0)
		printf("%s: ok\n", name);
	else
		printf("%s: %s\n", name, err_name(errno));
	return 0;
}

/* The errno of a call that returned -1, or "ok". */
static const char *result_of(long r, int e)
{
	return r >= 0 ? "ok" : err_name(e);
}

static pid_t parse_pid(const char *text)
{
	char *end = NULL;
	long v = strtol(text, &end, 10);

	if (!*text || *end || v <= 0 || v > INT_MAX) {
		fprintf(stderr, "probe: not a pid: '%s'\n", text);
		exit(2);
	}
	return (pid_t)v;
}

/* ---- who am I ---------------------------------------------------------------------------- */

/* A field of /proc/PID/status ("self" for PID 0) as the kernel writes it: a capability set
 * is 16 hex digits. */
static void status_field(pid_t pid, const char *key, char *out, size_t size)
{
	char line[256], path[64];
	size_t n = strlen(key);
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "re");

	snprintf(out, size, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			char *v = line + n + 1;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(out, size, "%s", v);
			break;
		}
	}
	fclose(f);
}

/* Real and effective ids (a set-user-ID program shows here whether it got its owner's
 * uid) and the capability sets, from the kernel's own view. */
static int probe_uid(void)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	char eff[32], prm[32], inh[32], bnd[32], amb[32];

	getresuid(&ruid, &euid, &suid);
	getresgid(&rgid, &egid, &sgid);
	status_field(0, "CapEff", eff, sizeof(eff));
	status_field(0, "CapPrm", prm, sizeof(prm));
	status_field(0, "CapInh", inh, sizeof(inh));
	status_field(0, "CapBnd", bnd, sizeof(bnd));
	status_field(0, "CapAmb", amb, sizeof(amb));
	printf("uid: uid=%u euid=%u suid=%u gid=%u egid=%u nnp=%d eff=%s prm=%s inh=%s bnd=%s "
	       "amb=%s\n",
	       (unsigned)ruid, (unsigned)euid, (unsigned)suid, (unsigned)rgid, (unsigned)egid,
	       prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), eff, prm, inh, bnd, amb);
	return 0;
}

/* Run a set-user-ID program (su, passwd) with a pipe for its terminal, and once it prompts
 * (it runs, with whatever credentials exec gave it) show its real and effective uid. It
 * gets nothing to read, and SIGKILL. */
static int probe_exec_uid(char **argv)
{
	int in[2], out[2];
	struct pollfd pfd;
	char c, uids[64];
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		return report("exec-uid", -1);
	pid = fork();
	if (pid < 0)
		return report("exec-uid", -1);
	if (pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	pfd = (struct pollfd){.fd = out[0], .events = POLLIN};
	if (poll(&pfd, 1, 20000) != 1 || read(out[0], &c, 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		printf("exec-uid: %s did not prompt\n", argv[0]);
		return 0;
	}
	status_field(pid, "Uid", uids, sizeof(uids));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	{
		unsigned r, e;

		if (sscanf(uids, "%u %u", &r, &e) != 2)
			printf("exec-uid: cannot read the uids of %s\n", argv[0]);
		else
			printf("exec-uid: uid=%u euid=%u\n", r, e);
	}
	return 0;
}

/* ---- files: fds, cwd, reading and writing ------------------------------------------------ */

/* Is the file open as @fd (or the directory @fd) the one its name leads to from here?
 * A leaked host fd has a name that, looked up inside the session, is another file or none:
 * "outside". Pipes, sockets and anonymous inodes have no name: "special". */
static const char *where_is(int fd, const char *target)
{
	struct stat by_fd, by_name;

	if (target[0] != '/')
		return "special";
	if (strstr(target, " (deleted)"))
		return "deleted";
	if (fstat(fd, &by_fd) < 0)
		return "unknown";
	if (stat(target, &by_name) < 0)
		return "outside";
	if (by_fd.st_dev != by_name.st_dev || by_fd.st_ino != by_name.st_ino)
		return "outside";
	return "inside";
}

static void show_link(const char *label, const char *link, int fd, unsigned *n_outside)
{
	char target[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	const char *where;

	if (n < 0) {
		printf("%s ? %s\n", label, err_name(errno));
		return;
	}
	target[n] = '\0';
	where = where_is(fd, target);
	if (strcmp(where, "outside") == 0)
		(*n_outside)++;
	printf("%s %s %s\n", label, target, where);
}

/* Every open fd, the cwd and the root: where each leads, and whether that is inside. */
static int probe_fds(void)
{
	unsigned n_open = 0, n_outside = 0;
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int cwd_fd;

	if (!dir)
		return report("fds", -1);
	while ((de = readdir(dir))) {
		char label[64], link[300];
		int fd;

		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd == dirfd(dir))
			continue;
		n_open++;
		snprintf(label, sizeof(label), "fd %d", fd);
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		show_link(label, link, fd, &n_outside);
	}
	closedir(dir);
	cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	show_link("cwd", "/proc/self/cwd", cwd_fd, &n_outside);
	if (cwd_fd >= 0)
		close(cwd_fd);
	{
		char target[PATH_MAX];
		ssize_t n = readlink("/proc/self/root", target, sizeof(target) - 1);

		printf("root %s\n", n < 0 ? err_name(errno) : (target[n] = '\0', target));
	}
	printf("fds: %u open, %u outside\n", n_open, n_outside);
	return 0;
}

static int probe_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	report("open", fd);
	if (fd >= 0)
		close(fd);
	return 0;
}

static int probe_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return report("write", -1);
	n = write(fd, value, strlen(value));
	report("write", n);
	close(fd);
	return 0;
}

static int probe_mknod_block(const char *path)
{
	/* 7,0: /dev/loop0, a disk of the host if it could be opened. */
	int r = mknod(path, S_IFBLK | 0600, makedev(7, 0));

	report("mknod-block", r);
	if (r == 0)
		unlink(path);
	return 0;
}

/* ---- mounts and namespaces --------------------------------------------------------------- */

static int probe_mount(const char *fstype, const char *target)
{
	int r = mount("carrel-probe", target, fstype, MS_NOSUID | MS_NODEV, NULL);

	report("mount", r);
	if (r == 0)
		umount2(target, MNT_DETACH);
	return 0;
}

/* A cgroup hierarchy of one's own is the way to a release_agent (cgroup v1) and to the
 * host's cgroup tree. */
static int probe_mount_cgroup(void)
{
	char dir[] = "/tmp/carrel-probe-cgroup.XXXXXX";
	int r2, e2, r1, e1;

	if (!mkdtemp(dir))
		return report("mount-cgroup", -1);
	r2 = mount("carrel-probe", dir, "cgroup2", 0, NULL);
	e2 = errno;
	if (r2 == 0)
		umount2(dir, MNT_DETACH);
	r1 = mount("carrel-probe", dir, "cgroup", 0, "none,name=carrel-probe");
	e1 = errno;
	if (r1 == 0)
		umount2(dir, MNT_DETACH);
	rmdir(dir);
	printf("mount-cgroup: cgroup2=%s cgroup=%s\n", result_of(r2, e2), result_of(r1, e1));
	return 0;
}

static int probe_chroot(void)
{
	return report("chroot", chroot("/tmp"));
}

static int probe_unshare(const char *name, int flags)
{
	return report(name, unshare(flags));
}

/* What a child made with @flags says: "ok" once it ran and exited, or the errno. */
static int report_child(const char *name, long pid)
{
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return report(name, -1);
	waitpid((pid_t)pid, NULL, 0);
	printf("%s: ok\n", name);
	return 0;
}

/* The raw system call: glibc's clone() wrapper wants a stack; with none the child runs on a
 * copy of ours, like fork. */
static int probe_clone_userns(void)
{
	return report_child("clone-userns",
			    syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0));
}

/* clone3 passes its flags in memory, where a seccomp filter cannot look. */
static int probe_clone3(void)
{
	struct clone_args args = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};

	return report_child("clone3", syscall(SYS_clone3, &args, sizeof(args)));
}

/* ---- other processes -------------------------------------------------------------------- */

static int probe_ptrace(const char *pid_text)
{
	pid_t pid = parse_pid(pid_text);
	long r = ptrace(PTRACE_SEIZE, pid, NULL, NULL);

	report("ptrace", r);
	if (r == 0)
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	return 0;
}

static int probe_kill(const char *pid_text)
{
	return report("kill", kill(parse_pid(pid_text), SIGTERM));
}

/* ---- host-wide settings ------------------------------------------------------------------ */

static int probe_sethostname(const char *name)
{
	return report("sethostname", sethostname(name, strlen(name)));
}

/* Loading kernel code: /dev/null is no module, but only a caller allowed to load one gets
 * that far (the answer would be ENOEXEC). */
static int probe_module(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	long r = syscall(SYS_finit_module, fd, "", 0);

	report("module", r);
	if (fd >= 0)
		close(fd);
	return 0;
}

/* ---- system calls the seccomp filter refuses --------------------------------------------- */

/* The kernel's keyrings are not namespaced: a user's keyring is the same in every session
 * and outside, and lives until reboot. Asking for the thread keyring without creating it
 * changes nothing anywhere: the kernel answers ENOKEY, the filter EPERM. */
static int probe_keyctl(void)
{
	long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0);

	if (id < 0)
		return report("keyctl", -1);
	printf("keyctl: ok keyring=%ld\n", id);
	return 0;
}

/* Push input into the terminal open as @fd, as if typed there: whoever reads it next (the
 * admin's shell after "carrel join") would run it. */
static int probe_tiocsti(const char *fd_text)
{
	int fd = atoi(fd_text);

	for (const char *c = INJECTED; *c; c++)
		if (ioctl(fd, TIOCSTI, c) < 0)
			return report("tiocsti", -1);
	printf("tiocsti: ok injected %zu bytes\n", strlen(INJECTED));
	return 0;
}

static int probe_bpf(void)
{
	union bpf_attr attr = {
	    .map_type = BPF_MAP_TYPE_ARRAY,
	    .key_size = 4,
	    .value_size = 8,
	    .max_entries = 1,
	};
	long r = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	int e = errno;
	long reach = syscall(SYS_bpf, BPF_MAP_CREATE, NULL, sizeof(attr)); /* EFAULT */
	int reach_e = errno;

	if (r >= 0)
		close((int)r);
	printf("bpf: %s reach=%s\n", result_of(r, e), result_of(reach, reach_e));
	return 0;
}

/* Counting our own user-space CPU time: what perf_event_paranoid 2 still allows anyone. */
static int probe_perf(void)
{
	struct perf_event_attr attr = {
	    .type = PERF_TYPE_SOFTWARE,
	    .size = sizeof(attr),
	    .config = PERF_COUNT_SW_CPU_CLOCK,
	    .disabled = 1,
	    .exclude_kernel = 1,
	    .exclude_hv = 1,
	};
	long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);

	report("perf", fd);
	if (fd >= 0)
		close((int)fd);
	return 0;
}

/* UFFD_USER_MODE_ONLY: what vm.unprivileged_userfaultfd = 0 still allows anyone. */
static int probe_userfaultfd(void)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);

	report("userfaultfd", fd);
	if (fd >= 0)
		close((int)fd);
	return 0;
}

/* The "shocker" escape: open a file by handle (inode 2, the root directory of an ext4
 * filesystem) relative to a mount, around every path lookup and mount of the session. */
static int probe_open_by_handle(void)
{
	struct {
		struct file_handle h;
		uint32_t ino, gen;
	} handle = {.h = {.handle_bytes = 8, .handle_type = 1}, .ino = 2, .gen = 0};
	int mount_fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long r = syscall(SYS_open_by_handle_at, mount_fd, &handle.h, O_RDONLY | O_CLOEXEC);
	int e = errno;
	long reach = syscall(SYS_open_by_handle_at, 999999, &handle.h, O_RDONLY); /* EBADF */
	int reach_e = errno;

	if (r >= 0)
		close((int)r);
	if (mount_fd >= 0)
		close(mount_fd);
	printf("open-by-handle: %s reach=%s\n", result_of(r, e), result_of(reach, reach_e));
	return 0;
}

/* getpid through the 32-bit system call entry: a filter written for x86_64 numbers only
 * would let any i386 system call through. The kernel clobbers r8-r11 (and zeroes r8-r15 on
 * the way back) for this entry. */
static int probe_int80(void)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(20L) /* __NR_getpid on i386 */
			 : "rcx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "memory",
			   "cc");
	if (ret < 0 && ret > -4096)
		printf("int80: %s\n", err_name((int)-ret));
	else
		printf("int80: ok pid=%ld\n", ret);
	return 0;
}

/* ---- surviving logout -------------------------------------------------------------------- */

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A stubborn daemon: double fork, new session, SIGHUP and SIGTERM ignored, stdio away from
 * the login. The grandchild writes a counter to MARKER every 0.2 s for 60 s; a marker that
 * still changes after logout means it survived. */
static int probe_daemon(const char *marker)
{
	int pipe_fd[2];
	pid_t child, daemon_pid = 0;

	if (pipe2(pipe_fd, O_CLOEXEC) < 0)
		return report("daemon", -1);
	child = fork();
	if (child < 0)
		return report("daemon", -1);
	if (child == 0) {
		int null_fd;

		setsid();
		if (fork() != 0)
			_exit(0);
		signal(SIGHUP, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		daemon_pid = getpid();
		if (write(pipe_fd[1], &daemon_pid, sizeof(daemon_pid)) < 0)
			_exit(1);
		close(pipe_fd[1]);
		null_fd = open("/dev/null", O_RDWR);
		for (int fd = 0; fd < 3 && null_fd >= 0; fd++)
			dup2(null_fd, fd);
		for (int i = 1; i <= 300; i++) {
			FILE *f = fopen(marker, "we");

			if (f) {
				fprintf(f, "%d\n", i);
				fclose(f);
			}
			sleep_ms(200);
		}
		_exit(0);
	}
	close(pipe_fd[1]);
	waitpid(child, NULL, 0);
	if (read(pipe_fd[0], &daemon_pid, sizeof(daemon_pid)) != (ssize_t)sizeof(daemon_pid))
		return report("daemon", -1);
	printf("daemon: ok pid=%d\n", (int)daemon_pid);
	return 0;
}

/* ---- path races -------------------------------------------------------------------------- */

/* Swap two names (a real directory and a symbolic link, say) as fast as possible until
 * STOPFILE exists: the race a user can run against a volume source below their home. */
static int probe_race_swap(const char *a, const char *b, const char *stop_file)
{
	unsigned long swaps = 0;

	while (access(stop_file, F_OK) < 0) {
		if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) < 0)
			return report("race-swap", -1);
		swaps++;
	}
	/* Leave the names as they were. */
	if (swaps % 2 && renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0)
		swaps++;
	printf("race-swap: ok swaps=%lu\n", swaps);
	return 0;
}

/* ---- dispatch ---------------------------------------------------------------------------- */

static const char usage_text[] =
    "Usage: probe ATTACK [ARG...]\n"
    "  uid | fds | open PATH | write PATH VALUE | mknod-block PATH\n"
    "  mount [FSTYPE [TARGET]] | mount-cgroup | chroot | userns | unshare-mnt\n"
    "  clone-userns | clone3 | ptrace PID | kill PID | sethostname NAME | module\n"
    "  keyctl | tiocsti FD | bpf | perf | userfaultfd | open-by-handle | int80\n"
    "  exec-uid PROGRAM [ARG...] | daemon MARKER | race-swap PATH1 PATH2 STOPFILE\n";

static int usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *a = argc > 1 ? argv[1] : "";
	int n = argc - 2; /* arguments after the attack */

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(a, "uid") && n == 0)
		return probe_uid();
	if (!strcmp(a, "fds") && n == 0)
		return probe_fds();
	if (!strcmp(a, "open") && n == 1)
		return probe_open(argv[2]);
	if (!strcmp(a, "write") && n == 2)
		return probe_write(argv[2], argv[3]);
	if (!strcmp(a, "mknod-block") && n == 1)
		return probe_mknod_block(argv[2]);
	if (!strcmp(a, "mount") && n <= 2)
		return probe_mount(n > 0 ? argv[2] : "tmpfs", n > 1 ? argv[3] : "/tmp");
	if (!strcmp(a, "mount-cgroup") && n == 0)
		return probe_mount_cgroup();
	if (!strcmp(a, "chroot") && n == 0)
		return probe_chroot();
	if (!strcmp(a, "userns") && n == 0)
		return probe_unshare("userns", CLONE_NEWUSER);
	if (!strcmp(a, "unshare-mnt") && n == 0)
		return probe_unshare("unshare-mnt", CLONE_NEWNS);
	if (!strcmp(a, "clone-userns") && n == 0)
		return probe_clone_userns();
	if (!strcmp(a, "clone3") && n == 0)
		return probe_clone3();
	if (!strcmp(a, "ptrace") && n == 1)
		return probe_ptrace(argv[2]);
	if (!strcmp(a, "kill") && n == 1)
		return probe_kill(argv[2]);
	if (!strcmp(a, "sethostname") && n == 1)
		return probe_sethostname(argv[2]);
	if (!strcmp(a, "module") && n == 0)
		return probe_module();
	if (!strcmp(a, "keyctl") && n == 0)
		return probe_keyctl();
	if (!strcmp(a, "tiocsti") && n == 1)
		return probe_tiocsti(argv[2]);
	if (!strcmp(a, "bpf") && n == 0)
		return probe_bpf();
	if (!strcmp(a, "perf") && n == 0)
		return probe_perf();
	if (!strcmp(a, "userfaultfd") && n == 0)
		return probe_userfaultfd();
	if (!strcmp(a, "open-by-handle") && n == 0)
		return probe_open_by_handle();
	if (!strcmp(a, "int80") && n == 0)
		return probe_int80();
	if (!strcmp(a, "exec-uid") && n >= 1)
		return probe_exec_uid(argv + 2);
	if (!strcmp(a, "daemon") && n == 1)
		return probe_daemon(argv[2]);
	if (!strcmp(a, "race-swap") && n == 3)
		return probe_race_swap(argv[2], argv[3], argv[4]);
	return usage();
}
