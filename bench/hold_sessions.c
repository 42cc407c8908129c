/* bench/hold_sessions.c: open N sessions through the PAM stack and keep them idle, the way
 * N logged-in users would: one "login process" each (a forked child that opened its session
 * and waits), so that what carrel keeps per idle session can be measured. Prints "ready"
 * when all are open, then waits for its stdin to close and ends them all.
 *
 *   hold_sessions N PARALLEL CONFDIR SERVICE USER
 *
 * What the PAM modules log at LOG_WARNING or worse goes to stderr, one line each, so that
 * the reason a session could not be opened is seen even where no syslog daemon runs. */
#include <security/pam_appl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

/* pam_syslog() ends in vsyslog(): this program's own takes its place. */
void vsyslog(int priority, const char *format, va_list ap)
{
	if (LOG_PRI(priority) > LOG_WARNING)
		return;
	vfprintf(stderr, format, ap);
	fputc('\n', stderr);
}

static int no_conversation(int n, const struct pam_message **msg, struct pam_response **resp,
			   void *data)
{
	(void)n;
	(void)msg;
	(void)resp;
	(void)data;
	return PAM_CONV_ERR;
}

/* A login process: open, tell the parent, wait for the end of stdin, close. */
static void __attribute__((noreturn)) login(int ready_fd, char **argv)
{
	struct pam_conv conv = {no_conversation, NULL};
	pam_handle_t *pamh = NULL;
	char c;
	int r;

	r = pam_start_confdir(argv[4], argv[5], &conv, argv[3], &pamh);
	if (r == PAM_SUCCESS)
		r = pam_open_session(pamh, 0);
	c = r == PAM_SUCCESS ? 'o' : 'e';
	if (write(ready_fd, &c, 1) != 1)
		_exit(1);
	close(ready_fd);
	if (r != PAM_SUCCESS)
		_exit(1);
	while (read(STDIN_FILENO, &c, 1) > 0)
		;
	r = pam_close_session(pamh, 0);
	pam_end(pamh, r);
	_exit(r == PAM_SUCCESS ? 0 : 1);
}

int main(int argc, char **argv)
{
	int n, parallel, opened = 0, failed = 0, fds[2];

	if (argc != 6) {
		fprintf(stderr, "usage: hold_sessions N PARALLEL CONFDIR SERVICE USER\n");
		return 2;
	}
	n = atoi(argv[1]);
	parallel = atoi(argv[2]);
	if (pipe(fds) < 0)
		return 1;
	for (int started = 0; started < n;) {
		/* at most PARALLEL opening at once */
		for (int k = 0; k < parallel && started < n; k++, started++) {
			pid_t pid = fork();

			if (pid == 0) {
				close(fds[0]);
				login(fds[1], argv);
			}
		}
		while (opened + failed < started) {
			char c;

			if (read(fds[0], &c, 1) != 1)
				return 1;
			if (c == 'o')
				opened++;
			else
				failed++;
		}
	}
	printf("ready %d opened %d failed\n", opened, failed);
	fflush(stdout);
	/* stdin closes: every login process sees it and closes its session */
	while (wait(NULL) > 0)
		;
	return failed ? 1 : 0;
}
