/* image/buildcopy.c: see buildcopy.h. The sources (wildcards, the context's own checks), the
 * destination as the image resolves it, and ADD's archives; buildcopy_tree.c copies. */
#include <archive.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/syscalls.h"
#include "image/buildcopy_int.h"
#include "image/dfwords.h"
#include "image/digest.h"
#include "image/error.h"
#include "image/import.h"
#include "image/io.h"
#include "image/pathname.h"
#include "image/unpack.h"

#define RESOLVE_CONTEXT (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
#define MAX_LINKS 40

/* ---- sources ---- */

static bool is_url(const char *s)
{
	const char *colon = strstr(s, "://");

	return colon && colon > s &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz+.-") == (size_t)(colon - s);
}

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int add_name(char ***list, size_t *n, const char *name)
{
	char **grown = realloc(*list, (*n + 2) * sizeof(**list));

	if (!grown)
		return -ENOMEM;
	*list = grown;
	grown[*n] = strdup(name);
	if (!grown[*n])
		return -ENOMEM;
	grown[++*n] = NULL;
	return 0;
}

static int open_context(const struct copier *c, const char *path)
{
	int fd = sys_openat2(c->q->context_fd, path[0] ? path : ".", O_PATH | O_CLOEXEC, 0,
			     RESOLVE_CONTEXT);

	return fd < 0 ? -errno : fd;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directory @path of the context, for reading its names; NULL (errno set) when none. */
static DIR *open_context_dir(const struct copier *c, const char *path)
{
	autoclose int fd = open_context(c, path);
	char proc[64];
	int dir_fd;
	DIR *d;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	dir_fd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = dir_fd < 0 ? NULL : fdopendir(dir_fd);
	if (!d && dir_fd >= 0)
		(void)close(dir_fd);
	return d;
}

/* The names in @prefix matching the first component of @comp, sorted. */
static int glob_names(const struct copier *c, const char *prefix, const char *part, char ***ret,
		      size_t *ret_n)
{
	DIR *d = open_context_dir(c, prefix);
	struct dirent *de;
	int r = 0;

	*ret = NULL;
	*ret_n = 0;
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	while (r >= 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    fnmatch(part, de->d_name, 0) == 0)
			r = add_name(ret, ret_n, de->d_name);
	closedir(d);
	if (r >= 0 && *ret_n)
		qsort(*ret, *ret_n, sizeof(**ret), compare_names);
	return r;
}

/* The paths of the context matching the components of @comp, below @prefix. */
static int glob_below(struct copier *c, const char *prefix, const char *comp, char ***out,
		      size_t *n)
{
	size_t len = strcspn(comp, "/");
	char part[NAME_MAX + 1];
	char **names = NULL;
	size_t n_names = 0;
	int r;

	snprintf(part, sizeof(part), "%.*s", (int)(len < NAME_MAX ? len : NAME_MAX), comp);
	r = glob_names(c, prefix, part, &names, &n_names);
	for (size_t i = 0; r >= 0 && i < n_names; i++) {
		autofree char *path = NULL;

		if (asprintf(&path, "%s%s%s", prefix, prefix[0] ? "/" : "", names[i]) < 0)
			r = -ENOMEM;
		else if (comp[len])
			r = glob_below(c, path, comp + len + 1, out, n);
		else
			r = add_name(out, n, path);
	}
	dfwords_free(names);
	return r;
}

/* Every source as paths below the context ("" is the context itself), in order. */
static int expand_sources(struct copier *c, char ***ret, size_t *ret_n)
{
	const char *what = c->q->is_add ? "ADD" : "COPY";
	char **out = calloc(1, sizeof(*out));
	size_t n = 0;
	int r = out ? 0 : -ENOMEM;

	for (size_t i = 0; r >= 0 && c->q->sources[i]; i++) {
		const char *s = c->q->sources[i];
		char clean[PATH_MAX];
		bool absolute;
		size_t before = n;

		if (is_url(s))
			r = image_fail(c->e, -EINVAL,
				       c->q->is_add
					   ? "'%s': ADD of a URL is not supported (download "
					     "it into the context, then COPY it)"
					   : "'%s': COPY takes no URLs",
				       s);
		else if (pathname_clean(s, clean, sizeof(clean), &absolute) < 0)
			r = image_fail(c->e, -EINVAL, "'%s' is outside the build context", s);
		else if (has_wildcard(clean))
			r = glob_below(c, "", clean, &out, &n);
		else
			r = add_name(&out, &n, clean);
		if (r >= 0 && n == before)
			r = image_fail(c->e, -ENOENT,
				       "%s: '%s' matches nothing in the build context", what, s);
		if (r == -ENOMEM)
			r = image_fail(c->e, r, "out of memory");
	}
	if (r < 0) {
		dfwords_free(out);
		return r;
	}
	*ret = out;
	*ret_n = n;
	return 0;
}

/* ---- the destination ---- */

/* Drop the last component of @out (@used bytes): "a/b" becomes "a", "a" becomes "". */
static void drop_last(char *out, size_t *used)
{
	while (*used > 0 && out[*used - 1] != '/')
		(*used)--;
	if (*used > 0)
		(*used)--;
	out[*used] = '\0';
}

/* The last component of @out is the link open at @fd: it goes, and what is left to resolve is
 * its target then @rest (a target starting with "/" from the image's root). */
static int follow(struct copier *c, int fd, char *out, size_t *used, const char *rest, char **todo)
{
	char *target = c->link, *next = NULL;
	ssize_t len = readlinkat(fd, "", target, sizeof(c->link) - 1);

	if (len < 0)
		return image_fail(c->e, -errno, "cannot read the link '/%s'", out);
	target[len] = '\0';
	drop_last(out, used);
	if (target[0] == '/') {
		*used = 0;
		out[0] = '\0';
	}
	if (asprintf(&next, "%s/%s", target, rest) < 0)
		return image_fail(c->e, -ENOMEM, "out of memory");
	free(*todo);
	*todo = next;
	return 0;
}

/* @dest as the image so far resolves it, into @out (clean, relative, "" for the root): its
 * symbolic links followed inside the image, at most MAX_LINKS of them, the rest of the path
 * taken as it is written once a component does not exist. Every component but the last must
 * be a directory. */
static int resolve_dest(struct copier *c, const char *dest, char *out, size_t size)
{
	autofree char *todo = strdup(dest);
	size_t used = 0;
	int links = 0, r;

	out[0] = '\0';
	if (!todo)
		return image_fail(c->e, -ENOMEM, "out of memory");
	for (char *p = todo; *(p += strspn(p, "/"));) {
		size_t n = strcspn(p, "/");
		char *rest = p + n + (p[n] == '/');
		autoclose int fd = -1;
		struct stat st;

		if (n == 2 && p[0] == '.' && p[1] == '.')
			drop_last(out, &used);
		if (n <= 2 && strspn(p, ".") == n) {
			p = rest;
			continue;
		}
		if (used + n + 2 > size)
			return image_fail(c->e, -ENAMETOOLONG, "'%s': name too long", dest);
		if (used)
			out[used++] = '/';
		memcpy(out + used, p, n);
		used += n;
		out[used] = '\0';
		p = rest;
		if (c->q->lower_fd < 0)
			continue;
		fd = sys_openat2(c->q->lower_fd, out, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0,
				 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
		if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
			continue; /* not in the image: the rest is new */
		if (fd < 0 || fstat(fd, &st) < 0)
			return image_fail(c->e, -errno, "cannot resolve '%s' in the image", dest);
		if (S_ISLNK(st.st_mode) && ++links > MAX_LINKS)
			return image_fail(c->e, -ELOOP, "'%s': too many symbolic links", dest);
		if (!S_ISLNK(st.st_mode) && *rest && !S_ISDIR(st.st_mode))
			return image_fail(c->e, -ENOTDIR, "'/%s' is not a directory in the image",
					  out);
		if (!S_ISLNK(st.st_mode))
			continue;
		r = follow(c, fd, out, &used, rest, &todo);
		if (r < 0)
			return r;
		p = todo;
	}
	return 0;
}

/* Is @path (clean) a directory in the image so far, or already in the new layer? */
static bool is_dir_in_image(struct copier *c, const char *path)
{
	struct stat st;
	int fds[2] = {c->q->lower_fd, c->writing ? c->q->layer_fd : -1};

	for (size_t i = 0; i < 2; i++) {
		autoclose int fd = -1;

		if (fds[i] < 0)
			continue;
		fd = sys_openat2(fds[i], path[0] ? path : ".", O_PATH | O_CLOEXEC, 0,
				 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			return true;
	}
	return false;
}

/* ---- ADD's archives ---- */

/* A tar archive reader (any compression) on @file_fd, which stays the caller's. */
static struct archive *tar_reader(int file_fd)
{
	struct archive *a = archive_read_new();

	if (a && archive_read_support_filter_all(a) == ARCHIVE_OK &&
	    archive_read_support_format_tar(a) == ARCHIVE_OK &&
	    archive_read_open_fd(a, file_fd, 64 * 1024) == ARCHIVE_OK)
		return a;
	if (a)
		archive_read_free(a);
	return NULL;
}

static int reopen_file(int fd)
{
	char proc[64];
	int file_fd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	file_fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	return file_fd < 0 ? -errno : file_fd;
}

/* Is the file open at @fd (O_PATH) a tar archive? Else ADD copies it as a file. */
static bool is_archive(int fd)
{
	autoclose int file_fd = reopen_file(fd);
	struct archive *a = file_fd < 0 ? NULL : tar_reader(file_fd);
	struct archive_entry *entry;
	int r;

	if (!a)
		return false;
	r = archive_read_next_header(a, &entry);
	archive_read_free(a);
	return r == ARCHIVE_OK || r == ARCHIVE_WARN;
}

/* Unpack the archive open at @fd (O_PATH) into the layer's @dir, as an import unpacks a
 * layer: below it, nothing is written through a link, and directories the archive leaves
 * implicit take what the image has. */
static int add_archive(struct copier *c, int fd, const char *label, const char *dir)
{
	autoclose int dst_fd = -1, lower_fd = -1, file_fd = -1;
	bool existed = is_dir_in_image(c, dir);
	struct unpack_opts o = {.max_bytes = IMPORT_MAX_LAYER_SIZE,
				.io = c->q->io,
				.warn = c->q->warn,
				.warn_data = c->q->warn_data};
	struct archive *a;
	uint64_t bytes = 0;
	int r;

	dst_fd = copier_layer_dir(c, dir);
	if (dst_fd < 0)
		return dst_fd;
	if (c->q->lower_fd >= 0)
		lower_fd = sys_openat2(
		    c->q->lower_fd, dir[0] ? dir : ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
		    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	file_fd = reopen_file(fd);
	a = file_fd < 0 ? NULL : tar_reader(file_fd);
	if (!a)
		return image_fail(c->e, -EIO, "'%s': cannot read the archive", label);
	o.root_fd = dst_fd;
	o.lower_fd = lower_fd;
	r = unpack_layer(a, &o, &bytes, c->e);
	archive_read_free(a);
	if (r < 0)
		return image_fail_context(c->e, r, "'%s'", label);
	/* The unpacker gives a directory new to the image root's 0755: ours is the owner's. */
	if (!existed && c->q->chown && fchown(dst_fd, c->q->uid, c->q->gid) < 0)
		return image_fail(c->e, -errno, "cannot set the owner of '/%s'", dir);
	return 0;
}

/* ---- each source ---- */

static int open_source(struct copier *c, const char *path, const char *label, struct stat *st)
{
	int fd = open_context(c, path);

	if (fd == -ENOENT || fd == -ENOTDIR)
		return image_fail(c->e, -ENOENT, "'%s' is not in the build context", label);
	if (fd == -EXDEV || fd == -ELOOP)
		return image_fail(c->e, -EINVAL,
				  "'%s' leads out of the build context (a symbolic link)", label);
	if (fd < 0)
		return image_fail(c->e, fd, "cannot open '%s' in the build context: %s", label,
				  strerror(-fd));
	if (fstat(fd, st) < 0) {
		(void)close(fd);
		return image_fail(c->e, -errno, "cannot stat '%s' in the build context", label);
	}
	return fd;
}

/* A file to @dest: into it when it is a directory (or must be one), else as it. */
static int one_file(struct copier *c, int fd, const struct stat *st, const char *label,
		    const char *dest, bool into_dir)
{
	autoclose int dst_fd = -1;
	const char *slash, *name;
	char dir[PATH_MAX];

	into_dir = into_dir || !dest[0] || is_dir_in_image(c, dest);
	if (into_dir) {
		slash = strrchr(label, '/');
		name = slash ? slash + 1 : label;
		snprintf(dir, sizeof(dir), "%s", dest);
	} else {
		slash = strrchr(dest, '/');
		name = slash ? slash + 1 : dest;
		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - dest) : 0, dest);
	}
	if (c->writing) {
		dst_fd = copier_layer_dir(c, dir);
		if (dst_fd < 0)
			return dst_fd;
	}
	return copier_entry(c, fd, st, label, dst_fd, name);
}

static int one_source(struct copier *c, const char *path, const char *dest, bool into_dir,
		      bool *ret_is_dir)
{
	const char *label = path[0] ? path : ".";
	autoclose int fd = -1, dst_fd = -1;
	struct stat st = {0};
	int r;

	fd = open_source(c, path, label, &st);
	if (fd < 0)
		return fd;
	*ret_is_dir = S_ISDIR(st.st_mode);
	if (S_ISDIR(st.st_mode)) {
		if (c->writing) {
			dst_fd = copier_layer_dir(c, dest);
			if (dst_fd < 0)
				return dst_fd;
		}
		return copier_contents(c, fd, label, dst_fd);
	}
	if (S_ISREG(st.st_mode) && c->q->is_add && is_archive(fd)) {
		/* Hashed as the file it is; unpacked when writing. */
		r = copier_entry(c, fd, &st, label, -1, "archive");
		return r < 0 || !c->writing ? r : add_archive(c, fd, label, dest);
	}
	return one_file(c, fd, &st, label, dest, into_dir);
}

static void copier_free(struct copier *c)
{
	for (size_t i = 0; i < c->n_times; i++)
		free(c->times[i].path);
	free(c->times);
	digest_free(c->d);
	free(c);
}

static int copy_all(struct copier *c, char *const *sources, size_t n, const char **ret_kind)
{
	const char *dest = c->q->dest;
	bool into_dir = dest[0] && dest[strlen(dest) - 1] == '/', is_dir = false;
	char canon[PATH_MAX];
	int r;

	if (n > 1 && !into_dir)
		return image_fail(c->e, -EINVAL,
				  "%zu sources: the destination '%s' must be a directory, ending "
				  "with '/'",
				  n, dest);
	r = resolve_dest(c, dest, canon, sizeof(canon));
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = one_source(c, sources[i], canon, into_dir, &is_dir);
	if (r >= 0 && c->writing)
		r = copier_restore_times(c);
	*ret_kind = n > 1 ? "multi" : is_dir ? "dir" : "file";
	return r;
}

int buildcopy(const struct copy_request *q, char ret_digest[IMAGE_DIGEST_LEN + 1],
	      const char **ret_kind, struct image_error *e)
{
	struct copier *c = calloc(1, sizeof(*c));
	char **sources = NULL;
	size_t n = 0;
	int r;

	if (!c || digest_new(&c->d) < 0) {
		if (c)
			copier_free(c);
		return image_fail(e, -ENOMEM, "out of memory");
	}
	c->q = q;
	c->e = e;
	c->writing = q->layer_fd >= 0;
	r = expand_sources(c, &sources, &n);
	if (r >= 0)
		r = copy_all(c, sources, n, ret_kind);
	if (r >= 0 && digest_final(c->d, ret_digest) < 0)
		r = image_fail(e, -EIO, "cannot hash what was copied");
	dfwords_free(sources);
	copier_free(c);
	return r;
}
