/* image/unpack_int.h: what the files of the layer unpacker share. Private to unpack*.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "image/unpack.h"

struct archive_entry;
struct stat;

struct dir_time {
	char *path; /* "" for the layer's root */
	struct timespec mtime;
};

struct unpack {
	const struct unpack_opts *o;
	struct archive *tar;
	uint64_t bytes;
	struct dir_time *times; /* set once every entry is in: children change a dir's mtime */
	size_t n_times;
	char dropped[160]; /* xattr names dropped quietly, for one warning at the end */
	struct image_error *e;
};

void unpack_warn(struct unpack *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The directory @path (clean, "" for the root) of the layer as an O_RDONLY fd, opened one
 * component at a time without following links; with @create, missing ones are made as
 * implicit directories. Returns the fd or -errno with u->e saying why. */
int unpack_walk(struct unpack *u, const char *path, bool create);

/* Remember @path's time, to set once all entries are in. */
int unpack_note_time(struct unpack *u, const char *path, const struct timespec *mtime);

/* Owner, mode and kept xattrs of the entry onto the file open at @fd (not a symlink). */
int unpack_meta_fd(struct unpack *u, int fd, struct archive_entry *entry);

/* Owner, mode (unless a symlink) and times of the entry onto @name below @dir_fd. */
int unpack_meta_at(struct unpack *u, int dir_fd, const char *name, struct archive_entry *entry,
		   bool is_symlink);

/* The entry's times, for futimens / utimensat. */
void unpack_entry_times(struct archive_entry *entry, struct timespec times[2]);

/* whiteout.c: the entry @base (".wh.*") in directory @dir, of full name @path. */
int unpack_whiteout(struct unpack *u, const char *dir, const char *base, const char *path);

/* whiteout.c: is the file @st one of the whiteouts this unpacker makes (0:0 char device)? */
bool unpack_is_whiteout(const struct stat *st);

/* whiteout.c: make the directory open at @fd opaque. */
int unpack_make_opaque(int fd);
