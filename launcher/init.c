/* launcher/init.c: see init.h.
 *
 * Invariants:
 * 1. Init never exits while a process of the session is alive: if it did, every later fork
 *    inside would fail (ENOMEM) and the session would be broken, not over.
 * 2. Init never waits for a login process: that process reaps its own children only after
 *    close_session, so any wait here could deadlock. It only watches pidfds.
 * 3. The host fds it holds (state directory, lock, cgroup namespace and directories, control
 *    socket) cross exactly one exec, that of carrel-init itself (init_handoff.c names each
 *    one); from then on they are O_CLOEXEC and init execs nothing, so nothing inside can
 *    reach them (init is non-dumpable and owned by root).
 * 4. Once ending, a session takes no more logins: an attach is answered "stopping", and the
 *    launcher makes a new session instead. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
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
#include "common/control.h"
#include "common/events.h"
#include "common/log.h"
#include "common/store.h"
#include "launcher/init.h"

#define STOP_TICK_MSEC 50
#define IDLE_TICK_MSEC 1000
/* Less CPU than this per tick, init's own included, counts as idle. */
#define IDLE_CPU_USEC_PER_TICK 10000

struct init_loop {
	struct init_state *s;
	int signal_fd;
	int timer_fd;
	int *logins; /* pidfds of the attached logins */
	size_t n_logins;
	bool stopping;
	bool killed;
	struct timespec stop_deadline;
	struct timespec alone_since; /* when the last login left */
	struct timespec busy_at;     /* when CPU use was last seen */
	int64_t last_cpu_usec;
	const char *reason;
};

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void set_tick(struct init_loop *l, long msec)
{
	struct itimerspec tick = {
	    .it_interval = {msec / 1000, (msec % 1000) * 1000000},
	    .it_value = {msec / 1000, (msec % 1000) * 1000000},
	};

	(void)timerfd_settime(l->timer_fd, 0, &tick, NULL);
}

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
	if (l->stopping)
		return;
	l->stopping = true;
	l->reason = reason;
	/* Interactive shells ignore SIGTERM but end on SIGHUP, like at a hangup. */
	(void)kill(-1, SIGHUP);
	(void)kill(-1, SIGTERM);
	(void)kill(-1, SIGCONT);
	clock_gettime(CLOCK_MONOTONIC, &l->stop_deadline);
	l->stop_deadline.tv_sec += (time_t)l->s->stop_sec;
	set_tick(l, STOP_TICK_MSEC);
}

/* The last login left: a per-login session ends; a shared one may linger. */
static void now_alone(struct init_loop *l)
{
	struct init_state *s = l->s;

	clock_gettime(CLOCK_MONOTONIC, &l->alone_since);
	l->busy_at = l->alone_since;
	l->last_cpu_usec = -1;
	if (!s->shared)
		begin_stop(l, "login gone");
	else if (s->linger_sec == 0)
		begin_stop(l, "last login gone");
	else
		set_tick(l, IDLE_TICK_MSEC);
}

static void drop_login(struct init_loop *l, size_t i)
{
	(void)close(l->logins[i]);
	l->logins[i] = l->logins[--l->n_logins];
	if (l->n_logins == 0)
		now_alone(l);
}

