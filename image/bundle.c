/* image/bundle.c: see bundle.h.
 *
 * Invariants:
 * 1. A member is written only below the staging directory, under its cleaned name, by
 *    openat2 beneath that directory without following symlinks; no member name is ever used
 *    on the host as it is written in the archive.
 * 2. Link members are data, not files: nothing the archive says can make a later open
 *    follow a link out of the staging directory.
 * 3. No more than @max_bytes of data is written, whatever the headers claim. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/syscalls.h"
#include "image/bundle.h"
#include "image/error.h"
#include "image/io.h"
#include "image/pathname.h"

#define MAX_LINK_HOPS 8

static int add_link(struct bundle *b, const char *name, const char *target, bool hard)
{
	struct bundle_link *grown = realloc(b->links, (b->n_links + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	b->links = grown;
	grown[b->n_links] = (struct bundle_link){strdup(name), strdup(target), hard};
	b->n_links++;
	return grown[b->n_links - 1].name && grown[b->n_links - 1].target ? 0 : -ENOMEM;
}

/* The parent directories of @path, made below @dir_fd; the file's parent as an fd. */
static int open_parent(int dir_fd, const char *path, const char **ret_base)
{
	char parent[PATH_MAX];
	int fd;

	*ret_base = pathname_split(path, parent, sizeof(parent));
	if (parent[0])
		return fs_mkdir_p_in_root(dir_fd, parent, 0700);
	fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
	return fd < 0 ? -errno : fd;
}

struct writer {
	struct archive *a;
	uint64_t written, max;
	const struct image_io *io;
	int fd;
	char buf[64 * 1024];
};

/* The archive's bytes. libarchive's own fd reader retries a read a signal interrupted; this
 * one stops when told to, so that an import from a pipe that stalls can be interrupted. */
static ssize_t read_source(struct archive *a, void *data, const void **buf)
{
	struct writer *w = data;

	for (;;) {
		ssize_t n;

		if (image_io_stop(w->io)) {
			archive_set_error(a, EINTR, "interrupted");
			return -1;
		}
		n = read(w->fd, w->buf, sizeof(w->buf));
		if (n >= 0) {
			*buf = w->buf;
			return n;
		}
		if (errno != EINTR) {
			archive_set_error(a, errno, "cannot read it: %s", strerror(errno));
			return -1;
		}
	}
}

static int write_data(struct writer *w, int fd, const char *name, struct image_error *e)
{
	const void *buf;
	size_t size;
	int64_t offset;
	int r;

	while ((r = archive_read_data_block(w->a, &buf, &size, &offset)) == ARCHIVE_OK) {
		if (image_io_stop(w->io))
			return image_fail(e, -EINTR, "interrupted");
		w->written += size;
		if (w->written > w->max)
			return image_fail(e, -EFBIG,
					  "the archive holds more than %" PRIu64 " bytes", w->max);
		for (size_t done = 0; done < size;) {
			ssize_t n =
			    pwrite(fd, (const char *)buf + done, size - done, offset + (off_t)done);

			if (n < 0 && errno != EINTR)
				return image_fail(e, -errno, "cannot write member '%s'", name);
			done += n < 0 ? 0 : (size_t)n;
		}
		image_io_progress(w->io, w->written);
	}
	if (r != ARCHIVE_EOF)
		return image_fail(e, -EPROTO, "member '%s': %s", name, archive_error_string(w->a));
	return 0;
}

static int write_file(struct writer *w, int dir_fd, const char *path, struct image_error *e)
{
	autoclose int parent_fd = -1, fd = -1;
	const char *base;

	parent_fd = open_parent(dir_fd, path, &base);
	if (parent_fd < 0)
		return image_fail(e, parent_fd, "cannot make the directory of member '%s': %s",
				  path, strerror(-parent_fd));
	fd = openat(parent_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == EEXIST)
		return image_fail(e, -EEXIST, "member '%s' appears twice in the archive", path);
	if (fd < 0)
		return image_fail(e, -errno, "cannot create member '%s': %s", path,
				  strerror(errno));
	return write_data(w, fd, path, e);
}

static int take_member(struct writer *w, struct archive_entry *entry, struct bundle *b,
		       struct image_error *e)
{
	const char *name = archive_entry_pathname(entry), *hard = archive_entry_hardlink(entry);
	char path[PATH_MAX];
	bool absolute;
	int r;

