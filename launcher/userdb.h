/* launcher/userdb.h: the session user's identity inside the image. An image may not know the
 * user at all; then the login fails late and confusingly (no name for the uid, a shell that
 * does not exist). So the user's passwd entry and groups are written into the session's
 * /etc (in the writable layer, never the image), and the shell is checked up front. */
#pragma once

struct launch_ctx;

/* Make /etc/passwd and /etc/group under @root_fd agree with the host about the user, and
 * give the session hostname a line in /etc/hosts. Returns 0 or -errno (report filled). */
int userdb_sync(struct launch_ctx *c, int root_fd);

/* Check that the user's login shell exists in the session and is executable. Returns 0, or
 * -ENOENT / -EACCES with a report that says what to do. */
int userdb_check_shell(struct launch_ctx *c, int root_fd);
