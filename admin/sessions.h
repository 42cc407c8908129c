/* admin/sessions.h: the live sessions, as their records describe them. */
#pragma once

#include <stddef.h>

#include "common/session_state.h"

struct session_list {
	struct session_record **items; /* sorted by creation time */
	size_t n;
};

/* Load the record of every live session (its init still holds the lock). Records of
 * sessions being created or already over are left out. Returns 0 or -errno; a missing state
 * directory is an empty list. */
int sessions_load(struct session_list *ret);

/* The sessions @what (see sessions_find()) may name. A full session id of a live session
 * names that session alone (even where a user has the same name), so only its record is
 * read: a join does not read every record on a busy host. Otherwise, sessions_load(). */
int sessions_load_named(const char *what, struct session_list *ret);

void sessions_free(struct session_list *l);

/* The one session @what names: a session id (even where a user has that name), a unique
 * prefix of one (at least 4 digits), or a user name with exactly one session. Returns 0, or
 * -ENOENT / -EEXIST (ambiguous) with @why explaining. */
int sessions_find(const struct session_list *l, const char *what, const struct session_record **ret,
		  char *why, size_t why_size);

/* A pidfd for the session's init, checked against its start time. -ESRCH when it is over. */
int sessions_open_init(const struct session_record *r);

/* Format a CLOCK_REALTIME time in microseconds as RFC 3339 UTC, and as "5 minutes ago". */
const char *sessions_format_time(long long usec, char *buf, size_t size);
const char *sessions_format_age(long long usec, char *buf, size_t size);
