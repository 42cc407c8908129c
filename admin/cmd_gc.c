/* carrel gc: reclaim what ended sessions left behind: records and cgroups of sessions whose
 * init is gone, session cgroups and store directories no record names (after a crash of the
 * machine), session directories a launcher never finished; in the image store, what an
 * import that died left (staging, layers and blobs no image names). Named volumes, persistent
 * roots and homes are never touched. Also run at boot (packaging). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin/commands.h"
#include "common/cgroup.h"
#include "common/cleanup.h"
#include "common/events.h"
#include "common/log.h"
#include "common/reclaim.h"
#include "common/session_state.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: carrel gc [--quiet]\n"
		"\n"
		"Reclaim what sessions that are over left behind: records, cgroups, layers on\n"
		"disk and anonymous volumes; and what image imports that died left in the store:\n"
		"staging older than five minutes, layers and blobs no image names. Named volumes,\n"
		"persistent roots and homes are never touched. Running sessions are left alone.\n"
		"\n"
		"  -q, --quiet   print nothing when nothing went wrong\n"
		"  -h, --help    show this help\n");
}

struct gc_tally {
	bool quiet;
	int failed;
	int done;
};

static void report(const char *what, const char *id, int result, struct gc_tally *t)
{
	if (result < 0) {
		log_error_errno(result, "cannot reclaim %s %s", what, id);
		t->failed++;
		return;
	}
	t->done++;
	if (!t->quiet)
		printf("reclaimed %s %s\n", what, id);
	(void)events_log(&(struct events_entry){.event = "reclaim", .id = id, .detail = what});
}

static void stale_session(const char *id, int result, void *data)
{
	report("session", id, result, data);
}

static void orphan(const char *what, const char *id, int result, void *data)
{
	report(what, id, result, data);
}

int cmd_gc(int argc, char **argv)
{
	static const struct option options[] = {
	    {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {}};
	struct gc_tally tally = {0};
	struct reclaim_report rep = {.reclaimed = orphan, .data = &tally};
	struct cgroup_layout layout, *l = NULL;
	autoclose int root_fd = -1;
	int opt;

	while ((opt = getopt_long(argc, argv, "qh", options, NULL)) != -1) {
		if (opt == 'q') {
			tally.quiet = true;
			continue;
		}
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cgroup_layout_detect(&layout) == 0)
		l = &layout;
	root_fd = session_state_open_root(false);
	if (root_fd >= 0)
		(void)reclaim_stale_sessions(root_fd, l, stale_session, &tally);
	(void)reclaim_orphans(root_fd, l, &rep);
	if (tally.done == 0 && tally.failed == 0 && !tally.quiet)
		printf("nothing to reclaim\n");
	return tally.failed ? EXIT_FAIL : EXIT_OK;
}
