/* image/buildbox.c: see buildbox.h. Three processes:
 *   carrel            clones the sandbox's pid 1, waits for it (killing it when interrupted),
 *                     and reads why it failed, if it did, from a pipe;
 *   pid 1             keeps no fd of carrel's, builds the mount tree (buildbox_mounts.c),
 *                     pivots, finds the user, forks the command and waits for it;
 *   the command       leaves the terminal's session, drops to the bounding set, no_new_privs
 *                     and the filter, becomes the user, and execs.
 * The pipe carries one message: "s<text>" when the sandbox could not be built, "x<text>" when
 * the command could not be executed. It is close-on-exec: a command that started closes it.
 *
 * Invariants:
 * 1. Pid 1 never runs past a parent that is gone: PR_SET_PDEATHSIG, then a byte from the
 *    parent, which only an alive parent sends.
 * 2. Nothing of the image runs before pivot_root: the image's passwd and group are read
 *    afterwards, from inside, and never through NSS.
 * 3. The command is confined (bounding set, no_new_privs, filter) before it becomes the user
 *    and before it execs: there is no window in which image code runs with more. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/harden.h"
#include "common/syscalls.h"
#include "image/buildbox.h"
#include "image/buildconf.h"
#include "image/dfwords.h"
#include "image/error.h"
#include "image/users.h"

#define CAP(c) (1ULL << (c))

/* Docker's default capabilities, but CAP_MKNOD: a layer holds no device nodes, and nothing
 * here (docker's device cgroup) would keep one from being opened. */
static const uint64_t build_caps =
    CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FOWNER) | CAP(CAP_FSETID) | CAP(CAP_KILL) |
    CAP(CAP_SETGID) | CAP(CAP_SETUID) | CAP(CAP_SETPCAP) | CAP(CAP_NET_BIND_SERVICE) |
    CAP(CAP_NET_RAW) | CAP(CAP_SYS_CHROOT) | CAP(CAP_SETFCAP) | CAP(CAP_AUDIT_WRITE);

static void __attribute__((noreturn)) die(int err_fd, char kind, int status, const char *text)
{
	dprintf(err_fd, "%c%s", kind, text);
	_exit(status);
}

/* The command's environment: the image's Env, with PATH and HOME when it has none. */
static char **command_env(char *const *env, const struct image_user *u)
{
	size_t n = 0;
	char **out;

	while (env && env[n])
		n++;
	out = calloc(n + 3, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = env[i];
	if (!dfwords_lookup(env, "PATH"))
		out[n++] = (char *)"PATH=" BUILDCONF_DEFAULT_PATH;
	if (!dfwords_lookup(env, "HOME") && asprintf(&out[n++], "HOME=%s",
						     u->home[0]    ? u->home
						     : u->uid == 0 ? "/root"
								   : "/") < 0)
		out[--n] = NULL;
	return out;
}

static void __attribute__((noreturn))
command(const struct buildbox_spec *s, const struct image_user *u, int err_fd)
{
	/* On the host's network these two would reach the host's interfaces and ports. */
	const uint64_t host_net_caps = CAP(CAP_NET_RAW) | CAP(CAP_NET_BIND_SERVICE);
	const struct harden_spec confine = {
	    .keep_caps = build_caps & ~(s->host_network ? host_net_caps : 0), .seccomp = true};
	const char *dir = s->workdir[0] ? s->workdir : "/";
	char **env = command_env(s->env, u);
	char text[600];
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC), r;

	if (!env || null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0)
		die(err_fd, 's', 125, "cannot set up the command's stdin and environment");
	/* A session of its own: no controlling terminal, so /dev/tty is not the admin's. */
	if (setsid() < 0)
		die(err_fd, 's', 125, "cannot start a session for the command");
	/* Everything but stdio closes when the command starts: the pipe says it did. */
	(void)close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	r = harden_apply(&confine);
	if (r < 0) {
		snprintf(text, sizeof(text), "cannot confine the command: %s", strerror(-r));
		die(err_fd, 's', 125, text);
	}
	if (setgroups(u->n_groups, u->groups) < 0 || setresgid(u->gid, u->gid, u->gid) < 0 ||
	    setresuid(u->uid, u->uid, u->uid) < 0) {
		snprintf(text, sizeof(text), "cannot become uid %u gid %u: %s", (unsigned)u->uid,
			 (unsigned)u->gid, strerror(errno));
		die(err_fd, 's', 125, text);
	}
	if (chdir(dir) < 0) {
		snprintf(text, sizeof(text), "cannot change to the working directory '%s': %s", dir,
			 strerror(errno));
		die(err_fd, 's', 125, text);
	}
	environ = env; /* execvp looks PATH up in it */
	execvp(s->argv[0], s->argv);
	r = errno;
	snprintf(text, sizeof(text), "cannot run '%s': %s", s->argv[0], strerror(r));
	die(err_fd, 'x', r == ENOENT ? 127 : 126, text);
}

