/* common/cfgmsg.c: see cfgmsg.h. */
#include <stdio.h>
#include <string.h>

#include "common/cfgmsg.h"
#include "config/config.h"

const char *cfgmsg_summary(const char *path, int r, const struct cfg_diags *d, char *buf,
			   size_t size)
{
	size_t more = d && d->count > 1 ? d->count - 1 : 0;
	int n;

	if (!d || d->count == 0)
		n = snprintf(buf, size, "config '%s': %s", path, strerror(r < 0 ? -r : r));
	else if (d->items[0].line > 0)
		n = snprintf(buf, size, "config '%s' line %d: %s", path, d->items[0].line,
			     d->items[0].text);
	else /* a problem with the file as a whole: the text names the file itself */
		n = snprintf(buf, size, "config file %s", d->items[0].text);
	if (more && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n,
			 " (and %zu more problem%s: run 'carrel "
			 "check-config -c %s')",
			 more, more == 1 ? "" : "s", path);
	return buf;
}
