/* image/layerstream.c: see layerstream.h. */
#include <archive.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/error.h"
#include "image/io.h"
#include "image/layerstream.h"

#define CHUNK (256 * 1024)

struct layer_stream {
	int fd;
	const struct image_io *io;
	struct archive *raw; /* decompresses */
	struct archive *tar; /* parses */
	struct digest *digest;
	uint64_t blob_bytes;
	uint64_t tar_bytes; /* uncompressed, handed to the tar reader */
	bool raw_ended;     /* no data at all, or all of it read */
	bool padded;
	char error[300];
	char in[CHUNK];  /* compressed, for the raw reader */
	char out[CHUNK]; /* uncompressed, for the tar reader */
};

static ssize_t read_blob(struct archive *a, void *data, const void **buf)
{
	struct layer_stream *s = data;
	ssize_t n;

	if (image_io_stop(s->io)) {
		snprintf(s->error, sizeof(s->error), "interrupted");
		archive_set_error(a, EINTR, "interrupted");
		return -1;
	}
	do
		n = read(s->fd, s->in, sizeof(s->in));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(s->error, sizeof(s->error), "cannot read the blob: %s", strerror(errno));
		archive_set_error(a, errno, "%s", s->error);
		return -1;
	}
	s->blob_bytes += (uint64_t)n;
	image_io_progress(s->io, s->blob_bytes);
	*buf = s->in;
	return n;
}

/* The next uncompressed bytes, hashed: 0 at the end, -1 (s->error says why) on failure. */
static ssize_t pull(struct layer_stream *s)
{
	ssize_t n;

	if (s->raw_ended)
		return 0;
	n = archive_read_data(s->raw, s->out, sizeof(s->out));
	if (n < 0) {
		if (!s->error[0])
			snprintf(s->error, sizeof(s->error),
				 "corrupt or truncated compressed data (%s)",
				 archive_error_string(s->raw));
		return -1;
	}
	if (n == 0)
		s->raw_ended = true;
	digest_update(s->digest, s->out, (size_t)n);
	return n;
}

/* After the last byte, zeros to the end of its 512-byte block and two end-of-archive blocks,
 * hashed with nothing: umoci <= 0.4.7 wrote layers without them (umoci issue #436), which
 * Go's archive/tar and bsdtar accept. A stream cut short anywhere else still fails: the tar
 * reader finds a member's data missing, or the diff_id, taken of the real bytes, is wrong. */
static ssize_t pad(struct layer_stream *s)
{
	size_t n = (512 - s->tar_bytes % 512) % 512 + 1024;

	if (s->padded)
		return 0;
	s->padded = true;
	memset(s->out, 0, n);
	return (ssize_t)n;
}

static ssize_t read_tar(struct archive *a, void *data, const void **buf)
{
	struct layer_stream *s = data;
	ssize_t n = pull(s);

	if (n < 0) {
		archive_set_error(a, EIO, "%s", s->error);
		return -1;
	}
	s->tar_bytes += (uint64_t)n;
	if (n == 0)
		n = pad(s);
	*buf = s->out;
	return n;
}

static int expect_filter(struct layer_stream *s, enum compression c, struct image_error *e)
{
	static const struct {
		int code;
		const char *name;
	} filters[] = {
	    [COMPRESSION_NONE] = {ARCHIVE_FILTER_NONE, "an uncompressed tar"},
	    [COMPRESSION_GZIP] = {ARCHIVE_FILTER_GZIP, "gzip"},
	    [COMPRESSION_ZSTD] = {ARCHIVE_FILTER_ZSTD, "zstd"},
	};

	/* libarchive falls back to no filter for data it does not recognise. */
	if (archive_filter_code(s->raw, 0) != filters[c].code)
		return image_fail(e, -EPROTO, "the blob is not %s, as its media type says",
				  filters[c].name);
	return 0;
}

static int open_raw(struct layer_stream *s, enum compression c, struct image_error *e)
{
	struct archive_entry *entry;
	int r;

	s->raw = archive_read_new();
	if (!s->raw)
		return image_fail(e, -ENOMEM, "out of memory");
	if ((c == COMPRESSION_GZIP && archive_read_support_filter_gzip(s->raw) != ARCHIVE_OK) ||
	    (c == COMPRESSION_ZSTD && archive_read_support_filter_zstd(s->raw) != ARCHIVE_OK))
		return image_fail(e, -ENOTSUP, "this libarchive cannot decompress the layer");
	archive_read_support_format_raw(s->raw);
	if (archive_read_open(s->raw, s, NULL, read_blob, NULL) != ARCHIVE_OK)
		return image_fail(e, -EPROTO, "%s",
				  s->error[0] ? s->error : archive_error_string(s->raw));
	r = expect_filter(s, c, e);
	if (r < 0)
		return r;
	r = archive_read_next_header(s->raw, &entry);
	if (r == ARCHIVE_EOF)
		s->raw_ended = true; /* an empty blob: the tar reader says what it thinks */
	else if (r != ARCHIVE_OK)
		return image_fail(e, -EPROTO, "corrupt or truncated compressed data (%s)",
				  archive_error_string(s->raw));
	return 0;
}

int layer_stream_open(int blob_fd, enum compression c, const struct image_io *io,
		      struct layer_stream **ret, struct image_error *e)
{
	struct layer_stream *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return image_fail(e, -ENOMEM, "out of memory");
	s->fd = blob_fd;
	s->io = io;
	r = digest_new(&s->digest);
	if (r < 0)
		r = image_fail(e, r, "out of memory");
	if (r >= 0)
		r = open_raw(s, c, e);
	if (r >= 0) {
		s->tar = archive_read_new();
		r = s->tar ? 0 : image_fail(e, -ENOMEM, "out of memory");
	}
	if (r >= 0) {
		archive_read_support_format_tar(s->tar);
		if (archive_read_open(s->tar, s, NULL, read_tar, NULL) != ARCHIVE_OK)
			r = image_fail(e, -EPROTO, "not a tar archive (%s)",
				       s->error[0] ? s->error : archive_error_string(s->tar));
	}
	if (r < 0) {
		layer_stream_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

struct archive *layer_stream_tar(struct layer_stream *s)
{
	return s->tar;
}

const char *layer_stream_error(const struct layer_stream *s)
{
	return s->error[0] ? s->error : NULL;
}

int layer_stream_finish(struct layer_stream *s, char ret_diff_id[IMAGE_DIGEST_LEN + 1],
			struct image_error *e)
{
	ssize_t n;

	while ((n = pull(s)) > 0)
		;
	if (n < 0)
		return image_fail(e, strcmp(s->error, "interrupted") == 0 ? -EINTR : -EPROTO, "%s",
				  s->error);
	return digest_final(s->digest, ret_diff_id) < 0 ? image_fail(e, -EIO, "cannot hash") : 0;
}

void layer_stream_free(struct layer_stream *s)
{
	if (!s)
		return;
	if (s->tar)
		archive_read_free(s->tar);
	if (s->raw)
		archive_read_free(s->raw);
	digest_free(s->digest);
	free(s);
}
