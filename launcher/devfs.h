/* launcher/devfs.h: the session's minimal /dev. */
#pragma once

struct launch_ctx;

/* Mount a fresh /dev under @root_fd: null, zero, full, random, urandom and tty bound from the
 * host; a new devpts instance with its own ptmx; shm; mqueue; the standard symlinks; the host
 * syslog socket (/dev/log) when there is one; and the login's own terminal when it is a
 * console device. Returns 0 or -errno (the report says what failed). */
int devfs_build(struct launch_ctx *c, int root_fd);
