/* admin/units.h: sizes and times as "docker image ls" and "docker history" print them. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Decimal units with three significant digits, as docker prints sizes: "0B", "345B",
 * "21.5kB", "1.98MB". */
const char *units_size_si(uint64_t bytes, char *buf, size_t size);

/* Binary units for transfers: "512 B", "1.2 MiB". */
const char *units_size_iec(double bytes, char *buf, size_t size);

/* Parse an RFC 3339 time ("2024-01-01T00:07:00Z", fractions and offsets allowed). Returns 0
 * or -EINVAL. */
int units_parse_time(const char *text, time_t *ret);

/* How long ago @t was, as docker says it: "2 years ago", "About an hour ago". */
const char *units_ago(time_t t, char *buf, size_t size);
