/* config/check.c: see check.h. */
#include <errno.h>
#include <string.h>

#include "config/check.h"

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

int cfg_check_template(const char *tmpl, char *ret_code)
{
	for (const char *c = tmpl; *c; c++) {
		if (*c != '%')
			continue;
		c++;
		if (*c == '\0' || !strchr("uhUg%", *c)) {
			*ret_code = *c;
			return -EINVAL;
		}
	}
	return 0;
}

bool cfg_has_control(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return true;
	return false;
}

bool cfg_has_dot_component(const char *path, bool dotdot_only)
{
	const char *c = path;

	while (*c) {
		size_t len = strcspn(c, "/");

		if (len == 2 && c[0] == '.' && c[1] == '.')
			return true;
		if (len == 1 && c[0] == '.' && !dotdot_only)
			return true;
		c += len;
		c += strspn(c, "/");
	}
	return false;
}

const char *cfg_check_path(const char *path, enum cfg_path_kind kind)
{
	size_t len = strlen(path);

	if (len == 0)
		return "must not be empty";
	if (cfg_has_control(path))
		return "must not contain control characters";
	if (is_space(path[0]) || is_space(path[len - 1]))
		return "must not start or end with white space";
	if (kind == CFG_PATH_LITERAL && path[0] != '/')
		return "must be an absolute path";
	if (kind == CFG_PATH_TEMPLATE && path[0] != '/' && strncmp(path, "%h", 2) != 0)
		return "must be an absolute path or start with %h";
	if (cfg_has_dot_component(path, false))
		return "must not contain a '.' or '..' component";
	return NULL;
}

const char *cfg_check_hostname(const char *tmpl)
{
	if (tmpl[0] == '\0')
		return "must not be empty";
	if (strlen(tmpl) > CFG_HOSTNAME_MAX)
		return "must be at most 64 characters long";
	for (const char *c = tmpl; *c; c++) {
		if (*c == '%' && c[1] != '\0') {
			c++; /* the code itself; cfg_check_template() vets it */
			continue;
		}
		if (!is_alnum(*c) && *c != '.' && *c != '-')
			return "may only contain letters, digits, '.', '-' and %-codes";
	}
	return NULL;
}

bool cfg_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > CFG_NAME_MAX || !is_alnum(name[0]))
		return false;
	for (const char *c = name; *c; c++)
		if (!is_alnum(*c) && *c != '_' && *c != '.' && *c != '-')
			return false;
	return true;
}

void cfg_path_normalise(char *path)
{
	char *out = path;

	for (const char *in = path; *in; in++) {
		if (*in == '/' && out > path && out[-1] == '/')
			continue;
		*out++ = *in;
	}
	if (out - path > 1 && out[-1] == '/')
		out--;
	*out = '\0';
}
