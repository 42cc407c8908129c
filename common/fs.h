/* common/fs.h: opening files we are about to trust, small whole-file reads and writes, and
 * directories to read. */
#pragma once

#include <dirent.h>
#include <stddef.h>
#include <sys/types.h>

/* Open @path for reading as a file root vouches for: not a symlink (O_NOFOLLOW), a regular
 * file, owned by root, not writable by group or others, on a path only root can change (see
 * fs_open_trusted_parent). Returns the fd (O_CLOEXEC) or -errno: -ENOENT, -ELOOP for a
 * symlink, -EPERM for a wrong owner or mode, -EINVAL for a non-regular file, -EACCES for a
 * path others can change. On those four, @why (if not NULL) says what is wrong, e.g.
 * "owned by uid 1000, not root". */
int fs_open_trusted(const char *path, char *why, size_t why_size);

/* The directory @path (absolute) would be a trusted one if only root could change what it
 * resolves to: no component a symbolic link or "..", and every directory above the last
 * component owned by root and not writable by group or others, unless sticky (as /tmp is:
 * there only an entry's owner, or the directory's, may rename it). Returns an O_PATH fd of
 * the directory holding the last component, with *@last pointing into @path at its name. A
 * relative path is taken from the working directory, whose own ancestors count too. Returns
 * -EACCES for a symbolic link, a ".." or a directory others can change, with @why (if not
 * NULL) saying which, e.g. "is in '/srv/images', which is writable by others (mode 0777)";
 * or another -errno (-ENOENT, -ENOTDIR, ...) from the lookup, @why untouched. */
int fs_open_trusted_parent(const char *path, const char **last, char *why, size_t why_size);

/* Read the whole of @fd (at most @max bytes) into a new NUL-terminated buffer.
 * Returns 0 or -errno: -EFBIG when the file is larger than @max. *@ret_len may be NULL. */
int fs_read_small(int fd, size_t max, char **ret, size_t *ret_len);

/* Replace @name below @dir_fd with @len bytes of @data, atomically: write a temporary file
 * with @mode, fsync-free (state on tmpfs), rename over. Returns 0 or -errno. */
int fs_write_atomic(int dir_fd, const char *name, const char *data, size_t len, mode_t mode);

/* Open the directory @path below @root_fd, resolving every component inside @root_fd
 * (RESOLVE_IN_ROOT) without following any symbolic link, and creating missing ones with
 * @mode, owned by the caller. Returns an O_PATH directory fd or -errno: -ELOOP for a
 * symlink component, -ENOTDIR when a component exists and is not a directory, -EINVAL for
 * a "." or ".." component. */
int fs_mkdir_p_in_root(int root_fd, const char *path, mode_t mode);

/* readdir(3) over the directory @name below @dir_fd ("." for @dir_fd itself, which may be an
 * O_PATH fd), not following a symbolic link. Returns the stream or NULL with errno set;
 * closedir(3) closes it. */
DIR *fs_opendir_at(int dir_fd, const char *name);
