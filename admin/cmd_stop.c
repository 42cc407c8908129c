/* carrel stop: end sessions. Their init gets SIGTERM, passes SIGHUP and SIGTERM on to
 * everything inside, SIGKILL after its grace period, and removes the session; this waits
 * until each init is gone. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <syslog.h>
#include <unistd.h>

#include "admin/commands.h"
#include "admin/sessions.h"
#include "common/cleanup.h"
#include "common/events.h"
#include "common/log.h"

#define DEFAULT_WAIT_SEC 30

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: carrel stop [--wait SECONDS] ID|USER...\n"
		"\n"
		"End sessions: everything inside gets SIGHUP and SIGTERM, then SIGKILL after a\n"
		"grace period. Waits until each session is gone.\n"
		"\n"
		"  -w, --wait SECONDS  give up waiting after this long (default %d)\n"
		"  -h, --help          show this help\n",
		DEFAULT_WAIT_SEC);
}

/* Audit: who stopped which session. */
static void log_stop(const struct session_record *r)
{
	char who[64];

	snprintf(who, sizeof(who), "by uid %u", (unsigned)getuid());
	openlog("carrel", LOG_PID, LOG_AUTHPRIV);
	syslog(LOG_INFO, "session %s of '%s' stopped %s", r->id, r->user, who);
	closelog();
	(void)events_log(&(struct events_entry){.event = "stop",
						.id = r->id,
						.user = r->user,
						.service = r->service,
						.rhost = r->rhost,
						.detail = who});
}

static int stop_one(const struct session_record *r, int wait_sec)
{
	autoclose int pidfd = -1;
	struct pollfd pfd;
	int n;

	pidfd = sessions_open_init(r);
	if (pidfd == -ESRCH)
		return 0; /* already over */
	if (pidfd < 0)
		return log_error_errno(pidfd, "cannot reach session %s", r->id);
	if (pidfd_send_signal(pidfd, SIGTERM, NULL, 0) < 0)
		return log_error_errno(-errno, "cannot stop session %s", r->id);
	log_stop(r);
	pfd = (struct pollfd){.fd = pidfd, .events = POLLIN};
	do
		n = poll(&pfd, 1, wait_sec * 1000);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		log_error("session %s did not end within %d seconds", r->id, wait_sec);
		return -ETIMEDOUT;
	}
	return 0;
}

int cmd_stop(int argc, char **argv)
{
	static const struct option options[] = {
	    {"wait", required_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	struct session_list list;
	int opt, wait_sec = DEFAULT_WAIT_SEC, status = EXIT_OK, r;

	while ((opt = getopt_long(argc, argv, "w:h", options, NULL)) != -1) {
		switch (opt) {
		case 'w': {
			char *end;
			long n;

			errno = 0;
			n = strtol(optarg, &end, 10);
			/* 0 or less, or too long for poll()'s milliseconds, is refused below. */
			wait_sec = errno || end == optarg || *end || n <= 0 || n > INT_MAX / 1000
				       ? 0
				       : (int)n;
			break;
		}
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc || wait_sec <= 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	r = sessions_load(&list);
	if (r < 0)
		return log_error_errno(r, "cannot read the sessions"), EXIT_FAIL;
	for (int i = optind; i < argc; i++) {
		const struct session_record *rec;
		char why[512];

		if (sessions_find(&list, argv[i], &rec, why, sizeof(why)) < 0) {
			log_error("%s", why);
			status = EXIT_FAIL;
		} else if (stop_one(rec, wait_sec) < 0) {
			status = EXIT_FAIL;
		} else {
			printf("%s\n", rec->id);
		}
	}
	sessions_free(&list);
	return status;
}
