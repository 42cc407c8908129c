/* carrel events: the session event log (common/events.h), as a table or JSON lines, and
 * with --follow as it grows. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "admin/commands.h"
#include "common/cleanup.h"
#include "common/events.h"
#include "common/log.h"
#include "common/session_state.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: carrel events [--follow] [--json]\n"
		     "\n"
		     "Show the session events since boot: create, attach, join, stop, end and\n"
		     "reclaim, with the session, user, service, remote host and a detail.\n"
		     "\n"
		     "  -f, --follow   keep printing new events as they happen\n"
		     "  -j, --json     one JSON object a line\n"
		     "  -h, --help     show this help\n");
}

static const char *const fields[] = {"Time", "Event", "Id", "User", "Service", "RHost", "Detail"};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static void print_line(char *line, bool json)
{
	char *parts[N_FIELDS] = {0}, *save = NULL;
	size_t n = 0;

	line[strcspn(line, "\n")] = '\0';
	for (char *p = strtok_r(line, "\t", &save); p && n < N_FIELDS;
	     p = strtok_r(NULL, "\t", &save))
		parts[n++] = p;
	if (n != N_FIELDS)
		return; /* a line cut by a rotation */
	if (json) {
		json_object *o = json_object_new_object();

		for (size_t i = 0; i < N_FIELDS; i++)
			json_object_object_add(o, fields[i], json_object_new_string(parts[i]));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("%s  %-8s %s  user=%s service=%s rhost=%s  %s\n", parts[0], parts[1],
		       parts[2], parts[3], parts[4], parts[5], parts[6]);
	}
}

/* Print every complete line from @f; returns at its end. */
static void drain(FILE *f, bool json)
{
	char line[2048];

	while (fgets(line, sizeof(line), f))
		print_line(line, json);
	clearerr(f);
	fflush(stdout);
}

static int follow(FILE *f, bool json)
{
	autoclose int in = inotify_init1(IN_CLOEXEC);

	if (in < 0 || inotify_add_watch(in, "/run/carrel", IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0)
		return log_error_errno(-errno, "cannot watch /run/carrel");
	for (;;) {
		struct pollfd pfd = {.fd = in, .events = POLLIN};
		char buf[4096];

		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return -errno;
		if (read(in, buf, sizeof(buf)) < 0 && errno != EINTR)
			return -errno;
		drain(f, json);
		/* Rotated: the name now points at a new, smaller log. */
		if (access(EVENTS_PATH, F_OK) == 0 && ftell(f) > 0) {
			FILE *now = fopen(EVENTS_PATH, "re");

			if (now && fseek(now, 0, SEEK_END) == 0 && ftell(now) < ftell(f)) {
				fclose(f);
				f = now;
				rewind(f);
				drain(f, json);
			} else if (now) {
				fclose(now);
			}
		}
	}
}

int cmd_events(int argc, char **argv)
{
	static const struct option options[] = {{"follow", no_argument, NULL, 'f'},
						{"json", no_argument, NULL, 'j'},
						{"help", no_argument, NULL, 'h'},
						{}};
	bool json = false, following = false;
	FILE *f;
	int opt;

	while ((opt = getopt_long(argc, argv, "fjh", options, NULL)) != -1) {
		if (opt == 'f')
			following = true;
		else if (opt == 'j')
			json = true;
		else {
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? EXIT_OK : EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* The log rotated once is in events.1: older lines first. */
	f = fopen(EVENTS_OLD_PATH, "re");
	if (f) {
		drain(f, json);
		fclose(f);
	}
	f = fopen(EVENTS_PATH, "re");
	if (!f && (errno != ENOENT || !following))
		return errno == ENOENT
			   ? EXIT_OK
			   : (log_error_errno(-errno, "cannot read %s", EVENTS_PATH), EXIT_FAIL);
	if (!f) {
		/* so there is a log to follow, made as the launcher makes /run/carrel and
		 * events_write() the log: no session may have run since boot */
		autoclose int root_fd = session_state_open_root(true);
		int fd =
		    open(EVENTS_PATH, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

		f = fd < 0 ? NULL : fdopen(fd, "r");
		if (!f && fd >= 0)
			close(fd);
		if (!f)
			return log_error_errno(-errno, "cannot read %s", EVENTS_PATH), EXIT_FAIL;
	}
	drain(f, json);
	if (following)
		return follow(f, json) < 0 ? EXIT_FAIL : EXIT_OK;
	fclose(f);
	return EXIT_OK;
}
