/* common/events.h: the session event log, /run/carrel/events: one line per session created,
 * login attached, join, stop request, end and reclaim, for "carrel events". Lines are
 * appended with one write(2) each (atomic for lines this short on a local file), tab
 * separated: time (RFC 3339, UTC), event, session id, user, service, remote host, detail.
 * The log lives in /run: it starts empty at boot, like the sessions it describes. When it
 * passes EVENTS_MAX_BYTES it is moved to events.1 and a new one begun. */
#pragma once

#include <stddef.h>

#define EVENTS_DIR "/run/carrel"
#define EVENTS_NAME "events"
#define EVENTS_PATH EVENTS_DIR "/" EVENTS_NAME
#define EVENTS_OLD_PATH EVENTS_PATH ".1"
#define EVENTS_MAX_BYTES (1024 * 1024)

struct events_entry {
	const char *event; /* "create", "attach", "join", "stop", "end", "reclaim" */
	const char *id;
	const char *user;
	const char *service; /* may be NULL */
	const char *rhost;   /* may be NULL */
	const char *detail;  /* may be NULL: a reason, a command */
};

/* Open the directory of the log (O_PATH). Returns the fd or -errno. A process that pivots
 * away from the host (a session's init) opens it first and keeps it: the directory, not the
 * file, so that a line written after a rotation goes to the new log. */
int events_open(void);

/* Append @e to the log in the directory open at @dir_fd (the file made 0600 if missing).
 * Returns 0 or -errno; callers treat failure as a lost line, never as a reason to fail what
 * they were doing. */
int events_write(int dir_fd, const struct events_entry *e);

/* Open, append, close: for programs that write one event. */
int events_log(const struct events_entry *e);
