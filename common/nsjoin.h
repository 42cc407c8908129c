/* common/nsjoin.h: moving the calling process into a session's namespaces and back.
 *
 * Used by the PAM module (in sshd, su, login) and by carrel run/join. The caller must be
 * single-threaded: setns(2) with several namespace types "succeeds" in a multi-threaded
 * process but moves another thread's cwd, and switching back then fails. */
#pragma once

#include <sched.h>

/* The namespaces a session has: all but user and time. */
#define NSJOIN_TYPES                                                                               \
	(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | CLONE_NEWNET)

#define NSJOIN_N_TYPES 6

/* Where the caller was before joining: its namespaces and working directory. */
struct nsjoin_host {
	int ns_fd[NSJOIN_N_TYPES];
	int cwd_fd;
	char *cwd_path;
};

/* Record the caller's namespaces and cwd (opened while /proc/self still means the caller:
 * after joining a pid namespace the caller is not in, it no longer resolves). Returns 0 or
 * -errno; release with nsjoin_host_close(). */
int nsjoin_save_host(struct nsjoin_host *ret);

/* -EBUSY when the caller has more than one thread, else 0 (or -errno). */
int nsjoin_check_single_threaded(void);

/* Join every session namespace of the process behind @pidfd in one setns(2), then return to
 * the same directory inside (setns(CLONE_NEWNS) moved us to its root) when it exists there,
 * else stay at "/". @cwd_path may be NULL. Returns 0 or -errno. */
int nsjoin_enter(int pidfd, const char *cwd_path);

/* Go back to the namespaces and cwd recorded in @h. Returns 0 or the first -errno; it tries
 * every namespace even after a failure. */
int nsjoin_return(const struct nsjoin_host *h);

void nsjoin_host_close(struct nsjoin_host *h);
