/* common/overlay.h: giving an overlayfs its layers through fsconfig(2). */
#pragma once

#include <stddef.h>

/* Configure the overlayfs context @fs_fd (from fsopen) with the lower layers open at
 * @lower_fds (top first, n >= 1), "upperdir" and "workdir" when not NULL, then create it
 * (FSCONFIG_CMD_CREATE). Returns 0 or -errno: -E2BIG when there are too many layers.
 *
 * The layers are given relative to /proc/self/fd ("12"), with the working directory there
 * while the kernel resolves them; the caller's is restored before returning. Linux 6.8 and
 * later take them one at a time ("lowerdir+"), up to overlayfs's 500. Before that they go
 * in one "lowerdir" value, and fsconfig() takes string values of at most 255 bytes: about
 * 80 layers ("12:11:10..."; "/proc/self/fd/N" paths would outgrow it at a dozen). */
int overlay_configure(int fs_fd, const int *lower_fds, size_t n, const char *upper,
		      const char *work);
