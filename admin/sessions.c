/* admin/sessions.c: see sessions.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin/sessions.h"
#include "common/cleanup.h"
#include "common/proc.h"

static int load_one(int root_fd, const char *id, struct session_record **ret)
{
	struct session_record *rec = NULL;
	autoclose int dir_fd = -1, pidfd = -1;
	int alive, r;

	dir_fd = session_dir_open(root_fd, id);
	if (dir_fd < 0)
		return dir_fd;
	alive = session_is_alive(dir_fd);
	if (alive <= 0)
		return alive < 0 ? alive : -ESRCH;
	r = session_record_load(dir_fd, &rec);
	if (r < 0)
		return r;
	/* A held lock is not enough: the record's init must be the process running under its
	 * pid now (same start time), or whatever has that pid would be shown or joined. */
	pidfd = proc_open_verified(rec->init_pid, rec->init_start);
	if (pidfd < 0) {
		session_record_free(rec);
		return pidfd;
	}
	*ret = rec;
	return 0;
}

static int by_creation(const void *a, const void *b)
{
	const struct session_record *x = *(const struct session_record *const *)a;
	const struct session_record *y = *(const struct session_record *const *)b;

	return (x->created_usec > y->created_usec) - (x->created_usec < y->created_usec);
}

int sessions_load(struct session_list *ret)
{
	struct session_list l = {0};
	autoclose int root_fd = -1;
	char **ids = NULL;
	int n;

	root_fd = session_state_open_root(false);
	if (root_fd < 0) {
		*ret = l;
		return root_fd == -ENOENT ? 0 : root_fd;
	}
	n = session_list_ids(root_fd, &ids);
	if (n < 0)
		return n;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers, as meant */
	l.items = calloc((size_t)n + 1, sizeof(*l.items));
	if (!l.items) {
		session_ids_free(ids);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		if (load_one(root_fd, ids[i], &l.items[l.n]) == 0)
			l.n++;
	session_ids_free(ids);
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers, as meant */
	qsort(l.items, l.n, sizeof(*l.items), by_creation);
	*ret = l;
	return 0;
}

int sessions_load_named(const char *what, struct session_list *ret)
{
	struct session_record *rec = NULL;
	autoclose int root_fd = -1;

	if (!session_id_valid(what))
		return sessions_load(ret);
	root_fd = session_state_open_root(false);
	if (root_fd < 0 || load_one(root_fd, what, &rec) < 0)
		return sessions_load(ret);
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers, as meant */
	ret->items = calloc(1, sizeof(*ret->items));
	if (!ret->items) {
		session_record_free(rec);
		return -ENOMEM;
	}
	ret->items[0] = rec;
	ret->n = 1;
	return 0;
}

void sessions_free(struct session_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		session_record_free(l->items[i]);
	free(l->items);
	*l = (struct session_list){0};
}

/* Does @what name @r: its user, or (4 to 12 hex digits) the start of its id? */
static bool matches(const struct session_record *r, const char *what)
{
	size_t len = strlen(what);
	bool is_prefix =
	    len >= 4 && len <= SESSION_ID_LEN && strspn(what, "0123456789abcdef") == len;

	return (is_prefix && strncmp(r->id, what, len) == 0) || strcmp(r->user, what) == 0;
}

int sessions_find(const struct session_list *l, const char *what, const struct session_record **ret,
		  char *why, size_t why_size)
{
	size_t found = 0, last = 0, used;

	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->items[i]->id, what) == 0) { /* as sessions_load_named() */
			*ret = l->items[i];
			return 0;
		}
	}
	for (size_t i = 0; i < l->n; i++) {
		if (matches(l->items[i], what)) {
			last = i;
			found++;
		}
	}
	if (found == 1) {
		*ret = l->items[last];
		return 0;
	}
	if (found == 0) {
		snprintf(why, why_size, "no running session is '%s' (see 'carrel ps')", what);
		return -ENOENT;
	}
	used =
	    (size_t)snprintf(why, why_size, "'%s' names %zu sessions, give one id:", what, found);
	for (size_t i = 0; i < l->n && used < why_size; i++)
		if (matches(l->items[i], what))
			used +=
			    (size_t)snprintf(why + used, why_size - used, " %s", l->items[i]->id);
	return -EEXIST;
}

int sessions_open_init(const struct session_record *r)
{
	return proc_open_verified(r->init_pid, r->init_start);
}

const char *sessions_format_time(long long usec, char *buf, size_t size)
{
	time_t secs = (time_t)(usec / 1000000);
	struct tm tm;
	char date[32];

	gmtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06lldZ", date, usec % 1000000);
	return buf;
}

const char *sessions_format_age(long long usec, char *buf, size_t size)
{
	static const struct {
		long long seconds;
		const char *unit;
	} units[] = {{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}};
	struct timespec now;
	long long age;

	clock_gettime(CLOCK_REALTIME, &now);
	age = (long long)now.tv_sec - usec / 1000000;
	if (age < 1) {
		snprintf(buf, size, "Less than a second ago");
		return buf;
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		long long n = age / units[i].seconds;

		if (n >= 1) {
			snprintf(buf, size, "%lld %s%s ago", n, units[i].unit, n == 1 ? "" : "s");
			break;
		}
	}
	return buf;
}
