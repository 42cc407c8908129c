/* image/unpack.c: see unpack.h. The entries of a layer's tar, one at a time.
 *
 * Invariants:
 * 1. Every file is made by an *at() call on a parent directory fd that unpack_walk() opened
 *    one component at a time with O_NOFOLLOW from the layer's root: no name in the tar can
 *    reach outside the layer, and no symbolic link is ever followed, whichever entry made it.
 * 2. A directory fd is never kept from one entry to the next: a later entry may replace the
 *    directory (by a link, even), and the next entry must see that.
 * 3. Data goes in as it comes, never beyond o->max_bytes, and is never preallocated: a
 *    header's size claim costs nothing until the data is there.
 * 4. Ownership and mode are set after the data, capabilities after the owner (chown clears
 *    security.capability and set-user-ID). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/store.h"
#include "common/syscalls.h"
#include "image/error.h"
#include "image/io.h"
#include "image/pathname.h"
#include "image/unpack_int.h"

void unpack_warn(struct unpack *u, const char *fmt, ...)
{
	char text[600];
	va_list ap;

	if (!u->o->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	u->o->warn(u->o->warn_data, text);
}

int unpack_note_time(struct unpack *u, const char *path, const struct timespec *mtime)
{
	struct dir_time *grown = realloc(u->times, (u->n_times + 1) * sizeof(*grown));

	if (!grown)
		return image_fail(u->e, -ENOMEM, "out of memory");
	u->times = grown;
	grown[u->n_times].path = strdup(path);
	grown[u->n_times].mtime = *mtime;
	if (!grown[u->n_times].path)
		return image_fail(u->e, -ENOMEM, "out of memory");
	u->n_times++;
	return 0;
}

/* A directory the tar does not list but one of its entries is in: as the layers below have
 * it (overlayfs shows the topmost layer's directory), else root's 0755. */
static int make_implicit(struct unpack *u, int parent_fd, const char *name, const char *path)
{
	autoclose int lower_fd = -1;
	struct stat st = {.st_mode = S_IFDIR | 0755};

	if (mkdirat(parent_fd, name, 0700) < 0)
		return image_fail(u->e, -errno, "cannot make directory '%s': %s", path,
				  strerror(errno));
	if (u->o->lower_fd >= 0)
		lower_fd =
		    sys_openat2(u->o->lower_fd, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
				RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (lower_fd >= 0 && fstat(lower_fd, &st) < 0)
		return image_fail(u->e, -errno, "cannot stat '%s' in the layers below", path);
	if (fchownat(parent_fd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(parent_fd, name, st.st_mode & 07777, 0) < 0)
		return image_fail(u->e, -errno, "cannot set up directory '%s': %s", path,
				  strerror(errno));
	return lower_fd >= 0 ? unpack_note_time(u, path, &st.st_mtim) : 0;
}

/* A whiteout where a later entry needs a directory: the directory replaces it, and still
 * hides what the layers below had there. */
static int replace_whiteout(struct unpack *u, int parent_fd, const char *name, const char *path)
{
	autoclose int fd = -1;
	int r;

	if (unlinkat(parent_fd, name, 0) < 0)
		return image_fail(u->e, -errno, "cannot replace whiteout '%s'", path);
	r = make_implicit(u, parent_fd, name, path);
	if (r < 0)
		return r;
	fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || unpack_make_opaque(fd) < 0)
		return image_fail(u->e, -errno, "cannot make '%s' opaque: %s", path,
				  strerror(errno));
	return 0;
}

/* Open @name below @fd as a directory, or say why it cannot be one. */
static int step(struct unpack *u, int fd, const char *name, const char *path, bool create)
{
	struct stat st = {0};
	int next, r;

	next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (next >= 0 || (errno != ENOENT && errno != ELOOP && errno != ENOTDIR))
		return next >= 0 ? next : image_fail(u->e, -errno, "cannot open '%s'", path);
	if (errno == ENOENT) {
		if (!create)
			return image_fail(u->e, -ENOENT, "'%s' is not in this layer", path);
		r = make_implicit(u, fd, name, path);
	} else if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		return image_fail(u->e, -ELOOP,
				  "it would be written through the symbolic link '%s' (refused)",
				  path);
	} else if (create && unpack_is_whiteout(&st)) {
		r = replace_whiteout(u, fd, name, path);
	} else {
		return image_fail(u->e, -ENOTDIR, "'%s' is not a directory in this layer", path);
	}
	if (r < 0)
		return r;
	next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return next >= 0 ? next : image_fail(u->e, -errno, "cannot open '%s'", path);
}

