/* image/buildcopy_int.h: what the files of COPY/ADD share. Private to buildcopy*.c. */
#pragma once

#include <stdbool.h>
#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "image/buildcopy.h"

struct digest;

#define COPY_CHUNK (256 * 1024)

struct copy_time {
	char *path; /* in the layer, clean */
	struct timespec mtime;
};

struct copier {
	const struct copy_request *q;
	struct image_error *e;
	struct digest *d;
	bool writing;            /* q->layer_fd >= 0 */
	struct copy_time *times; /* implicit directories: their time, set once all is in */
	size_t n_times;
	char buf[COPY_CHUNK];
	char link[PATH_MAX]; /* a link's target */
};

/* The directory @path (clean, "" for the root) of the new layer as an O_RDONLY fd, made where
 * missing (implicit: as the layers below have it; new: 0755, the copy's owner). Returns the fd
 * or -errno with c->e saying why. */
int copier_layer_dir(struct copier *c, const char *path);

/* Copy (or only hash, when @dst_dir_fd is -1) the entry open at @src_fd (O_PATH; @st its
 * stat) as @dst_name below @dst_dir_fd; a directory with everything below it. @label names
 * it in the hash and in errors. Returns 0 or -errno with c->e. */
int copier_entry(struct copier *c, int src_fd, const struct stat *st, const char *label,
		 int dst_dir_fd, const char *dst_name);

/* Copy the contents of the directory open at @src_fd (O_PATH) into @dst_dir_fd (or hash). */
int copier_contents(struct copier *c, int src_fd, const char *label, int dst_dir_fd);

/* Set the times of the implicit directories made. */
int copier_restore_times(struct copier *c);
