/* launcher/spawn.h: starting the session's init in its new namespaces. */
#pragma once

struct launch_ctx;

/* Clone the init into new mount, pid, uts, ipc and cgroup namespaces (and net for network
 * "none"), let it build the sandbox, and wait until it is ready or has failed. The caller
 * must already be in the session's cgroups, so init is born in them. Returns 0 with
 * c->init_pid set, or -errno (c->report->error says why). In the child this never returns. */
int spawn_init(struct launch_ctx *c);

/* Kill and reap an init that spawn_init() started, when a later step fails. */
void spawn_abort(struct launch_ctx *c);
