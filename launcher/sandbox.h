/* launcher/sandbox.h: building one session's sandbox, from inside its new namespaces. */
#pragma once

struct launch_ctx;

/* Build the sandbox and pivot into it: private mount tree, hostname, loopback (network
 * "none"), root overlay, the user in /etc, /dev, /proc, /sys, /tmp, /run, login records and
 * syslog, volumes, shell check, pivot_root. Runs as the session's init before it starts its
 * loop. Returns 0 or -errno with c->report->error saying what failed. */
int sandbox_build(struct launch_ctx *c);
