/* launcher/init.h: the session's init, PID 1 of its pid namespace.
 *
 * It holds the namespaces, reaps every orphan, never dies before the session ends, and ends
 * the session when it is told to (SIGTERM, from the PAM module's close_session or carrel
 * stop) or when the login process it watches is gone: SIGHUP+SIGTERM to everything inside,
 * a grace period, then SIGKILL. Once nothing is left inside it removes the session's
 * host-side state (cgroups, record) through fds it kept from before pivot_root, and exits. */
#pragma once

#include "common/cgroup.h"
#include "common/session_state.h"

#define INIT_STOP_TIMEOUT_SEC 10

struct init_state {
	char id[SESSION_ID_LEN + 1];
	int caller_pidfd;     /* the login process */
	int lock_fd;          /* the session's lock, held until exit */
	int state_root_fd;    /* /run/carrel/sessions on the host */
	int host_cgroupns_fd; /* to leave the session cgroup at the end */
	struct cgroup_teardown cgroups;
};

/* Run as init until the session is over, then clean up and exit. Never returns. */
void init_run(struct init_state *s) __attribute__((noreturn));
