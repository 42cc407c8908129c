/* image/platform.c: see platform.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "image/platform.h"

static int copy_part(char *dst, size_t size, const char *src, size_t n)
{
	if (n == 0 || n >= size)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!((src[i] >= 'a' && src[i] <= 'z') || (src[i] >= '0' && src[i] <= '9') ||
		      src[i] == '_' || src[i] == '-' || src[i] == '.'))
			return -EINVAL;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int platform_parse(const char *text, struct platform *ret)
{
	const char *slash = strchr(text, '/'), *second;
	struct platform p = {0};

	if (!slash)
		return -EINVAL;
	second = strchr(slash + 1, '/');
	if (copy_part(p.os, sizeof(p.os), text, (size_t)(slash - text)) < 0)
		return -EINVAL;
	if (copy_part(p.arch, sizeof(p.arch), slash + 1,
		      second ? (size_t)(second - slash - 1) : strlen(slash + 1)) < 0)
		return -EINVAL;
	if (second && copy_part(p.variant, sizeof(p.variant), second + 1, strlen(second + 1)) < 0)
		return -EINVAL;
	*ret = p;
	return 0;
}

void platform_host(struct platform *ret)
{
	/* GOARCH names, as image indexes use them. */
#if defined(__x86_64__)
	const char *arch = "amd64", *variant = "";
#elif defined(__aarch64__)
	const char *arch = "arm64", *variant = "";
#elif defined(__arm__)
	const char *arch = "arm", *variant = "v7";
#elif defined(__i386__)
	const char *arch = "386", *variant = "";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const char *arch = "ppc64le", *variant = "";
#elif defined(__s390x__)
	const char *arch = "s390x", *variant = "";
#elif defined(__riscv) && __riscv_xlen == 64
	const char *arch = "riscv64", *variant = "";
#else
	const char *arch = "unknown", *variant = "";
#endif
	snprintf(ret->os, sizeof(ret->os), "linux");
	snprintf(ret->arch, sizeof(ret->arch), "%s", arch);
	snprintf(ret->variant, sizeof(ret->variant), "%s", variant);
}

bool platform_matches(const struct platform *want, const char *os, const char *arch,
		      const char *variant)
{
	if (!os || !arch || strcmp(os, want->os) != 0 || strcmp(arch, want->arch) != 0)
		return false;
	return !want->variant[0] || (variant && strcmp(variant, want->variant) == 0);
}

const char *platform_format(const struct platform *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s%s%s", p->os, p->arch, p->variant[0] ? "/" : "", p->variant);
	return buf;
}
