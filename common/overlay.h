/* common/overlay.h: giving an overlayfs its layers through fsconfig(2). */
#pragma once

#include <stddef.h>

/* Configure the overlayfs context @fs_fd (from fsopen) with the lower layers open at
 * @lower_fds (top first, n >= 1), "upperdir" and "workdir" when not NULL, then create it
 * (FSCONFIG_CMD_CREATE). Returns 0 or -errno: -E2BIG when there are too many layers.
 *
 * fsconfig() takes string values of at most 255 bytes, and a "lowerdir" of
 * "/proc/self/fd/N" paths outgrows that at about a dozen layers. The layers are given
 * relative to /proc/self/fd instead ("12:11:10"), with the working directory there while
 * the kernel resolves them; the caller's is restored before returning. */
int overlay_configure(int fs_fd, const int *lower_fds, size_t n, const char *upper,
		      const char *work);
