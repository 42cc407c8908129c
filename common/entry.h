/* common/entry.h: a login's way into its session, and back out. The process model of
 * pam_carrel.so, shared with "carrel run":
 *
 *   entry_open:  launcher builds the session -> pidfd of its init, checked against the
 *                record -> the caller moves into the session's cgroups -> one setns(2) into
 *                all its namespaces -> back to the same directory inside -> hardened as
 *                the record says (common/harden.h), irreversibly
 *   (the caller now forks the user's shell: it is born inside)
 *   entry_close: setns back to the saved host namespaces and directory -> back to the
 *                original cgroups -> SIGTERM to init, never waiting for it (init can only
 *                finish once the caller has reaped its own children, after this returns)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/cgroup.h"
#include "common/handoff.h"
#include "common/nsjoin.h"
#include "common/session_state.h"

struct session_entry {
	char id[SESSION_ID_LEN + 1];
	char image[64]; /* the image the launcher chose, for the log */
	bool shared;    /* a session of all the user's logins: its init ends it, not us */
	pid_t init_pid;
	int pidfd;
	struct nsjoin_host host;
	struct cgroup_layout layout;
	char cgroup_name[CGROUP_NAME_MAX];
	struct cgroup_procs origin;
	/* From the image's config (type "oci"), for the login's environment and the commands
	 * "carrel run" starts: entry_env_allowed() entries only, NULL-terminated; "" or the
	 * WorkingDir. Owned; freed by entry_release(). */
	char **env;
	char *workdir;
};

/* May an image's environment entry ("KEY=VALUE") reach a login? Not the keys that say who
 * and where the login is (HOME, USER, LOGNAME, SHELL, MAIL), its terminal (TERM), nor
 * CARREL_SESSION: those are the login's own. */
bool entry_env_allowed(const char *entry);

/* Make a session for @req and move the caller into it. Returns 0, or -errno with @why
 * saying what failed in words fit for a log line (the launcher's own when it refused).
 * -EBUSY: the caller is multi-threaded. On failure the caller is where it was and no session
 * is left running. */
int entry_open(const struct handoff_request *req, struct session_entry *ret, char *why,
	       size_t why_size);

/* Leave the session (see above) and release @e. Returns 0 or the first -errno; it always
 * tries every step. */
int entry_close(struct session_entry *e);

/* Release the fds and memory of @e without touching the session (for a forked child's
 * cleanup). */
void entry_release(struct session_entry *e);
