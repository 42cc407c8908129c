/* tests/pam/pam_harness.c: drives the real Linux-PAM stack the way sshd, su or login do,
 * against a service file written at test time (pam_start_confdir), so pam_carrel can be
 * tested without touching /etc/pam.d.
 *
 *   pam_harness --dlopen MODULE
 *   pam_harness CONFDIR SERVICE USER [RHOST [TTY]] [-- COMMAND...]
 *
 * Prints "open: <result>", the session's CARREL_SESSION, runs COMMAND in a forked child
 * between open and close (the child is what a login's shell would be), then "close: ...".
 * Exit status: 0 when open and close both succeeded, 1 otherwise. */
#include <dlfcn.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

static int check_dlopen(const char *module)
{
	void *h = dlopen(module, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		printf("dlopen: %s\n", dlerror());
		return 1;
	}
	printf("dlopen: ok\n");
	dlclose(h);
	return 0;
}

static int run_child(pam_handle_t *pamh, char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		char **env = pam_getenvlist(pamh);

		execve(argv[0], argv, env);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	struct pam_conv conv = {no_conversation, NULL};
	pam_handle_t *pamh = NULL;
	char **command = NULL;
	const char *session;
	int r, opened, closed = PAM_SUCCESS;

	if (argc == 3 && strcmp(argv[1], "--dlopen") == 0)
		return check_dlopen(argv[2]);
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			command = argv + i + 1;
			argv[i] = NULL;
			argc = i;
			break;
		}
	if (argc < 4) {
		fprintf(stderr, "usage: pam_harness CONFDIR SERVICE USER [RHOST [TTY]] [-- CMD]\n");
		return 2;
	}
	r = pam_start_confdir(argv[2], argv[3], &conv, argv[1], &pamh);
	if (r != PAM_SUCCESS) {
		printf("start: %s\n", pam_strerror(pamh, r));
		return 1;
	}
	if (argc > 4)
		pam_set_item(pamh, PAM_RHOST, argv[4]);
	if (argc > 5)
		pam_set_item(pamh, PAM_TTY, argv[5]);
	opened = pam_open_session(pamh, 0);
	printf("open: %s\n", pam_strerror(pamh, opened));
	session = pam_getenv(pamh, "CARREL_SESSION");
	printf("CARREL_SESSION=%s\n", session ? session : "");
	fflush(stdout);
	if (opened == PAM_SUCCESS) {
		if (command)
			printf("command: %d\n", run_child(pamh, command));
		closed = pam_close_session(pamh, 0);
		printf("close: %s\n", pam_strerror(pamh, closed));
	}
	pam_end(pamh, opened == PAM_SUCCESS ? closed : opened);
	return opened == PAM_SUCCESS && closed == PAM_SUCCESS ? 0 : 1;
}
