/* image/buildcopy_tree.c: entries of a COPY or ADD, one at a time, and the layer's
 * directories they go into (see buildcopy.h).
 *
 * Invariants:
 * 1. In the layer, every file is made by an *at() call on a directory fd that was opened
 *    with RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS or O_NOFOLLOW from the layer's root: no
 *    symbolic link, wherever it came from, is ever written through.
 * 2. In the context, below a source, every entry is opened O_NOFOLLOW from its parent: a
 *    link is copied as a link. Data is read from the inode that was checked (reopened
 *    through /proc/self/fd), never from a name resolved again.
 * 3. Owner, then mode: chown clears set-user-ID. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/store.h"
#include "common/syscalls.h"
#include "image/buildcopy_int.h"
#include "image/digest.h"
#include "image/error.h"
#include "image/io.h"

#define RESOLVE_LAYER (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

static uid_t owner_uid(const struct copier *c)
{
	return c->q->chown ? c->q->uid : 0;
}

static gid_t owner_gid(const struct copier *c)
{
	return c->q->chown ? c->q->gid : 0;
}

/* The inode open at @fd (O_PATH) opened again, for reading. */
static int reopen(int fd, int flags)
{
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = open(path, flags | O_CLOEXEC | O_NOCTTY);
	return r < 0 ? -errno : r;
}

/* ---- the layer's directories ---- */

static int note_time(struct copier *c, const char *path, const struct timespec *mtime)
{
	struct copy_time *grown = realloc(c->times, (c->n_times + 1) * sizeof(*grown));

	if (!grown)
		return image_fail(c->e, -ENOMEM, "out of memory");
	c->times = grown;
	grown[c->n_times].mtime = *mtime;
	grown[c->n_times].path = strdup(path);
	if (!grown[c->n_times].path)
		return image_fail(c->e, -ENOMEM, "out of memory");
	c->n_times++;
	return 0;
}

/* Make @name below @parent_fd, the directory @path of the layer: as the layers below have it,
 * or new. */
