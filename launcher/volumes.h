/* launcher/volumes.h: binding the configured volumes (the user's home, shared data) into the
 * session. */
#pragma once

struct launch_ctx;

/* Bind every volume of the profile, in config order, under @root_fd. Returns 0 or -errno
 * (the report says which volume and why): -ENOENT a missing source that is not optional,
 * -ELOOP a symbolic link anywhere in a source path, -EPERM a source owned by another user. */
int volumes_bind(struct launch_ctx *c, int root_fd);
