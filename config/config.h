/* config/config.h: carrel.conf (libconfig) in, validated immutable structs out.
 *
 * cfg_load() does every check once: known keys only, types, sizes, absolute paths without
 * "..", known images, well-formed templates and patterns. Code downstream reads these structs,
 * never libconfig settings. Nothing here logs; problems come back as diagnostics with the line
 * they belong to. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef CARREL_CONFIG_PATH
#define CARREL_CONFIG_PATH "/etc/carrel/carrel.conf"
#endif

#define CFG_MAX_DIAGS 64

/* One problem found in a config file. @line is 0 when it concerns the file as a whole. */
struct cfg_diag {
	int line;
	char text[320];
};

/* Every problem found, in file order, up to CFG_MAX_DIAGS (then @truncated is set). */
struct cfg_diags {
	size_t count;
	bool truncated;
	struct cfg_diag items[CFG_MAX_DIAGS];
};

enum cfg_image_type {
	CFG_IMAGE_HOST, /* the host's own /, never written */
	CFG_IMAGE_DIR,  /* a root-owned directory tree used as the read-only lower layer */
	CFG_IMAGE_OCI,  /* an image in carrel's store (carrel image import): its layers */
};

struct cfg_image {
	char *name;
	enum cfg_image_type type;
	char *path;       /* CFG_IMAGE_DIR: absolute path; NULL otherwise */
	char *oci_name;   /* CFG_IMAGE_OCI: the stored image's name ("name", default @name), or
			   * NULL when it is chosen by digest */
	char *oci_digest; /* CFG_IMAGE_OCI: "sha256:<64 hex>" of its config (its id) or
			   * manifest, when chosen by "digest"; NULL otherwise */
	int line;         /* 0 for the built-in image "host" */
};

enum cfg_network {
	CFG_NETWORK_HOST, /* share the host's network namespace */
	CFG_NETWORK_NONE, /* own network namespace with only lo, up */
};

enum cfg_rootfs {
	CFG_ROOTFS_TMPFS,      /* writable layer on a size-capped tmpfs, discarded at logout */
	CFG_ROOTFS_DISK,       /* on disk under /var/lib/carrel/sessions/<id>, removed at the end */
	CFG_ROOTFS_PERSISTENT, /* on disk per user and image, kept across logins and reboots */
};

/* Which logins share a session. */
enum cfg_session_scope {
	CFG_SESSION_LOGIN, /* every login its own fresh session */
	CFG_SESSION_USER,  /* all logins of a user join one running session */
};

enum cfg_volume_kind {
	CFG_VOLUME_BIND,      /* "source": a host path bound in */
	CFG_VOLUME_NAMED,     /* "name": /var/lib/carrel/volumes/<user>/<name>/_data, kept */
	CFG_VOLUME_ANONYMOUS, /* only "target": made for the session, removed at its end */
};

enum cfg_propagation {
	CFG_PROPAGATION_PRIVATE, /* host mounts made later stay invisible inside */
	CFG_PROPAGATION_SLAVE,   /* host mounts made later propagate in (autofs, NFS homes) */
};

/* A volume as written in the config: @source and @target are templates (see policy.h). */
struct cfg_volume {
	enum cfg_volume_kind kind;
	char *source; /* CFG_VOLUME_BIND only */
	char *name;   /* CFG_VOLUME_NAMED only: [A-Za-z0-9][A-Za-z0-9_.-]{0,63} */
	char *target;
	bool readonly;
	bool optional; /* a missing source is skipped instead of refusing the login */
	enum cfg_propagation propagation;
	int line;
};

/* Which keys a settings block sets; a policy inherits the others from defaults. */
enum cfg_field {
	CFG_FIELD_IMAGE = 1u << 0,
	CFG_FIELD_HOSTNAME = 1u << 1,
	CFG_FIELD_NETWORK = 1u << 2,
	CFG_FIELD_ROOTFS = 1u << 3,
	CFG_FIELD_ROOTFS_SIZE = 1u << 4,
	CFG_FIELD_VOLUMES = 1u << 5,
	CFG_FIELD_CAPABILITIES = 1u << 6,
	CFG_FIELD_SECCOMP = 1u << 7,
	CFG_FIELD_ALLOW_USERNS = 1u << 8,
	CFG_FIELD_SESSION = 1u << 9,
	CFG_FIELD_LINGER = 1u << 10,
	CFG_FIELD_IDLE_TIMEOUT = 1u << 11,
	CFG_FIELD_STOP_TIMEOUT = 1u << 12,
	/* "limits" and "user_limits" are merged key by key: see cfg_limits.set */
};

/* Which limits a limits block gives. */
enum cfg_limit {
	CFG_LIMIT_MEMORY = 1u << 0,
	CFG_LIMIT_SWAP = 1u << 1,
	CFG_LIMIT_PIDS = 1u << 2,
	CFG_LIMIT_CPU = 1u << 3,
};

/* Resource limits: of one session ("limits"), or of all of one user's sessions together
 * ("user_limits"). A limit not in @set is not imposed. A key given as "max" is in @unlimited
 * instead: in a policy, it lifts the defaults' limit rather than inheriting it. */
