/* image/digest.c: see digest.h. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "image/digest.h"

struct digest {
	EVP_MD_CTX *md;
	uint64_t bytes;
};

int digest_new(struct digest **ret)
{
	struct digest *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->md = EVP_MD_CTX_new();
	if (!d->md || EVP_DigestInit_ex(d->md, EVP_sha256(), NULL) != 1) {
		digest_free(d);
		return -ENOMEM;
	}
	*ret = d;
	return 0;
}

void digest_update(struct digest *d, const void *buf, size_t n)
{
	/* EVP_DigestUpdate cannot fail for sha256 on memory we own. */
	(void)EVP_DigestUpdate(d->md, buf, n);
	d->bytes += n;
}

uint64_t digest_bytes(const struct digest *d)
{
	return d->bytes;
}

int digest_final(struct digest *d, char ret[IMAGE_DIGEST_LEN + 1])
{
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (EVP_DigestFinal_ex(d->md, sum, &n) != 1 || n != 32)
		return -EIO;
	memcpy(ret, "sha256:", 8); /* with its NUL: the hex digits follow from [7] */
	for (unsigned i = 0; i < n; i++)
		snprintf(ret + 7 + 2 * i, 3, "%02x", sum[i]);
	return 0;
}

void digest_free(struct digest *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->md);
	free(d);
}

int digest_buffer(const void *buf, size_t n, char ret[IMAGE_DIGEST_LEN + 1])
{
	struct digest *d __attribute__((cleanup(digest_freep))) = NULL;
	int r = digest_new(&d);

	if (r < 0)
		return r;
	digest_update(d, buf, n);
	return digest_final(d, ret);
}

int digest_chain(const char *parent, const char *diff_id, char ret[IMAGE_DIGEST_LEN + 1])
{
	char text[2 * IMAGE_DIGEST_LEN + 2];

	if (!parent) {
		memcpy(ret, diff_id, IMAGE_DIGEST_LEN + 1);
		return 0;
	}
	snprintf(text, sizeof(text), "%s %s", parent, diff_id);
	return digest_buffer(text, strlen(text), ret);
}
