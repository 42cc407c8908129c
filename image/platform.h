/* image/platform.h: platforms ("os/arch[/variant]", as in OCI image indexes). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct platform {
	char os[32];
	char arch[32];
	char variant[32]; /* "" when none */
};

/* Parse "os/arch" or "os/arch/variant". Returns 0 or -EINVAL. */
int platform_parse(const char *text, struct platform *ret);

/* The platform this program was built for ("linux/amd64" on x86-64). */
void platform_host(struct platform *ret);

/* Does a platform given as @os, @arch, @variant (variant may be NULL or "") match @want? A
 * variant is compared only when @want names one. */
bool platform_matches(const struct platform *want, const char *os, const char *arch,
		      const char *variant);

/* "os/arch[/variant]" into @buf. */
const char *platform_format(const struct platform *p, char *buf, size_t size);
