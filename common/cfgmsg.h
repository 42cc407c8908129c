/* common/cfgmsg.h: one-line summaries of config problems, for log lines and answers where
 * there is room for one line ("carrel check-config" prints them all). */
#pragma once

#include <stddef.h>

struct cfg_diags;

/* Summarise what cfg_load() returned (@r < 0) for @path into @buf: the first problem with
 * its line, and how many more there are. Returns @buf. */
const char *cfgmsg_summary(const char *path, int r, const struct cfg_diags *d, char *buf,
			   size_t size);
