/* admin/units.c: see units.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/units.h"
#include "common/cleanup.h"

const char *units_size_si(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1000.0 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1000.0;
		u++;
	}
	snprintf(buf, size, "%.3g%s", v, units[u]);
	return buf;
}

const char *units_size_iec(double bytes, char *buf, size_t size)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	size_t u = 0;

	while (bytes >= 1024.0 && u + 1 < ARRAY_SIZE(units)) {
		bytes /= 1024.0;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
	return buf;
}

/* "07" is 7; anything but two decimal digits is -1. */
static int two_digits(const char *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* "Z", or "+hh:mm" / "-hh:mm" exactly. */
static int parse_offset(const char *p, long *ret)
{
	int hours, minutes;

	if (strcmp(p, "Z") == 0 || strcmp(p, "z") == 0) {
		*ret = 0;
		return 0;
	}
	if ((p[0] != '+' && p[0] != '-') || strlen(p) != 6 || p[3] != ':')
		return -EINVAL;
	hours = two_digits(p + 1);
	minutes = two_digits(p + 4);
	if (hours < 0 || minutes < 0)
		return -EINVAL;
	*ret = (p[0] == '-' ? -1 : 1) * (hours * 3600L + minutes * 60L);
	return 0;
}

int units_parse_time(const char *text, time_t *ret)
{
	struct tm tm = {0};
	const char *p;
	long offset;

	p = text ? strptime(text, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!p)
		return -EINVAL;
	if (*p == '.')
		p += 1 + strspn(p + 1, "0123456789");
	if (parse_offset(p, &offset) < 0)
		return -EINVAL;
	*ret = timegm(&tm) - offset;
	return 0;
}

const char *units_ago(time_t t, char *buf, size_t size)
{
	long long s = (long long)(time(NULL) - t), h = s / 3600;

	if (s < 1)
		snprintf(buf, size, "Less than a second ago");
	else if (s < 60)
		snprintf(buf, size, "%lld second%s ago", s, s == 1 ? "" : "s");
	else if (s / 60 == 1)
		snprintf(buf, size, "About a minute ago");
	else if (s < 3600)
		snprintf(buf, size, "%lld minutes ago", s / 60);
	else if (h == 1)
		snprintf(buf, size, "About an hour ago");
	else if (h < 48)
		snprintf(buf, size, "%lld hours ago", h);
	else if (h < 24 * 7 * 2)
		snprintf(buf, size, "%lld days ago", h / 24);
	else if (h < 24 * 30 * 2)
		snprintf(buf, size, "%lld weeks ago", h / 24 / 7);
	else if (h < 24 * 365 * 2)
		snprintf(buf, size, "%lld months ago", h / 24 / 30);
	else
		snprintf(buf, size, "%lld years ago", h / 24 / 365);
	return buf;
}
