/* common/handoff.h: running carrel-launch and reading its answer.
 *
 * The launcher is exec'ed with a clean environment, stdin and stderr on /dev/null and every
 * other fd closed; its stdout is a pipe on which it writes exactly one line:
 *   "ok <session id> <init pid>"   the session is ready
 *   "error <text>"                 why it could not be made
 * The launcher's argv carries identifiers only (user, service, tty, remote host), never
 * paths or mounts: it reads the config itself. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/session_state.h"

struct handoff_request {
	const char *launcher; /* absolute path */
	const char *config;   /* NULL: the launcher's default */
	const char *user;
	const char *service; /* may be NULL */
	const char *tty;     /* may be NULL */
	const char *rhost;   /* may be NULL */
	bool syslog;         /* the launcher logs to syslog instead of its (null) stderr */
	bool debug;
};

struct handoff_result {
	char id[SESSION_ID_LEN + 1];
	pid_t init_pid;
	char error[600]; /* the launcher's own words when it refused or failed */
};

/* Run the launcher for @req and wait for it. SIGCHLD is set to its default for the duration
 * and restored. Returns 0 with id and pid in @ret, -EIO when the launcher reported an error
 * (text in ret->error), -EPROTO for an answer that is not the protocol (ret->error says),
 * or -errno when it could not be run. */
int handoff_run_launcher(const struct handoff_request *req, struct handoff_result *ret);
