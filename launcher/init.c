/* launcher/init.c: see init.h.
 *
 * Invariants:
 * 1. Init never exits while a process of the session is alive: if it did, every later fork
 *    inside would fail (ENOMEM) and the session would be broken, not over.
 * 2. Init never waits for the login process: that process reaps its own children only after
 *    close_session, so any wait here could deadlock. It only watches its pidfd.
 * 3. The host fds it holds (state directory, lock, cgroup namespace and cgroup directories)
 *    are O_CLOEXEC, and init never execs; nothing inside can reach them (init is
 *    non-dumpable and owned by root). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "launcher/init.h"

struct init_loop {
	struct init_state *s;
	int signal_fd;
	int timer_fd;
	bool stopping;
	bool killed;
	struct timespec deadline;
	const char *reason;
};

static void reap_children(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Is any process other than init still running inside? Zombies whose parent is outside
 * (the login's own children) do not count: only their parent can reap them. */
static bool session_has_processes(void)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	bool found = false;

	if (!proc)
		return true; /* cannot tell: assume yes, the SIGKILL deadline still applies */
	while (!found && (de = readdir(proc))) {
		char path[300], state = 0;
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' || strcmp(de->d_name, "1") == 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%*d (%*[^)]) %c", &state) == 1 && state != 'Z' && state != 'X')
			found = true;
		fclose(f);
	}
	closedir(proc);
	return found;
}

static void begin_stop(struct init_loop *l, const char *reason)
{
	struct itimerspec tick = {.it_interval = {0, 50 * 1000 * 1000},
				  .it_value = {0, 50 * 1000 * 1000}};

	if (l->stopping)
		return;
	l->stopping = true;
	l->reason = reason;
	/* Interactive shells ignore SIGTERM but end on SIGHUP, like at a hangup. */
	(void)kill(-1, SIGHUP);
	(void)kill(-1, SIGTERM);
	(void)kill(-1, SIGCONT);
	clock_gettime(CLOCK_MONOTONIC, &l->deadline);
	l->deadline.tv_sec += INIT_STOP_TIMEOUT_SEC;
	(void)timerfd_settime(l->timer_fd, 0, &tick, NULL);
}

static void on_tick(struct init_loop *l)
{
	struct timespec now;
	uint64_t expirations;

	if (read(l->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!l->killed && now.tv_sec >= l->deadline.tv_sec) {
		(void)kill(-1, SIGKILL);
		l->killed = true;
	}
}

static void on_signals(struct init_loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			break; /* reaped below */
		case SIGTERM:
		case SIGINT:
		case SIGHUP:
		case SIGPWR:
			begin_stop(l, "stopped");
			break;
		default:
			break;
		}
	}
}

static void loop(struct init_loop *l)
{
	for (;;) {
		struct pollfd fds[3] = {
		    {.fd = l->signal_fd, .events = POLLIN},
		    {.fd = l->timer_fd, .events = POLLIN},
		    {.fd = l->stopping ? -1 : l->s->caller_pidfd, .events = POLLIN},
		};

		if (poll(fds, 3, -1) < 0 && errno != EINTR)
			begin_stop(l, "poll failed");
		if (fds[0].revents)
			on_signals(l);
		if (fds[1].revents)
			on_tick(l);
		if (fds[2].revents)
			begin_stop(l, "login gone");
		reap_children();
		if (l->stopping && !session_has_processes())
			return;
	}
}

/* Remove the session's host-side state; runs after every process inside is gone. */
static void teardown(struct init_state *s, const char *reason)
{
	int r = 0;

	if (setns(s->host_cgroupns_fd, CLONE_NEWCGROUP) < 0)
		r = -errno;
	if (r == 0)
		r = cgroup_teardown_run(&s->cgroups);
	if (r < 0)
		log_error_errno(
		    r, "session %s: cannot remove its cgroups (the next session start will)",
		    s->id);
	r = session_dir_remove(s->state_root_fd, s->id);
	if (r < 0)
		log_error_errno(
		    r, "session %s: cannot remove its record (the next session start will)", s->id);
	log_info("session %s ended: %s", s->id, reason);
}

void init_run(struct init_state *s)
{
	struct init_loop l = {.s = s, .reason = "stopped"};
	sigset_t all;

	(void)prctl(PR_SET_NAME, "carrel-init");
	(void)prctl(PR_SET_DUMPABLE, 0);
	sigfillset(&all);
	(void)sigprocmask(SIG_BLOCK, &all, NULL);
	l.signal_fd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	l.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (l.signal_fd < 0 || l.timer_fd < 0) {
		/* Without them init cannot reap or stop; end the session now, cleanly. */
		log_error_errno(-errno, "session %s: init cannot watch its session", s->id);
		(void)kill(-1, SIGKILL);
		teardown(s, "init failed");
		_exit(1);
	}
	loop(&l);
	teardown(s, l.reason);
	_exit(0);
}
