/* carrel-launch: builds one login session's sandbox, then exits, leaving the session's init
 * running. Run by pam_carrel.so and by "carrel run"; never setuid.
 *
 * Its answer is one line on stdout (see common/handoff.h); what went wrong is also logged
 * (to syslog with --syslog). main() is the list of steps; each logs its own failure. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/decide.h"
#include "common/events.h"
#include "common/cleanup.h"
#include "common/identity.h"
#include "common/log.h"
#include "common/reclaim.h"
#include "common/session_state.h"
#include "common/store.h"
#include "config/config.h"
#include "config/policy.h"
#include "launcher/caps.h"
#include "launcher/init_handoff.h"
#include "launcher/launch.h"
#include "launcher/ociimage.h"
#include "launcher/record.h"
#include "launcher/shared.h"
#include "launcher/spawn.h"

static char failure[512];

/* Log a failure and keep its text for the answer line. Returns @r. */
static int __attribute__((format(printf, 2, 3))) fail(int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(failure, sizeof(failure), fmt, ap);
	va_end(ap);
	if (r < 0 && r != -EINVAL && r != -EPERM)
		snprintf(failure + strlen(failure), sizeof(failure) - strlen(failure), ": %s",
			 strerror(-r));
	log_error("%s", failure);
	return r < 0 ? r : -EINVAL;
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: carrel-launch [--config FILE] [--service NAME] [--tty TTY]\n"
		     "                     [--rhost HOST] [--syslog] [--debug] [--pause-at STEP]\n"
		     "                     --user USER\n"
		     "\n"
		     "Builds the sandbox of one login session for USER as carrel.conf says, and\n"
		     "prints \"ok <session id> <init pid>\" or \"error <reason>\". It is run by\n"
		     "pam_carrel.so and by 'carrel run', as root; see carrel-launch(8).\n"
		     "\n"
		     "  --pause-at STEP  for crash tests: stop (SIGSTOP) at STEP, one of decided,\n"
		     "                   state, cgroups, sandbox, ready, recorded\n");
}

