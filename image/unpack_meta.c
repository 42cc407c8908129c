/* image/unpack_meta.c: owners, modes, times and xattrs of unpacked entries. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "image/error.h"
#include "image/unpack_int.h"

void unpack_entry_times(struct archive_entry *entry, struct timespec times[2])
{
	times[1] =
	    archive_entry_mtime_is_set(entry)
		? (struct timespec){archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)}
		: (struct timespec){0, UTIME_OMIT};
	times[0] =
	    archive_entry_atime_is_set(entry)
		? (struct timespec){archive_entry_atime(entry), archive_entry_atime_nsec(entry)}
		: times[1];
}

static void note_dropped(struct unpack *u, const char *name)
{
	size_t used = strlen(u->dropped);

	if (strstr(u->dropped, name) || used + strlen(name) + 3 >= sizeof(u->dropped))
		return;
	snprintf(u->dropped + used, sizeof(u->dropped) - used, "%s%s", used ? ", " : "", name);
}

/* Which xattrs a layer may set: user ones and file capabilities. Never trusted.* (overlayfs
 * keeps whiteouts, opaque directories and redirects there: a layer must not forge them),
 * nor security labels or ACLs of another machine. */
static int set_xattrs(struct unpack *u, int fd, struct archive_entry *entry)
{
	const char *name, *warned = NULL;
	const void *value;
	size_t size;

	archive_entry_xattr_reset(entry);
	while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
		if (strncmp(name, "user.", 5) == 0 || strcmp(name, "security.capability") == 0) {
			if (fsetxattr(fd, name, value, size, 0) < 0)
				return image_fail(u->e, -errno, "cannot set xattr '%s': %s", name,
						  strerror(errno));
		} else if (strncmp(name, "trusted.", 8) == 0) {
			/* Once: libarchive's own tars hold each xattr twice (two PAX keys). */
			if (!warned || strcmp(warned, name) != 0)
				unpack_warn(u,
					    "entry '%s': xattr '%s' dropped (trusted.* never "
					    "comes from a layer)",
					    archive_entry_pathname(entry), name);
			warned = name;
		} else {
			note_dropped(u, name);
		}
	}
	return 0;
}

int unpack_meta_fd(struct unpack *u, int fd, struct archive_entry *entry)
{
	/* chown clears set-user-ID and capabilities: owner first, then mode and xattrs. */
	if (fchown(fd, archive_entry_uid(entry), archive_entry_gid(entry)) < 0)
		return image_fail(u->e, -errno, "cannot set its owner: %s", strerror(errno));
	if (fchmod(fd, archive_entry_perm(entry) & 07777) < 0)
		return image_fail(u->e, -errno, "cannot set its mode: %s", strerror(errno));
	return set_xattrs(u, fd, entry);
}

int unpack_meta_at(struct unpack *u, int dir_fd, const char *name, struct archive_entry *entry,
		   bool is_symlink)
{
	struct timespec times[2];

	if (fchownat(dir_fd, name, archive_entry_uid(entry), archive_entry_gid(entry),
		     AT_SYMLINK_NOFOLLOW) < 0)
		return image_fail(u->e, -errno, "cannot set its owner: %s", strerror(errno));
	/* fchmodat follows links, but this is a FIFO we just made in a directory only root
	 * can reach; a symbolic link has no mode of its own. */
	if (!is_symlink && fchmodat(dir_fd, name, archive_entry_perm(entry) & 07777, 0) < 0)
		return image_fail(u->e, -errno, "cannot set its mode: %s", strerror(errno));
	if (archive_entry_xattr_count(entry) > 0)
		unpack_warn(u, "entry '%s': the xattrs of a %s are not kept",
			    archive_entry_pathname(entry), is_symlink ? "symbolic link" : "FIFO");
	unpack_entry_times(entry, times);
	if (utimensat(dir_fd, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return image_fail(u->e, -errno, "cannot set its times");
	return 0;
}
