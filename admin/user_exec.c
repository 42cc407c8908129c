/* admin/user_exec.c: see user_exec.h.
 *
 * Invariants: nothing of the caller crosses into the session but stdio: every other fd is
 * closed, the environment is rebuilt from scratch, and the cwd is a directory inside. */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "admin/user_exec.h"
#include "common/cleanup.h"
#include "common/entry.h"
#include "common/harden.h"
#include "common/log.h"

#define USER_PATH "/usr/local/bin:/usr/bin:/bin:/usr/games"
#define ROOT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void reset_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Set @entry ("KEY=VALUE") in @env, which holds @n entries and has room for one more. */
static void set_entry(char **env, size_t *n, char *entry)
{
	size_t key = strcspn(entry, "=") + 1;

	for (size_t i = 0; i < *n; i++) {
		if (strncmp(env[i], entry, key) == 0) {
			free(env[i]);
			env[i] = entry;
			return;
		}
	}
	env[(*n)++] = entry;
}

/* The image's Env on top: its PATH and the rest, but never who or where the user is. */
static int add_image_env(const struct user_exec *x, char **env, size_t *n)
{
	for (size_t i = 0; x->env && x->env[i]; i++) {
		char *copy;

		if (!entry_env_allowed(x->env[i]))
			continue;
		copy = strdup(x->env[i]);
		if (!copy)
			return -ENOMEM;
		set_entry(env, n, copy);
	}
	return 0;
}

/* A fresh environment: who we are, where, and the caller's terminal type and language, and
 * the image's Env. */
static char **build_env(const struct user_exec *x)
{
	static const char *const kept[] = {"TERM", "LANG", "LC_ALL"};
	size_t n = 0, n_image = 0;
	char **env;

	while (x->env && x->env[n_image])
		n_image++;
	env = calloc(16 + n_image, sizeof(char *));
	if (!env)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
		const char *v = getenv(kept[i]);

		if (v && asprintf(&env[n], "%s=%s", kept[i], v) >= 0)
			n++;
	}
	if (asprintf(&env[n++], "HOME=%s", x->as_root ? "/root" : x->home) < 0 ||
	    asprintf(&env[n++], "USER=%s", x->as_root ? "root" : x->user) < 0 ||
	    asprintf(&env[n++], "LOGNAME=%s", x->as_root ? "root" : x->user) < 0 ||
	    asprintf(&env[n++], "SHELL=%s", x->as_root ? "/bin/sh" : x->shell) < 0 ||
	    asprintf(&env[n++], "PATH=%s", x->as_root ? ROOT_PATH : USER_PATH) < 0 ||
	    asprintf(&env[n++], "CARREL_SESSION=%s", x->session_id) < 0)
		return NULL;
	if (add_image_env(x, env, &n) < 0)
		return NULL;
	return env;
}

/* The image's WorkingDir when it is there and the user may enter it, else home, else "/".
 * Docker would make a missing WorkingDir; here the user may not be able to, so say it. */
static int change_dir(const struct user_exec *x, const char *home)
{
	const char *here = home;
	int missed = 0;

	if (x->workdir && x->workdir[0]) {
		if (chdir(x->workdir) == 0)
			return 0;
		missed = errno;
	}
	if (chdir(home) < 0) {
		here = "/";
		if (chdir("/") < 0)
			return -errno;
	}
	if (missed)
		log_warning(
		    "warning: cannot enter the image's WorkingDir '%s' (%s): starting in %s",
		    x->workdir, strerror(missed), here);
	return 0;
}

static int drop_privileges(const struct user_exec *x)
{
	if (x->as_root)
		return setgroups(0, NULL) < 0 ? -errno : 0;
	if (setgroups(x->n_groups, x->groups) < 0 || setgid(x->gid) < 0 || setuid(x->uid) < 0)
		return -errno;
	/* Paranoia: a setuid() that "succeeded" without dropping must never run user code. */
	if (getuid() != x->uid || geteuid() != x->uid || setuid(0) == 0)
		return -EPERM;
	return 0;
}

void user_exec(const struct user_exec *x)
{
	const char *home = x->as_root ? "/root" : x->home;
	char login_argv0[256], *shell_argv[2];
	char *const *argv = x->argv;
	char **env;
	int r;

	reset_signals();
	/* No fd of the caller may reach the session: an open host directory is a way out. */
	if (close_range(3, ~0U, 0) < 0) {
		fprintf(stderr, "carrel: cannot close inherited files: %s\n", strerror(errno));
		_exit(127);
	}
	env = build_env(x);
	if (!env) {
		fprintf(stderr, "carrel: out of memory\n");
		_exit(127);
	}
	/* Before dropping privileges: the bounding set can only be changed with them. */
	if (x->harden) {
		r = harden_apply(x->harden);
		if (r < 0) {
			fprintf(stderr, "carrel: cannot confine the command: %s\n", strerror(-r));
			_exit(127);
		}
	}
	r = drop_privileges(x);
	if (r < 0) {
		fprintf(stderr, "carrel: cannot become '%s': %s\n", x->user, strerror(-r));
		_exit(127);
	}
	if (change_dir(x, home) < 0)
		_exit(127);
	if (!argv) {
		const char *shell = x->as_root ? "/bin/sh" : x->shell;
		autofree char *copy = strdup(shell);

		snprintf(login_argv0, sizeof(login_argv0), "-%s", copy ? basename(copy) : "sh");
		shell_argv[0] = login_argv0;
		shell_argv[1] = NULL;
		execve(shell, shell_argv, env);
		fprintf(stderr, "carrel: cannot run the shell '%s' in the session: %s\n", shell,
			strerror(errno));
		_exit(errno == EACCES ? 126 : 127);
	}
	/* execvpe() would search the caller's PATH: make the new environment ours first. */
	environ = env;
	execvp(argv[0], argv);
	fprintf(stderr, "carrel: cannot run '%s' in the session: %s\n", argv[0], strerror(errno));
	_exit(errno == EACCES ? 126 : 127);
}

int user_exec_wait(pid_t pid)
{
	int status;

	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGQUIT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
