/* common/cgroup.c: see cgroup.h. The layout, the session directories, entering and leaving;
 * limits and usage are in cgroup_limits.c.
 *
 * Invariants:
 * 1. carrel only ever creates and removes directories named carrel/, carrel/user-<uid>/ and
 *    carrel/user-<uid>/<id> at the top of a hierarchy; it never writes to a cgroup it did not
 *    create, except cgroup.procs of the caller's own original cgroups (to go back) and of the
 *    top cgroup (to leave), and cgroup.subtree_control on the way down (cgroup_limits.c).
 * 2. Processes join a cgroup by writing "0" (themselves) to its cgroup.procs, never another
 *    process's pid: no pid can be stale. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/mountinfo.h"
#include "common/text.h"

static const char *const v1_wanted[] = {"memory", "pids", "cpu", "cpuacct"};

/* The v1 controllers carrel uses that @super_options names, comma-separated, into @buf. */
static bool v1_controllers(const char *super_options, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(v1_wanted); i++) {
		if (!text_list_contains(super_options, ',', v1_wanted[i]))
			continue;
		if (buf[0])
			strncat(buf, ",", size - strlen(buf) - 1);
		strncat(buf, v1_wanted[i], size - strlen(buf) - 1);
	}
	return buf[0] != '\0';
}

static bool already_have(const struct cgroup_layout *l, enum cgroup_version v,
			 const char *controllers)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->h[i].version == v && strcmp(l->h[i].controllers, controllers) == 0)
			return true;
	return false;
}

static void add_hierarchy(struct cgroup_layout *l, enum cgroup_version v,
			  const struct mountinfo_entry *e, const char *controllers)
{
	struct cgroup_hierarchy *h;

	if (l->n == CGROUP_MAX_HIERARCHIES || already_have(l, v, controllers))
		return;
	if (strlen(e->mount_point) >= sizeof(h->mount) || strlen(e->root) >= sizeof(h->root))
		return;
	h = &l->h[l->n++];
	h->version = v;
	strcpy(h->mount, e->mount_point);
	strcpy(h->root, e->root);
	snprintf(h->controllers, sizeof(h->controllers), "%s", controllers);
}

static int consider_mount(const struct mountinfo_entry *e, void *data)
{
	struct cgroup_layout *l = data;
	char controllers[64];

	if (strcmp(e->fstype, "cgroup2") == 0)
		add_hierarchy(l, CGROUP_V2, e, "");
	else if (strcmp(e->fstype, "cgroup") == 0 &&
		 v1_controllers(e->super_options, controllers, sizeof(controllers)))
		add_hierarchy(l, CGROUP_V1, e, controllers);
	return 0;
}

static const char *const controller_names[CGROUP_N_CONTROLLERS] = {
    [CGROUP_MEMORY] = "memory",
    [CGROUP_PIDS] = "pids",
    [CGROUP_CPU] = "cpu",
    [CGROUP_CPUACCT] = "cpuacct",
};

/* Does the v2 hierarchy mounted at @mount offer @controller at its top? */
static bool v2_offers(const char *mount, const char *controller)
{
	char path[300], text[512] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", mount);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(text, sizeof(text), f))
		text[0] = '\0';
	fclose(f);
	text[strcspn(text, "\n")] = '\0';
	return text_list_contains(text, ' ', controller);
}

void cgroup_layout_find_providers(struct cgroup_layout *l)
{
	for (int c = 0; c < CGROUP_N_CONTROLLERS; c++) {
		l->provider[c] = -1;
		for (size_t i = 0; i < l->n && l->provider[c] < 0; i++) {
			const struct cgroup_hierarchy *h = &l->h[i];
			bool offers =
			    h->version == CGROUP_V1
				? text_list_contains(h->controllers, ',', controller_names[c])
				: v2_offers(h->mount, controller_names[c]);

			if (offers)
				l->provider[c] = (int)i;
		}
	}
}

int cgroup_layout_detect(struct cgroup_layout *ret)
{
	struct cgroup_layout l = {0};
	int r;

	r = mountinfo_foreach(consider_mount, &l);
	if (r < 0)
		return r;
	if (l.n == 0)
		return -ENOENT;
	cgroup_layout_find_providers(&l);
	*ret = l;
	return 0;
}

const char *cgroup_layout_describe(const struct cgroup_layout *l, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n && used < size; i++) {
		const struct cgroup_hierarchy *h = &l->h[i];

		used += (size_t)snprintf(buf + used, size - used, "%sv%d %s%s%s", i ? ", " : "",
					 (int)h->version, h->controllers,
					 h->controllers[0] ? " " : "", h->mount);
	}
	return buf;
}

void cgroup_session_name(uid_t uid, const char *id, char *buf)
{
	snprintf(buf, CGROUP_NAME_MAX, "user-%u/%s", (unsigned)uid, id);
}

