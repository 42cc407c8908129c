/* config/size.c: sizes such as "512M", with binary multiples. */
#include <errno.h>
#include <stdint.h>
#include <strings.h>

#include "config/config.h"

/* The shift for unit letter @c, or -1. */
static int unit_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	case 't':
	case 'T':
		return 40;
	}
	return -1;
}

/* Accept "", "B" and, after a unit letter, "iB" (any case). */
static bool suffix_ok(const char *s, bool has_unit)
{
	return *s == '\0' || strcasecmp(s, "b") == 0 || (has_unit && strcasecmp(s, "ib") == 0);
}

int cfg_parse_size(const char *text, uint64_t *ret)
{
	const char *c = text;
	uint64_t n = 0;
	int shift = 0;

	if (*c < '0' || *c > '9')
		return -EINVAL; /* empty, a sign, white space or garbage */
	for (; *c >= '0' && *c <= '9'; c++) {
		unsigned digit = (unsigned)(*c - '0');

		if (n > (UINT64_MAX - digit) / 10)
			return -ERANGE;
		n = n * 10 + digit;
	}
	if (*c && unit_shift(*c) >= 0)
		shift = unit_shift(*c++);
	if (!suffix_ok(c, shift > 0))
		return -EINVAL;
	if (n == 0)
		return -EINVAL;
	if (n > UINT64_MAX >> shift)
		return -ERANGE;
	*ret = n << shift;
	return 0;
}