struct cfg_limits {
	unsigned set;       /* enum cfg_limit bits */
	uint64_t memory;    /* bytes, at least 4M */
	uint64_t swap;      /* bytes of swap on top of memory (0: none) */
	uint64_t pids;      /* processes and threads, at least 8 */
	uint64_t cpu_milli; /* CPUs in thousandths: cpu = 1.5 is 1500 */
	unsigned unlimited; /* enum cfg_limit bits given as "max" (pids only, so far) */
};

enum cfg_seccomp {
	CFG_SECCOMP_DEFAULT, /* carrel's filter (see common/harden.h) */
	CFG_SECCOMP_OFF,
};

/* The keys that "defaults" and each policy may set. In "defaults" every field is filled
 * (from the built-in defaults where the file is silent) and @set says which the file gave. */
struct cfg_settings {
	unsigned set;                  /* enum cfg_field bits */
	const struct cfg_image *image; /* points into cfg->images */
	char *hostname;                /* template */
	enum cfg_network network;
	enum cfg_rootfs rootfs;
	uint64_t rootfs_size; /* bytes */
	struct cfg_volume *volumes;
	size_t n_volumes;
	struct cfg_limits limits;      /* per session; merged key by key over defaults */
	struct cfg_limits user_limits; /* all of a user's sessions together; merged likewise */
	uint64_t capabilities;         /* bit (1 << CAP_x) for each capability kept */
	enum cfg_seccomp seccomp;
	bool allow_userns; /* may the session create user namespaces */
	enum cfg_session_scope session;
	uint64_t linger_sec;       /* a "user" session outlives its last login this long */
	uint64_t idle_timeout_sec; /* 0: none; else end a session without a login this long */
	uint64_t stop_timeout_sec; /* grace between SIGTERM and SIGKILL when a session ends */
};

/* A list of patterns; @n == 0 with @patterns NULL means "not given": matches anything. */
struct cfg_patterns {
	char **patterns;
	size_t n;
};

struct cfg_policy {
	char *name; /* optional "name" key; NULL when absent */
	int line;
	struct cfg_patterns users;    /* glob(7) patterns on the user name */
	struct cfg_patterns groups;   /* glob(7) patterns on any of the user's group names */
	struct cfg_patterns services; /* glob(7) patterns on the PAM service name */
	struct cfg_patterns rhosts;   /* glob(7) on the remote host, or CIDR (a.b.c.d/n, x::/n) */
	bool sandbox;                 /* false: matched users are let through unsandboxed */
	struct cfg_settings settings; /* overrides of defaults, see settings.set */
};

struct cfg {
	char *path; /* as given to cfg_load(), for messages */
	struct cfg_image *images;
	size_t n_images; /* always includes "host" */
	struct cfg_settings defaults;
	struct cfg_policy *policies;
	size_t n_policies;
};

/* Open @path with fs_open_trusted() semantics (a regular file, not a symlink, owned by root,
 * not writable by group or others), reject "@include", parse and validate it.
 * Returns 0 and a new config in *@ret, or -errno with @diags filled:
 *   -ENOENT  the file does not exist
 *   -EPERM   the file is refused by owner, mode or type (one diagnostic at line 0 says why)
 *   -EINVAL  syntax or validation errors (every one found, with its line)
 *   -ENOMEM, or another -errno from reading the file.
 * @diags may be NULL. */
int cfg_load(const char *path, struct cfg **ret, struct cfg_diags *diags);

/* Parse and validate config text without any file checks; @name is used in messages.
 * Same returns as cfg_load() minus the file ones. For unit tests and fuzzing. */
int cfg_parse_string(const char *text, const char *name, struct cfg **ret, struct cfg_diags *diags);

/* Free a config; NULL is fine. */
void cfg_free(struct cfg *c);

static inline void cfg_freep(struct cfg **c)
{
	cfg_free(*c);
}

/* The image called @name, or NULL. */
const struct cfg_image *cfg_image_find(const struct cfg *c, const char *name);

/* Parse a size such as "1G", "512M", "64k" or "1048576" (binary units K, M, G, T; optional
 * trailing "B" or "iB"). Returns 0 or -EINVAL (garbage, zero) / -ERANGE (overflow). */
int cfg_parse_size(const char *text, uint64_t *ret);

/* Names for messages and for the session record. */
const char *cfg_image_type_name(enum cfg_image_type t);
const char *cfg_network_name(enum cfg_network n);
const char *cfg_rootfs_name(enum cfg_rootfs r);
const char *cfg_seccomp_name(enum cfg_seccomp s);
const char *cfg_session_scope_name(enum cfg_session_scope s);
const char *cfg_volume_kind_name(enum cfg_volume_kind k);
const char *cfg_propagation_name(enum cfg_propagation p);

/* Parse a duration: "90" or "90s", "10m", "2h", "1d" (one unit; no fractions). Returns 0 or
 * -EINVAL / -ERANGE (over 365 days). "0" is 0. */
int cfg_parse_duration(const char *text, uint64_t *ret);
