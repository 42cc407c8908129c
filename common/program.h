/* common/program.h: finding the programs that belong with the running one (carrel-init
 * beside carrel-launch, carrel-image beside carrel or in the libexec directory), as files
 * root vouches for, opened once and executed by fd. */
#pragma once

/* Open @path as a program root vouches for: a regular file, not a symbolic link, owned by
 * root (or by the caller's own effective uid) and not writable by group or others. Returns an
 * O_PATH fd or -errno: -ENOENT, -EPERM (owner, mode or type wrong). */
int program_open_trusted(const char *path);

/* program_open_trusted() of the file @name in the directory of the running program
 * (/proc/self/exe). */
int program_open_beside_self(const char *name);
