/* common/session_state.c: see session_state.h.
 *
 * Invariants:
 * 1. Everything below /run/carrel is created by root, 0755 for the shared directories and
 *    0700 for a session's own; no path below it is ever followed through a symlink.
 * 2. A record is replaced atomically (write + rename): a reader sees the old or the new one.
 * 3. Removal deletes only names this file creates, one by one; it never recurses. */
#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/session_state.h"

#define RECORD_NAME "session"
#define LOCK_NAME "lock"
#define CONTROL_NAME "control" /* common/control.h: the init's socket */
#define RECORD_MAX (256 * 1024)

int session_id_new(char ret[SESSION_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char bytes[SESSION_ID_LEN / 2];

	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
		return -errno;
	for (size_t i = 0; i < sizeof(bytes); i++) {
		ret[2 * i] = hex[bytes[i] >> 4];
		ret[2 * i + 1] = hex[bytes[i] & 0xf];
	}
	ret[SESSION_ID_LEN] = '\0';
	return 0;
}

bool session_id_valid(const char *id)
{
	size_t i;

	if (!id)
		return false;
	for (i = 0; id[i]; i++)
		if (!isxdigit((unsigned char)id[i]) || isupper((unsigned char)id[i]))
			return false;
	return i == SESSION_ID_LEN;
}

/* ---- text format: "key=value" lines; '\\', '\n' and '\t' in values escaped ---- */

struct buf {
	char *data;
	size_t len, cap;
	bool failed;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 1024) + n;
		char *p = realloc(b->data, cap);

		if (!p) {
			b->failed = true;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void buf_add_escaped(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		default:
			buf_add(b, s, 1);
		}
	}
}

static void put_str(struct buf *b, const char *key, const char *value)
{
	buf_add(b, key, strlen(key));
	buf_add(b, "=", 1);
	buf_add_escaped(b, value ? value : "");
	buf_add(b, "\n", 1);
}

static void put_num(struct buf *b, const char *key, int64_t value)
{
	char text[32];

	snprintf(text, sizeof(text), "%" PRId64, value);
	put_str(b, key, text);
}

static void put_unsigned(struct buf *b, const char *key, uint64_t value)
{
	char text[32];

	snprintf(text, sizeof(text), "%" PRIu64, value);
	put_str(b, key, text);
}

static void put_hex(struct buf *b, const char *key, uint64_t value)
{
	char text[32];

	snprintf(text, sizeof(text), "0x%016" PRIx64, value);
	put_str(b, key, text);
}

/* "groups=1001,27,100". Left out past SESSION_RECORD_MAX_GIDS, which keeps the record far
 * below what a reader takes (a join then asks NSS, as for a record without them). */
static void put_gids(struct buf *b, const gid_t *gids, size_t n)
{
	char text[16];

	if (n == 0 || n > SESSION_RECORD_MAX_GIDS)
		return;
	buf_add(b, "groups=", 7);
	for (size_t i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%s%u", i ? "," : "", (unsigned)gids[i]);
		buf_add(b, text, strlen(text));
	}
	buf_add(b, "\n", 1);
}

static const struct {
	const char *name;
	unsigned bit;
	size_t offset;
} limit_keys[] = {
    {"memory", CFG_LIMIT_MEMORY, offsetof(struct cfg_limits, memory)},
    {"swap", CFG_LIMIT_SWAP, offsetof(struct cfg_limits, swap)},
    {"pids", CFG_LIMIT_PIDS, offsetof(struct cfg_limits, pids)},
    {"cpu_milli", CFG_LIMIT_CPU, offsetof(struct cfg_limits, cpu_milli)},
};