/* As root, inside: the user, and the working directory made when missing (as docker does). */
static void prepare(const struct buildbox_spec *s, struct image_user *u, int err_fd)
{
	autoclose int root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), dir_fd = -1;
	char why[400], text[500];
	int r;

	r = root_fd < 0 ? -errno
			: users_resolve(root_fd, s->user[0] ? s->user : "0", USERS_FOR_RUN, u, why,
					sizeof(why));
	if (r < 0) {
		snprintf(text, sizeof(text), "USER %s: %s", s->user, root_fd < 0 ? "no root" : why);
		die(err_fd, 's', 125, text);
	}
	if (!s->workdir[0])
		return;
	dir_fd = sys_openat2(root_fd, s->workdir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
			     RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	r = dir_fd >= 0 ? 0 : -errno;
	if (r == -ENOENT) {
		dir_fd = fs_mkdir_p_in_root(root_fd, s->workdir, 0755);
		r = dir_fd < 0 ? dir_fd : 0;
	}
	if (r < 0) {
		snprintf(text, sizeof(text), "cannot make the working directory '%s': %s",
			 s->workdir, strerror(-r));
		die(err_fd, 's', 125, text);
	}
}

/* Wait for the command, reaping whatever else ends meanwhile; its status as a shell says it. */
static int reap(pid_t pid)
{
	for (;;) {
		int status;
		pid_t got = waitpid(-1, &status, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return 125;
		if (got == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
}

static void keep_only_stdio_and(int fd)
{
	if (fd > 3)
		(void)close_range(3, (unsigned)fd - 1, 0);
	(void)close_range((unsigned)fd + 1, ~0U, 0);
}

static void __attribute__((noreturn)) pid1(const struct buildbox_spec *s, int sync_fd, int err_fd)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	struct image_user u;
	char why[400], go;
	sigset_t none;
	pid_t pid;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (read(sync_fd, &go, 1) != 1)
		_exit(125);
	(void)close(sync_fd);
	/* Nothing of carrel's reaches the sandbox: not its fds (the store, the context), and
	 * not this process through /proc/1 (no ptrace, no /proc/1/fd). */
	keep_only_stdio_and(err_fd);
	(void)prctl(PR_SET_DUMPABLE, 0);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &dfl, NULL);
	if (buildbox_mount_tree(s, why, sizeof(why)) < 0)
		die(err_fd, 's', 125, why);
	umask(022);
	prepare(s, &u, err_fd);
	pid = fork();
	if (pid < 0)
		die(err_fd, 's', 125, "cannot fork the command");
	if (pid == 0)
		command(s, &u, err_fd);
	(void)close(err_fd);
	_exit(reap(pid));
}

/* Wait for pid 1; when interrupted, kill it (and with it its namespace) and say so. */
static int wait_box(int pidfd, const volatile sig_atomic_t *interrupted, int *ret_status)
{
	bool killed = false;
	siginfo_t info;

	for (;;) {
		memset(&info, 0, sizeof(info));
		if (waitid(P_PIDFD, (id_t)pidfd, &info, WEXITED) == 0)
			break;
		if (errno != EINTR)
			return -errno;
		if (interrupted && *interrupted && !killed) {
			(void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
			killed = true;
		}
	}
	if (killed || (interrupted && *interrupted))
		return -EINTR;
	*ret_status = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
	return 0;
}

/* What pid 1 or the command said before they failed, if anything. */
static int read_why(int fd, struct image_error *e)
{
	char text[700];
	ssize_t n;

	do
		n = read(fd, text, sizeof(text) - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	if (text[0] == 'x')
		return image_fail(e, -ENOEXEC, "%s", text + 1);
	return image_fail(e, -EIO, "the build sandbox: %s", text + 1);
}

int buildbox_run(const struct buildbox_spec *s, int *ret_status, struct image_error *e)
{
	autoclose int sync_r = -1, sync_w = -1, err_r = -1, err_w = -1, pidfd = -1;
	struct clone_args args = {.flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS |
					   CLONE_NEWIPC | CLONE_NEWCGROUP | CLONE_PIDFD,
				  .pidfd = (uint64_t)(uintptr_t)&pidfd,
				  .exit_signal = SIGCHLD};
	int fds[2], status = 0, r;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return image_fail(e, -errno, "cannot make a pipe");
	sync_r = fds[0];
	sync_w = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return image_fail(e, -errno, "cannot make a pipe");
	err_r = fds[0];
	err_w = fds[1];
	if (!s->host_network)
		args.flags |= CLONE_NEWNET;
	/* What is buffered would be written twice, once by the sandbox's copy. */
	(void)fflush(stdout);
	(void)fflush(stderr);
	pid = sys_clone3(&args);
	if (pid < 0)
		return image_fail(e, -errno, "cannot start the build sandbox: %s", strerror(errno));
	if (pid == 0) {
		(void)close(sync_w);
		(void)close(err_r);
		pid1(s, sync_r, err_w);
	}
	(void)close(take_fd(err_w));
	r = write(sync_w, "g", 1) == 1 ? 0 : -errno;
	(void)close(take_fd(sync_w));
	if (r == 0)
		r = wait_box(pidfd, s->interrupted, &status);
	else
		(void)wait_box(pidfd, NULL, &status);
	if (r == -EINTR)
		return image_fail(e, r, "interrupted");
	if (r < 0)
		return image_fail(e, r, "cannot wait for the build sandbox: %s", strerror(-r));
	*ret_status = status; /* 126 or 127 too, with -ENOEXEC: the command could not be run */
	return read_why(err_r, e);
}
