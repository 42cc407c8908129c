/* image/mediatype.c: see mediatype.h. */
#include <string.h>

#include "common/cleanup.h"
#include "image/mediatype.h"

static const struct {
	const char *type;
	enum media_kind kind;
	enum compression compression;
} known[] = {
    {MEDIA_OCI_INDEX, MEDIA_INDEX, COMPRESSION_NONE},
    {"application/vnd.docker.distribution.manifest.list.v2+json", MEDIA_INDEX, COMPRESSION_NONE},
    {MEDIA_OCI_MANIFEST, MEDIA_MANIFEST, COMPRESSION_NONE},
    {"application/vnd.docker.distribution.manifest.v2+json", MEDIA_MANIFEST, COMPRESSION_NONE},
    {MEDIA_OCI_CONFIG, MEDIA_CONFIG, COMPRESSION_NONE},
    {"application/vnd.docker.container.image.v1+json", MEDIA_CONFIG, COMPRESSION_NONE},
    {"application/vnd.oci.image.layer.v1.tar", MEDIA_LAYER, COMPRESSION_NONE},
    {"application/vnd.oci.image.layer.v1.tar+gzip", MEDIA_LAYER, COMPRESSION_GZIP},
    {"application/vnd.oci.image.layer.v1.tar+zstd", MEDIA_LAYER, COMPRESSION_ZSTD},
    {"application/vnd.docker.image.rootfs.diff.tar.gzip", MEDIA_LAYER, COMPRESSION_GZIP},
    {"application/vnd.oci.image.layer.nondistributable.v1.tar", MEDIA_FOREIGN_LAYER,
     COMPRESSION_NONE},
    {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", MEDIA_FOREIGN_LAYER,
     COMPRESSION_GZIP},
    {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", MEDIA_FOREIGN_LAYER,
     COMPRESSION_ZSTD},
    {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", MEDIA_FOREIGN_LAYER,
     COMPRESSION_GZIP},
};

enum media_kind media_kind(const char *type, enum compression *ret)
{
	for (size_t i = 0; type && i < ARRAY_SIZE(known); i++) {
		if (strcmp(type, known[i].type) != 0)
			continue;
		if (ret)
			*ret = known[i].compression;
		return known[i].kind;
	}
	return MEDIA_UNKNOWN;
}

const char *media_layer_type(enum compression c)
{
	switch (c) {
	case COMPRESSION_GZIP:
		return "application/vnd.oci.image.layer.v1.tar+gzip";
	case COMPRESSION_ZSTD:
		return "application/vnd.oci.image.layer.v1.tar+zstd";
	default:
		return "application/vnd.oci.image.layer.v1.tar";
	}
}

enum compression media_sniff(const unsigned char *head, unsigned long n)
{
	static const unsigned char gzip[] = {0x1f, 0x8b};
	static const unsigned char zstd[] = {0x28, 0xb5, 0x2f, 0xfd};

	if (n >= sizeof(gzip) && memcmp(head, gzip, sizeof(gzip)) == 0)
		return COMPRESSION_GZIP;
	if (n >= sizeof(zstd) && memcmp(head, zstd, sizeof(zstd)) == 0)
		return COMPRESSION_ZSTD;
	return COMPRESSION_NONE;
}
