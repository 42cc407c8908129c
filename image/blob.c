/* image/blob.c: see blob.h.
 *
 * Invariants:
 * 1. A digest becomes a path only after image_digest_valid() accepted it.
 * 2. Blobs are opened beneath their source directory without following any symlink, and
 *    must be regular files: a blob can never be a host file or a device.
 * 3. Nothing reads past a descriptor's size: the size is checked on the fd before reading,
 *    and a blob that grows meanwhile fails the digest. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/syscalls.h"
#include "image/blob.h"
#include "image/digest.h"
#include "image/error.h"
#include "image/io.h"

#define COPY_CHUNK (1024 * 1024)

int blob_layout_path(const char *digest, const char *what, char buf[80], struct image_error *e)
{
	if (!image_digest_valid(digest))
		return image_fail(
		    e, -EPROTO,
		    "%s: malformed digest '%.80s' (expected sha256: and 64 lowercase hex "
		    "digits)",
		    what, digest ? digest : "(none)");
	snprintf(buf, 80, "blobs/sha256/%s", digest + 7);
	return 0;
}

int blob_open(int dir_fd, const char *path, uint64_t size, const char *what, struct image_error *e)
{
	autoclose int fd = -1;
	struct stat st;

	fd = sys_openat2(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0,
			 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return image_fail(e, -ENOENT, "%s: blob not found ('%s' is missing)", what, path);
	if (fd < 0 && errno == ELOOP)
		return image_fail(e, -ELOOP, "%s: '%s' is a symbolic link", what, path);
	if (fd < 0)
		return image_fail(e, -errno, "%s: cannot open '%s': %s", what, path,
				  strerror(errno));
	if (fstat(fd, &st) < 0)
		return image_fail(e, -errno, "%s: cannot stat '%s'", what, path);
	if (!S_ISREG(st.st_mode))
		return image_fail(e, -EPROTO, "%s: '%s' is not a regular file", what, path);
	if (size != UINT64_MAX && (uint64_t)st.st_size != size)
		return image_fail(e, -EPROTO,
				  "%s: size mismatch: the descriptor says %" PRIu64
				  " bytes, the blob has %" PRIu64,
				  what, size, (uint64_t)st.st_size);
	return take_fd(fd);
}

int blob_read(int layout_fd, const struct image_descriptor *d, const char *what, char **ret,
	      size_t *ret_len, struct image_error *e)
{
	autoclose int fd = -1;
	autofree char *data = NULL;
	char path[80], got[IMAGE_DIGEST_LEN + 1];
	size_t len = 0;
	int r;

	r = blob_layout_path(d->digest, what, path, e);
	if (r < 0)
		return r;
	if (d->size > BLOB_SMALL_MAX)
		return image_fail(e, -EFBIG, "%s: %" PRIu64 " bytes is too large for a %s", what,
				  d->size, "document (at most 16 MiB)");
	/* Any size: a document is small, and its digest says best what is wrong with it. */
	fd = blob_open(layout_fd, path, UINT64_MAX, what, e);
	if (fd < 0)
		return fd;
	r = fs_read_small(fd, BLOB_SMALL_MAX, &data, &len);
	if (r < 0)
		return image_fail(e, r, "%s: cannot read it: %s", what, strerror(-r));
	r = digest_buffer(data, len, got);
	if (r >= 0 && strcmp(got, d->digest) != 0)
		r = image_fail(e, -EPROTO,
			       "%s: digest mismatch: the blob hashes to %s (%zu bytes; the "
			       "descriptor says %" PRIu64 ")",
			       what, got, len, d->size);
	if (r >= 0 && len != d->size)
		r = image_fail(e, -EPROTO,
			       "%s: size mismatch: the descriptor says %" PRIu64 " bytes, the blob "
			       "has %zu",
			       what, d->size, len);
	if (r < 0)
		return r;
	*ret = take_ptr(data);
	*ret_len = len;
	return 0;
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read @src_fd to its end, hashing, and copying to @dst_fd unless it is -1. Exactly @size
 * bytes must come. */
static int pump(int src_fd, int dst_fd, uint64_t size, const struct image_io *io, struct digest *d,
		struct image_error *e)
{
	autofree char *buf = malloc(COPY_CHUNK);
	uint64_t done = 0;

	if (!buf)
		return image_fail(e, -ENOMEM, "out of memory");
	for (;;) {
		ssize_t n = read(src_fd, buf, COPY_CHUNK);
		int r;

		if (image_io_stop(io))
			return image_fail(e, -EINTR, "interrupted");
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return image_fail(e, -errno, "cannot read the blob: %s", strerror(errno));
		if (n == 0)
			break;
		done += (uint64_t)n;
		if (done > size)
			return image_fail(e, -EPROTO, "the blob is larger than %" PRIu64 " bytes",
					  size);
		digest_update(d, buf, (size_t)n);
		r = dst_fd < 0 ? 0 : write_all(dst_fd, buf, (size_t)n);
		if (r < 0)
			return image_fail(e, r, "cannot write the blob: %s", strerror(-r));
		image_io_progress(io, done);
	}
	if (done != size)
		return image_fail(e, -EPROTO,
				  "the blob ended after %" PRIu64 " of %" PRIu64 " bytes", done,
				  size);
	return 0;
}

int blob_store(int src_dir_fd, const char *src_path, int src_fd, uint64_t size, bool link,
	       int dst_dir_fd, const char *name, const struct image_io *io,
	       char ret_digest[IMAGE_DIGEST_LEN + 1], struct image_error *e)
{
	struct digest *d __attribute__((cleanup(digest_freep))) = NULL;
	autoclose int dst_fd = -1;
	int r;

	r = digest_new(&d);
	if (r < 0)
		return image_fail(e, r, "out of memory");
	if (!link) {
		dst_fd = openat(dst_dir_fd, name,
				O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (dst_fd < 0)
			return image_fail(e, -errno, "cannot create '%s' in the store: %s", name,
					  strerror(errno));
	}
	r = pump(src_fd, dst_fd, size, io, d, e);
	if (r >= 0)
		r = digest_final(d, ret_digest);
	if (r >= 0 && link && linkat(src_dir_fd, src_path, dst_dir_fd, name, 0) < 0)
		r = image_fail(e, -errno, "cannot link '%s' into the store: %s", src_path,
			       strerror(errno));
	return r;
}

int blob_write(int dir_fd, const char *name, const char *data, size_t len)
{
	autoclose int fd = -1;

	fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	return write_all(fd, data, len);
}

int blob_stage_bytes(int blobs_fd, const char *digest, const char *data, size_t len)
{
	int r = blob_write(blobs_fd, digest + 7, data, len);

	return r == -EEXIST ? 0 : r;
}
