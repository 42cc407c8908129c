/* image/error.c: see error.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "image/error.h"

int image_fail(struct image_error *e, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return r;
}

int image_fail_context(struct image_error *e, int r, const char *fmt, ...)
{
	char context[256];
	size_t c, was;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	c = strnlen(context, sizeof(context) - 1);
	/* Room for the context, ": " and what was said, cut to fit. */
	was = strnlen(e->text, sizeof(e->text) - sizeof(context) - 3);
	memmove(e->text + c + 2, e->text, was);
	e->text[c + 2 + was] = '\0';
	memcpy(e->text, context, c);
	e->text[c] = ':';
	e->text[c + 1] = ' ';
	return r;
}

int image_fail_bad_name(struct image_error *e, const char *name)
{
	return image_fail(e, -EINVAL,
			  "'%s' is not a valid image name (letters, digits, '_', '.', '-', "
			  "starting with a letter or digit, at most 64)",
			  name);
}
