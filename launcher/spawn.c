/* launcher/spawn.c: see spawn.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/control.h"
#include "common/events.h"
#include "common/store.h"
#include "common/identity.h"
#include "common/log.h"
#include "common/syscalls.h"
#include "config/config.h"
#include "config/policy.h"
#include "launcher/init.h"
#include "launcher/init_handoff.h"
#include "launcher/launch.h"
#include "launcher/sandbox.h"
#include "launcher/spawn.h"

static int write_oom_score_adj(int value)
{
	char text[16];
	int fd, n, r = 0;

	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(text, sizeof(text), "%d", value);
	if (write(fd, text, (size_t)n) != n)
		r = -errno;
	(void)close(fd);
	return r;
}

/* /var/lib/carrel/sessions, where the session's layer on disk and anonymous volumes are,
 * for init to remove them at the end; -1 when it cannot be had (nothing to remove then). */
static int open_store_sessions(void)
{
	autoclose int store_fd = store_open(true);

	return store_fd < 0 ? store_fd : store_dir(store_fd, "/sessions", 0700);
}

/* Inside, "ps" shows PID 1 by its command line: make it say what it is rather than repeat
 * the launcher's arguments. The argument strings are contiguous; overwrite them in place. */
static void retitle(const struct launch_ctx *c)
{
	char *start = c->args->argv[0];
	char *end = c->args->argv[c->args->argc - 1];
	size_t room;

	end += strlen(end);
	room = (size_t)(end - start);
	memset(start, 0, room);
	snprintf(start, room, "carrel-init %s %s", c->id, c->who->user);
}

/* --pause-at for the steps in the init. PID 1 of a pid namespace cannot stop itself (its
 * own SIGSTOP is ignored): it asks the launcher, which can, and waits for its SIGKILL. */
static void child_pause_point(struct launch_ctx *c, int ready_fd, const char *step)
{
	if (!c->args->pause_at || strcmp(c->args->pause_at, step) != 0)
		return;
	if (write(ready_fd, "p", 1) != 1)
		return;
	for (;;)
		pause();
}

