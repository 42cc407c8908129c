/* launcher/rootfs.h: the session's root filesystem: an overlay whose lower layer is the
 * image (the host's own / or a directory) and whose upper layer lives on a size-capped tmpfs,
 * discarded with the session. */
#pragma once

struct launch_ctx;

/* Build the root in the session directory's staging mount points. Runs in the session's new,
 * private mount namespace. Returns an fd for the new root directory or -errno (the report
 * says what failed). */
int rootfs_build(struct launch_ctx *c);