static int make_dir(struct copier *c, int parent_fd, const char *name, const char *path)
{
	autoclose int lower_fd = -1;
	struct stat st = {
	    .st_mode = S_IFDIR | 0755, .st_uid = owner_uid(c), .st_gid = owner_gid(c)};

	if (mkdirat(parent_fd, name, 0700) < 0)
		return image_fail(c->e, -errno, "cannot make directory '/%s': %s", path,
				  strerror(errno));
	if (c->q->lower_fd >= 0)
		lower_fd =
		    sys_openat2(c->q->lower_fd, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
				RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (lower_fd >= 0 && fstat(lower_fd, &st) < 0)
		return image_fail(c->e, -errno, "cannot stat '/%s' in the image", path);
	if (fchownat(parent_fd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(parent_fd, name, st.st_mode & 07777, 0) < 0)
		return image_fail(c->e, -errno, "cannot set up directory '/%s': %s", path,
				  strerror(errno));
	return lower_fd >= 0 ? note_time(c, path, &st.st_mtim) : 0;
}

static int open_layer_path(struct copier *c, const char *path)
{
	int fd = sys_openat2(c->q->layer_fd, path[0] ? path : ".",
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_LAYER);

	return fd < 0 ? -errno : fd;
}

int copier_layer_dir(struct copier *c, const char *path)
{
	char prefix[PATH_MAX];
	size_t used = 0;
	int fd = open_layer_path(c, "");

	for (const char *p = path; fd >= 0 && *p;) {
		size_t n = strcspn(p, "/");
		int next;

		memcpy(prefix + used, p, n);
		prefix[used + n] = '\0';
		next = open_layer_path(c, prefix);
		if (next == -ENOENT) {
			next = make_dir(c, fd, prefix + used, prefix);
			next = next < 0 ? next : open_layer_path(c, prefix);
		} else if (next == -ELOOP || next == -ENOTDIR) {
			next = image_fail(c->e, next, "'/%s' is %s in this layer (refused)", prefix,
					  next == -ELOOP ? "a symbolic link" : "not a directory");
		} else if (next < 0) {
			next = image_fail(c->e, next, "cannot open '/%s' in the layer", prefix);
		}
		(void)close(fd);
		fd = next;
		used += n;
		p += n + (p[n] == '/');
		prefix[used++] = '/';
	}
	return fd;
}

int copier_restore_times(struct copier *c)
{
	for (size_t i = 0; i < c->n_times; i++) {
		struct timespec times[2] = {c->times[i].mtime, c->times[i].mtime};
		autoclose int fd = open_layer_path(c, c->times[i].path);

		if (fd >= 0 && futimens(fd, times) < 0)
			return image_fail(c->e, -errno, "cannot set the times of '/%s'",
					  c->times[i].path);
	}
	return 0;
}

/* ---- entries ---- */

/* Make room for @name below @dir_fd: 1 when a directory is there and @keep_dir. */
static int clear_name(struct copier *c, int dir_fd, const char *name, bool keep_dir)
{
	struct stat st;
	int r;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : image_fail(c->e, -errno, "cannot stat '%s'", name);
	if (S_ISDIR(st.st_mode) && keep_dir)
		return 1;
	r = S_ISDIR(st.st_mode) ? store_remove_tree(dir_fd, name)
				: (unlinkat(dir_fd, name, 0) < 0 ? -errno : 0);
	return r < 0 ? image_fail(c->e, r, "cannot replace '%s'", name) : 0;
}

static void hash_header(struct copier *c, const char *label, const struct stat *st)
{
	char text[128];

	snprintf(text, sizeof(text), "%o %u %u %" PRIu64, (unsigned)st->st_mode,
		 (unsigned)st->st_uid, (unsigned)st->st_gid,
		 S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0);
	digest_update(c->d, label, strlen(label) + 1);
	digest_update(c->d, text, strlen(text) + 1);
}

static int set_meta(struct copier *c, int fd, const struct stat *st, const char *label)
{
	struct timespec times[2] = {st->st_mtim, st->st_mtim};

	if (fchown(fd, owner_uid(c), owner_gid(c)) < 0 || fchmod(fd, st->st_mode & 07777) < 0 ||
	    futimens(fd, times) < 0)
		return image_fail(c->e, -errno, "'%s': cannot set its owner, mode or time: %s",
				  label, strerror(errno));
	return 0;
}

static int pump(struct copier *c, int in_fd, int out_fd, const char *label)
{
	for (;;) {
		ssize_t n = read(in_fd, c->buf, sizeof(c->buf));

		if (image_io_stop(c->q->io))
			return image_fail(c->e, -EINTR, "interrupted");
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return image_fail(c->e, -errno, "'%s': cannot read it: %s", label,
					  strerror(errno));
		if (n == 0)
			return 0;
		digest_update(c->d, c->buf, (size_t)n);
		for (ssize_t done = 0; out_fd >= 0 && done < n;) {
			ssize_t w = write(out_fd, c->buf + done, (size_t)(n - done));

			if (w < 0 && errno != EINTR)
				return image_fail(c->e, -errno, "'%s': cannot write it: %s", label,
						  strerror(errno));
			done += w < 0 ? 0 : w;
		}
	}
}

static int regular(struct copier *c, int src_fd, const struct stat *st, const char *label,
		   int dst_dir_fd, const char *dst_name)
{
	autoclose int in_fd = reopen(src_fd, O_RDONLY), out_fd = -1;
	int r;

	if (in_fd < 0)
		return image_fail(c->e, in_fd, "'%s': cannot open it: %s", label, strerror(-in_fd));
	if (dst_dir_fd >= 0) {
		r = clear_name(c, dst_dir_fd, dst_name, false);
		if (r < 0)
			return r;
		out_fd = openat(dst_dir_fd, dst_name,
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (out_fd < 0)
			return image_fail(c->e, -errno, "'%s': cannot create it in the layer: %s",
					  label, strerror(errno));
	}
	r = pump(c, in_fd, out_fd, label);
	return r < 0 || out_fd < 0 ? r : set_meta(c, out_fd, st, label);
}

static int symlink_entry(struct copier *c, int src_fd, const struct stat *st, const char *label,
			 int dst_dir_fd, const char *dst_name)
{
	struct timespec times[2] = {st->st_mtim, st->st_mtim};
	char *target = c->link;
	ssize_t n = readlinkat(src_fd, "", target, sizeof(c->link) - 1);
	int r;

	if (n < 0)
		return image_fail(c->e, -errno, "'%s': cannot read the link", label);
	target[n] = '\0';
	digest_update(c->d, target, (size_t)n + 1);
	if (dst_dir_fd < 0)
		return 0;
	r = clear_name(c, dst_dir_fd, dst_name, false);
	if (r < 0)
		return r;
	if (symlinkat(target, dst_dir_fd, dst_name) < 0 ||
	    fchownat(dst_dir_fd, dst_name, owner_uid(c), owner_gid(c), AT_SYMLINK_NOFOLLOW) < 0 ||
	    utimensat(dst_dir_fd, dst_name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return image_fail(c->e, -errno, "'%s': cannot make the link in the layer: %s",
				  label, strerror(errno));
	return 0;
}

static int directory(struct copier *c, int src_fd, const struct stat *st, const char *label,
		     int dst_dir_fd, const char *dst_name)
{
	autoclose int fd = -1;
	int r;

	if (dst_dir_fd >= 0) {
		r = clear_name(c, dst_dir_fd, dst_name, true);
		if (r == 0 && mkdirat(dst_dir_fd, dst_name, 0700) < 0)
			r = image_fail(c->e, -errno, "'%s': cannot make it in the layer", label);
		if (r < 0)
			return r;
		fd = openat(dst_dir_fd, dst_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return image_fail(c->e, -errno, "'%s': cannot open it in the layer", label);
	}
	r = copier_contents(c, src_fd, label, fd);
	return r < 0 || fd < 0 ? r : set_meta(c, fd, st, label);
}

int copier_entry(struct copier *c, int src_fd, const struct stat *st, const char *label,
		 int dst_dir_fd, const char *dst_name)
{
	if (image_io_stop(c->q->io))
		return image_fail(c->e, -EINTR, "interrupted");
	if (strncmp(dst_name, ".wh.", 4) == 0)
		return image_fail(c->e, -EINVAL,
				  "'%s': a name starting with \".wh.\" cannot be in a layer (it "
				  "would read as a whiteout)",
				  label);
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode) && !S_ISLNK(st->st_mode))
		return image_fail(c->e, -EINVAL,
				  "'%s' is a special file: %s takes files, directories and "
				  "symbolic links",
				  label, c->q->is_add ? "ADD" : "COPY");
	hash_header(c, label, st);
	if (S_ISREG(st->st_mode))
		return regular(c, src_fd, st, label, dst_dir_fd, dst_name);
	if (S_ISLNK(st->st_mode))
		return symlink_entry(c, src_fd, st, label, dst_dir_fd, dst_name);
	return directory(c, src_fd, st, label, dst_dir_fd, dst_name);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_names(int dir_fd, char ***ret, size_t *ret_n)
{
	int fd = reopen(dir_fd, O_RDONLY | O_DIRECTORY);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	int r = 0;

	if (!d) {
		r = fd < 0 ? fd : -errno;
		if (fd >= 0)
			(void)close(fd);
		return r;
	}
	while (r == 0 && (de = readdir(d))) {
		char **grown;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (grown)
			names = grown;
		if (!grown || !(names[n++] = strdup(de->d_name)))
			r = -ENOMEM;
	}
	closedir(d);
	if (r < 0) {
		while (n-- > 0)
			free(names[n]);
		free(names);
		return r;
	}
	if (n)
		qsort(names, n, sizeof(*names), compare_names);
	*ret = names;
	*ret_n = n;
	return 0;
}

static int child(struct copier *c, int src_fd, const char *label, const char *name, int dst_dir_fd)
{
	autoclose int fd = openat(src_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	autofree char *child_label = NULL;
	struct stat st;

	if (asprintf(&child_label, "%s%s%s", label, label[0] ? "/" : "", name) < 0)
		return image_fail(c->e, -ENOMEM, "out of memory");
	/* Which also bounds how deep this recursion goes. */
	if (strlen(child_label) >= PATH_MAX)
		return image_fail(c->e, -ENAMETOOLONG, "'%.200s...': name too long", child_label);
	if (fd < 0 || fstat(fd, &st) < 0)
		return image_fail(c->e, -errno, "'%s': cannot open it", child_label);
	return copier_entry(c, fd, &st, child_label, dst_dir_fd, name);
}

int copier_contents(struct copier *c, int src_fd, const char *label, int dst_dir_fd)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	r = list_names(src_fd, &names, &n);
	if (r < 0)
		return image_fail(c->e, r, "'%s': cannot read the directory", label);
	for (size_t i = 0; i < n; i++) {
		if (r >= 0)
			r = child(c, src_fd, label, names[i], dst_dir_fd);
		free(names[i]);
	}
	free(names);
	return r;
}
