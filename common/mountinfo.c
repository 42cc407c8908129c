/* common/mountinfo.c: see mountinfo.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/mountinfo.h"

/* Undo the octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* A mount id: a decimal number, nothing else. */
static int parse_id(const char *s, int *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > INT_MAX)
		return -EPROTO;
	*ret = (int)v;
	return 0;
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue" */
static int parse_line(char *line, struct mountinfo_entry *e)
{
	char *fields[6], *tail[3], *save = NULL, *dash;
	int id, parent_id;
	size_t n = 0;

	line[strcspn(line, "\n")] = '\0';
	dash = strstr(line, " - ");
	if (!dash)
		return -EPROTO;
	*dash = '\0';
	for (char *f = strtok_r(line, " ", &save); f && n < ARRAY_SIZE(fields);
	     f = strtok_r(NULL, " ", &save))
		fields[n++] = f;
	if (n < 6)
		return -EPROTO;
	save = NULL;
	n = 0;
	for (char *f = strtok_r(dash + 3, " ", &save); f && n < ARRAY_SIZE(tail);
	     f = strtok_r(NULL, " ", &save))
		tail[n++] = f;
	if (n < 3 || parse_id(fields[0], &id) < 0 || parse_id(fields[1], &parent_id) < 0)
		return -EPROTO;
	for (size_t i = 3; i < 5; i++)
		unescape(fields[i]);
	unescape(tail[1]);
	*e = (struct mountinfo_entry){
	    .id = id,
	    .parent_id = parent_id,
	    .root = fields[3],
	    .mount_point = fields[4],
	    .options = fields[5],
	    .fstype = tail[0],
	    .source = tail[1],
	    .super_options = tail[2],
	};
	return 0;
}

int mountinfo_foreach(int (*fn)(const struct mountinfo_entry *e, void *data), void *data)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	if (!f)
		return -errno;
	while (r == 0 && getline(&line, &cap, f) > 0) {
		struct mountinfo_entry e;

		if (parse_line(line, &e) == 0)
			r = fn(&e, data);
	}
	free(line);
	fclose(f);
	return r;
}