/* Only the limits that are set: an absent key means "no limit". */
static void put_limits(struct buf *b, const char *prefix, const struct cfg_limits *l)
{
	for (size_t i = 0; i < ARRAY_SIZE(limit_keys); i++) {
		char key[64];

		if (!(l->set & limit_keys[i].bit))
			continue;
		snprintf(key, sizeof(key), "%s%s", prefix, limit_keys[i].name);
		put_unsigned(b, key, *(const uint64_t *)((const char *)l + limit_keys[i].offset));
	}
}

static void put_mount(struct buf *b, const struct session_mount *m)
{
	const char *fields[] = {m->type, m->source, m->destination, m->rw ? "rw" : "ro",
				m->propagation};

	buf_add(b, "mount=", 6);
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		if (i)
			buf_add(b, "\t", 1);
		buf_add_escaped(b, fields[i]);
	}
	buf_add(b, "\n", 1);
}

int session_record_format(const struct session_record *r, char **ret)
{
	struct buf b = {0};

	put_str(&b, "id", r->id);
	put_str(&b, "user", r->user);
	put_num(&b, "uid", r->uid);
	put_num(&b, "gid", r->gid);
	put_gids(&b, r->gids, r->n_gids);
	put_str(&b, "home", r->home);
	put_str(&b, "shell", r->shell);
	put_str(&b, "service", r->service);
	put_str(&b, "tty", r->tty);
	put_str(&b, "rhost", r->rhost);
	put_str(&b, "image", r->image);
	put_str(&b, "image_type", r->image_type);
	put_str(&b, "stored_image", r->stored_image);
	put_str(&b, "image_id", r->image_id);
	for (size_t i = 0; i < r->n_env; i++)
		put_str(&b, "env", r->env[i]);
	put_str(&b, "workdir", r->workdir);
	put_str(&b, "policy", r->policy);
	put_str(&b, "config", r->config);
	put_str(&b, "hostname", r->hostname);
	put_str(&b, "network", r->network);
	put_str(&b, "rootfs", r->rootfs);
	put_unsigned(&b, "rootfs_size", r->rootfs_size);
	put_num(&b, "init_pid", r->init_pid);
	put_unsigned(&b, "init_start", r->init_start);
	put_num(&b, "created_usec", r->created_usec);
	put_str(&b, "lower_dir", r->lower_dir);
	put_str(&b, "upper_dir", r->upper_dir);
	put_str(&b, "work_dir", r->work_dir);
	put_str(&b, "merged_dir", r->merged_dir);
	for (size_t i = 0; i < r->n_mounts; i++)
		put_mount(&b, &r->mounts[i]);
	for (size_t i = 0; i < r->n_cgroups; i++)
		put_str(&b, "cgroup", r->cgroups[i]);
	put_hex(&b, "capabilities", r->capabilities);
	put_str(&b, "seccomp", r->seccomp);
	put_str(&b, "scope", r->scope);
	put_num(&b, "allow_userns", r->allow_userns);
	put_limits(&b, "limit_", &r->limits);
	put_limits(&b, "user_limit_", &r->user_limits);
	if (b.failed) {
		free(b.data);
		return -ENOMEM;
	}
	*ret = b.data;
	return 0;
}

/* Undo the escaping in place. -EPROTO for a dangling or unknown escape. */
static int unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (*s != '\\') {
			*out++ = *s;
			continue;
		}
		s++;
		switch (*s) {
		case '\\':
			*out++ = '\\';
			break;
		case 'n':
			*out++ = '\n';
			break;
		case 't':
			*out++ = '\t';
			break;
		default:
			return -EPROTO;
		}
	}
	*out = '\0';
	return 0;
}

static int parse_i64(const char *text, int64_t min, int64_t max, int64_t *ret)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max)
		return -EPROTO;
	*ret = v;
	return 0;
}

static int set_str(char **field, const char *raw)
{
	char *copy = strdup(raw);

	if (!copy)
		return -ENOMEM;
	if (unescape(copy) < 0) {
		free(copy);
		return -EPROTO;
	}
	free(*field);
	*field = copy;
	return 0;
}