	if (!name)
		return image_fail(e, -EPROTO, "an archive member has no name");
	r = pathname_clean(name, path, sizeof(path), &absolute);
	if (r == -EINVAL)
		return image_fail(e, -EPROTO, "archive member '%.200s' has a '..' component", name);
	if (r < 0 || absolute)
		return image_fail(e, -EPROTO, "archive member '%.200s' has an %s name", name,
				  absolute ? "absolute" : "overlong");
	if (hard)
		return add_link(b, path, hard, true) < 0 ? image_fail(e, -ENOMEM, "out of memory")
							 : 0;
	switch (archive_entry_filetype(entry)) {
	case AE_IFDIR:
		r = path[0] ? fs_mkdir_p_in_root(b->dir_fd, path, 0700) : 0;
		if (r > 0)
			(void)close(r);
		return r < 0 ? image_fail(e, r, "cannot make directory member '%s'", path) : 0;
	case AE_IFREG:
		return write_file(w, b->dir_fd, path, e);
	case AE_IFLNK:
		return add_link(b, path, archive_entry_symlink(entry) ?: "", false) < 0
			   ? image_fail(e, -ENOMEM, "out of memory")
			   : 0;
	default:
		return image_fail(e, -EPROTO,
				  "archive member '%.200s' is not a file, directory or link", path);
	}
}

int bundle_unpack(int fd, int dir_fd, uint64_t max_bytes, const struct image_io *io,
		  struct bundle *ret, struct image_error *e)
{
	struct archive *a = archive_read_new();
	struct writer *w = calloc(1, sizeof(*w));
	struct bundle b = {.dir_fd = dir_fd};
	struct archive_entry *entry;
	int r = 0, ar;

	if (!a || !w) {
		free(w);
		if (a)
			archive_read_free(a);
		return image_fail(e, -ENOMEM, "out of memory");
	}
	*w = (struct writer){.a = a, .max = max_bytes, .io = io, .fd = fd};
	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	if (archive_read_open(a, w, NULL, read_source, NULL) != ARCHIVE_OK)
		r = image_fail(e, -EPROTO, "not a tar archive: %s", archive_error_string(a));
	while (r >= 0 && (ar = archive_read_next_header(a, &entry)) != ARCHIVE_EOF) {
		/* A warning is a name that does not convert to the locale: bytes are fine. */
		if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN)
			r = image_fail(e, -EPROTO, "not a readable tar archive: %s",
				       archive_error_string(a));
		else
			r = take_member(w, entry, &b, e);
	}
	if (r < 0 && image_io_stop(io))
		r = image_fail(e, -EINTR, "interrupted");
	archive_read_free(a);
	free(w);
	if (r < 0) {
		bundle_free(&b);
		return r;
	}
	*ret = b;
	return 0;
}

static const struct bundle_link *find_link(const struct bundle *b, const char *name)
{
	for (size_t i = 0; i < b->n_links; i++)
		if (strcmp(b->links[i].name, name) == 0)
			return &b->links[i];
	return NULL;
}

int bundle_resolve(const struct bundle *b, const char *name, const char *what, char ret[PATH_MAX],
		   struct image_error *e)
{
	char path[PATH_MAX], next[PATH_MAX];
	const struct bundle_link *l;
	bool absolute;

	if (pathname_clean(name, path, sizeof(path), &absolute) < 0 || absolute || !path[0])
		return image_fail(e, -EINVAL, "%s names '%.200s', which is not a member name", what,
				  name);
	for (int hop = 0; (l = find_link(b, path)); hop++) {
		int r = l->hard ? pathname_clean(l->target, next, sizeof(next), &absolute)
				: pathname_resolve_link(path, l->target, next, sizeof(next));

		if (r < 0 || absolute || hop == MAX_LINK_HOPS)
			return image_fail(
			    e, -EXDEV, "%s names '%.200s', a link to '%.200s' outside the archive",
			    what, name, l->target);
		memcpy(path, next, sizeof(path));
	}
	if (faccessat(b->dir_fd, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return image_fail(e, -ENOENT, "%s names '%.200s', which is not in the archive",
				  what, name);
	memcpy(ret, path, PATH_MAX);
	return 0;
}

void bundle_free(struct bundle *b)
{
	for (size_t i = 0; i < b->n_links; i++) {
		free(b->links[i].name);
		free(b->links[i].target);
	}
	free(b->links);
	b->links = NULL;
	b->n_links = 0;
}
