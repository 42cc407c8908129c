/* common/handoff.c: see handoff.h. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/handoff.h"

#define MAX_ARGS 20

static void build_argv(const struct handoff_request *req, const char **argv)
{
	size_t n = 0;

	argv[n++] = "carrel-launch";
	if (req->syslog)
		argv[n++] = "--syslog";
	if (req->debug)
		argv[n++] = "--debug";
	if (req->config) {
		argv[n++] = "--config";
		argv[n++] = req->config;
	}
	argv[n++] = "--user";
	argv[n++] = req->user;
	if (req->service) {
		argv[n++] = "--service";
		argv[n++] = req->service;
	}
	if (req->tty) {
		argv[n++] = "--tty";
		argv[n++] = req->tty;
	}
	if (req->rhost) {
		argv[n++] = "--rhost";
		argv[n++] = req->rhost;
	}
	argv[n] = NULL;
	assert(n < MAX_ARGS);
}

/* In the forked child: become a clean process image for the launcher. Never returns. */
static void __attribute__((noreturn)) exec_launcher(const struct handoff_request *req, int out_fd)
{
	static char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	const char *argv[MAX_ARGS];
	sigset_t none;
	int null_fd;

	/* The PAM caller may have blocked or caught signals; the launcher starts from
	 * defaults (handlers are reset by exec, ignored signals and the mask are not). */
	for (int sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);

	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(null_fd, STDERR_FILENO) < 0)
		_exit(127);
	if (close_range(3, ~0U, 0) < 0)
		_exit(127); /* the launcher must not inherit the login process's files */
	build_argv(req, argv);
	execve(req->launcher, (char *const *)argv, envp);
	_exit(127);
}

static int read_answer(int fd, char *buf, size_t size)
{
	size_t len = 0;

	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int wait_child(pid_t pid, int *ret_status)
{
	while (waitpid(pid, ret_status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static int decode_answer(const char *answer, int status, struct handoff_result *ret)
{
	char id[SESSION_ID_LEN + 2], *end = NULL;
	long pid = 0;
	int used = 0;

	if (strncmp(answer, "error ", 6) == 0) {
		snprintf(ret->error, sizeof(ret->error), "%s", answer + 6);
		return -EIO;
	}
	/* "ok ID PID", nothing after the pid */
	if (sscanf(answer, "ok %13s %n", id, &used) == 1 && used > 0) {
		errno = 0;
		pid = strtol(answer + used, &end, 10);
		if (errno || end == answer + used || *end || pid > INT_MAX)
			pid = 0;
	}
	if (pid > 0 && session_id_valid(id) && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		memcpy(ret->id, id, sizeof(ret->id));
		ret->init_pid = (pid_t)pid;
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(ret->error, sizeof(ret->error), "the launcher could not be executed");
	else if (WIFSIGNALED(status))
		snprintf(ret->error, sizeof(ret->error), "the launcher was killed by signal %d",
			 WTERMSIG(status));
	else
		snprintf(ret->error, sizeof(ret->error),
			 "the launcher gave no usable answer (exit status %d)",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return -EPROTO;
}

int handoff_run_launcher(const struct handoff_request *req, struct handoff_result *ret)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL}, saved;
	autoclose int read_fd = -1, write_fd = -1;
	char answer[512];
	int fds[2], status = 0, r;
	pid_t pid;

	assert(req->launcher && req->user);
	memset(ret, 0, sizeof(*ret));

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	read_fd = fds[0];
	write_fd = fds[1];

	/* The caller's SIGCHLD handler must not reap our launcher before we wait for it. */
	if (sigaction(SIGCHLD, &dfl, &saved) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		(void)sigaction(SIGCHLD, &saved, NULL);
		return r;
	}
	if (pid == 0)
		exec_launcher(req, write_fd);

	(void)close(take_fd(write_fd));
	r = read_answer(read_fd, answer, sizeof(answer));
	{
		int w = wait_child(pid, &status);

		if (r >= 0)
			r = w;
	}
	(void)sigaction(SIGCHLD, &saved, NULL);
	if (r < 0)
		return r;
	return decode_answer(answer, status, ret);
}
