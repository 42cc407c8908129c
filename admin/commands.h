/* admin/commands.h: the subcommands of carrel(8). Each parses its own options and returns
 * the process exit status. */
#pragma once

int cmd_ps(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_join(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_check_config(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_volume(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_image(int argc, char **argv);

/* Exit statuses shared by every subcommand. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,  /* the command could not do what was asked */
	EXIT_USAGE = 2, /* bad options */
};