static void __attribute__((noreturn)) child_main(struct launch_ctx *c, int ready_fd)
{
	struct init_state s = {
	    .caller_pidfd = c->caller_pidfd,
	    .lock_fd = c->lock_fd,
	    .state_root_fd = c->state_root_fd,
	    .host_cgroupns_fd = c->host_cgroupns_fd,
	    .layout = c->cgroups,
	    .shared = c->profile->session == CFG_SESSION_USER,
	    .linger_sec = c->profile->linger_sec,
	    .idle_sec = c->profile->idle_timeout_sec,
	    .stop_sec = c->profile->stop_timeout_sec,
	    .layer_fd = -1,
	    .store_sessions_fd = -1,
	    .events_fd = -1,
	    .layer_lock_fd = -1,
	    .image_lock_fd = -1,
	};
	char control_path[sizeof(c->session_path) + 16];
	int null_fd, r;

	/* The user's lock belongs to this launch alone: the next login must not wait for the
	 * whole session. */
	if (c->user_lock_fd >= 0)
		(void)close(c->user_lock_fd);

	/* The launcher's stdout is the answer pipe to the PAM module: init must not hold it,
	 * or the module would wait for its EOF for the whole session. */
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(null_fd, 1) < 0 || dup2(null_fd, 2) < 0)
		_exit(1);
	(void)close(null_fd);
	memcpy(s.id, c->id, sizeof(s.id));
	snprintf(s.user, sizeof(s.user), "%s", c->who->user);

	/* Fds opened before the clone point into the host's mount namespace, where nothing
	 * may be mounted from here (move_mount fails with EINVAL): reopen by path. */
	(void)close(c->session_dir_fd);
	c->session_dir_fd = open(c->session_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (c->session_dir_fd < 0)
		_exit(1);

	/* The memory limit's OOM killer should pick the session's hog, never its init:
	 * without init the session breaks (every fork fails) instead of ending. Lowering the
	 * score needs CAP_SYS_RESOURCE, which some hosts withhold even from root; init is
	 * tiny then, and the OOM killer picks the biggest process anyway. */
	(void)write_oom_score_adj(-1000);
	r = cgroup_teardown_open(&c->cgroups, c->cgroup_name, &s.cgroups);
	if (r < 0)
		report_fail(c->report, r, "cannot keep the session's cgroups for its end");
	snprintf(control_path, sizeof(control_path), "%s/" CONTROL_SOCKET, c->session_path);
	s.control_fd = r < 0 ? r : control_listen(control_path);
	if (r >= 0 && s.control_fd < 0)
		r = report_fail(c->report, s.control_fd,
				"cannot make the session's control socket");
	/* Before the pivot: afterwards /var/lib/carrel is the session's, not the host's. */
	s.store_sessions_fd = open_store_sessions();
	s.events_fd = events_open();
	child_pause_point(c, ready_fd, "sandbox");
	if (r >= 0)
		r = sandbox_build(c);
	if (r < 0) {
		/* The launcher learns of the failure by the 'e' or, failing that, by EOF. */
		if (write(ready_fd, "e", 1) < 0)
			_exit(2);
		_exit(1);
	}
	(void)close(c->session_dir_fd);
	c->session_dir_fd = -1;
	child_pause_point(c, ready_fd, "ready");
	s.layer_fd = c->layer_fd;
	s.layer_lock_fd = c->layer_lock_fd;
	/* Held for the session's life: "carrel image rm" needs it exclusively. */
	s.image_lock_fd = c->image_lock_fd;
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	(void)close(ready_fd);
	(void)munmap(c->report, sizeof(*c->report));
	/* Become the small carrel-init; if that cannot be, stay the launcher's clone and be
	 * init all the same: bigger, but the session works. */
	r = c->init_program_fd < 0 ? c->init_program_fd : init_handoff_exec(c->init_program_fd, &s);
	log_warning("session %s: cannot start carrel-init, init stays in the launcher: %s", c->id,
		    strerror(-r));
	retitle(c);
	init_run(&s);
}

int spawn_init(struct launch_ctx *c)
{
	struct clone_args args = {
	    .flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP,
	    .exit_signal = SIGCHLD,
	};
	autoclose int read_fd = -1, write_fd = -1;
	char answer = 0;
	int fds[2];
	pid_t pid;

	if (c->profile->network == CFG_NETWORK_NONE)
		args.flags |= CLONE_NEWNET;
	if (c->cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)c->cgroup_fd;
	}
	if (pipe2(fds, O_CLOEXEC) < 0)
		return report_fail(c->report, -errno, "cannot make a pipe");
	read_fd = fds[0];
	write_fd = fds[1];

	pid = sys_clone3(&args);
	if (pid < 0)
		return report_fail(c->report, -errno, "cannot create the session's namespaces");
	if (pid == 0) {
		(void)close(read_fd);
		child_main(c, write_fd);
	}
	(void)close(take_fd(write_fd));
	c->init_pid = pid;
	for (;;) {
		while (read(read_fd, &answer, 1) < 0 && errno == EINTR)
			;
		if (answer != 'p')
			break;
		/* --pause-at, in the init: stop it from here (see child_pause_point). */
		(void)kill(pid, SIGSTOP);
		answer = 0;
	}
	if (answer == 'r')
		return 0;
	spawn_abort(c);
	if (!c->report->error[0])
		report_fail(c->report, -EIO, "the session's init died while building the sandbox");
	return -EIO;
}

void spawn_abort(struct launch_ctx *c)
{
	if (c->init_pid <= 0)
		return;
	(void)kill(c->init_pid, SIGKILL);
	while (waitpid(c->init_pid, NULL, 0) < 0 && errno == EINTR)
		;
	c->init_pid = 0;
}
