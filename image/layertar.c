/* image/layertar.c: see layertar.h.
 *
 * Two libarchive writers in a row: the tar writer's output goes, hashed for the diff_id, into
 * a "raw" writer with the gzip filter (no timestamp in its header), whose output goes, hashed
 * for the blob digest, into the file.
 *
 * Invariants:
 * 1. Every file is reached by an *at() call from the directory fd its parent was opened as,
 *    never through a symbolic link (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW).
 * 2. The tar says what the directory holds once this is done: whatever the tar cannot carry
 *    is removed from the directory first. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "image/digest.h"
#include "image/error.h"
#include "image/io.h"
#include "image/layertar.h"

#define OPAQUE_XATTR "trusted.overlay.opaque"
#define XATTR_LIST_MAX_BYTES (64 * 1024)
#define CHUNK (256 * 1024)

struct link_seen {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct writer {
	const struct layertar_opts *o;
	struct image_error *e;
	int out_fd;
	struct archive *tar, *gz;
	struct digest *diff, *blob;
	uint64_t blob_size, data_bytes;
	struct link_seen *links;
	size_t n_links;
	int write_error; /* -errno of the file, seen in a callback */
	char buf[CHUNK];
	char xattr_list[XATTR_LIST_MAX_BYTES], xattr_value[XATTR_SIZE_MAX];
	char path2[PATH_MAX + 64]; /* a marker's name */
	char link[PATH_MAX];       /* a link's target */
};

static void warn_removed(struct writer *w, const char *path)
{
	char text[PATH_MAX + 100];

	if (!w->o->warn)
		return;
	snprintf(text, sizeof(text),
		 "'%s': a device node or socket is not kept in a layer, removed", path);
	w->o->warn(w->o->warn_data, text);
}

/* ---- the two writers ---- */

static la_ssize_t to_file(struct archive *a, void *data, const void *buf, size_t n)
{
	struct writer *w = data;

	for (size_t done = 0; done < n;) {
		ssize_t k = write(w->out_fd, (const char *)buf + done, n - done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			w->write_error = -errno;
			archive_set_error(a, errno, "cannot write the blob");
			return -1;
		}
		done += (size_t)k;
	}
	digest_update(w->blob, buf, n);
	w->blob_size += n;
	return (la_ssize_t)n;
}

static la_ssize_t to_gzip(struct archive *a, void *data, const void *buf, size_t n)
{
	struct writer *w = data;
	la_ssize_t k;

	digest_update(w->diff, buf, n);
	k = archive_write_data(w->gz, buf, n);
	if (k < 0)
		archive_set_error(a, EIO, "%s", archive_error_string(w->gz));
	return k;
}

