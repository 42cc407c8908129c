/* image/digest.h: sha256 digests ("sha256:<64 hex>") of blobs and streams (libcrypto). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/image_record.h"

struct digest;

/* A new running digest. Returns 0 or -ENOMEM. */
int digest_new(struct digest **ret);

void digest_update(struct digest *d, const void *buf, size_t n);

/* How many bytes went in so far. */
uint64_t digest_bytes(const struct digest *d);

/* The digest of everything that went in; @d takes no more input after. Returns 0 or -EIO. */
int digest_final(struct digest *d, char ret[IMAGE_DIGEST_LEN + 1]);

void digest_free(struct digest *d);

static inline void digest_freep(struct digest **d)
{
	digest_free(*d);
}

/* The digest of @n bytes at @buf. */
int digest_buffer(const void *buf, size_t n, char ret[IMAGE_DIGEST_LEN + 1]);

/* The chain id of a layer (OCI image spec): @diff_id itself for the bottom layer (@parent
 * NULL), else the digest of "<parent chain id> <diff_id>". */
int digest_chain(const char *parent, const char *diff_id, char ret[IMAGE_DIGEST_LEN + 1]);
