/* config/diag.h: collecting diagnostics in line order. Private to config/. */
#pragma once

#include <stdarg.h>

#include "config/config.h"

/* Add one diagnostic for @line, keeping @d sorted by line (equal lines keep the order they
 * were found in). When @d is full, the one with the highest line is dropped and @d->truncated
 * set, so the first CFG_MAX_DIAGS problems of the file survive. Control characters in the
 * text become '?': values come from the file and the text ends up on a terminal or in syslog. */
void cfg_diags_add(struct cfg_diags *d, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cfg_diags_addv(struct cfg_diags *d, int line, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
