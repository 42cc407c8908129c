/* admin/image_cmds.h: the subcommands of "carrel image", one file each. Each parses its own
 * options (argv[0] is "carrel image NAME") and returns the exit status. */
#pragma once

int image_cmd_import(int argc, char **argv);
int image_cmd_build(int argc, char **argv);
int image_cmd_ls(int argc, char **argv);
int image_cmd_inspect(int argc, char **argv);
int image_cmd_history(int argc, char **argv);
int image_cmd_rm(int argc, char **argv);
int image_cmd_export(int argc, char **argv);
