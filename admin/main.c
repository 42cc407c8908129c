/* carrel: the admin tool. Lists, inspects, joins and stops sessions; runs one; checks the
 * config and explains policy decisions. main() only dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "admin/commands.h"
#include "common/log.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
    {"ps", cmd_ps, "list the running sessions"},
    {"inspect", cmd_inspect, "show everything about sessions, as JSON"},
    {"join", cmd_join, "run a command inside a running session"},
    {"stop", cmd_stop, "end sessions"},
    {"run", cmd_run, "start a session as a login would, and run a command in it"},
    {"check-config", cmd_check_config, "validate the config and its images"},
    {"policy", cmd_policy, "explain which policy a login matches (policy explain)"},
    {"diff", cmd_diff, "list what a session's writable layer changed"},
    {"reset", cmd_reset, "discard a user's persistent root"},
    {"volume", cmd_volume, "list or remove named volumes (volume ls, volume rm)"},
    {"gc", cmd_gc, "reclaim what ended sessions left behind"},
    {"events", cmd_events, "show session events (create, join, stop, end, ...)"},
    {"image", cmd_image, "import, build, list, inspect, remove and export images"},
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: carrel COMMAND [OPTIONS]\n"
		     "\n"
		     "Login sandboxes: every login of a matched user runs in its own session.\n"
		     "\n"
		     "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n"
		     "  -h, --help     show this help; 'carrel COMMAND --help' for a command\n"
		     "  -V, --version  show the version\n");
}

int main(int argc, char **argv)
{
	log_init("carrel");
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("carrel %s\n", CARREL_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char name[64];

		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		/* getopt's own messages then read "carrel join: invalid option". */
		snprintf(name, sizeof(name), "carrel %s", commands[i].name);
		argv[1] = name;
		return commands[i].run(argc - 1, argv + 1);
	}
	log_error("unknown command '%s' (see 'carrel --help')", argv[1]);
	return EXIT_USAGE;
}
