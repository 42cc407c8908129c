/* image/layerstream.h: a layer blob read as the tar it holds. One libarchive reader
 * decompresses the blob (with exactly the compression its media type declares); every
 * uncompressed byte is hashed for the diff_id on its way to a second reader that parses the
 * tar. So the layer is verified against its diff_id in the same pass that unpacks it. */
#pragma once

#include "common/image_record.h"
#include "image/mediatype.h"

struct archive;
struct image_error;
struct image_io;
struct layer_stream;

/* Start reading the blob open at @blob_fd (its position 0), compressed with @c; @io gets the
 * blob bytes read so far. Returns 0 or -errno with @e. */
int layer_stream_open(int blob_fd, enum compression c, const struct image_io *io,
		      struct layer_stream **ret, struct image_error *e);

/* The tar reader of the stream (owned by it). */
struct archive *layer_stream_tar(struct layer_stream *s);

/* Why reading failed below the tar reader (corrupt or truncated compression, a read
 * error, an interruption), or NULL: a tar error message is only a symptom of it then. */
const char *layer_stream_error(const struct layer_stream *s);

/* Read what the tar reader left (end-of-archive padding, or everything when it was not
 * used) and give the digest of the whole uncompressed stream. Returns 0 or -errno with @e. */
int layer_stream_finish(struct layer_stream *s, char ret_diff_id[IMAGE_DIGEST_LEN + 1],
			struct image_error *e);

void layer_stream_free(struct layer_stream *s);

static inline void layer_stream_freep(struct layer_stream **s)
{
	layer_stream_free(*s);
}
