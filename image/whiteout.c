/* image/whiteout.c: OCI whiteouts in overlayfs form.
 *
 * A layer's ".wh.NAME" deletes NAME of the layers below; overlayfs marks that with a 0:0
 * character device NAME. ".wh..wh..opq" hides everything the layers below have in its
 * directory; overlayfs marks that with trusted.overlay.opaque=y on the directory. The name a
 * whiteout targets is one component (the path around it was cleaned: no "..") and must not
 * be "", "." or "..": a whiteout of ".." would otherwise delete the layer's parent. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "image/error.h"
#include "image/unpack_int.h"

#define OPAQUE_XATTR "trusted.overlay.opaque"
#define OPAQUE_MARKER ".wh..wh..opq"
#define META_PREFIX ".wh..wh."

bool unpack_is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

int unpack_make_opaque(int fd)
{
	return fsetxattr(fd, OPAQUE_XATTR, "y", 1, 0);
}

static int opaque(struct unpack *u, const char *dir)
{
	autoclose int fd = unpack_walk(u, dir, true);

	if (fd < 0)
		return fd;
	if (unpack_make_opaque(fd) < 0)
		return image_fail(u->e, -errno, "cannot mark '%s' opaque: %s", dir[0] ? dir : "/",
				  strerror(errno));
	return 0;
}

static int whiteout(struct unpack *u, const char *dir, const char *name)
{
	autoclose int fd = unpack_walk(u, dir, true), dir_fd = -1;
	struct stat st;

	if (fd < 0)
		return fd;
	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		/* This layer has the name too: it already hides the layers below, but a
		 * directory would merge with theirs unless opaque. */
		if (!S_ISDIR(st.st_mode))
			return 0;
		dir_fd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dir_fd < 0 || unpack_make_opaque(dir_fd) < 0)
			return image_fail(u->e, -errno, "cannot mark '%s' opaque", name);
		return 0;
	}
	if (errno != ENOENT)
		return image_fail(u->e, -errno, "cannot stat '%s'", name);
	if (mknodat(fd, name, S_IFCHR | 0, makedev(0, 0)) < 0 ||
	    fchownat(fd, name, 0, 0, AT_SYMLINK_NOFOLLOW) < 0)
		return image_fail(u->e, -errno, "cannot make the whiteout: %s", strerror(errno));
	return 0;
}

int unpack_whiteout(struct unpack *u, const char *dir, const char *base, const char *path)
{
	const char *name = base + 4;

	if (strcmp(base, OPAQUE_MARKER) == 0)
		return opaque(u, dir);
	if (strncmp(base, META_PREFIX, strlen(META_PREFIX)) == 0) {
		unpack_warn(u, "entry '%s': whiteout metadata of another format, skipped", path);
		return 0;
	}
	if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return image_fail(u->e, -EPROTO, "a whiteout of '%s' (refused)", name);
	return whiteout(u, dir, name);
}