static int open_writers(struct writer *w)
{
	struct archive_entry *raw = archive_entry_new();
	int r = 0;

	w->gz = archive_write_new();
	w->tar = archive_write_new();
	if (!raw || !w->gz || !w->tar || digest_new(&w->diff) < 0 || digest_new(&w->blob) < 0)
		r = -ENOMEM;
	if (r == 0 &&
	    (archive_write_set_format_raw(w->gz) != ARCHIVE_OK ||
	     archive_write_add_filter_gzip(w->gz) != ARCHIVE_OK ||
	     archive_write_set_filter_option(w->gz, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	     archive_write_set_bytes_in_last_block(w->gz, 1) != ARCHIVE_OK ||
	     archive_write_open2(w->gz, w, NULL, to_file, NULL, NULL) != ARCHIVE_OK))
		r = -EIO;
	archive_entry_set_pathname(raw, "layer.tar");
	archive_entry_set_filetype(raw, AE_IFREG);
	archive_entry_set_perm(raw, 0644);
	if (r == 0 && archive_write_header(w->gz, raw) != ARCHIVE_OK)
		r = -EIO;
	if (r == 0 && (archive_write_set_format_pax_restricted(w->tar) != ARCHIVE_OK ||
		       archive_write_set_bytes_in_last_block(w->tar, 1) != ARCHIVE_OK ||
		       archive_write_open2(w->tar, w, NULL, to_gzip, NULL, NULL) != ARCHIVE_OK))
		r = -EIO;
	archive_entry_free(raw);
	if (r < 0)
		return image_fail(w->e, r, "cannot start the layer's tar: %s",
				  w->gz ? archive_error_string(w->gz) : "out of memory");
	return 0;
}

static int close_writers(struct writer *w, struct layertar_result *ret)
{
	if (archive_write_close(w->tar) != ARCHIVE_OK)
		return image_fail(w->e, w->write_error ? w->write_error : -EIO,
				  "cannot finish the layer's tar: %s",
				  archive_error_string(w->tar));
	if (archive_write_close(w->gz) != ARCHIVE_OK)
		return image_fail(w->e, w->write_error ? w->write_error : -EIO,
				  "cannot finish the layer's blob: %s",
				  archive_error_string(w->gz));
	if (digest_final(w->diff, ret->diff_id) < 0 || digest_final(w->blob, ret->blob_digest) < 0)
		return image_fail(w->e, -EIO, "cannot hash the layer");
	ret->blob_size = w->blob_size;
	ret->data_bytes = w->data_bytes;
	return 0;
}

static void free_writers(struct writer *w)
{
	if (w->tar)
		archive_write_free(w->tar);
	if (w->gz)
		archive_write_free(w->gz);
	digest_free(w->diff);
	digest_free(w->blob);
	for (size_t i = 0; i < w->n_links; i++)
		free(w->links[i].path);
	free(w->links);
}

/* ---- tidying a file into what its entry says ---- */

static bool xattr_kept(const char *name)
{
	return strncmp(name, "user.", 5) == 0 || strcmp(name, "security.capability") == 0 ||
	       strcmp(name, OPAQUE_XATTR) == 0;
}

/* Remove the xattrs a layer does not carry from the file open at @fd (not a symlink), and
 * give the entry the ones it does. Sets *@ret_opaque for a directory marked opaque. */
static int tidy_xattrs(struct writer *w, int fd, const char *path, struct archive_entry *entry,
		       bool *ret_opaque)
{
	char *list = w->xattr_list, *value = w->xattr_value;
	ssize_t n = flistxattr(fd, list, sizeof(w->xattr_list));

	*ret_opaque = false;
	if (n < 0)
		return errno == ENOTSUP
			   ? 0
			   : image_fail(w->e, -errno, "'%s': cannot list xattrs", path);
	for (char *name = list; name < list + n; name += strlen(name) + 1) {
		ssize_t size;

		if (!xattr_kept(name)) {
			if (fremovexattr(fd, name) < 0 && errno != ENODATA)
				return image_fail(w->e, -errno, "'%s': cannot remove xattr '%s'",
						  path, name);
			continue;
		}
		size = fgetxattr(fd, name, value, sizeof(w->xattr_value));
		if (size < 0)
			return image_fail(w->e, -errno, "'%s': cannot read xattr '%s'", path, name);
		if (strcmp(name, OPAQUE_XATTR) == 0)
			*ret_opaque = size == 1 && value[0] == 'y';
		else
			archive_entry_xattr_add_entry(entry, name, value, (size_t)size);
	}
	return 0;
}

/* Symbolic links carry no xattrs in a layer; overlayfs may have put its own on them. */
static int tidy_link_xattrs(struct writer *w, int dir_fd, const char *name, const char *path)
{
	char *list = w->xattr_list;
	autofree char *full = NULL;
	ssize_t n;

	if (asprintf(&full, "/proc/self/fd/%d/%s", dir_fd, name) < 0)
		return image_fail(w->e, -ENOMEM, "out of memory");
	n = llistxattr(full, list, sizeof(w->xattr_list));
	if (n < 0)
		return errno == ENOTSUP
			   ? 0
			   : image_fail(w->e, -errno, "'%s': cannot list xattrs", path);
	for (char *x = list; x < list + n; x += strlen(x) + 1)
		if (lremovexattr(full, x) < 0 && errno != ENODATA)
			return image_fail(w->e, -errno, "'%s': cannot remove xattr '%s'", path, x);
	return 0;
}

/* Whole seconds, atime the same as mtime: what an import of the entry would set. */
static struct timespec whole(const struct timespec *t)
{
	return (struct timespec){t->tv_sec, 0};
}

static int set_times_at(int dir_fd, const char *name, const struct stat *st)
{
	struct timespec times[2] = {whole(&st->st_mtim), whole(&st->st_mtim)};

	return utimensat(dir_fd, name, times, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

/* ---- entries ---- */

static void fill_entry(struct archive_entry *entry, const char *path, const struct stat *st)
{
	archive_entry_clear(entry);
	if (!archive_entry_update_pathname_utf8(entry, path))
		archive_entry_copy_pathname(entry, path);
	archive_entry_set_mode(entry, st->st_mode);
	archive_entry_set_uid(entry, st->st_uid);
	archive_entry_set_gid(entry, st->st_gid);
	archive_entry_set_mtime(entry, st->st_mtim.tv_sec, 0);
}

static int write_header(struct writer *w, struct archive_entry *entry, const char *path)
{
	int r = archive_write_header(w->tar, entry);

	if (r == ARCHIVE_OK || r == ARCHIVE_WARN)
		return 0;
	return image_fail(w->e, w->write_error ? w->write_error : -EIO, "'%s': %s", path,
			  archive_error_string(w->tar));
}

/* An empty entry named @path: a whiteout or the opaque marker. */
static int marker(struct writer *w, struct archive_entry *entry, const char *path,
		  const struct stat *st)
{
	struct stat empty = {.st_mode = S_IFREG, .st_mtim = st->st_mtim};

	fill_entry(entry, path, &empty);
	archive_entry_set_size(entry, 0);
	return write_header(w, entry, path);
}

static int copy_data(struct writer *w, int fd, const char *path, uint64_t size)
{
	uint64_t done = 0;

	while (done < size) {
		ssize_t n = read(fd, w->buf, sizeof(w->buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return image_fail(w->e, -errno, "'%s': cannot read it", path);
		if (n == 0 || done + (uint64_t)n > size)
			return image_fail(w->e, -EIO, "'%s' changed while it was read", path);
		if (archive_write_data(w->tar, w->buf, (size_t)n) != n)
			return image_fail(w->e, w->write_error ? w->write_error : -EIO, "'%s': %s",
					  path, archive_error_string(w->tar));
		done += (uint64_t)n;
	}
	return 0;
}

/* A regular file: its data, or a hard link to the first name it was written under. */
static int regular(struct writer *w, struct archive_entry *entry, int fd, const char *path,
		   const struct stat *st)
{
	struct link_seen *grown;
	int r;

	for (size_t i = 0; st->st_nlink > 1 && i < w->n_links; i++) {
		if (w->links[i].dev != st->st_dev || w->links[i].ino != st->st_ino)
			continue;
		archive_entry_set_size(entry, 0);
		if (!archive_entry_update_hardlink_utf8(entry, w->links[i].path))
			archive_entry_copy_hardlink(entry, w->links[i].path);
		return write_header(w, entry, path);
	}
	archive_entry_set_size(entry, st->st_size);
	r = write_header(w, entry, path);
	if (r >= 0)
		r = copy_data(w, fd, path, (uint64_t)st->st_size);
	if (r < 0)
		return r;
	w->data_bytes += (uint64_t)st->st_size;
	if (st->st_nlink < 2)
		return 0;
	grown = realloc(w->links, (w->n_links + 1) * sizeof(*grown));
	if (!grown)
		return image_fail(w->e, -ENOMEM, "out of memory");
	w->links = grown; /* the old array is gone once realloc() succeeds */
	grown[w->n_links].path = strdup(path);
	if (!grown[w->n_links].path)
		return image_fail(w->e, -ENOMEM, "out of memory");
	grown[w->n_links].dev = st->st_dev;
	grown[w->n_links].ino = st->st_ino;
	w->n_links++;
	return 0;
}

static int walk_dir(struct writer *w, struct archive_entry *entry, int dir_fd, const char *path);

/* A file that can be opened: a directory, a regular file or a FIFO. */
static int opened(struct writer *w, struct archive_entry *entry, int dir_fd, const char *name,
		  const char *path, const struct stat *st)
{
	autoclose int fd = -1;
	struct timespec times[2] = {whole(&st->st_mtim), whole(&st->st_mtim)};
	bool opaque = false;
	int r;

	fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return image_fail(w->e, -errno, "'%s': cannot open it", path);
	fill_entry(entry, path, st);
	r = tidy_xattrs(w, fd, path, entry, &opaque);
	if (r < 0)
		return r;
	if (S_ISREG(st->st_mode))
		r = regular(w, entry, fd, path, st);
	else
		r = write_header(w, entry, path);
	if (r >= 0 && opaque) {
		snprintf(w->path2, sizeof(w->path2), "%s/.wh..wh..opq", path);
		r = marker(w, entry, w->path2, st);
	}
	if (r >= 0 && S_ISDIR(st->st_mode))
		r = walk_dir(w, entry, fd, path);
	/* After the children: removing one changed the directory's time. */
	if (r >= 0 && futimens(fd, times) < 0)
		r = image_fail(w->e, -errno, "'%s': cannot set its times", path);
	return r;
}

static int symlink_entry(struct writer *w, struct archive_entry *entry, int dir_fd,
			 const char *name, const char *path, const struct stat *st)
{
	char *target = w->link;
	ssize_t n = readlinkat(dir_fd, name, target, sizeof(w->link) - 1);
	int r;

	if (n < 0)
		return image_fail(w->e, -errno, "'%s': cannot read the link", path);
	target[n] = '\0';
	r = tidy_link_xattrs(w, dir_fd, name, path);
	if (r < 0)
		return r;
	fill_entry(entry, path, st);
	if (!archive_entry_update_symlink_utf8(entry, target))
		archive_entry_copy_symlink(entry, target);
	r = write_header(w, entry, path);
	if (r >= 0 && set_times_at(dir_fd, name, st) < 0)
		r = image_fail(w->e, -errno, "'%s': cannot set its times", path);
	return r;
}

static int one_entry(struct writer *w, struct archive_entry *entry, int dir_fd, const char *name,
		     const char *path)
{
	struct stat st;

	if (image_io_stop(w->o->io))
		return image_fail(w->e, -EINTR, "interrupted");
	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return image_fail(w->e, -errno, "'%s': cannot stat it", path);
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		size_t dir_len = strlen(path) - strlen(name);

		snprintf(w->path2, sizeof(w->path2), "%.*s.wh.%s", (int)dir_len, path, name);
		return marker(w, entry, w->path2, &st);
	}
	if (strncmp(name, ".wh.", 4) == 0)
		return image_fail(w->e, -EINVAL,
				  "'%s': a name starting with \".wh.\" cannot be in a layer (it "
				  "would read as a whiteout)",
				  path);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISSOCK(st.st_mode)) {
		warn_removed(w, path);
		return unlinkat(dir_fd, name, 0) < 0
			   ? image_fail(w->e, -errno, "'%s': cannot remove it", path)
			   : 0;
	}
	if (S_ISLNK(st.st_mode))
		return symlink_entry(w, entry, dir_fd, name, path, &st);
	return opened(w, entry, dir_fd, name, path, &st);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in the directory open at @fd, sorted. */
static int list_names(int fd, char ***ret, size_t *ret_n)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;

	if (!d) {
		if (dup_fd >= 0)
			(void)close(dup_fd);
		return -errno;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		char **grown;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown || !(grown[n] = strdup(de->d_name))) {
			names = grown ? grown : names;
			while (n-- > 0)
				free(names[n]);
			free(names);
			closedir(d);
			return -ENOMEM;
		}
		names = grown;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), compare_names);
	*ret = names;
	*ret_n = n;
	return 0;
}

static int walk_dir(struct writer *w, struct archive_entry *entry, int dir_fd, const char *path)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	r = list_names(dir_fd, &names, &n);
	if (r < 0)
		return image_fail(w->e, r, "'%s': cannot read the directory", path[0] ? path : "/");
	for (size_t i = 0; i < n; i++) {
		autofree char *child = NULL;

		if (r >= 0 && asprintf(&child, "%s%s%s", path, path[0] ? "/" : "", names[i]) < 0)
			r = image_fail(w->e, -ENOMEM, "out of memory");
		if (r >= 0 && strlen(child) >= PATH_MAX)
			r = image_fail(w->e, -ENAMETOOLONG, "'%.200s...': name too long", child);
		if (r >= 0)
			r = one_entry(w, entry, dir_fd, names[i], child);
		free(names[i]);
	}
	free(names);
	return r;
}

