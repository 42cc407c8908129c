/* tests/unit/test_mountinfo.c: mountinfo_foreach() over this process's real mount table, and
 * (as root, in a private mount namespace) over a mount point that needs unescaping. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* every cmocka test takes @state; none here needs it */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/mountinfo.h"

struct walk {
	int calls;
	int stop_at; /* return @stop_with on this call (1-based); 0: never */
	int stop_with;
	bool saw_root;
	bool fields_ok;
	const char *want_mount_point;
	bool saw_wanted;
	char wanted_fstype[32];
};

static int visit(const struct mountinfo_entry *e, void *data)
{
	struct walk *w = data;

	w->calls++;
	if (strcmp(e->mount_point, "/") == 0)
		w->saw_root = true;
	if (e->id <= 0 || !e->root || e->root[0] != '/' || e->mount_point[0] != '/' ||
	    !e->options[0] || !e->fstype[0] || !e->source || !e->super_options)
		w->fields_ok = false;
	if (w->want_mount_point && strcmp(e->mount_point, w->want_mount_point) == 0) {
		w->saw_wanted = true;
		snprintf(w->wanted_fstype, sizeof(w->wanted_fstype), "%s", e->fstype);
	}
	return w->calls == w->stop_at ? w->stop_with : 0;
}

static void foreach_visits_the_root_mount(void **state)
{
	struct walk w = {.fields_ok = true};

	assert_int_equal(mountinfo_foreach(visit, &w), 0);
	assert_true(w.calls >= 1);
	assert_true(w.saw_root);
	assert_true(w.fields_ok);
}

static void foreach_stops_at_the_first_non_zero_return(void **state)
{
	struct walk w = {.stop_at = 1, .stop_with = 42, .fields_ok = true};

	assert_int_equal(mountinfo_foreach(visit, &w), 42);
	assert_int_equal(w.calls, 1);
}

static void foreach_stops_in_the_middle_and_returns_a_negative_value(void **state)
{
	struct walk all = {.fields_ok = true};
	struct walk w = {.stop_at = 2, .stop_with = -EIO, .fields_ok = true};

	assert_int_equal(mountinfo_foreach(visit, &all), 0);
	if (all.calls < 3)
		skip(); /* this mount namespace is too small to stop in the middle */
	assert_int_equal(mountinfo_foreach(visit, &w), -EIO);
	assert_int_equal(w.calls, 2);
}

/* In a child: a private mount namespace with a tmpfs on "<dir>/a b\tc\\d", then a walk that
 * must find that mount point with its escapes (\040, \011, \134) undone. */
static int child_finds_an_escaped_mount_point(const char *dir)
{
	char target[128];
	struct walk w = {.fields_ok = true};

	if (unshare(CLONE_NEWNS) < 0)
		return errno == EPERM ? 77 : 1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 2;
	snprintf(target, sizeof(target), "%s/a b\tc\\d", dir);
	if (mkdir(target, 0755) < 0 || mount("carrel-test", target, "tmpfs", 0, "size=64k") < 0)
		return 3;
	w.want_mount_point = target;
	if (mountinfo_foreach(visit, &w) != 0 || !w.fields_ok)
		return 4;
	if (!w.saw_wanted || strcmp(w.wanted_fstype, "tmpfs") != 0)
		return 5;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void foreach_undoes_octal_escapes(void **state)
{
	char dir[64] = "/tmp/carrel-test-mountinfo-XXXXXX";
	int status = 0;
	pid_t pid;

	if (geteuid() != 0)
		skip(); /* mounting needs root */
	assert_non_null(mkdtemp(dir));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_finds_an_escaped_mount_point(dir));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	(void)nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip(); /* no mount namespaces here */
	if (WEXITSTATUS(status) != 0)
		fail_msg("child failed at step %d", WEXITSTATUS(status));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(foreach_visits_the_root_mount),
	    cmocka_unit_test(foreach_stops_at_the_first_non_zero_return),
	    cmocka_unit_test(foreach_stops_in_the_middle_and_returns_a_negative_value),
	    cmocka_unit_test(foreach_undoes_octal_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