static int parse_mount(struct session_record *r, char *value)
{
	char *fields[5];
	size_t n = 0;

	/* strsep, not strtok: empty fields are meaningful. */
	for (char *p = value; n < ARRAY_SIZE(fields); n++) {
		fields[n] = strsep(&p, "\t");
		if (!fields[n])
			return -EPROTO;
		if (n == ARRAY_SIZE(fields) - 1 && p)
			return -EPROTO;
	}
	for (n = 0; n < ARRAY_SIZE(fields); n++)
		if (unescape(fields[n]) < 0)
			return -EPROTO;
	if (strcmp(fields[3], "rw") != 0 && strcmp(fields[3], "ro") != 0)
		return -EPROTO;
	return session_record_add_mount(r, fields[0], fields[1], fields[2],
					strcmp(fields[3], "rw") == 0, fields[4]);
}

struct str_key {
	const char *key;
	size_t offset;
};

#define STR_KEY(name)                                                                              \
	{                                                                                          \
#name, offsetof(struct session_record, name)                                       \
	}
static const struct str_key str_keys[] = {
    STR_KEY(user),       STR_KEY(home),      STR_KEY(shell),     STR_KEY(service),
    STR_KEY(tty),        STR_KEY(rhost),     STR_KEY(image),     STR_KEY(image_type),
    STR_KEY(policy),     STR_KEY(config),    STR_KEY(hostname),  STR_KEY(network),
    STR_KEY(rootfs),     STR_KEY(lower_dir), STR_KEY(upper_dir), STR_KEY(work_dir),
    STR_KEY(merged_dir), STR_KEY(seccomp),   STR_KEY(scope),     STR_KEY(stored_image),
    STR_KEY(image_id),   STR_KEY(workdir),
};

static int parse_u64(const char *text, uint64_t *ret)
{
	char *end = NULL;
	unsigned long long v;

	if (text[0] < '0' || text[0] > '9')
		return -EPROTO;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end)
		return -EPROTO;
	*ret = v;
	return 0;
}

/* The value of "groups=": gids separated by commas, at least one. */
static int parse_gids(struct session_record *r, char *value)
{
	size_t n = 1;
	gid_t *gids;
	char *p = value;

	for (const char *c = value; *c; c++)
		n += *c == ',';
	gids = calloc(n, sizeof(*gids));
	if (!gids)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char *item = strsep(&p, ",");
		uint64_t v;

		if (parse_u64(item, &v) < 0 || v >= UINT32_MAX) {
			free(gids);
			return -EPROTO;
		}
		gids[i] = (gid_t)v;
	}
	free(r->gids);
	r->gids = gids;
	r->n_gids = n;
	return 0;
}

/* "limit_memory=..." and the like; 1 when @key is one, 0 when not, -EPROTO for a bad value. */
static int parse_limit_key(struct session_record *r, const char *key, const char *value)
{
	struct cfg_limits *l;

	if (strncmp(key, "limit_", 6) == 0) {
		l = &r->limits;
		key += 6;
	} else if (strncmp(key, "user_limit_", 11) == 0) {
		l = &r->user_limits;
		key += 11;
	} else {
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(limit_keys); i++) {
		if (strcmp(key, limit_keys[i].name) != 0)
			continue;
		if (parse_u64(value, (uint64_t *)((char *)l + limit_keys[i].offset)) < 0)
			return -EPROTO;
		l->set |= limit_keys[i].bit;
		return 1;
	}
	return 0; /* a limit from a newer writer */
}

