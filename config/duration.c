/* config/duration.c: durations such as "10m", in whole seconds. */
#include <errno.h>
#include <stdint.h>

#include "config/config.h"

#define DURATION_MAX (UINT64_C(365) * 24 * 60 * 60)

/* The seconds in unit letter @c ('\0' for none), or 0 for an unknown one. Lower case only:
 * "M" could as well be months as minutes. */
static uint64_t unit_seconds(char c)
{
	switch (c) {
	case '\0':
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 60 * 60;
	case 'd':
		return 24 * 60 * 60;
	}
	return 0;
}

int cfg_parse_duration(const char *text, uint64_t *ret)
{
	const char *c = text;
	uint64_t n = 0, unit;

	if (*c < '0' || *c > '9')
		return -EINVAL; /* empty, a sign, white space or garbage */
	for (; *c >= '0' && *c <= '9'; c++) {
		/* anything this long is out of range: stop before it can overflow */
		if (n > DURATION_MAX)
			n = DURATION_MAX + 1;
		else
			n = n * 10 + (unsigned)(*c - '0');
	}
	unit = unit_seconds(*c);
	if (unit == 0 || (*c && c[1] != '\0'))
		return -EINVAL; /* "10x", "1h30m", "1.5h", "10 s" */
	if (n > DURATION_MAX / unit)
		return -ERANGE;
	*ret = n * unit;
	return 0;
}
