/* carrel run: a session exactly as a login gets it (same launcher, same policy, same join),
 * running one command or the user's login shell, for scripting and tests. The session ends
 * when the command does. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/commands.h"
#include "admin/user_exec.h"
#include "common/cleanup.h"
#include "common/entry.h"
#include "common/identity.h"
#include "common/log.h"
#include "config/config.h"

#ifndef CARREL_LAUNCHER_PATH
#define CARREL_LAUNCHER_PATH "/usr/libexec/carrel/carrel-launch"
#endif

#define RUN_SERVICE "carrel-run"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: carrel run --user USER [-c FILE] [--service NAME] [--rhost HOST]\n"
		"                  [--tty TTY] [--launcher PATH] [-- COMMAND [ARG...]]\n"
		"\n"
		"Start a session for USER as a login would get it, run COMMAND in it (default:\n"
		"the user's login shell) as USER, and end the session when COMMAND ends.\n"
		"Policies are matched as for a login through PAM service NAME (default\n"
		"\"" RUN_SERVICE "\").\n"
		"\n"
		"  -u, --user USER      the user to run as\n"
		"  -c, --config FILE    the config (default " CARREL_CONFIG_PATH ")\n"
		"  -s, --service NAME   match policies as for this PAM service\n"
		"  -r, --rhost HOST     match policies as for a login from HOST\n"
		"  -t, --tty TTY        the terminal to record\n"
		"      --launcher PATH  carrel-launch to use (default " CARREL_LAUNCHER_PATH ")\n"
		"  -h, --help           show this help\n");
}

static int parse(int argc, char **argv, struct handoff_request *req)
{
	static const struct option options[] = {
	    {"user", required_argument, NULL, 'u'},    {"config", required_argument, NULL, 'c'},
	    {"service", required_argument, NULL, 's'}, {"rhost", required_argument, NULL, 'r'},
	    {"tty", required_argument, NULL, 't'},     {"launcher", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},          {},
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "+u:c:s:r:t:h", options, NULL)) != -1) {
		switch (opt) {
		case 'u':
			req->user = optarg;
			break;
		case 'c':
			req->config = optarg;
			break;
		case 's':
			req->service = optarg;
			break;
		case 'r':
			req->rhost = optarg;
			break;
		case 't':
			req->tty = optarg;
			break;
		case 'L':
			req->launcher = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			return -EINVAL;
		}
	}
	if (!req->user) {
		log_error("run: --user USER is required");
		return -EINVAL;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct handoff_request req = {
	    .launcher = CARREL_LAUNCHER_PATH, .service = RUN_SERVICE, .syslog = true};
	autofree char *config_path = NULL, *launcher_path = NULL;
	struct identity *who = NULL;
	struct session_entry e;
	char why[512];
	pid_t pid;
	int r, status;

	if (parse(argc, argv, &req) < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* The launcher gets the config's full name: it is what the session record keeps. */
	if (req.config && req.config[0] != '/') {
		config_path = realpath(req.config, NULL);
		if (!config_path)
			return log_error_errno(-errno, "cannot find config '%s'", req.config),
			       EXIT_FAIL;
		req.config = config_path;
	}
	if (req.launcher[0] != '/') {
		launcher_path = realpath(req.launcher, NULL);
		if (!launcher_path)
			return log_error_errno(-errno, "cannot find launcher '%s'", req.launcher),
			       EXIT_FAIL;
		req.launcher = launcher_path;
	}
	r = identity_lookup(req.user, &who);
	if (r < 0)
		return log_error_errno(r, "cannot look up user '%s'", req.user), EXIT_FAIL;
	r = entry_open(&req, &e, why, sizeof(why));
	if (r < 0) {
		log_error("cannot start a session for '%s': %s", req.user, why);
		identity_free(who);
		return EXIT_FAIL;
	}
	pid = fork();
	if (pid == 0) {
		struct user_exec x = {
		    .session_id = e.id,
		    .user = who->user,
		    .uid = who->uid,
		    .gid = who->gid,
		    .groups = who->gids,
		    .n_groups = who->n_groups,
		    .home = who->home,
		    .shell = who->shell,
		    .argv = optind < argc ? argv + optind : NULL,
		    .env = e.env,
		    .workdir = e.workdir,
		};
		user_exec(&x);
	}
	status = pid < 0 ? EXIT_FAIL : user_exec_wait(pid);
	if (pid < 0)
		log_error_errno(-errno, "cannot fork");
	r = entry_close(&e);
	if (r < 0)
		log_error_errno(r, "cannot leave session %s cleanly", e.id);
	identity_free(who);
	return status;
}