int unpack_walk(struct unpack *u, const char *path, bool create)
{
	autoclose int fd = fcntl(u->o->root_fd, F_DUPFD_CLOEXEC, 3);
	char prefix[PATH_MAX];
	size_t used = 0;

	if (fd < 0)
		return image_fail(u->e, -errno, "cannot open the layer directory");
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		int next;

		/* @path is clean: components are never empty, "." or "..". */
		memcpy(prefix + used, p, n);
		used += n;
		prefix[used] = '\0';
		next = step(u, fd, prefix + used - n, prefix, create);
		if (next < 0)
			return next;
		(void)close(fd);
		fd = next;
		p += n + (p[n] == '/');
		prefix[used++] = '/';
	}
	return take_fd(fd);
}

/* Make room for a new @name below @parent_fd. 1 when a directory is there and @keep_dir. */
static int clear_name(struct unpack *u, int parent_fd, const char *name, bool keep_dir,
		      bool *ret_was_whiteout)
{
	struct stat st;
	int r;

	*ret_was_whiteout = false;
	if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : image_fail(u->e, -errno, "cannot stat it");
	if (S_ISDIR(st.st_mode) && keep_dir)
		return 1;
	*ret_was_whiteout = unpack_is_whiteout(&st);
	/* Later entries replace earlier ones, as tar does; a directory goes with its contents
	 * (all of them this layer's, and no mount can be below the staging directory). */
	r = S_ISDIR(st.st_mode) ? store_remove_tree(parent_fd, name)
				: (unlinkat(parent_fd, name, 0) < 0 ? -errno : 0);
	return r < 0 ? image_fail(u->e, r, "cannot replace the earlier entry: %s", strerror(-r))
		     : 0;
}

static int add_dir(struct unpack *u, int parent_fd, const char *base, const char *path,
		   struct archive_entry *entry)
{
	autoclose int fd = -1;
	struct timespec times[2];
	bool was_whiteout;
	int r;

