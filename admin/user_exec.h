/* admin/user_exec.h: the last step of "carrel join" and "carrel run", in the forked child
 * that is already inside the session: become the user and run the command. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct harden_spec;

struct user_exec {
	const char *session_id;
	const char *user;
	uid_t uid;
	gid_t gid;
	const gid_t *groups; /* supplementary groups, as the host knows them */
	size_t n_groups;
	const char *home;
	const char *shell;
	bool as_root; /* stay root inside (carrel join --root) */
	/* The session's confinement, applied just before exec; NULL when the caller already
	 * has it (carrel run joined through common/entry.c). */
	const struct harden_spec *harden;
	char *const *argv;   /* NULL: the user's login shell */
	char *const *env;    /* the image's Env (NULL-terminated), or NULL */
	const char *workdir; /* the image's WorkingDir: where to start when it exists, or NULL */
};

/* Close every fd but stdio, reset signals, set a clean environment (with the image's Env, see
 * entry_env_allowed()), drop to the user (unless as_root), apply the session's confinement,
 * change to the image's WorkingDir inside when there is one the user can enter, else their
 * home (or "/"), and exec. Never returns: on failure it prints why on stderr and exits 127
 * (126 when the command is not executable). */
void user_exec(const struct user_exec *x) __attribute__((noreturn));

/* Wait for the child running the command, ignoring the terminal's SIGINT and SIGQUIT meanwhile
 * (they are for the command), and return its exit status the way a shell reports it:
 * the status, or 128 + the signal that killed it. */
int user_exec_wait(pid_t pid);
