/* image/pathname.c: see pathname.h. */
#include <errno.h>
#include <string.h>

#include "image/pathname.h"

/* Append component @c (@n bytes) to @out, which holds @used bytes. */
static int append(char *out, size_t size, size_t *used, const char *c, size_t n)
{
	size_t need = *used + (*used ? 1 : 0) + n + 1;

	if (need > size)
		return -ENAMETOOLONG;
	if (*used)
		out[(*used)++] = '/';
	memcpy(out + *used, c, n);
	*used += n;
	out[*used] = '\0';
	return 0;
}

/* Drop the last component of @out: -EXDEV when there is none (climbing above the top). */
static int pop(char *out, size_t *used)
{
	char *slash;

	if (*used == 0)
		return -EXDEV;
	slash = strrchr(out, '/');
	*used = slash ? (size_t)(slash - out) : 0;
	out[*used] = '\0';
	return 0;
}

/* Walk the components of @s into @out; ".." pops with @dotdot_pops, else fails -EINVAL. */
static int walk(const char *s, char *out, size_t size, size_t *used, bool dotdot_pops)
{
	while (*s) {
		size_t n = strcspn(s, "/");
		int r = 0;

		if (n == 0 || (n == 1 && s[0] == '.'))
			r = 0;
		else if (n == 2 && s[0] == '.' && s[1] == '.')
			r = dotdot_pops ? pop(out, used) : -EINVAL;
		else
			r = append(out, size, used, s, n);
		if (r < 0)
			return r;
		s += n;
		s += strspn(s, "/");
	}
	return 0;
}

int pathname_clean(const char *name, char *out, size_t size, bool *ret_absolute)
{
	size_t used = 0;

	if (size == 0)
		return -ENAMETOOLONG;
	out[0] = '\0';
	*ret_absolute = name[0] == '/';
	return walk(name + strspn(name, "/"), out, size, &used, false);
}

int pathname_resolve_link(const char *link_name, const char *target, char *out, size_t size)
{
	size_t used = 0;
	int r;

	if (size == 0)
		return -ENAMETOOLONG;
	out[0] = '\0';
	if (target[0] == '/' || !target[0])
		return -EXDEV;
	r = walk(link_name, out, size, &used, true);
	if (r < 0)
		return r == -EINVAL ? -EXDEV : r;
	r = pop(out, &used); /* the link's own name: relative to its directory */
	if (r < 0)
		return r;
	return walk(target, out, size, &used, true);
}

const char *pathname_split(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (size == 0)
		return slash ? slash + 1 : path;
	if (n >= size)
		n = size - 1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return slash ? slash + 1 : path;
}
