/* image/error.h: what went wrong in an import or export, in words for the admin. Like the
 * config parser's diagnostics, the one place where a -errno is not enough: which blob, which
 * layer, which entry, and what is wrong with it. */
#pragma once

struct image_error {
	char text[768];
};

/* Describe a failure in @e (replacing what it said) and return @r (a -errno). */
int image_fail(struct image_error *e, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* -EINVAL, with @e saying that @name is no image name (image_name_valid()) and what one is. */
int image_fail_bad_name(struct image_error *e, const char *name);

/* Put "<context>: " before what @e says, and return @r. */
int image_fail_context(struct image_error *e, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
