/* bench/pam_session.c: one login's session work through the real Linux-PAM stack, the way
 * sshd, su and login do it: a process per login (as sshd forks one per connection: a login
 * process is confined for good once it has joined its session), which runs
 * pam_open_session, forks the "shell" (COMMAND) inside, waits, pam_close_session. The
 * service file is the bench's own (pam_start_confdir).
 *
 *   pam_session ITERATIONS CONFDIR SERVICE USER COMMAND...   one line per iteration: ns */
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int no_conversation(int n, const struct pam_message **msg, struct pam_response **resp,
			   void *data)
{
	(void)n;
	(void)msg;
	(void)resp;
	(void)data;
	return PAM_CONV_ERR;
}

static int one_login(const char *confdir, const char *service, const char *user, char **command)
{
	struct pam_conv conv = {no_conversation, NULL};
	pam_handle_t *pamh = NULL;
	int r, status = 1;
	pid_t pid;

	r = pam_start_confdir(service, user, &conv, confdir, &pamh);
	if (r != PAM_SUCCESS)
		return -1;
	r = pam_open_session(pamh, 0);
	if (r == PAM_SUCCESS) {
		pid = fork();
		if (pid == 0) {
			execvp(command[0], command);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, &status, 0);
		r = pam_close_session(pamh, 0);
	}
	pam_end(pamh, r);
	return r == PAM_SUCCESS && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	int iterations;

	if (argc < 6) {
		fprintf(stderr, "usage: pam_session ITERATIONS CONFDIR SERVICE USER COMMAND...\n");
		return 2;
	}
	iterations = atoi(argv[1]);
	for (int i = 0; i < iterations; i++) {
		struct timespec a, b;

		int status = 1;
		pid_t pid;

		clock_gettime(CLOCK_MONOTONIC, &a);
		pid = fork();
		if (pid == 0)
			_exit(one_login(argv[2], argv[3], argv[4], argv + 5) < 0 ? 1 : 0);
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "pam_session: iteration %d failed\n", i);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL +
					 (b.tv_nsec - a.tv_nsec));
	}
	return 0;
}
