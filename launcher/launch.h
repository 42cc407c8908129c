/* launcher/launch.h: the state of one carrel-launch run, shared by its steps. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/cgroup.h"
#include "common/image_record.h"
#include "common/session_state.h"

struct cfg;
struct identity;
struct profile;

struct launch_args {
	const char *config;
	const char *user;
	const char *service;
	const char *tty;
	const char *rhost;
	bool syslog;
	bool debug;
	const char *pause_at; /* --pause-at STEP: see pause_point() */
	char **argv;          /* our own, to retitle the init (see spawn.c) */
	int argc;
};

#define REPORT_MAX_MOUNTS 64

struct report_mount {
	char type[16];
	char source[256];
	char destination[256];
	char propagation[8]; /* "" for private */
	bool rw;
};

/* What the session's init tells the launcher about the sandbox it built. It lives in a
 * shared anonymous mapping: init fills it in before it says "ready" (or "failed") on the sync
 * pipe; the launcher reads it after. */
struct launch_report {
	char error[400];
	char lower_dir[16384]; /* an image of many layers: every layer's path */
	char upper_dir[600];
	char work_dir[600];
	char merged_dir[256];
	size_t n_mounts;
	struct report_mount mounts[REPORT_MAX_MOUNTS];
};

struct launch_ctx {
	const struct launch_args *args;
	struct cfg *cfg;
	struct identity *who;
	struct profile *profile;
	char id[SESSION_ID_LEN + 1];
	char session_path[128]; /* /run/carrel/sessions/<id> */
	int state_root_fd;      /* /run/carrel/sessions */
	int session_dir_fd;
	int lock_fd;          /* held by init for the session's whole life */
	int user_lock_fd;     /* a shared session's user lock: the launcher's alone */
	char layer_path[512]; /* where the writable layer is (launcher/layer.h) */
	int layer_lock_fd;    /* a persistent layer's lock, held by init */
	int layer_fd;         /* the layer directory, kept by init for carrel diff */
	int init_program_fd;  /* carrel-init, to exec once the sandbox is built */
	/* An image of type "oci" (launcher/ociimage.h); NULL otherwise. */
	struct image_record *oci_image;
	struct image_exec oci_exec; /* its Env and WorkingDir */
	int image_lock_fd;          /* its record locked shared, held by init */
	int caller_pidfd;           /* the login process: when it is gone, the session ends */
	int host_cgroupns_fd;       /* for init to leave its cgroups at the end */
	struct cgroup_layout cgroups;
	char cgroup_name[CGROUP_NAME_MAX]; /* "user-<uid>/<id>" */
	int cgroup_fd;                     /* for CLONE_INTO_CGROUP on pure cgroup v2, else -1 */
	bool cgroups_made;
	struct launch_report *report;
	pid_t init_pid;
};

/* Record one mount in the report (silently dropped beyond REPORT_MAX_MOUNTS). */
void report_mount(struct launch_report *r, const char *type, const char *source,
		  const char *destination, bool rw);

/* Describe a failure in the report for the launcher to pass on, followed by the text of
 * @err (a -errno), which is returned. */
int report_fail(struct launch_report *r, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set the propagation of the mount recorded last ("slave"). */
void report_last_propagation(struct launch_report *r, const char *propagation);

/* Like report_fail(), for a refusal whose message says everything: no errno text. */
int report_refuse(struct launch_report *r, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* With --pause-at @step, stop this process (SIGSTOP) here: crash tests kill each piece at each
 * step of making a session and check that nothing is left behind. */
void pause_point(const struct launch_args *a, const char *step);
