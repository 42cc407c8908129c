/* image/pathname.h: member names of tar archives (image layers and the archives images come
 * in), made safe to use below a directory. Pure string functions. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Clean @name into @out: "." components, repeated and trailing slashes dropped, and leading
 * slashes dropped (*@ret_absolute then says there were some). "" is the top directory.
 * Returns 0, -EINVAL for a ".." component (never resolved: a member name has no business
 * climbing), -ENAMETOOLONG when it does not fit. */
int pathname_clean(const char *name, char *out, size_t size, bool *ret_absolute);

/* Resolve the symbolic link @target of the member @link_name, relative to the directory of
 * @link_name, into a clean member name: ".." is applied lexically and may not climb above
 * the top. Returns 0, -EXDEV for an absolute target or one that climbs out, -ENAMETOOLONG. */
int pathname_resolve_link(const char *link_name, const char *target, char *out, size_t size);

/* Split a clean @path into its directory (into @dir, "" for the top) and last component. */
const char *pathname_split(const char *path, char *dir, size_t size);
