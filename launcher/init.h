/* launcher/init.h: the session's init, PID 1 of its pid namespace.
 *
 * It holds the namespaces, reaps every orphan and never dies before the session ends. It
 * watches the logins attached to the session (their pidfds: the first from the launcher,
 * more through the control socket when the session is shared by all of a user's logins),
 * and ends the session when it is told to (SIGTERM, from close_session or carrel stop), or
 * when its logins are gone: at once for a per-login session; for a shared one after
 * "linger", or earlier when it has also been idle for "idle_timeout". Ending: SIGHUP and
 * SIGTERM to everything inside, "stop_timeout" of grace, then SIGKILL. Once nothing is left
 * inside it removes the session's host-side state (cgroups, record) through fds it kept
 * from before pivot_root, and exits. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/cgroup.h"
#include "common/session_state.h"

#define INIT_STATE_MAGIC 0x4352494eu /* "CRIN" */

/* Plain data, no pointers: it is handed to carrel-init through a memfd (init_handoff.h). */
struct init_state {
	uint32_t magic;
	uint32_t size;
	char id[SESSION_ID_LEN + 1];
	int caller_pidfd;      /* the first login */
	int lock_fd;           /* the session's lock, held until exit */
	int state_root_fd;     /* /run/carrel/sessions on the host */
	int host_cgroupns_fd;  /* to leave the session cgroup at the end */
	int control_fd;        /* listening control socket (common/control.h) */
	int layer_fd;          /* the writable layer's directory, for carrel diff */
	int store_sessions_fd; /* /var/lib/carrel/sessions: disk layers, anonymous volumes */
	struct cgroup_layout layout;
	struct cgroup_teardown cgroups;
	bool shared;       /* session = "user": more logins may attach */
	int events_fd;     /* the event log's directory, opened before the pivot */
	char user[64];     /* for the "end" event */
	int layer_lock_fd; /* a persistent layer's lock: kept open, never used */
	int image_lock_fd; /* the stored image's record lock (LOCK_SH): kept open, never used */
	uint64_t linger_sec;
	uint64_t idle_sec;
	uint64_t stop_sec;
};

/* Run as init until the session is over, then clean up and exit. Never returns. */
void init_run(struct init_state *s) __attribute__((noreturn));