static int parse_number_key(struct session_record *r, const char *key, const char *value)
{
	int64_t v;

	if (strcmp(key, "capabilities") == 0) {
		char *end = NULL;

		errno = 0;
		r->capabilities = strtoull(value, &end, 16);
		return errno || end == value || *end ? -EPROTO : 0;
	}
	if (strcmp(key, "rootfs_size") == 0)
		return parse_u64(value, &r->rootfs_size);
	if (strcmp(key, "init_start") == 0)
		return parse_u64(value, &r->init_start);
	if (parse_i64(value, INT64_MIN, INT64_MAX, &v) < 0)
		return -EPROTO;
	if (strcmp(key, "uid") == 0 && v >= 0 && v <= UINT32_MAX)
		r->uid = (uid_t)v;
	else if (strcmp(key, "gid") == 0 && v >= 0 && v <= UINT32_MAX)
		r->gid = (gid_t)v;
	else if (strcmp(key, "init_pid") == 0 && v > 0 && v <= INT32_MAX)
		r->init_pid = (pid_t)v;
	else if (strcmp(key, "created_usec") == 0)
		r->created_usec = v;
	else if (strcmp(key, "allow_userns") == 0 && (v == 0 || v == 1))
		r->allow_userns = v == 1;
	else
		return -EPROTO;
	return 0;
}

static bool is_number_key(const char *key)
{
	static const char *const keys[] = {"uid",          "gid",         "rootfs_size",
					   "init_pid",     "init_start",  "created_usec",
					   "capabilities", "allow_userns"};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return false;
}

static int parse_line(struct session_record *r, char *line)
{
	char *eq = strchr(line, '=');
	const char *key = line;
	char *value;

	if (!eq)
		return -EPROTO;
	*eq = '\0';
	value = eq + 1;

	if (strcmp(key, "id") == 0) {
		if (!session_id_valid(value))
			return -EPROTO;
		memcpy(r->id, value, SESSION_ID_LEN + 1);
		return 0;
	}
	if (strcmp(key, "mount") == 0)
		return parse_mount(r, value);
	if (strcmp(key, "cgroup") == 0) {
		if (unescape(value) < 0)
			return -EPROTO;
		return session_record_add_cgroup(r, value);
	}
	if (strcmp(key, "groups") == 0)
		return parse_gids(r, value);
	if (strcmp(key, "env") == 0) {
		if (unescape(value) < 0 || !strchr(value, '=') || value[0] == '=')
			return -EPROTO;
		return session_record_add_env(r, value);
	}
	if (is_number_key(key))
		return parse_number_key(r, key, value);
	{
		int is_limit = parse_limit_key(r, key, value);

		if (is_limit != 0)
			return is_limit < 0 ? is_limit : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(str_keys); i++)
		if (strcmp(key, str_keys[i].key) == 0)
			return set_str((char **)((char *)r + str_keys[i].offset), value);
	return 0; /* a key from a newer writer */
}

int session_record_parse(const char *text, struct session_record **ret)
{
	struct session_record *r = calloc(1, sizeof(*r));
	autofree char *copy = strdup(text);
	char *save = NULL;
	int rr = 0;

	if (!r || !copy) {
		free(r);
		return -ENOMEM;
	}
	for (char *line = strtok_r(copy, "\n", &save); line && rr >= 0;
	     line = strtok_r(NULL, "\n", &save))
		rr = parse_line(r, line);
	if (rr >= 0 && (!r->id[0] || !r->user || r->init_pid <= 0))
		rr = -EPROTO;
	if (rr < 0) {
		session_record_free(r);
		return rr;
	}
	*ret = r;
	return 0;
}

void session_record_free(struct session_record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(str_keys); i++)
		free(*(char **)((char *)r + str_keys[i].offset));
	for (size_t i = 0; i < r->n_mounts; i++) {
		free(r->mounts[i].type);
		free(r->mounts[i].source);
		free(r->mounts[i].destination);
		free(r->mounts[i].propagation);
	}
	free(r->mounts);
	for (size_t i = 0; i < r->n_cgroups; i++)
		free(r->cgroups[i]);
	free(r->cgroups);
	for (size_t i = 0; i < r->n_env; i++)
		free(r->env[i]);
	free(r->env);
	free(r->gids);
	free(r);
}

