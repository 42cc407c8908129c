/* common/entry.c: see entry.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/entry.h"
#include "common/harden.h"
#include "common/proc.h"

/* Open a pidfd for the init the launcher reported, and make sure it is the init of the
 * recorded session (pid plus start time, checked after the pidfd pins the process). The
 * record is returned too: it says how to confine who joins. */
static int open_init(const struct handoff_result *res, struct session_record **ret_rec, char *why,
		     size_t why_size)
{
	struct session_record *rec __attribute__((cleanup(session_record_freep))) = NULL;
	autoclose int root_fd = -1, dir_fd = -1;
	int r;

	root_fd = session_state_open_root(false);
	if (root_fd >= 0)
		dir_fd = session_dir_open(root_fd, res->id);
	r = dir_fd < 0 ? (root_fd < 0 ? root_fd : dir_fd) : session_record_load(dir_fd, &rec);
	if (r < 0) {
		snprintf(why, why_size, "cannot read the record of session %s: %s", res->id,
			 strerror(-r));
		return r;
	}
	if (rec->init_pid != res->init_pid) {
		snprintf(why, why_size,
			 "session %s: the launcher and the record disagree on its "
			 "init",
			 res->id);
		return -EPROTO;
	}
	r = proc_open_verified(rec->init_pid, rec->init_start);
	if (r < 0) {
		snprintf(why, why_size, "session %s: its init (pid %d) is gone", res->id,
			 (int)rec->init_pid);
		return r;
	}
	*ret_rec = take_ptr(rec);
	return r;
}

static int enter_cgroups(struct session_entry *e)
{
	struct cgroup_procs procs;
	int r;

	r = cgroup_procs_open_session(&e->layout, e->cgroup_name, &procs);
	if (r < 0)
		return r;
	r = cgroup_procs_enter(&procs);
	cgroup_procs_close(&procs);
	return r;
}

bool entry_env_allowed(const char *entry)
{
	static const char *const own[] = {"HOME", "USER", "LOGNAME",       "SHELL",
					  "MAIL", "TERM", "CARREL_SESSION"};
	size_t n = strcspn(entry, "=");

	if (n == 0 || !entry[n])
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		if (strlen(own[i]) == n && strncmp(entry, own[i], n) == 0)
			return false;
	return true;
}

/* What the login takes from the image: the record says it. */
static int keep_image_env(struct session_entry *e, const struct session_record *rec)
{
	size_t n = 0;

	e->workdir = strdup(rec->workdir ? rec->workdir : "");
	e->env = calloc(rec->n_env + 1, sizeof(*e->env));
	if (!e->workdir || !e->env)
		return -ENOMEM;
	for (size_t i = 0; i < rec->n_env; i++) {
		if (!entry_env_allowed(rec->env[i]))
			continue;
		e->env[n] = strdup(rec->env[i]);
		if (!e->env[n++])
			return -ENOMEM;
	}
	return 0;
}

static void init_entry(struct session_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->pidfd = -1;
	e->host.cwd_fd = -1;
	for (size_t i = 0; i < NSJOIN_N_TYPES; i++)
		e->host.ns_fd[i] = -1;
	for (size_t i = 0; i < CGROUP_MAX_HIERARCHIES; i++)
		e->origin.fd[i] = -1;
}

/* Everything up to the point where a session exists and we hold its init. */
static int prepare(const struct handoff_request *req, struct session_entry *e,
		   struct session_record **ret_rec, char *why, size_t why_size)
{
	struct handoff_result res;
	int r;