static int add_login(struct init_loop *l, int pidfd)
{
	int *grown = realloc(l->logins, (l->n_logins + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	l->logins = grown;
	l->logins[l->n_logins++] = pidfd;
	if (l->n_logins == 1)
		set_tick(l, 0); /* no longer alone: no linger or idle clock runs */
	return 0;
}

/* One request on the control socket; see common/control.h. */
static void on_control(struct init_loop *l)
{
	char request = 0, reply = CONTROL_REFUSED;
	int fd = -1;
	autoclose int conn = control_accept(l->s->control_fd, &request, &fd);

	if (conn < 0)
		return;
	if (request == CONTROL_STATE) {
		if (fd >= 0)
			(void)close(fd);
		(void)control_reply(conn, l->stopping ? CONTROL_STOPPING : CONTROL_OK, -1);
		return;
	}
	if (request == CONTROL_UPPER) {
		if (fd >= 0)
			(void)close(fd);
		(void)control_reply(conn, l->s->layer_fd >= 0 ? CONTROL_OK : CONTROL_REFUSED,
				    l->s->layer_fd);
		return;
	}
	if (request == CONTROL_ATTACH && fd >= 0 && l->s->shared) {
		if (l->stopping)
			reply = CONTROL_STOPPING;
		else if (add_login(l, fd) == 0) {
			reply = CONTROL_OK;
			fd = -1; /* kept */
		}
	}
	if (fd >= 0)
		(void)close(fd);
	(void)control_reply(conn, reply, -1);
}

/* While alone: has anything inside used the CPU lately? */
static bool idle_too_long(struct init_loop *l)
{
	struct cgroup_usage u;
	char name[CGROUP_NAME_MAX];

	memcpy(name, l->s->cgroups.name, sizeof(name));
	cgroup_read_usage_at(&l->s->layout, l->s->cgroups.parent_fd, name, &u);
	if (u.cpu_usec < 0)
		return seconds_since(&l->alone_since) >= (double)l->s->idle_sec;
	if (l->last_cpu_usec >= 0 && u.cpu_usec - l->last_cpu_usec > IDLE_CPU_USEC_PER_TICK)
		clock_gettime(CLOCK_MONOTONIC, &l->busy_at);
	l->last_cpu_usec = u.cpu_usec;
	return seconds_since(&l->busy_at) >= (double)l->s->idle_sec;
}

static void on_tick(struct init_loop *l)
{
	struct init_state *s = l->s;
	uint64_t expirations;

	if (read(l->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return;
	if (l->stopping) {
		if (!l->killed && seconds_since(&l->stop_deadline) >= 0) {
			(void)kill(-1, SIGKILL);
			l->killed = true;
		}
		return;
	}
	if (l->n_logins > 0)
		return;
	if (seconds_since(&l->alone_since) >= (double)s->linger_sec)
		begin_stop(l, "linger over");
	else if (s->idle_sec > 0 && idle_too_long(l))
		begin_stop(l, "idle");
}

static void on_signals(struct init_loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
		case SIGHUP:
		case SIGPWR:
			begin_stop(l, "stopped");
			break;
		default:
			break; /* SIGCHLD: reaped below */
		}
	}
}

enum { FD_SIGNAL, FD_TIMER, FD_CONTROL, FD_LOGINS };

static void loop(struct init_loop *l)
{
	for (;;) {
		size_t n = FD_LOGINS + (l->stopping ? 0 : l->n_logins);
		struct pollfd fds[FD_LOGINS + 64];

		if (n > ARRAY_SIZE(fds))
			n = ARRAY_SIZE(fds); /* more logins are seen on a later round */
		fds[FD_SIGNAL] = (struct pollfd){.fd = l->signal_fd, .events = POLLIN};
		fds[FD_TIMER] = (struct pollfd){.fd = l->timer_fd, .events = POLLIN};
		fds[FD_CONTROL] = (struct pollfd){.fd = l->s->control_fd, .events = POLLIN};
		for (size_t i = FD_LOGINS; i < n; i++)
			fds[i] = (struct pollfd){.fd = l->logins[i - FD_LOGINS], .events = POLLIN};
		if (poll(fds, n, -1) < 0 && errno != EINTR)
			begin_stop(l, "poll failed");
		if (fds[FD_SIGNAL].revents)
			on_signals(l);
		if (fds[FD_CONTROL].revents)
			on_control(l);
		/* From the end: dropping a login moves the last one into its place. */
		for (size_t i = n; i-- > FD_LOGINS;)
			if (fds[i].revents && !l->stopping)
				drop_login(l, i - FD_LOGINS);
		if (fds[FD_TIMER].revents)
			on_tick(l);
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
	/* A layer on disk and anonymous volumes: the session's own, and it is over. */
	if (s->store_sessions_fd >= 0) {
		r = store_remove_tree(s->store_sessions_fd, s->id);
		if (r < 0)
			log_error_errno(r, "session %s: cannot remove %s/sessions/%s", s->id,
					STORE_DIR, s->id);
	}
	r = session_dir_remove(s->state_root_fd, s->id);
	if (r < 0)
		log_error_errno(
		    r, "session %s: cannot remove its record (the next session start will)", s->id);
	log_info("session %s ended: %s", s->id, reason);
	if (s->events_fd >= 0)
		(void)events_write(s->events_fd, &(struct events_entry){.event = "end",
									.id = s->id,
									.user = s->user,
									.detail = reason});
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
	if (l.signal_fd < 0 || l.timer_fd < 0 || add_login(&l, s->caller_pidfd) < 0) {
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