int session_record_add_mount(struct session_record *r, const char *type, const char *source,
			     const char *destination, bool rw, const char *propagation)
{
	struct session_mount *grown = realloc(r->mounts, (r->n_mounts + 1) * sizeof(*grown));
	struct session_mount *m;

	if (!grown)
		return -ENOMEM;
	r->mounts = grown;
	m = &r->mounts[r->n_mounts];
	*m = (struct session_mount){
	    .type = strdup(type),
	    .source = strdup(source ? source : ""),
	    .destination = strdup(destination),
	    .propagation = strdup(propagation ? propagation : "private"),
	    .rw = rw,
	};
	r->n_mounts++;
	if (!m->type || !m->source || !m->destination || !m->propagation)
		return -ENOMEM; /* the half-filled entry is freed with the record */
	return 0;
}

int session_record_add_cgroup(struct session_record *r, const char *path)
{
	char **grown = realloc(r->cgroups, (r->n_cgroups + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	r->cgroups = grown;
	r->cgroups[r->n_cgroups] = strdup(path);
	if (!r->cgroups[r->n_cgroups])
		return -ENOMEM;
	r->n_cgroups++;
	return 0;
}

int session_record_add_env(struct session_record *r, const char *entry)
{
	/* NULL-terminated, so that it can be handed on as an environment. */
	char **grown = realloc(r->env, (r->n_env + 2) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	r->env = grown;
	r->env[r->n_env] = strdup(entry);
	if (!r->env[r->n_env])
		return -ENOMEM;
	r->env[++r->n_env] = NULL;
	return 0;
}

int session_record_set_gids(struct session_record *r, const gid_t *gids, size_t n)
{
	gid_t *copy = NULL;

	if (n > 0) {
		copy = calloc(n, sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, gids, n * sizeof(*copy));
	}
	free(r->gids);
	r->gids = copy;
	r->n_gids = n;
	return 0;
}

/* ---- the directory tree ---- */

static int ensure_dir(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM; /* never build state inside something another user controls */
	return 0;
}

int session_state_open_root(bool create)
{
	int fd;

	if (create) {
		int r = ensure_dir(SESSION_RUN_DIR, 0755);

		if (r < 0)
			return r;
		r = ensure_dir(SESSION_STATE_DIR, 0755);
		if (r < 0)
			return r;
	}
	fd = open(SESSION_STATE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int session_dir_create(int root_fd, const char *id)
{
	autoclose int dir_fd = -1;

	if (!session_id_valid(id))
		return -EINVAL;
	if (mkdirat(root_fd, id, 0700) < 0)
		return -errno;
	dir_fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dir_fd < 0 || mkdirat(dir_fd, SESSION_LAYER_DIR, 0700) < 0 ||
	    mkdirat(dir_fd, SESSION_MERGED_DIR, 0755) < 0) {
		int r = -errno;

		(void)session_dir_remove(root_fd, id);
		return r;
	}
	return take_fd(dir_fd);
}

int session_dir_open(int root_fd, const char *id)
{
	int fd;

	if (!session_id_valid(id))
		return -EINVAL;
	fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int session_lock_take(int dir_fd)
{
	autoclose int fd = -1;
	char path[64];

	/* The lock file must never exist unlocked, or a reclaimer could take it for a dead
	 * session's in the instant between creating and locking it: lock an unnamed file,
	 * then give it its name. */
	fd = openat(dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, path, dir_fd, LOCK_NAME, AT_SYMLINK_FOLLOW) < 0)
		return errno == EEXIST ? -EBUSY : -errno;
	return take_fd(fd);
}

int session_is_alive(int dir_fd)
{
	autoclose int fd = -1;

	fd = openat(dir_fd, LOCK_NAME, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 1 : -errno;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? 1 : -errno;
	return 0; /* we got the lock: nobody holds it, the session's init is gone */
}

int session_record_write(int dir_fd, const struct session_record *r)
{
	autofree char *text = NULL;
	int rr;

	rr = session_record_format(r, &text);
	if (rr < 0)
		return rr;
	return fs_write_atomic(dir_fd, RECORD_NAME, text, strlen(text), 0600);
}

int session_record_load(int dir_fd, struct session_record **ret)
{
	autoclose int fd = -1;
	autofree char *text = NULL;
	int r;

	fd = openat(dir_fd, RECORD_NAME, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	r = fs_read_small(fd, RECORD_MAX, &text, NULL);
	if (r < 0)
		return r;
	return session_record_parse(text, ret);
}

/* Is every entry of the session directory one this module creates? */
static int only_known_entries(int dir_fd, const char *const *known, size_t n_known)
{
	DIR *dir = fs_opendir_at(dir_fd, ".");
	struct dirent *de;
	int r = 0;

	if (!dir)
		return -errno;
	while (r == 0 && (de = readdir(dir))) {
		bool is_known = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;

		for (size_t i = 0; i < n_known && !is_known; i++)
			is_known = strcmp(de->d_name, known[i]) == 0;
		if (!is_known)
			r = -ENOTEMPTY;
	}
	closedir(dir);
	return r;
}

int session_dir_remove(int root_fd, const char *id)
{
	/* Files first, then the directories (N_KNOWN_FILES of them are files). */
	/* NOLINTNEXTLINE(bugprone-suspicious-missing-comma): "." RECORD_NAME ".tmp" is one */
	static const char *const known[] = {RECORD_NAME,       "." RECORD_NAME ".tmp",
					    LOCK_NAME,         CONTROL_NAME,
					    SESSION_LAYER_DIR, SESSION_MERGED_DIR};
	enum { N_KNOWN_FILES = 4 };
	autoclose int dir_fd = -1;
	int r;

	dir_fd = session_dir_open(root_fd, id);
	if (dir_fd < 0)
		return dir_fd == -ENOENT ? 0 : dir_fd;
	/* Refuse before deleting anything: a half-removed directory would lose the record
	 * and lock that tell a later pass what it is. */
	r = only_known_entries(dir_fd, known, ARRAY_SIZE(known));
	if (r < 0)
		return r;
	/* The staging directories first: rmdir fails on a non-empty directory or a mount
	 * point, and then everything is left as it was. */
	for (size_t i = N_KNOWN_FILES; i < ARRAY_SIZE(known); i++)
		if (unlinkat(dir_fd, known[i], AT_REMOVEDIR) < 0 && errno != ENOENT)
			return -errno;
	for (size_t i = 0; i < N_KNOWN_FILES; i++)
		if (unlinkat(dir_fd, known[i], 0) < 0 && errno != ENOENT)
			return -errno;
	if (unlinkat(root_fd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int compare_ids(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int session_list_ids(int root_fd, char ***ret)
{
	DIR *dir = fs_opendir_at(root_fd, ".");
	char **ids = NULL;
	size_t n = 0;
	struct dirent *de;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char **grown;

		if (!session_id_valid(de->d_name))
			continue;
		grown = realloc(ids, (n + 2) * sizeof(*ids));
		if (!grown)
			goto oom;
		ids = grown;
		ids[n] = strdup(de->d_name);
		if (!ids[n])
			goto oom;
		ids[++n] = NULL;
	}
	closedir(dir);
	if (!ids) {
		ids = calloc(1, sizeof(*ids));
		if (!ids)
			return -ENOMEM;
	}
	qsort(ids, n, sizeof(*ids), compare_ids);
	*ret = ids;
	return (int)n;
oom:
	closedir(dir);
	if (ids)
		ids[n] = NULL;
	session_ids_free(ids);
	return -ENOMEM;
}

void session_ids_free(char **ids)
{
	for (size_t i = 0; ids && ids[i]; i++)
		free(ids[i]);
	free(ids);
}