	r = clear_name(u, parent_fd, base, true, &was_whiteout);
	if (r == 0 && mkdirat(parent_fd, base, 0700) < 0)
		return image_fail(u->e, -errno, "cannot make it: %s", strerror(errno));
	if (r < 0)
		return r;
	fd = openat(parent_fd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return image_fail(u->e, -errno, "cannot open it");
	if (was_whiteout && unpack_make_opaque(fd) < 0)
		return image_fail(u->e, -errno, "cannot make it opaque: %s", strerror(errno));
	r = unpack_meta_fd(u, fd, entry);
	if (r < 0)
		return r;
	unpack_entry_times(entry, times);
	return unpack_note_time(u, path, &times[1]);
}

static int write_data(struct unpack *u, int fd, struct archive_entry *entry)
{
	const void *buf;
	size_t size;
	int64_t offset;
	int r;

	while ((r = archive_read_data_block(u->tar, &buf, &size, &offset)) == ARCHIVE_OK) {
		if (image_io_stop(u->o->io))
			return image_fail(u->e, -EINTR, "interrupted");
		if (!archive_entry_sparse_count(entry) && size > u->o->max_bytes - u->bytes)
			return image_fail(u->e, -EFBIG,
					  "the layer holds more than %" PRIu64
					  " bytes of data (see --max-layer-size)",
					  u->o->max_bytes);
		if (!archive_entry_sparse_count(entry))
			u->bytes += size;
		else if (offset < 0 ||
			 (uint64_t)offset + size > (uint64_t)archive_entry_size(entry))
			return image_fail(u->e, -EPROTO, "its sparse map reaches past its size");
		for (size_t done = 0; done < size;) {
			ssize_t n = pwrite(fd, (const char *)buf + done, size - done,
					   (off_t)offset + (off_t)done);

			if (n < 0 && errno != EINTR)
				return image_fail(u->e, -errno, "cannot write it: %s",
						  strerror(errno));
			done += n < 0 ? 0 : (size_t)n;
		}
	}
	if (r == ARCHIVE_EOF)
		return 0;
	if (strstr(archive_error_string(u->tar) ?: "", "Truncated"))
		return image_fail(u->e, -EPROTO, "unexpected end of archive in its data (%s)",
				  archive_error_string(u->tar));
	return image_fail(u->e, -EPROTO, "cannot read its data: %s", archive_error_string(u->tar));
}

/* A sparse file costs its full size against the limit: that is what it would be inside. */
static int check_sparse(struct unpack *u, struct archive_entry *entry)
{
	uint64_t size = (uint64_t)archive_entry_size(entry);

	if (!archive_entry_sparse_count(entry))
		return 0;
	if (size > u->o->max_bytes - u->bytes)
		return image_fail(u->e, -EFBIG,
				  "a sparse file of %" PRIu64 " bytes: the layer would hold more "
				  "than %" PRIu64 " (see --max-layer-size)",
				  size, u->o->max_bytes);
	u->bytes += size;
	return 0;
}

static int add_file(struct unpack *u, int parent_fd, const char *base, struct archive_entry *entry)
{
	autoclose int fd = -1;
	struct timespec times[2];
	bool was_whiteout;
	int r;

	r = check_sparse(u, entry);
	if (r >= 0)
		r = clear_name(u, parent_fd, base, false, &was_whiteout);
	if (r < 0)
		return r;
	fd = openat(parent_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return image_fail(u->e, -errno, "cannot create it: %s", strerror(errno));
	r = write_data(u, fd, entry);
	if (r >= 0 && archive_entry_sparse_count(entry) &&
	    ftruncate(fd, (off_t)archive_entry_size(entry)) < 0)
		r = image_fail(u->e, -errno, "cannot size it: %s", strerror(errno));
	if (r >= 0)
		r = unpack_meta_fd(u, fd, entry);
	unpack_entry_times(entry, times);
	if (r >= 0 && futimens(fd, times) < 0)
		r = image_fail(u->e, -errno, "cannot set its times");
	return r;
}

static int add_symlink(struct unpack *u, int parent_fd, const char *base,
		       struct archive_entry *entry)
{
	const char *target = archive_entry_symlink(entry);
	bool was_whiteout;
	int r;

	if (!target || !target[0])
		return image_fail(u->e, -EPROTO, "a symbolic link without a target");
	r = clear_name(u, parent_fd, base, false, &was_whiteout);
	if (r < 0)
		return r;
	/* The target is stored as it is: it is resolved inside the session, never here. */
	if (symlinkat(target, parent_fd, base) < 0)
		return image_fail(u->e, -errno, "cannot make the link: %s", strerror(errno));
	return unpack_meta_at(u, parent_fd, base, entry, true);
}

static int add_fifo(struct unpack *u, int parent_fd, const char *base, struct archive_entry *entry)
{
	bool was_whiteout;
	int r;

	r = clear_name(u, parent_fd, base, false, &was_whiteout);
	if (r < 0)
		return r;
	if (mknodat(parent_fd, base, S_IFIFO | 0600, 0) < 0)
		return image_fail(u->e, -errno, "cannot make the FIFO: %s", strerror(errno));
	return unpack_meta_at(u, parent_fd, base, entry, false);
}

static int add_hardlink(struct unpack *u, int parent_fd, const char *base, const char *link)
{
	autoclose int target_dir_fd = -1;
	char target[PATH_MAX], dir[PATH_MAX];
	const char *target_base;
	struct stat st, mine;
	bool absolute, was_whiteout;
	int r;

	r = pathname_clean(link, target, sizeof(target), &absolute);
	if (r < 0 || !target[0])
		return image_fail(u->e, -EPROTO, "a hard link to '%.200s', outside the layer",
				  link);
	target_base = pathname_split(target, dir, sizeof(dir));
	target_dir_fd = unpack_walk(u, dir, false);
	if (target_dir_fd < 0 || fstatat(target_dir_fd, target_base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return image_fail(u->e, -ENOENT,
				  "a hard link to '%.200s', which is not in this layer", link);
	if (S_ISDIR(st.st_mode) || unpack_is_whiteout(&st))
		return image_fail(u->e, -EPROTO, "a hard link to '%.200s', which is a %s", link,
				  S_ISDIR(st.st_mode) ? "directory" : "whiteout");
	if (fstatat(parent_fd, base, &mine, AT_SYMLINK_NOFOLLOW) == 0 && mine.st_ino == st.st_ino &&
	    mine.st_dev == st.st_dev)
		return 0;
	r = clear_name(u, parent_fd, base, false, &was_whiteout);
	if (r < 0)
		return r;
	/* Flags 0: never AT_SYMLINK_FOLLOW, a link to a symbolic link links the link. */
	if (linkat(target_dir_fd, target_base, parent_fd, base, 0) < 0)
		return image_fail(u->e, -errno, "cannot link it: %s", strerror(errno));
	return 0;
}

static int add_entry(struct unpack *u, struct archive_entry *entry, const char *path)
{
	autoclose int parent_fd = -1;
	const char *hard = archive_entry_hardlink(entry), *base;
	char dir[PATH_MAX];
	unsigned type = archive_entry_filetype(entry);

	base = pathname_split(path, dir, sizeof(dir));
	if (strncmp(base, ".wh.", 4) == 0)
		return unpack_whiteout(u, dir, base, path);
	if (!hard && (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFSOCK || !type)) {
		unpack_warn(u, "entry '%s': a %s is not imported, skipped", path,
			    type == AE_IFCHR   ? "character device"
			    : type == AE_IFBLK ? "block device"
					       : "special file");
		return 0;
	}
	parent_fd = unpack_walk(u, dir, true);
	if (parent_fd < 0)
		return parent_fd;
	if (hard)
		return add_hardlink(u, parent_fd, base, hard);
	switch (type) {
	case AE_IFDIR:
		return add_dir(u, parent_fd, base, path, entry);
	case AE_IFREG:
		return add_file(u, parent_fd, base, entry);
	case AE_IFLNK:
		return add_symlink(u, parent_fd, base, entry);
	default: /* AE_IFIFO */
		return add_fifo(u, parent_fd, base, entry);
	}
}

static int add_root(struct unpack *u, struct archive_entry *entry)
{
	struct timespec times[2];
	int r;

	if (archive_entry_filetype(entry) != AE_IFDIR || archive_entry_hardlink(entry))
		return image_fail(u->e, -EPROTO, "the top directory is not a directory");
	r = unpack_meta_fd(u, u->o->root_fd, entry);
	if (r < 0)
		return r;
	unpack_entry_times(entry, times);
	return unpack_note_time(u, "", &times[1]);
}

static int next_entry(struct unpack *u, struct archive_entry *entry)
{
	const char *name = archive_entry_pathname(entry);
	char path[PATH_MAX];
	bool absolute;
	int r;

	if (!name)
		return image_fail(u->e, -EPROTO, "an entry has no name");
	r = pathname_clean(name, path, sizeof(path), &absolute);
	if (r == -EINVAL)
		return image_fail(u->e, -EPROTO, "entry '%.200s' has a '..' component (refused)",
				  name);
	if (r < 0)
		return image_fail(u->e, r, "entry '%.100s...' has an overlong name", name);
	if (absolute)
		unpack_warn(u, "entry '%.200s': absolute name, unpacked as '%s'", name, path);
	r = path[0] ? add_entry(u, entry, path) : add_root(u, entry);
	return r < 0 ? image_fail_context(u->e, r, "entry '%.200s'", name) : 0;
}

/* The layer's root before any entry: a tar rarely lists "./", and the root of the topmost
 * layer is what the session's "/" looks like. */
static int init_root(struct unpack *u)
{
	struct stat st = {.st_mode = S_IFDIR | 0755};

	if (u->o->lower_fd >= 0 && fstat(u->o->lower_fd, &st) < 0)
		return image_fail(u->e, -errno, "cannot stat the layers below");
	if (fchown(u->o->root_fd, st.st_uid, st.st_gid) < 0 ||
	    fchmod(u->o->root_fd, st.st_mode & 07777) < 0)
		return image_fail(u->e, -errno, "cannot set up the layer's root: %s",
				  strerror(errno));
	return u->o->lower_fd >= 0 ? unpack_note_time(u, "", &st.st_mtim) : 0;
}

static int set_times(struct unpack *u)
{
	for (size_t i = 0; i < u->n_times; i++) {
		struct timespec times[2] = {u->times[i].mtime, u->times[i].mtime};
		autoclose int fd = unpack_walk(u, u->times[i].path, false);

		/* Gone since (replaced by a later entry): nothing to do. */
		if (fd >= 0 && futimens(fd, times) < 0)
			return image_fail(u->e, -errno, "cannot set the times of '%s'",
					  u->times[i].path);
	}
	return 0;
}

int unpack_layer(struct archive *tar, const struct unpack_opts *o, uint64_t *ret_bytes,
		 struct image_error *e)
{
	struct unpack u = {.o = o, .tar = tar, .e = e};
	struct archive_entry *entry;
	int r, ar;

	r = init_root(&u);
	/* ARCHIVE_WARN is a name that is not in the locale's charset: its bytes are fine. */
	while (r >= 0 && (ar = archive_read_next_header(tar, &entry)) != ARCHIVE_EOF) {
		if (image_io_stop(o->io))
			r = image_fail(e, -EINTR, "interrupted");
		else if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN)
			r = image_fail(e, -EPROTO, "not a readable tar archive: %s",
				       archive_error_string(tar));
		else
			r = next_entry(&u, entry);
	}
	if (r >= 0)
		r = set_times(&u);
	if (r >= 0 && u.dropped[0])
		unpack_warn(&u,
			    "extended attributes not kept: %s (only user.* and "
			    "security.capability are)",
			    u.dropped);
	for (size_t i = 0; i < u.n_times; i++)
		free(u.times[i].path);
	free(u.times);
	if (r >= 0)
		*ret_bytes = u.bytes;
	return r;
}