/* The root has no entry: it takes what the layers below give it, as an import would. */
static int tidy_root(struct writer *w)
{
	struct timespec times[2];
	struct stat st;
	bool opaque;
	int r;

	/* No layers below: root's 0755, and the time it has (in whole seconds). */
	if (fstat(w->o->lower_fd >= 0 ? w->o->lower_fd : w->o->root_fd, &st) < 0)
		return image_fail(w->e, -errno, "cannot stat the layer's root");
	times[0] = times[1] = st.st_mtim;
	if (w->o->lower_fd < 0) {
		st.st_mode = S_IFDIR | 0755;
		st.st_uid = 0;
		st.st_gid = 0;
		times[0] = times[1] = whole(&st.st_mtim);
	}
	{
		struct archive_entry *scratch = archive_entry_new();

		r = scratch ? tidy_xattrs(w, w->o->root_fd, "/", scratch, &opaque) : -ENOMEM;
		archive_entry_free(scratch);
	}
	if (r >= 0 &&
	    (fchown(w->o->root_fd, st.st_uid, st.st_gid) < 0 ||
	     fchmod(w->o->root_fd, st.st_mode & 07777) < 0 || futimens(w->o->root_fd, times) < 0))
		r = image_fail(w->e, -errno, "cannot set up the layer's root");
	return r;
}

int layertar_write(const struct layertar_opts *o, int dir_fd, const char *name,
		   struct layertar_result *ret, struct image_error *e)
{
	struct writer *w = calloc(1, sizeof(*w));
	struct archive_entry *entry = archive_entry_new();
	int r;

	if (!w || !entry) {
		free(w);
		archive_entry_free(entry);
		return image_fail(e, -ENOMEM, "out of memory");
	}
	w->o = o;
	w->e = e;
	w->out_fd =
	    openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	r = w->out_fd < 0 ? image_fail(e, -errno, "cannot create the layer's blob") : 0;
	if (r >= 0)
		r = open_writers(w);
	if (r >= 0)
		r = walk_dir(w, entry, o->root_fd, "");
	if (r >= 0)
		r = tidy_root(w);
	if (r >= 0)
		r = close_writers(w, ret);
	archive_entry_free(entry);
	free_writers(w);
	if (w->out_fd >= 0)
		(void)close(w->out_fd);
	free(w);
	return r;
}
