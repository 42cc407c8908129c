/* carrel join: run a command (default: the user's login shell) inside a running session,
 * like "docker exec". The same path as a login: pidfd of the session's init (checked against
 * its start time), one setns(2) into all its namespaces, the session's cgroups, then fork,
 * so the command is born inside, and become the user. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "admin/commands.h"
#include "admin/sessions.h"
#include "admin/user_exec.h"
#include "common/cgroup.h"
#include "common/cleanup.h"
#include "common/events.h"
#include "common/harden.h"
#include "common/identity.h"
#include "common/log.h"
#include "common/nsjoin.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: carrel join ID|USER [--root] [-- COMMAND [ARG...]]\n"
		     "\n"
		     "Run COMMAND (default: the user's login shell) inside a running session, as\n"
		     "the session's user, or as root inside with --root.\n"
		     "\n"
		     "  -r, --root   run as root inside the session\n"
		     "  -h, --help   show this help\n");
}

/* Audit: who joined which session, as whom, with what. */
static void log_join(const struct session_record *r, bool as_root, char *const *argv)
{
	char command[512] = "";
	struct passwd *pw = getpwuid(getuid());
	size_t used = 0;

	for (size_t i = 0; argv && argv[i] && used < sizeof(command); i++)
		used += (size_t)snprintf(command + used, sizeof(command) - used, "%s%s",
					 i ? " " : "", argv[i]);
	openlog("carrel", LOG_PID, LOG_AUTHPRIV);
	syslog(LOG_INFO, "%s (uid %u) joined session %s of '%s' as %s: %s", pw ? pw->pw_name : "?",
	       (unsigned)getuid(), r->id, r->user, as_root ? "root" : r->user,
	       argv ? command : "(login shell)");
	closelog();
	(void)events_log(&(struct events_entry){.event = "join",
						.id = r->id,
						.user = r->user,
						.service = "carrel-join",
						.detail = argv ? command : "(login shell)"});
}

/* Everything that must be opened on the host side before entering. */
struct join_plan {
	const struct session_record *rec;
	const gid_t *gids; /* the user's groups: the login's, else looked up now */
	size_t n_gids;
	struct identity *who; /* when they were looked up; NULL if the user is gone */
	struct cgroup_procs procs;
	int pidfd;
};

static int prepare(const struct session_record *rec, struct join_plan *p)
{
	struct cgroup_layout layout;
	char name[CGROUP_NAME_MAX];
	int r;

	p->rec = rec;
	p->pidfd = sessions_open_init(rec);
	if (p->pidfd < 0)
		return log_error_errno(p->pidfd, "session %s is over", rec->id);
	cgroup_session_name(rec->uid, rec->id, name);
	r = cgroup_layout_detect(&layout);
	if (r >= 0)
		r = cgroup_procs_open_session(&layout, name, &p->procs);
	if (r < 0)
		return log_error_errno(r, "cannot open the cgroups of session %s", rec->id);
	/* The user's groups when the session was made, as recorded: the joined process gets no
	 * group given since, and no NSS lookup (with systemd's module, a dlopen) is on the way.
	 * A record without them (older, or a user in very many groups) means asking NSS. */
	if (rec->n_gids > 0) {
		p->gids = rec->gids;
		p->n_gids = rec->n_gids;
	} else if (identity_lookup(rec->user, &p->who) >= 0) {
		p->gids = p->who->gids;
		p->n_gids = p->who->n_groups;
	}
	return 0;
}

static void __attribute__((noreturn))
child(const struct join_plan *p, bool as_root, char *const *argv)
{
	const struct session_record *r = p->rec;
	struct harden_spec hardening;
	struct user_exec x = {
	    .session_id = r->id,
	    .user = r->user,
	    .uid = r->uid,
	    .gid = r->gid,
	    .groups = p->gids,
	    .n_groups = p->n_gids,
	    .home = r->home,
	    .shell = r->shell,
	    .as_root = as_root,
	    .argv = argv,
	    .harden = &hardening,
	    .env = r->env,
	    .workdir = r->workdir,
	};

	/* A joined process gets what a login gets: it inherits nothing from init. */
	harden_spec_from_record(r, &hardening);
	if (cgroup_procs_enter(&p->procs) < 0) {
		fprintf(stderr, "carrel: cannot enter the cgroups of session %s\n", r->id);
		_exit(127);
	}
	user_exec(&x);
}

static int join(const struct session_record *rec, bool as_root, char *const *argv)
{
	struct join_plan p = {.pidfd = -1};
	struct nsjoin_host host;
	pid_t pid;
	int r;

	for (size_t i = 0; i < CGROUP_MAX_HIERARCHIES; i++)
		p.procs.fd[i] = -1;
	r = prepare(rec, &p);
	if (r >= 0)
		r = nsjoin_check_single_threaded();
	if (r >= 0)
		r = nsjoin_save_host(&host);
	if (r < 0)
		return EXIT_FAIL;
	/* Logged from the host: inside, syslog is the session's and /run/carrel is not there. */
	log_join(rec, as_root, argv);
	if (setns(p.pidfd, NSJOIN_TYPES) < 0)
		return log_error_errno(-errno, "cannot join session %s", rec->id), EXIT_FAIL;
	/* setns(CLONE_NEWPID) applies to children: fork so the command is born inside. */
	pid = fork();
	if (pid < 0)
		return log_error_errno(-errno, "cannot fork"), EXIT_FAIL;
	if (pid == 0)
		child(&p, as_root, argv);
	/* Only the command belongs inside: back out, so this process lives on in the host's
	 * namespaces (its /proc, its pid namespace) while it waits. */
	r = nsjoin_return(&host);
	nsjoin_host_close(&host);
	if (r < 0)
		log_error_errno(r, "cannot leave session %s", rec->id);
	r = user_exec_wait(pid);
	identity_free(p.who);
	cgroup_procs_close(&p.procs);
	(void)close(p.pidfd);
	return r;
}

int cmd_join(int argc, char **argv)
{
	static const struct option options[] = {
	    {"root", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	struct session_list list;
	const struct session_record *rec;
	bool as_root = false;
	char why[512];
	int opt, r;

	while ((opt = getopt_long(argc, argv, "rh", options, NULL)) != -1) {
		switch (opt) {
		case 'r':
			as_root = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	r = sessions_load_named(argv[optind], &list);
	if (r < 0)
		return log_error_errno(r, "cannot read the sessions"), EXIT_FAIL;
	r = sessions_find(&list, argv[optind], &rec, why, sizeof(why));
	if (r < 0) {
		log_error("%s", why);
		sessions_free(&list);
		return EXIT_FAIL;
	}
	/* getopt moved the options first and stopped at "--": what follows the session is
	 * the command. */
	optind++;
	r = join(rec, as_root, optind < argc ? argv + optind : NULL);
	sessions_free(&list);
	return r;
}