	r = nsjoin_check_single_threaded();
	if (r < 0) {
		snprintf(why, why_size,
			 "the calling process is multi-threaded: joining namespaces "
			 "would be unsafe");
		return r;
	}
	r = cgroup_layout_detect(&e->layout);
	if (r >= 0)
		r = cgroup_procs_open_current(&e->layout, &e->origin);
	if (r >= 0)
		r = nsjoin_save_host(&e->host);
	if (r < 0) {
		snprintf(why, why_size, "cannot record where the login process is: %s",
			 strerror(-r));
		return r;
	}
	r = handoff_run_launcher(req, &res);
	if (r < 0) {
		if (res.error[0])
			snprintf(why, why_size, "%s", res.error);
		else
			snprintf(why, why_size, "cannot run %s: %s", req->launcher, strerror(-r));
		return r;
	}
	memcpy(e->id, res.id, sizeof(e->id));
	e->init_pid = res.init_pid;
	e->pidfd = open_init(&res, ret_rec, why, why_size);
	if (e->pidfd < 0)
		return e->pidfd;
	snprintf(e->image, sizeof(e->image), "%s", (*ret_rec)->image);
	cgroup_session_name((*ret_rec)->uid, e->id, e->cgroup_name);
	e->shared = (*ret_rec)->scope && strcmp((*ret_rec)->scope, "user") == 0;
	return 0;
}

int entry_open(const struct handoff_request *req, struct session_entry *ret, char *why,
	       size_t why_size)
{
	struct session_record *rec __attribute__((cleanup(session_record_freep))) = NULL;
	struct harden_spec hardening;
	struct session_entry e;
	int r;

	init_entry(&e);
	r = prepare(req, &e, &rec, why, why_size);
	if (r < 0)
		goto fail;
	r = keep_image_env(&e, rec);
	if (r < 0) {
		snprintf(why, why_size, "session %s: out of memory", e.id);
		goto stop_session;
	}
	r = enter_cgroups(&e);
	if (r < 0) {
		snprintf(why, why_size, "cannot enter the cgroups of session %s: %s", e.id,
			 strerror(-r));
		goto stop_session;
	}
	r = nsjoin_enter(e.pidfd, e.host.cwd_path);
	if (r < 0) {
		snprintf(why, why_size, "cannot join the namespaces of session %s: %s", e.id,
			 strerror(-r));
		goto leave_cgroups;
	}
	/* Last, and only once inside: the shell forked after this inherits all of it. */
	harden_spec_from_record(rec, &hardening);
	r = harden_apply(&hardening);
	if (r < 0) {
		snprintf(why, why_size, "cannot confine the login to session %s: %s", e.id,
			 strerror(-r));
		goto leave_namespaces;
	}
	*ret = e;
	return 0;

leave_namespaces:
	(void)nsjoin_return(&e.host);
leave_cgroups:
	(void)cgroup_procs_enter(&e.origin);
stop_session:
	(void)pidfd_send_signal(e.pidfd, SIGTERM, NULL, 0);
fail:
	entry_release(&e);
	return r;
}

int entry_close(struct session_entry *e)
{
	int first, r;

	first = nsjoin_return(&e->host);
	/* Out of the session's cgroups before init is told to go, so it can remove them. */
	r = cgroup_procs_enter(&e->origin);
	if (r < 0 && first == 0)
		first = r;
	/* A shared session goes on for the user's other logins: its init sees this one leave
	 * (its pidfd) and decides. */
	if (!e->shared && pidfd_send_signal(e->pidfd, SIGTERM, NULL, 0) < 0 && errno != ESRCH &&
	    first == 0)
		first = -errno;
	/* If the session is already over (stopped while we were inside), init could not
	 * remove the cgroup we were still in: do it now. Harmless when init still runs. */
	(void)cgroup_session_remove(&e->layout, e->cgroup_name, false);
	entry_release(e);
	return first;
}

void entry_release(struct session_entry *e)
{
	if (e->pidfd >= 0)
		(void)close(e->pidfd);
	e->pidfd = -1;
	nsjoin_host_close(&e->host);
	cgroup_procs_close(&e->origin);
	for (size_t i = 0; e->env && e->env[i]; i++)
		free(e->env[i]);
	free(e->env);
	free(e->workdir);
	e->env = NULL;
	e->workdir = NULL;
}
