/* launcher/hostlinks.h: what must stay connected to the host inside a session: the login
 * records (utmp, wtmp, btmp, lastlog), which sshd and login write after joining, and the
 * journal's sockets. Without them the host's `last` never sees a sandboxed login and every
 * later log line of sshd and PAM is lost. */
#pragma once

struct launch_ctx;

/* Bind each that exists on the host at the same place under @root_fd. Returns 0 or -errno
 * (the report says what failed). */
int hostlinks_bind(struct launch_ctx *c, int root_fd);
