/* launcher/apifs.h: the kernel and scratch filesystems every session gets fresh: /proc of its
 * own pid namespace, a read-only /sys, a private /tmp and a private /run. */
#pragma once

struct launch_ctx;

/* Mount them under @root_fd. Returns 0 or -errno (the report says what failed). */
int apifs_build(struct launch_ctx *c, int root_fd);
