/* config/diag.c: see diag.h. */
#include <stdio.h>
#include <string.h>

#include "config/diag.h"

static void scrub(char *text)
{
	for (unsigned char *c = (unsigned char *)text; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			*c = '?';
}

/* Where a diagnostic for @line goes: after every one with a line <= @line. */
static size_t insert_pos(const struct cfg_diags *d, int line)
{
	size_t i = d->count;

	while (i > 0 && d->items[i - 1].line > line)
		i--;
	return i;
}

void cfg_diags_addv(struct cfg_diags *d, int line, const char *fmt, va_list ap)
{
	size_t pos = insert_pos(d, line);

	if (pos == CFG_MAX_DIAGS) {
		d->truncated = true;
		return;
	}
	if (d->count == CFG_MAX_DIAGS) {
		d->truncated = true;
		d->count--;
	}
	memmove(&d->items[pos + 1], &d->items[pos], (d->count - pos) * sizeof(d->items[0]));
	d->count++;
	d->items[pos].line = line;
	vsnprintf(d->items[pos].text, sizeof(d->items[pos].text), fmt, ap);
	scrub(d->items[pos].text);
}

void cfg_diags_add(struct cfg_diags *d, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_diags_addv(d, line, fmt, ap);
	va_end(ap);
}
