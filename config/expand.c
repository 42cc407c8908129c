/* config/expand.c: %-codes in templates. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/policy.h"

/* The text for @code, or NULL for an unknown one. @num holds a formatted uid. */
static const char *code_value(char code, const struct policy_login *login, char num[static 24])
{
	const char *v = NULL;

	switch (code) {
	case 'u':
		v = login->user;
		break;
	case 'h':
		v = login->home;
		break;
	case 'g':
		v = login->group;
		break;
	case 'U':
		snprintf(num, 24, "%lu", (unsigned long)login->uid);
		return num;
	case '%':
		return "%";
	default:
		return NULL;
	}
	return v ? v : "";
}

/* Expand @tmpl into @buf (NULL: only measure). Returns the length or -EINVAL. */
static long expand(const char *tmpl, const struct policy_login *login, char *buf)
{
	char num[24];
	size_t len = 0;

	for (const char *c = tmpl; *c; c++) {
		const char *v;
		size_t n;

		if (*c != '%') {
			if (buf)
				buf[len] = *c;
			len++;
			continue;
		}
		v = code_value(*++c, login, num); /* a trailing '%' meets the NUL: unknown */
		if (!v)
			return -EINVAL;
		n = strlen(v);
		if (buf)
			memcpy(buf + len, v, n);
		len += n;
	}
	if (buf)
		buf[len] = '\0';
	return (long)len;
}

int policy_expand(const char *tmpl, const struct policy_login *login, char **ret)
{
	long len = expand(tmpl, login, NULL);
	char *buf;

	if (len < 0)
		return (int)len;
	buf = malloc((size_t)len + 1);
	if (!buf)
		return -ENOMEM;
	(void)expand(tmpl, login, buf);
	*ret = buf;
	return 0;
}
