/* launcher/shared.h: sessions shared by all the logins of a user (session = "user"). */
#pragma once

struct launch_ctx;

/* Take the user's lock (held until the launcher exits, so two first logins can never make
 * two sessions) and attach the login to the user's running shared session, if there is one.
 * Returns 1 when attached (c->id and c->init_pid then name that session), 0 when a new
 * session must be made, or -errno. A session that is ending is waited for first. */
int shared_attach(struct launch_ctx *c);
