/* tests/unit/test_cgroup.c: the parts of common/cgroup.c that need no privileges. The session
 * functions run against plain temporary directories that stand in for cgroupfs mounts.
 *
 * What a plain directory cannot show, and so is left to the integration tests: the kernel
 * creating cgroup.procs (and the other control files) in a new cgroup, a write of "0" to
 * cgroup.procs actually moving the process, and rmdir failing with EBUSY while a cgroup
 * still has processes (the retry loop of cgroup_session_remove(..., true)). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include <cmocka.h>

/* every cmocka test takes @state; most here do not need it */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/cgroup.h"
#include "common/cleanup.h"

#define ID "0123456789ab"

static void set_hierarchy(struct cgroup_layout *l, enum cgroup_version v, const char *mount,
			  const char *controllers)
{
	struct cgroup_hierarchy *h = &l->h[l->n++];

	h->version = v;
	snprintf(h->mount, sizeof(h->mount), "%s", mount);
	snprintf(h->root, sizeof(h->root), "/");
	snprintf(h->controllers, sizeof(h->controllers), "%s", controllers);
}

/* --- describing a layout, and session paths --- */

static void layout_describe_lists_every_hierarchy(void **state)
{
	struct cgroup_layout l = {0};
	char buf[256];

	set_hierarchy(&l, CGROUP_V1, "/sys/fs/cgroup/memory", "memory");
	set_hierarchy(&l, CGROUP_V1, "/sys/fs/cgroup/cpu,cpuacct", "cpu,cpuacct");
	set_hierarchy(&l, CGROUP_V2, "/sys/fs/cgroup/unified", "");
	assert_ptr_equal(cgroup_layout_describe(&l, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "v1 memory /sys/fs/cgroup/memory, "
				 "v1 cpu,cpuacct /sys/fs/cgroup/cpu,cpuacct, "
				 "v2 /sys/fs/cgroup/unified");
}

static void layout_describe_of_a_pure_v2_host(void **state)
{
	struct cgroup_layout l = {0};
	char buf[64];

	set_hierarchy(&l, CGROUP_V2, "/sys/fs/cgroup", "");
	assert_string_equal(cgroup_layout_describe(&l, buf, sizeof(buf)), "v2 /sys/fs/cgroup");
}

static void layout_describe_of_an_empty_layout_is_empty(void **state)
{
	struct cgroup_layout l = {0};
	char buf[8] = "junk";

	assert_string_equal(cgroup_layout_describe(&l, buf, sizeof(buf)), "");
}

static void layout_describe_stays_inside_the_buffer(void **state)
{
	struct cgroup_layout l = {0};
	const char *full = "v1 memory /sys/fs/cgroup/memory, v1 pids /sys/fs/cgroup/pids";
	char buf[128];

	set_hierarchy(&l, CGROUP_V1, "/sys/fs/cgroup/memory", "memory");
	set_hierarchy(&l, CGROUP_V1, "/sys/fs/cgroup/pids", "pids");
	for (size_t size = 1; size < strlen(full) + 2; size++) {
		memset(buf, 'X', sizeof(buf));
		cgroup_layout_describe(&l, buf, size);
		if (strlen(buf) != (size <= strlen(full) ? size - 1 : strlen(full)) ||
		    strncmp(buf, full, strlen(buf)) != 0 || buf[size] != 'X')
			fail_msg("size %zu gave '%s'", size, buf);
	}
}

static void session_path_is_mount_carrel_id(void **state)
{
	struct cgroup_layout l = {0};
	char buf[128];

	set_hierarchy(&l, CGROUP_V1, "/sys/fs/cgroup/pids", "pids");
	set_hierarchy(&l, CGROUP_V2, "/sys/fs/cgroup/unified", "");
	assert_int_equal(cgroup_session_path(&l, 0, ID, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/pids/carrel/" ID);
	assert_int_equal(cgroup_session_path(&l, 1, ID, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/unified/carrel/" ID);
}

static void session_path_refuses_a_small_buffer(void **state)
{
	struct cgroup_layout l = {0};
	char buf[64];

	set_hierarchy(&l, CGROUP_V2, "/sys/fs/cgroup", "");
	/* "/sys/fs/cgroup/carrel/0123456789ab" is 34 characters */
	assert_int_equal(cgroup_session_path(&l, 0, ID, buf, 35), 0);
	assert_int_equal(cgroup_session_path(&l, 0, ID, buf, 34), -ENAMETOOLONG);
}

static void layout_detect_finds_mounted_hierarchies(void **state)
{
	struct cgroup_layout l = {0};
	int r = cgroup_layout_detect(&l);

	if (r == -ENOENT)
		skip(); /* no cgroupfs mounted here at all */
	assert_int_equal(r, 0);
	assert_true(l.n >= 1 && l.n <= CGROUP_MAX_HIERARCHIES);
	for (size_t i = 0; i < l.n; i++) {
		struct statfs sf;

		assert_int_equal(statfs(l.h[i].mount, &sf), 0);
		if (l.h[i].version == CGROUP_V2) {
			assert_true(sf.f_type == CGROUP2_SUPER_MAGIC);
			assert_string_equal(l.h[i].controllers, "");
		} else {
			assert_int_equal(l.h[i].version, CGROUP_V1);
			assert_true(sf.f_type == CGROUP_SUPER_MAGIC);
			assert_true(l.h[i].controllers[0] != '\0');
		}
		for (size_t j = 0; j < i; j++)
			assert_false(l.h[j].version == l.h[i].version &&
				     strcmp(l.h[j].controllers, l.h[i].controllers) == 0);
	}
}

/* --- session cgroups in directories that stand in for cgroupfs --- */

struct fixture {
	char dir[64];
	int dir_fd;
	struct cgroup_layout layout; /* two v2 "mounts": dir/a and dir/b */
};

static int setup_fake_cgroupfs(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[128];

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/carrel-test-cgroup-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->dir_fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dir_fd < 0 || mkdirat(f->dir_fd, "a", 0755) < 0 || mkdirat(f->dir_fd, "b", 0755) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/a", f->dir);
	set_hierarchy(&f->layout, CGROUP_V2, path, "");
	snprintf(path, sizeof(path), "%s/b", f->dir);
	set_hierarchy(&f->layout, CGROUP_V2, path, "");
	*state = f;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown_fake_cgroupfs(void **state)
{
	struct fixture *f = *state;

	(void)close(f->dir_fd);
	(void)nftw(f->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* The layout with only the first fake hierarchy. */
static struct cgroup_layout one_hierarchy(const struct fixture *f)
{
	struct cgroup_layout l = f->layout;

	l.n = 1;
	return l;
}

static bool is_dir_at(int dir_fd, const char *path)
{
	struct stat st;

	return fstatat(dir_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static bool exists_at(int dir_fd, const char *path)
{
	struct stat st;

	return fstatat(dir_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The kernel makes cgroup.procs in every cgroup; a plain directory needs it by hand. */
static void make_procs_file(int dir_fd, const char *dir)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = openat(dir_fd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
}

static void session_create_makes_carrel_and_the_session_dir(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	assert_int_equal(cgroup_session_create(&f->layout, ID), 0);
	assert_true(is_dir_at(f->dir_fd, "a/carrel/" ID));
	assert_true(is_dir_at(f->dir_fd, "b/carrel/" ID));
	assert_int_equal(fstatat(f->dir_fd, "a/carrel/" ID, &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
}

static void session_create_reuses_an_existing_carrel_dir(void **state)
{
	struct fixture *f = *state;
	struct cgroup_layout l = one_hierarchy(f);

	assert_int_equal(mkdirat(f->dir_fd, "a/carrel", 0755), 0);
	assert_int_equal(mkdirat(f->dir_fd, "a/carrel/aaaaaaaaaaaa", 0755), 0);
	assert_int_equal(cgroup_session_create(&l, ID), 0);
	assert_true(is_dir_at(f->dir_fd, "a/carrel/" ID));
	assert_true(is_dir_at(f->dir_fd, "a/carrel/aaaaaaaaaaaa"));
}

static void session_create_refuses_a_taken_id(void **state)
{
	struct fixture *f = *state;
	struct cgroup_layout l = one_hierarchy(f);

	assert_int_equal(cgroup_session_create(&l, ID), 0);
	assert_int_equal(cgroup_session_create(&l, ID), -EEXIST);
	assert_true(is_dir_at(f->dir_fd, "a/carrel/" ID));
}

static void session_create_undoes_earlier_hierarchies_on_failure(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mkdirat(f->dir_fd, "b/carrel", 0755), 0);
	assert_int_equal(mkdirat(f->dir_fd, "b/carrel/" ID, 0755), 0);
	assert_int_equal(cgroup_session_create(&f->layout, ID), -EEXIST);
	assert_false(exists_at(f->dir_fd, "a/carrel/" ID));
	assert_true(is_dir_at(f->dir_fd, "b/carrel/" ID)); /* not ours: left alone */
}

static void session_create_fails_when_a_mount_is_missing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(unlinkat(f->dir_fd, "b", AT_REMOVEDIR), 0);
	assert_int_equal(cgroup_session_create(&f->layout, ID), -ENOENT);
	assert_false(exists_at(f->dir_fd, "a/carrel/" ID));
}

static void session_remove_removes_the_session_dirs(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cgroup_session_create(&f->layout, ID), 0);
	assert_int_equal(cgroup_session_remove(&f->layout, ID, false), 0);
	assert_false(exists_at(f->dir_fd, "a/carrel/" ID));
	assert_false(exists_at(f->dir_fd, "b/carrel/" ID));
	assert_true(is_dir_at(f->dir_fd, "a/carrel")); /* shared by every session */
}

static void session_remove_of_a_missing_session_is_fine(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cgroup_session_remove(&f->layout, ID, true), 0); /* no carrel/ at all */
	assert_int_equal(cgroup_session_create(&f->layout, ID), 0);
	assert_int_equal(cgroup_session_remove(&f->layout, ID, true), 0);
	assert_int_equal(cgroup_session_remove(&f->layout, ID, true), 0); /* already gone */
	assert_int_equal(cgroup_session_remove(&f->layout, "ffffffffffff", false), 0);
}

static void session_remove_reports_the_first_error_and_goes_on(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cgroup_session_create(&f->layout, ID), 0);
	/* on cgroupfs a cgroup with a child cgroup cannot be removed either */
	assert_int_equal(mkdirat(f->dir_fd, "a/carrel/" ID "/child", 0755), 0);
	assert_int_equal(cgroup_session_remove(&f->layout, ID, false), -ENOTEMPTY);
	assert_true(is_dir_at(f->dir_fd, "a/carrel/" ID "/child"));
	assert_false(exists_at(f->dir_fd, "b/carrel/" ID));
}

static int count_open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(dir);
	for (struct dirent *de; (de = readdir(dir));)
		n += de->d_name[0] != '.';
	closedir(dir);
	return n;
}

static void teardown_open_holds_the_carrel_dirs_and_top_procs(void **state)
{
	struct fixture *f = *state;
	struct cgroup_teardown t;
	int fds_before = count_open_fds();
	struct stat a, b;
	int saved[2][2];

	make_procs_file(f->dir_fd, "a");
	make_procs_file(f->dir_fd, "b");
	assert_int_equal(cgroup_session_create(&f->layout, ID), 0);
	assert_int_equal(cgroup_teardown_open(&f->layout, ID, &t), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.id, ID);
	for (size_t i = 0; i < 2; i++) {
		assert_true(t.parent_fd[i] >= 0 && t.top_procs_fd[i] >= 0);
		saved[i][0] = t.parent_fd[i];
		saved[i][1] = t.top_procs_fd[i];
	}
	for (size_t i = 2; i < CGROUP_MAX_HIERARCHIES; i++)
		assert_true(t.parent_fd[i] == -1 && t.top_procs_fd[i] == -1);
	assert_int_equal(fstat(t.parent_fd[1], &a), 0);
	assert_int_equal(fstatat(f->dir_fd, "b/carrel", &b, 0), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	assert_int_equal(fstat(t.top_procs_fd[0], &a), 0);
	assert_int_equal(fstatat(f->dir_fd, "a/cgroup.procs", &b, 0), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	assert_int_equal(count_open_fds(), fds_before + 4);

	cgroup_teardown_close(&t);
	for (size_t i = 0; i < CGROUP_MAX_HIERARCHIES; i++)
		assert_true(t.parent_fd[i] == -1 && t.top_procs_fd[i] == -1);
	for (size_t i = 0; i < 2; i++)
		assert_true(fcntl(saved[i][0], F_GETFD) == -1 && fcntl(saved[i][1], F_GETFD) == -1);
	assert_int_equal(count_open_fds(), fds_before);
	cgroup_teardown_close(&t); /* closing twice is harmless */
}

static void teardown_open_fails_cleanly_without_a_carrel_dir(void **state)
{
	struct fixture *f = *state;
	struct cgroup_teardown t = {.n = 99};
	int fds_before = count_open_fds();

	make_procs_file(f->dir_fd, "a");
	make_procs_file(f->dir_fd, "b");
	assert_int_equal(mkdirat(f->dir_fd, "a/carrel", 0755), 0); /* b has none */
	assert_int_equal(cgroup_teardown_open(&f->layout, ID, &t), -ENOENT);
	assert_int_equal(t.n, 99); /* untouched on failure */
	assert_int_equal(count_open_fds(), fds_before);
}

static void teardown_open_fails_cleanly_without_top_procs(void **state)
{
	struct fixture *f = *state;
	struct cgroup_teardown t = {.n = 99};
	int fds_before = count_open_fds();

	make_procs_file(f->dir_fd, "a"); /* b has none */
	assert_int_equal(cgroup_session_create(&f->layout, ID), 0);
	assert_int_equal(cgroup_teardown_open(&f->layout, ID, &t), -ENOENT);
	assert_int_equal(t.n, 99);
	assert_int_equal(count_open_fds(), fds_before);
}

/* On a plain directory, "leaving for the top cgroup" only writes "0" into a regular file: this
 * checks which file is written and which directory removed, not that the process moved. */
static void teardown_run_writes_top_procs_and_removes_the_session(void **state)
{
	struct fixture *f = *state;
	struct cgroup_teardown t;
	char buf[8] = "";
	int fd;

	make_procs_file(f->dir_fd, "a");
	make_procs_file(f->dir_fd, "b");
	assert_int_equal(cgroup_session_create(&f->layout, ID), 0);
	assert_int_equal(cgroup_teardown_open(&f->layout, ID, &t), 0);
	assert_int_equal(cgroup_teardown_run(&t), 0);
	cgroup_teardown_close(&t);
	assert_false(exists_at(f->dir_fd, "a/carrel/" ID));
	assert_false(exists_at(f->dir_fd, "b/carrel/" ID));
	fd = openat(f->dir_fd, "b/cgroup.procs", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 1);
	assert_int_equal(close(fd), 0);
	assert_string_equal(buf, "0");
}

#define FAKE_TEST(t) cmocka_unit_test_setup_teardown(t, setup_fake_cgroupfs, teardown_fake_cgroupfs)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(layout_describe_lists_every_hierarchy),
	    cmocka_unit_test(layout_describe_of_a_pure_v2_host),
	    cmocka_unit_test(layout_describe_of_an_empty_layout_is_empty),
	    cmocka_unit_test(layout_describe_stays_inside_the_buffer),
	    cmocka_unit_test(session_path_is_mount_carrel_id),
	    cmocka_unit_test(session_path_refuses_a_small_buffer),
	    cmocka_unit_test(layout_detect_finds_mounted_hierarchies),
	    FAKE_TEST(session_create_makes_carrel_and_the_session_dir),
	    FAKE_TEST(session_create_reuses_an_existing_carrel_dir),
	    FAKE_TEST(session_create_refuses_a_taken_id),
	    FAKE_TEST(session_create_undoes_earlier_hierarchies_on_failure),
	    FAKE_TEST(session_create_fails_when_a_mount_is_missing),
	    FAKE_TEST(session_remove_removes_the_session_dirs),
	    FAKE_TEST(session_remove_of_a_missing_session_is_fine),
	    FAKE_TEST(session_remove_reports_the_first_error_and_goes_on),
	    FAKE_TEST(teardown_open_holds_the_carrel_dirs_and_top_procs),
	    FAKE_TEST(teardown_open_fails_cleanly_without_a_carrel_dir),
	    FAKE_TEST(teardown_open_fails_cleanly_without_top_procs),
	    FAKE_TEST(teardown_run_writes_top_procs_and_removes_the_session),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
