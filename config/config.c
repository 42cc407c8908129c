/* config/config.c: loading carrel.conf from disk, and freeing what the parser built. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "config/diag.h"

/* Far more than any sensible config; keeps a runaway file from costing the login. */
#define CFG_MAX_SIZE (1024 * 1024)

/* One line-0 diagnostic for a file we cannot use; returns the -errno for cfg_load(). */
static int file_error(struct cfg_diags *d, const char *path, int r, const char *why)
{
	char buf[64];

	switch (r) {
	case -ENOENT:
		cfg_diags_add(d, 0, "'%.100s' does not exist", path);
		return r;
	case -EPERM:
		cfg_diags_add(d, 0, "'%.100s' %s: refusing it (make it root-owned, mode 0644)",
			      path, why);
		return r;
	case -EACCES:
		if (!why[0])
			break; /* plain permission denied: not ours to read */
		cfg_diags_add(d, 0,
			      "'%.100s' %s: refusing it (only root may be able to change the "
			      "directories on its path)",
			      path, why);
		return -EPERM;
	case -ELOOP:
	case -EINVAL:
		/* a symlink or a non-regular file: refused like a bad owner or mode */
		cfg_diags_add(d, 0, "'%.100s' %s: refusing it (make it a regular root-owned file)",
			      path, why);
		return -EPERM;
	case -EFBIG:
		cfg_diags_add(d, 0, "'%.100s' is larger than 1 MiB", path);
		return r;
	}
	cfg_diags_add(d, 0, "cannot read '%.100s': %s", path, strerror_r(-r, buf, sizeof(buf)));
	return r;
}

int cfg_load(const char *path, struct cfg **ret, struct cfg_diags *diags)
{
	autofree struct cfg_diags *own = NULL;
	autofree char *text = NULL;
	autoclose int fd = -1;
	char why[200] = "";
	size_t len;
	int r;

	assert(path && ret);

	if (!diags) {
		own = calloc(1, sizeof(*own));
		if (!own)
			return -ENOMEM;
		diags = own;
	}
	memset(diags, 0, sizeof(*diags));

	fd = fs_open_trusted(path, why, sizeof(why));
	if (fd < 0)
		return file_error(diags, path, fd, why);
	r = fs_read_small(fd, CFG_MAX_SIZE, &text, &len);
	if (r < 0)
		return file_error(diags, path, r, why);
	/* libconfig would stop at a NUL and silently ignore the rest of the file */
	if (strlen(text) != len) {
		cfg_diags_add(diags, 0, "'%.100s' contains a NUL byte", path);
		return -EINVAL;
	}
	return cfg_parse_string(text, path, ret, diags);
}

static void settings_free(struct cfg_settings *s)
{
	free(s->hostname);
	for (size_t i = 0; i < s->n_volumes; i++) {
		free(s->volumes[i].source);
		free(s->volumes[i].name);
		free(s->volumes[i].target);
	}
	free(s->volumes);
}

static void patterns_free(struct cfg_patterns *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->patterns[i]);
	free(p->patterns);
}

static void policy_free(struct cfg_policy *pol)
{
	free(pol->name);
	patterns_free(&pol->users);
	patterns_free(&pol->groups);
	patterns_free(&pol->services);
	patterns_free(&pol->rhosts);
	settings_free(&pol->settings);
}

void cfg_free(struct cfg *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_images; i++) {
		free(c->images[i].name);
		free(c->images[i].path);
		free(c->images[i].oci_name);
		free(c->images[i].oci_digest);
	}
	free(c->images);
	settings_free(&c->defaults);
	for (size_t i = 0; i < c->n_policies; i++)
		policy_free(&c->policies[i]);
	free(c->policies);
	free(c->path);
	free(c);
}
