/* image/lowerview.c: the layers below the one being unpacked, merged, for the metadata of
 * the directories its tar leaves implicit (see unpack.h). overlayfs merges them, so the view
 * is exactly what a session would see below the new layer: whiteouts and opaque directories
 * applied. The mount is detached: it is in no mount namespace and goes with its fd. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/overlay.h"
#include "image/unpack.h"

int unpack_lower_open(const int *layer_fds, size_t n)
{
	autoclose int fs_fd = -1;
	autofree int *top_first = NULL;
	int r, fd;

	if (n == 0)
		return -EINVAL;
	if (n == 1) {
		fd = fcntl(layer_fds[0], F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? -errno : fd;
	}
	top_first = calloc(n, sizeof(*top_first));
	if (!top_first)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		top_first[i] = layer_fds[n - 1 - i];
	fs_fd = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs_fd < 0)
		return -errno;
	/* Only lower layers: a read-only overlay. */
	r = overlay_configure(fs_fd, top_first, n, NULL, NULL);
	if (r < 0)
		return r;
	/* The mount's own fd is its root: keeping it keeps the mount. */
	fd = fsmount(fs_fd, FSMOUNT_CLOEXEC,
		     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	return fd < 0 ? -errno : fd;
}
