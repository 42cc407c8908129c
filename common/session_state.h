/* common/session_state.h: the only code that knows the layout and format of the session
 * records under /run/carrel/sessions/<id>/.
 *
 * A session directory (root, 0700) holds:
 *   session   the record, "key=value" lines, replaced atomically
 *   lock      flock(LOCK_EX) held by the session's init for its whole life: a record whose
 *             lock can be taken belongs to a session that is over
 *   layer/    mount point of the writable layer, used only inside the session's mount
 *   merged/   namespace (on the host they stay empty directories)
 *
 * Errors callers may see: -ENOENT, -EEXIST, -ENOMEM, -EPROTO (a corrupt record), -EINVAL (a
 * malformed session id). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"

#define SESSION_RUN_DIR "/run/carrel"
#define SESSION_STATE_DIR "/run/carrel/sessions"
#define SESSION_ID_LEN 12
#define SESSION_LAYER_DIR "layer"
#define SESSION_MERGED_DIR "merged"
/* At most 11 bytes each in a record: 4096 of them stay far below the 256 KiB a reader takes. */
#define SESSION_RECORD_MAX_GIDS 4096

struct session_mount {
	char *type; /* "bind", "overlay", "tmpfs", "proc", ... */
	char *source;
	char *destination;
	char *propagation;
	bool rw;
};

struct session_record {
	char id[SESSION_ID_LEN + 1];
	char *user;
	uid_t uid;
	gid_t gid;
	/* The user's groups when the session was made (getgrouplist(3), primary first), which
	 * a joined process gets too; none in a record written before carrel kept them, or when
	 * there are more than SESSION_RECORD_MAX_GIDS. */
	gid_t *gids;
	size_t n_gids;
	char *home;
	char *shell;
	char *service;
	char *tty;
	char *rhost;
	char *image;
	char *image_type;
	char *stored_image; /* type "oci": the image's name in the store, "" otherwise */
	char *image_id;     /* type "oci": its id (config digest), "" otherwise */
	char **env;         /* the image's Env ("KEY=VALUE"), for whoever enters */
	size_t n_env;
	char *workdir; /* the image's WorkingDir, "" when none */
	char *policy;  /* policy_describe() of the matching policy */
	char *config;  /* path of the config the session was made from */
	char *hostname;
	char *network;
	char *rootfs;
	uint64_t rootfs_size;
	pid_t init_pid;       /* in the host pid namespace */
	uint64_t init_start;  /* start time of init, clock ticks after boot */
	int64_t created_usec; /* CLOCK_REALTIME, microseconds */
	char *lower_dir;      /* the overlay's layers, as seen when they were mounted */
	char *upper_dir;
	char *work_dir;
	char *merged_dir;
	struct session_mount *mounts;
	size_t n_mounts;
	char **cgroups; /* the session's cgroup directory in each hierarchy, host paths */
	size_t n_cgroups;
	/* The confinement every process joining the session gets (common/harden.h). */
	uint64_t capabilities; /* bit (1 << CAP_x) for each capability kept */
	char *seccomp;         /* "default" or "off" */
	char *scope;           /* "login" or "user" (shared by all the user's logins) */
	bool allow_userns;
	struct cfg_limits limits;      /* this session's */
	struct cfg_limits user_limits; /* all the user's sessions together */
};

/* A fresh random session id: 12 lowercase hex digits. Returns 0 or -errno. */
int session_id_new(char ret[SESSION_ID_LEN + 1]);

/* Is @id exactly 12 lowercase hex digits? */
bool session_id_valid(const char *id);

/* Serialise / parse a record. Parsing ignores unknown keys (newer writers) and returns
 * -EPROTO for a malformed line, a bad number or a missing id, user or init pid. */
int session_record_format(const struct session_record *r, char **ret);
int session_record_parse(const char *text, struct session_record **ret);

void session_record_free(struct session_record *r);

static inline void session_record_freep(struct session_record **r)
{
	session_record_free(*r);
}

/* Append a mount / a cgroup path / an environment entry to @r (strings are copied). Returns 0
 * or -ENOMEM. */
int session_record_add_mount(struct session_record *r, const char *type, const char *source,
			     const char *destination, bool rw, const char *propagation);
int session_record_add_cgroup(struct session_record *r, const char *path);
int session_record_add_env(struct session_record *r, const char *entry);
/* Set the user's groups of @r to a copy of @gids. Returns 0 or -ENOMEM. */
int session_record_set_gids(struct session_record *r, const gid_t *gids, size_t n);

/* Open /run/carrel/sessions as an O_PATH directory fd. With @create, make it (and
 * /run/carrel) root-owned 0755 when missing. Returns the fd or -errno. */
int session_state_open_root(bool create);

/* Make the directory for a new session @id below @root_fd (0700) and its two staging
 * subdirectories; return it as an O_DIRECTORY fd. -EEXIST when the id is taken. */
int session_dir_create(int root_fd, const char *id);

/* Open the directory of session @id. Returns the fd or -errno (-ENOENT, -EINVAL bad id). */
int session_dir_open(int root_fd, const char *id);

/* Create and take the session's lock (exclusive); the returned fd must be kept open by
 * whoever keeps the session alive. -EBUSY when the directory already has a lock file. */
int session_lock_take(int dir_fd);

/* Is the session in @dir_fd alive (its lock held)? 1 yes, 0 no, -errno. A session whose
 * lock file does not exist yet is being created: 1. */
int session_is_alive(int dir_fd);

/* Write / read the record of the session in @dir_fd. */
int session_record_write(int dir_fd, const struct session_record *r);
int session_record_load(int dir_fd, struct session_record **ret);

/* Remove the session directory @id below @root_fd: only the entries this module creates,
 * never a recursive delete (a stray mount must never lead a delete into a real tree).
 * Returns 0 or -errno (-ENOTEMPTY/-EBUSY: something else is in there; it is left alone). */
int session_dir_remove(int root_fd, const char *id);

/* The ids of every session directory below @root_fd, sorted by name. Returns the count
 * or -errno; *@ret is a NULL-terminated array to free with session_ids_free(). */
int session_list_ids(int root_fd, char ***ret);
void session_ids_free(char **ids);