int cgroup_session_path(const struct cgroup_layout *l, size_t i, const char *name, char *buf,
			size_t size)
{
	assert(i < l->n);
	if ((size_t)snprintf(buf, size, "%s/" CGROUP_PARENT "/%s", l->h[i].mount, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* The user's directory part of a session name: "user-1001" of "user-1001/<id>". */
static void parent_of(const char *name, char *buf, size_t size)
{
	size_t n = strcspn(name, "/");

	snprintf(buf, size, "%.*s", (int)n, name);
}

static int open_carrel_dir(const struct cgroup_hierarchy *h, bool create)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/" CGROUP_PARENT, h->mount);
	if (create && mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

/* mkdir user-<uid> then user-<uid>/<id>. The user's directory may be removed by the end of
 * the user's last other session at any moment: then make it again. */
static int make_session_dir(int carrel_fd, const char *name)
{
	char parent[CGROUP_NAME_MAX];

	parent_of(name, parent, sizeof(parent));
	for (int attempt = 0; attempt < 5; attempt++) {
		if (mkdirat(carrel_fd, parent, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (mkdirat(carrel_fd, name, 0755) == 0)
			return 0;
		if (errno != ENOENT)
			return -errno;
	}
	return -EAGAIN;
}

/* rmdir a cgroup; with @wait, up to about a second for exiting processes to be released. */
static int rmdir_cgroup(int dir_fd, const char *name, bool wait)
{
	for (int attempt = 0;; attempt++) {
		struct timespec pause = {0, 10 * 1000 * 1000};

		if (unlinkat(dir_fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || !wait || attempt == 100)
			return -errno;
		nanosleep(&pause, NULL);
	}
}

/* The session's cgroup, then its user's directory when no other session is left in it. */
static int remove_session_dir(int carrel_fd, const char *name, bool wait)
{
	char parent[CGROUP_NAME_MAX];
	int r;

	r = rmdir_cgroup(carrel_fd, name, wait);
	if (r < 0)
		return r;
	parent_of(name, parent, sizeof(parent));
	(void)unlinkat(carrel_fd, parent, AT_REMOVEDIR); /* busy while the user has others */
	return 0;
}

int cgroup_session_create(const struct cgroup_layout *l, const char *name)
{
	size_t i;
	int r = 0;

	for (i = 0; i < l->n; i++) {
		autoclose int carrel_fd = open_carrel_dir(&l->h[i], true);

		r = carrel_fd < 0 ? carrel_fd : make_session_dir(carrel_fd, name);
		if (r < 0)
			break;
	}
	if (r >= 0)
		return 0;
	while (i-- > 0) {
		autoclose int carrel_fd = open_carrel_dir(&l->h[i], false);

		if (carrel_fd >= 0)
			(void)remove_session_dir(carrel_fd, name, false);
	}
	return r;
}

int cgroup_session_remove(const struct cgroup_layout *l, const char *name, bool wait)
{
	int first = 0;

	for (size_t i = 0; i < l->n; i++) {
		autoclose int carrel_fd = open_carrel_dir(&l->h[i], false);
		int r;

		if (carrel_fd < 0) {
			if (carrel_fd != -ENOENT && first == 0)
				first = carrel_fd;
			continue;
		}
		r = remove_session_dir(carrel_fd, name, wait);
		if (r < 0 && first == 0)
			first = r;
	}
	return first;
}

int cgroup_session_find(const struct cgroup_layout *l, const char *id, char *buf)
{
	autoclose int carrel_fd = -1;
	struct dirent *de;
	int r = -ENOENT;
	DIR *dir;

	if (l->n == 0)
		return -ENOENT;
	carrel_fd = open_carrel_dir(&l->h[0], false);
	if (carrel_fd < 0)
		return carrel_fd;
	dir = fs_opendir_at(carrel_fd, ".");
	if (!dir)
		return -errno;
	while (r < 0 && (de = readdir(dir))) {
		char name[CGROUP_NAME_MAX];

		if (strncmp(de->d_name, "user-", 5) != 0 || strlen(de->d_name) > 20)
			continue;
		snprintf(name, sizeof(name), "%s/%s", de->d_name, id);
		if (faccessat(carrel_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
			memcpy(buf, name, sizeof(name));
			r = 0;
		}
	}
	closedir(dir);
	return r;
}

static void procs_init(struct cgroup_procs *p, size_t n)
{
	p->n = n;
	for (size_t i = 0; i < CGROUP_MAX_HIERARCHIES; i++)
		p->fd[i] = -1;
}

static int open_procs(const char *dir, int *ret_fd)
{
	char path[600];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

int cgroup_procs_open_session(const struct cgroup_layout *l, const char *name,
			      struct cgroup_procs *ret)
{
	struct cgroup_procs p;

	procs_init(&p, l->n);
	for (size_t i = 0; i < l->n; i++) {
		char path[512];
		int r = cgroup_session_path(l, i, name, path, sizeof(path));

		if (r >= 0)
			r = open_procs(path, &p.fd[i]);
		if (r < 0) {
			cgroup_procs_close(&p);
			return r;
		}
	}
	*ret = p;
	return 0;
}

int cgroup_procs_open_top(const struct cgroup_layout *l, struct cgroup_procs *ret)
{
	struct cgroup_procs p;

	procs_init(&p, l->n);
	for (size_t i = 0; i < l->n; i++) {
		int r = open_procs(l->h[i].mount, &p.fd[i]);

		if (r < 0) {
			cgroup_procs_close(&p);
			return r;
		}
	}
	*ret = p;
	return 0;
}

/* Does the controller list of a /proc/self/cgroup line name hierarchy @h? */
static bool line_is_hierarchy(const char *controllers, const struct cgroup_hierarchy *h)
{
	char mine[64];

	if (h->version == CGROUP_V2)
		return controllers[0] == '\0';
	return v1_controllers(controllers, mine, sizeof(mine)) && strcmp(mine, h->controllers) == 0;
}

/* The directory of the cgroup at @path (as /proc/self/cgroup shows it) in hierarchy @h. */
static int cgroup_dir(const struct cgroup_hierarchy *h, const char *path, char *buf, size_t size)
{
	size_t root_len = strcmp(h->root, "/") == 0 ? 0 : strlen(h->root);

	if (root_len && (strncmp(path, h->root, root_len) != 0 ||
			 (path[root_len] != '/' && path[root_len] != '\0')))
		return -ENOENT; /* outside what this mount shows */
	if ((size_t)snprintf(buf, size, "%s%s", h->mount, path + root_len) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int open_current_for_line(const struct cgroup_layout *l, char *line, struct cgroup_procs *p)
{
	char *first = strchr(line, ':');
	char *second = first ? strchr(first + 1, ':') : NULL;

	if (!second)
		return 0;
	*second = '\0';
	second[strcspn(second + 1, "\n") + 1] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		char dir[512];
		int r;

		if (p->fd[i] >= 0 || !line_is_hierarchy(first + 1, &l->h[i]))
			continue;
		r = cgroup_dir(&l->h[i], second + 1, dir, sizeof(dir));
		if (r >= 0)
			r = open_procs(dir, &p->fd[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int cgroup_procs_open_current(const struct cgroup_layout *l, struct cgroup_procs *ret)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	struct cgroup_procs p;
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	if (!f)
		return -errno;
	procs_init(&p, l->n);
	while (r >= 0 && getline(&line, &cap, f) > 0)
		r = open_current_for_line(l, line, &p);
	free(line);
	fclose(f);
	if (r < 0) {
		cgroup_procs_close(&p);
		return r;
	}
	*ret = p;
	return 0;
}

static int write_self(int fd)
{
	ssize_t n = write(fd, "0", 1);

	if (n < 0)
		return -errno;
	return n == 1 ? 0 : -EIO;
}

int cgroup_procs_enter(const struct cgroup_procs *p)
{
	for (size_t i = 0; i < p->n; i++) {
		int r;

		if (p->fd[i] < 0)
			continue;
		r = write_self(p->fd[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

void cgroup_procs_close(struct cgroup_procs *p)
{
	for (size_t i = 0; i < CGROUP_MAX_HIERARCHIES; i++) {
		if (p->fd[i] >= 0)
			(void)close(p->fd[i]);
		p->fd[i] = -1;
	}
}

int cgroup_open_for_clone(const struct cgroup_layout *l, const char *name)
{
	char path[512];
	int fd, r;

	if (l->n != 1 || l->h[0].version != CGROUP_V2)
		return -EOPNOTSUPP;
	r = cgroup_session_path(l, 0, name, path, sizeof(path));
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int cgroup_teardown_open(const struct cgroup_layout *l, const char *name,
			 struct cgroup_teardown *ret)
{
	struct cgroup_teardown t = {.n = l->n};
	int r = 0;

	snprintf(t.name, sizeof(t.name), "%s", name);
	for (size_t i = 0; i < CGROUP_MAX_HIERARCHIES; i++)
		t.parent_fd[i] = t.top_procs_fd[i] = -1;
	for (size_t i = 0; i < l->n && r >= 0; i++) {
		t.parent_fd[i] = open_carrel_dir(&l->h[i], false);
		r = t.parent_fd[i] < 0 ? t.parent_fd[i]
				       : open_procs(l->h[i].mount, &t.top_procs_fd[i]);
	}
	if (r < 0) {
		cgroup_teardown_close(&t);
		return r;
	}
	*ret = t;
	return 0;
}

int cgroup_teardown_run(struct cgroup_teardown *t)
{
	int first = 0;

	for (size_t i = 0; i < t->n; i++) {
		int r = write_self(t->top_procs_fd[i]);

		if (r >= 0)
			r = remove_session_dir(t->parent_fd[i], t->name, true);
		if (r < 0 && first == 0)
			first = r;
	}
	return first;
}

void cgroup_teardown_close(struct cgroup_teardown *t)
{
	for (size_t i = 0; i < CGROUP_MAX_HIERARCHIES; i++) {
		if (t->parent_fd[i] >= 0)
			(void)close(t->parent_fd[i]);
		if (t->top_procs_fd[i] >= 0)
			(void)close(t->top_procs_fd[i]);
		t->parent_fd[i] = t->top_procs_fd[i] = -1;
	}
}