static int parse_args(int argc, char **argv, struct launch_args *a)
{
	static const struct option options[] = {
	    {"config", required_argument, NULL, 'c'},  {"user", required_argument, NULL, 'u'},
	    {"service", required_argument, NULL, 's'}, {"tty", required_argument, NULL, 't'},
	    {"rhost", required_argument, NULL, 'r'},   {"syslog", no_argument, NULL, 'S'},
	    {"debug", no_argument, NULL, 'd'},         {"pause-at", required_argument, NULL, 'P'},
	    {"help", no_argument, NULL, 'h'},          {},
	};
	int opt;

	a->config = CARREL_CONFIG_PATH;
	while ((opt = getopt_long(argc, argv, "c:u:s:t:r:Sdh", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			a->config = optarg;
			break;
		case 'u':
			a->user = optarg;
			break;
		case 's':
			a->service = optarg;
			break;
		case 't':
			a->tty = optarg;
			break;
		case 'r':
			a->rhost = optarg;
			break;
		case 'S':
			a->syslog = true;
			break;
		case 'd':
			a->debug = true;
			break;
		case 'P':
			a->pause_at = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
	}
	if (optind != argc || !a->user)
		return -EINVAL;
	return 0;
}

static int step_check_caps(void)
{
	char missing[200];
	int r = caps_check(missing, sizeof(missing));

	if (r == -EPERM)
		return fail(r,
			    "missing capabilities %s: carrel-launch must be run by root (from "
			    "pam_carrel or carrel); it is not setuid",
			    missing);
	if (r < 0)
		return fail(r, "cannot read the process capabilities");
	return 0;
}

static int step_decide(struct launch_ctx *c)
{
	const struct launch_args *a = c->args;
	struct decision d;
	char why[400];
	int r;

	r = decide(a->config, a->user, a->service, a->rhost, &d, why, sizeof(why));
	if (r < 0)
		return fail(r == -ENOMEM ? r : -EINVAL, "%s", why);
	c->cfg = d.cfg;
	c->who = d.who;
	c->profile = d.profile;
	if (!c->profile->sandbox)
		return fail(
		    -EPERM, "no policy in '%s' sandboxes user '%s' (service '%s', rhost '%s')",
		    a->config, a->user, a->service ? a->service : "", a->rhost ? a->rhost : "");
	return 0;
}

/* The process that ran us is the login: when it is gone, the session ends. */
static int step_watch_caller(struct launch_ctx *c)
{
	pid_t parent = getppid();

	c->caller_pidfd = pidfd_open(parent, 0);
	if (c->caller_pidfd < 0)
		return fail(-errno, "cannot watch the login process %d", (int)parent);
	if (getppid() != parent)
		return fail(-ESRCH, "the login process exited before its session was made");
	c->host_cgroupns_fd = open("/proc/self/ns/cgroup", O_RDONLY | O_CLOEXEC);
	if (c->host_cgroupns_fd < 0)
		return fail(-errno, "cannot open the host cgroup namespace");
	return 0;
}

static void log_reclaimed(const char *id, int result, void *data)
{
	(void)data;
	if (result < 0) {
		log_error_errno(result, "cannot reclaim ended session %s", id);
		return;
	}
	log_info("session %s reclaimed: its init was gone", id);
	(void)events_log(
	    &(struct events_entry){.event = "reclaim", .id = id, .detail = "its init was gone"});
}

/* One syslog line and one event per session made or joined. */
static void record_event(struct launch_ctx *c, const char *event, const char *detail)
{
	const char *service = c->args->service ? c->args->service : "-";
	const char *rhost = c->args->rhost ? c->args->rhost : "-";

	log_info("session %s: %s for '%s' (service %s, rhost %s)%s%s", c->id,
		 strcmp(event, "create") == 0 ? "created" : "login attached", c->who->user, service,
		 rhost, detail ? ", image " : "", detail ? detail : "");
	(void)events_log(&(struct events_entry){.event = event,
						.id = c->id,
						.user = c->who->user,
						.service = c->args->service,
						.rhost = c->args->rhost,
						.detail = detail});
}

static int step_make_state(struct launch_ctx *c)
{
	int r;

	r = cgroup_layout_detect(&c->cgroups);
	if (r < 0)
		return fail(r, "no cgroup hierarchy is mounted (carrel needs cgroup v2 or the v1 "
			       "memory/pids/cpu controllers)");

	c->state_root_fd = session_state_open_root(true);
	if (c->state_root_fd < 0)
		return fail(c->state_root_fd, "cannot open %s", SESSION_STATE_DIR);
	/* Sessions whose init was killed left their state: take it back before adding ours. */
	(void)reclaim_stale_sessions(c->state_root_fd, &c->cgroups, log_reclaimed, NULL);
	return 0;
}

/* session = "user": a login joins the user's running session when there is one. Returns 1
 * when it did, 0 when a session must be made. */
static int step_join_shared(struct launch_ctx *c)
{
	int r;

	if (c->profile->session != CFG_SESSION_USER)
		return 0;
	r = shared_attach(c);
	if (r < 0)
		return fail(r, "cannot join the running session of '%s'", c->who->user);
	if (r == 1)
		record_event(c, "attach", NULL);
	return r;
}

/* An image of type "oci": found and locked in the store before anything is made. */
static int step_resolve_image(struct launch_ctx *c)
{
	char why[400];
	int r = ociimage_resolve(c, why, sizeof(why));

	if (r < 0)
		return fail(r == -ENOMEM ? r : -EINVAL, "%s", why);
	return 0;
}

static int step_make_session_dir(struct launch_ctx *c)
{
	int r;

	for (int attempt = 0;; attempt++) {
		r = session_id_new(c->id);
		if (r < 0)
			return fail(r, "cannot make a session id");
		c->session_dir_fd = session_dir_create(c->state_root_fd, c->id);
		if (c->session_dir_fd >= 0)
			break;
		if (c->session_dir_fd != -EEXIST || attempt == 3)
			return fail(c->session_dir_fd, "cannot create %s/%s", SESSION_STATE_DIR,
				    c->id);
	}
	snprintf(c->session_path, sizeof(c->session_path), "%s/%s", SESSION_STATE_DIR, c->id);
	c->lock_fd = session_lock_take(c->session_dir_fd);
	if (c->lock_fd < 0)
		return fail(c->lock_fd, "cannot lock session %s", c->id);
	return 0;
}

static int step_make_cgroups(struct launch_ctx *c)
{
	struct cgroup_procs procs;
	char why[400];
	int r;

	cgroup_session_name(c->who->uid, c->id, c->cgroup_name);
	r = cgroup_session_create(&c->cgroups, c->cgroup_name);
	if (r < 0)
		return fail(r, "cannot create the cgroups of session %s", c->id);
	c->cgroups_made = true;
	r = cgroup_apply_limits(&c->cgroups, c->cgroup_name, &c->profile->limits,
				&c->profile->user_limits, why, sizeof(why));
	if (r < 0)
		return fail(-EINVAL, "session %s of '%s': %s", c->id, c->who->user, why);
	/* Init must be born inside, never run outside its limits: on a pure v2 host it is
	 * cloned straight into the cgroup; elsewhere we enter every hierarchy before cloning. */
	c->cgroup_fd = cgroup_open_for_clone(&c->cgroups, c->cgroup_name);
	if (c->cgroup_fd >= 0)
		return 0;
	r = cgroup_procs_open_session(&c->cgroups, c->cgroup_name, &procs);
	if (r >= 0) {
		r = cgroup_procs_enter(&procs);
		cgroup_procs_close(&procs);
	}
	if (r < 0)
		return fail(r, "cannot enter the cgroups of session %s", c->id);
	return 0;
}

static int step_start_init(struct launch_ctx *c)
{
	int r;

	c->report = mmap(NULL, sizeof(*c->report), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c->report == MAP_FAILED) {
		c->report = NULL;
		return fail(-errno, "cannot map the launch report");
	}
	/* A missing carrel-init is not fatal (init then stays in the launcher): say so. */
	c->init_program_fd = init_handoff_open_program();
	if (c->init_program_fd < 0)
		log_warning("cannot use carrel-init next to carrel-launch: %s",
			    strerror(-c->init_program_fd));
	r = spawn_init(c);
	/* A layer on disk has no tmpfs to cap it: rootfs_size would need a project quota,
	 * which carrel does not set up. Say so rather than pretend. */
	if (r >= 0 && c->profile->rootfs != CFG_ROOTFS_TMPFS)
		log_info("session %s: rootfs_size is not enforced for rootfs '%s' (no quota is set "
			 "on its layer)",
			 c->id, cfg_rootfs_name(c->profile->rootfs));
	if (r < 0)
		return fail(-EINVAL, "cannot build the sandbox of '%s' (image '%s'): %s",
			    c->who->user, c->profile->image->name, c->report->error);
	return 0;
}

static int step_write_record(struct launch_ctx *c)
{
	int r = record_write(c);

	if (r < 0)
		return fail(r, "cannot write the record of session %s", c->id);
	return 0;
}

/* Undo what the failed steps left: never a half-made session. */
static void undo(struct launch_ctx *c)
{
	struct cgroup_procs top;

	spawn_abort(c);
	if (c->cgroups_made) {
		/* Leave the session cgroups (for their top ones) before removing them. */
		if (cgroup_procs_open_top(&c->cgroups, &top) == 0) {
			(void)cgroup_procs_enter(&top);
			cgroup_procs_close(&top);
		}
		(void)cgroup_session_remove(&c->cgroups, c->cgroup_name, true);
	}
	if (c->session_dir_fd >= 0) {
		autoclose int store_fd = store_open(false);
		autoclose int sessions_fd =
		    store_fd < 0 ? -1 : store_dir(store_fd, "/sessions", 0700);

		/* A layer on disk or anonymous volumes the failed init had made. */
		if (sessions_fd >= 0)
			(void)store_remove_tree(sessions_fd, c->id);
		(void)session_dir_remove(c->state_root_fd, c->id);
	}
}

/* What the launch holds: a clean exit frees it all (memory checkers then see no leak). */
static void release(struct launch_ctx *c)
{
	profile_free(c->profile);
	identity_free(c->who);
	cfg_free(c->cfg);
	if (c->report)
		(void)munmap(c->report, sizeof(*c->report));
	c->profile = NULL;
	c->who = NULL;
	c->cfg = NULL;
	c->report = NULL;
}

int main(int argc, char **argv)
{
	struct launch_args args = {.argv = argv, .argc = argc};
	struct launch_ctx c = {
	    .args = &args,
	    .state_root_fd = -1,
	    .session_dir_fd = -1,
	    .lock_fd = -1,
	    .caller_pidfd = -1,
	    .host_cgroupns_fd = -1,
	    .user_lock_fd = -1,
	    .layer_lock_fd = -1,
	    .layer_fd = -1,
	    .init_program_fd = -1,
	    .image_lock_fd = -1,
	    .cgroup_fd = -1,
	};
	int r;

	log_init("carrel-launch");
	if (parse_args(argc, argv, &args) < 0) {
		usage(stderr);
		printf("error bad arguments to carrel-launch\n");
		return 2;
	}
	if (args.syslog)
		log_use_syslog();
	log_set_verbose(args.debug);

	r = step_check_caps();
	if (r >= 0)
		r = step_decide(&c);
	pause_point(&args, "decided");
	if (r >= 0)
		r = step_watch_caller(&c);
	if (r >= 0)
		r = step_make_state(&c);
	if (r >= 0)
		r = step_join_shared(&c);
	if (r == 1) {
		printf("ok %s %d\n", c.id, (int)c.init_pid);
		release(&c);
		return 0;
	}
	if (r >= 0)
		r = step_resolve_image(&c);
	if (r >= 0)
		r = step_make_session_dir(&c);
	pause_point(&args, "state");
	if (r >= 0)
		r = step_make_cgroups(&c);
	pause_point(&args, "cgroups");
	if (r >= 0)
		r = step_start_init(&c);
	if (r >= 0)
		r = step_write_record(&c);
	pause_point(&args, "recorded");
	if (r < 0) {
		undo(&c);
		failure[strcspn(failure, "\n")] = '\0';
		printf("error %s\n", failure);
		release(&c);
		return 1;
	}
	record_event(&c, "create", c.profile->image->name);
	printf("ok %s %d\n", c.id, (int)c.init_pid);
	release(&c);
	return 0;
}
