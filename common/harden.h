/* common/harden.h: confining what a session runs.
 *
 * A process that joins a session through setns() inherits nothing from its init but the
 * namespaces, so the confinement is applied in the joining process itself: in the PAM caller
 * after it has joined and before it forks the user's shell, and in carrel join/run's child
 * before it execs. It is irreversible and inherited by everything forked after:
 *   - the capability bounding set keeps only the capabilities the policy names (root inside,
 *     by "carrel join --root" or any other way, never has more), inheritable and ambient sets
 *     are emptied;
 *   - no_new_privs: a set-user-ID or file-capability program gains nothing;
 *   - unless the policy says seccomp = "off", a seccomp filter that makes the system calls a
 *     login never needs, and those that break isolation, fail with EPERM (see harden.c).
 * The calling process keeps its own effective capabilities: the PAM caller still has to
 * setns() back and signal the session's init at close, which the filter allows. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct harden_spec {
	uint64_t keep_caps; /* bit (1 << CAP_x) for each capability kept in the bounding set */
	bool seccomp;       /* install the default filter */
	bool allow_userns;  /* leave user namespace creation allowed */
};

/* Apply @s to the calling process. Returns 0 or -errno (the process is then partly
 * hardened: callers must treat a failure as fatal for the session). */
int harden_apply(const struct harden_spec *s);

struct session_record;

/* The confinement a session's record asks for. */
void harden_spec_from_record(const struct session_record *r, struct harden_spec *ret);
