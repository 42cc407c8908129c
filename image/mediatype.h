/* image/mediatype.h: the media types an import accepts, and what each one is. Anything not
 * listed here is refused: a blob is never guessed at. */
#pragma once

#include <stdbool.h>

#define MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_OCI_CONFIG "application/vnd.oci.image.config.v1+json"

enum media_kind {
	MEDIA_UNKNOWN,
	MEDIA_INDEX,    /* a list of manifests (OCI index, Docker manifest list) */
	MEDIA_MANIFEST, /* one image (OCI, Docker schema 2) */
	MEDIA_CONFIG,
	MEDIA_LAYER,
	MEDIA_FOREIGN_LAYER, /* non-distributable: its blob lives at a URL; never fetched */
};

enum compression {
	COMPRESSION_NONE,
	COMPRESSION_GZIP,
	COMPRESSION_ZSTD,
};

/* What @type is; for a layer, its compression in *@ret (may be NULL). */
enum media_kind media_kind(const char *type, enum compression *ret);

/* The OCI layer media type of a tar with compression @c. */
const char *media_layer_type(enum compression c);

/* The compression of a blob that starts with @head (@n bytes): gzip and zstd magic, else none. */
enum compression media_sniff(const unsigned char *head, unsigned long n);
