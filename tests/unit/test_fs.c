/* tests/unit/test_fs.c: fs_open_trusted(), fs_read_small(), fs_write_atomic() and
 * fs_mkdir_p_in_root(), on real files in a temporary directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* every cmocka test takes @state; most here do not need it */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/cleanup.h"
#include "common/fs.h"

#define NOBODY_UID 65534

struct fixture {
	char dir[64];
	int dir_fd;
	char path[128]; /* dir/file, not created */
};

static int setup_dir(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/carrel-test-fs-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->dir_fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dir_fd < 0)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/file", f->dir);
	*state = f;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown_dir(void **state)
{
	struct fixture *f = *state;

	(void)close(f->dir_fd);
	(void)nftw(f->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

/* @len bytes of a pattern that shows a misplaced chunk. */
static char *pattern(size_t len)
{
	char *p = malloc(len + 1);

	assert_non_null(p);
	for (size_t i = 0; i < len; i++)
		p[i] = (char)('a' + (i * 7 + i / 4096) % 26);
	p[len] = '\0';
	return p;
}

static void skip_unless_root(void)
{
	if (geteuid() != 0)
		skip(); /* files we create are ours, and fs_open_trusted() wants root's */
}

/* --- fs_open_trusted --- */

static void open_trusted_accepts_a_root_owned_0644_file(void **state)
{
	struct fixture *f = *state;
	char why[128] = "untouched", buf[16] = "";
	autoclose int fd = -1;

	skip_unless_root();
	write_file(f->path, "trusted\n", 8, 0644);
	fd = fs_open_trusted(f->path, why, sizeof(why));
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 8);
	assert_string_equal(buf, "trusted\n");
	assert_string_equal(why, "untouched");
}

static void open_trusted_accepts_a_read_only_file(void **state)
{
	struct fixture *f = *state;
	autoclose int fd = -1;

	skip_unless_root();
	write_file(f->path, "x", 1, 0400);
	fd = fs_open_trusted(f->path, NULL, 0);
	assert_true(fd >= 0);
}

static void open_trusted_refuses_a_symlink(void **state)
{
	struct fixture *f = *state;
	char target[128], why[128] = "";

	skip_unless_root(); /* unprivileged, the test directory itself is untrusted */

	snprintf(target, sizeof(target), "%s/target", f->dir);
	write_file(target, "x", 1, 0644);
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(fs_open_trusted(f->path, why, sizeof(why)), -ELOOP);
	assert_string_equal(why, "is a symbolic link");
	assert_int_equal(fs_open_trusted(f->path, NULL, 0), -ELOOP);
}

static void open_trusted_refuses_a_group_or_other_writable_file(void **state)
{
	struct fixture *f = *state;
	static const struct {
		mode_t mode;
		const char *why;
	} cases[] = {
	    {0664, "is writable by its group (mode 0664)"},
	    {0646, "is writable by others (mode 0646)"},
	    {0666, "is writable by others (mode 0666)"},
	    {0620, "is writable by its group (mode 0620)"},
	};

	skip_unless_root();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char why[128] = "";

		write_file(f->path, "x", 1, cases[i].mode);
		assert_int_equal(fs_open_trusted(f->path, why, sizeof(why)), -EPERM);
		assert_string_equal(why, cases[i].why);
	}
}

static void open_trusted_refuses_a_file_not_owned_by_root(void **state)
{
	struct fixture *f = *state;
	char why[128] = "";

	skip_unless_root();
	write_file(f->path, "x", 1, 0644);
	assert_int_equal(chown(f->path, NOBODY_UID, 0), 0);
	assert_int_equal(fs_open_trusted(f->path, why, sizeof(why)), -EPERM);
	assert_string_equal(why, "is owned by uid 65534, not root");
}

static void open_trusted_refuses_a_directory(void **state)
{
	struct fixture *f = *state;
	char why[128] = "";

	skip_unless_root(); /* unprivileged, the test directory itself is untrusted */

	assert_int_equal(fs_open_trusted(f->dir, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "is not a regular file");
}

static void open_trusted_refuses_a_fifo_without_blocking(void **state)
{
	struct fixture *f = *state;
	struct timespec tick = {0, 10 * 1000 * 1000};
	pid_t pid;
	int status = 0;

	skip_unless_root(); /* unprivileged, the test directory itself is untrusted */

	assert_int_equal(mkfifo(f->path, 0644), 0);
	/* In a child, so that a blocking open fails this test instead of hanging the run. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char why[128] = "";
		int r = fs_open_trusted(f->path, why, sizeof(why));

		_exit(r == -EINVAL && strcmp(why, "is not a regular file") == 0 ? 0 : 1);
	}
	for (int i = 0; i < 500 && waitpid(pid, &status, WNOHANG) == 0; i++)
		nanosleep(&tick, NULL);
	if (waitpid(pid, &status, WNOHANG) == 0) {
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		fail_msg("fs_open_trusted() blocked on a fifo for 5 seconds");
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void open_trusted_refuses_a_file_in_a_directory_others_can_change(void **state)
{
	struct fixture *f = *state;
	char sub[96], path[128], why[256] = "", expected[256];
	const char *dir;

	if (!f)
		abort(); /* else gcc -fsanitize warns that f->dir (at offset 0) may be NULL */
	dir = f->dir;
	skip_unless_root();
	write_file(f->path, "x", 1, 0644);
	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(fs_open_trusted(f->path, why, sizeof(why)), -EACCES);
	snprintf(expected, sizeof(expected), "is in '%s', which is writable by others (mode 0777)",
		 dir);
	assert_string_equal(why, expected);
	assert_int_equal(chmod(f->dir, 0775), 0);
	assert_int_equal(fs_open_trusted(f->path, why, sizeof(why)), -EACCES);
	snprintf(expected, sizeof(expected),
		 "is in '%s', which is writable by its group (mode 0775)", dir);
	assert_string_equal(why, expected);
	assert_int_equal(chmod(f->dir, 0700), 0);

	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	snprintf(path, sizeof(path), "%s/file", sub);
	assert_int_equal(mkdir(sub, 0755), 0);
	write_file(path, "x", 1, 0644);
	assert_int_equal(chown(sub, NOBODY_UID, 0), 0);
	assert_int_equal(fs_open_trusted(path, why, sizeof(why)), -EACCES);
	snprintf(expected, sizeof(expected), "is in '%s', which is owned by uid 65534, not root",
		 sub);
	assert_string_equal(why, expected);
}

static void open_trusted_accepts_a_sticky_directory_others_can_write(void **state)
{
	struct fixture *f = *state;
	autoclose int fd = -1;

	skip_unless_root();
	write_file(f->path, "x", 1, 0644);
	/* As /tmp: only the owner of an entry (root) may rename or remove it there. */
	assert_int_equal(chmod(f->dir, 01777), 0);
	fd = fs_open_trusted(f->path, NULL, 0);
	assert_true(fd >= 0);
}

static void open_trusted_refuses_a_symlink_or_dotdot_on_the_way(void **state)
{
	struct fixture *f = *state;
	char link[96], path[128], why[256] = "", expected[256];

	skip_unless_root();
	write_file(f->path, "x", 1, 0644);
	snprintf(link, sizeof(link), "%s/link", f->dir);
	assert_int_equal(symlink(".", link), 0);
	snprintf(path, sizeof(path), "%s/file", link);
	assert_int_equal(fs_open_trusted(path, why, sizeof(why)), -EACCES);
	snprintf(expected, sizeof(expected), "is below '%s', which is a symbolic link", link);
	assert_string_equal(why, expected);

	snprintf(path, sizeof(path), "%s/../%s/file", f->dir, f->dir + 5);
	assert_int_equal(fs_open_trusted(path, why, sizeof(why)), -EACCES);
	assert_string_equal(why, "has a '..' component");
}

static void open_trusted_takes_a_relative_path_from_the_working_directory(void **state)
{
	struct fixture *f = *state;
	autoclose int fd = -1;
	char *cwd = getcwd(NULL, 0);
	char why[256] = "";

	skip_unless_root();
	assert_non_null(cwd);
	write_file(f->path, "x", 1, 0644);
	assert_int_equal(chdir(f->dir), 0);
	fd = fs_open_trusted("file", why, sizeof(why));
	assert_true(fd >= 0);
	assert_int_equal(chmod(f->dir, 0777), 0);
	/* the working directory's own trust counts */
	assert_int_equal(fs_open_trusted("./file", why, sizeof(why)), -EACCES);
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
}

static void open_trusted_of_a_missing_file_is_enoent(void **state)
{
	struct fixture *f = *state;

	skip_unless_root(); /* unprivileged, the test directory itself is untrusted */

	assert_int_equal(fs_open_trusted(f->path, NULL, 0), -ENOENT);
}

/* --- fs_read_small --- */

/* Read @f->path with fs_read_small() and limit @max. */
static int read_path(struct fixture *f, size_t max, char **ret, size_t *ret_len)
{
	autoclose int fd = open(f->path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fs_read_small(fd, max, ret, ret_len);
}

static void read_small_reads_a_whole_file(void **state)
{
	struct fixture *f = *state;
	autofree char *want = pattern(10000);
	autofree char *got = NULL;
	size_t len = 0;

	write_file(f->path, want, 10000, 0644);
	assert_int_equal(read_path(f, 1 << 20, &got, &len), 0);
	assert_int_equal(len, 10000);
	assert_memory_equal(got, want, 10000);
	assert_int_equal(got[10000], '\0');
}

static void read_small_reads_an_empty_file(void **state)
{
	struct fixture *f = *state;
	autofree char *got = NULL;
	size_t len = 99;

	write_file(f->path, "", 0, 0644);
	assert_int_equal(read_path(f, 100, &got, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(got, "");
}

static void read_small_refuses_a_file_over_the_limit(void **state)
{
	struct fixture *f = *state;
	static const size_t cases[][2] = {{10001, 10000}, {100, 10}, {4097, 4096}, {8193, 8192}};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		autofree char *data = pattern(cases[i][0]);
		char *got = NULL;

		write_file(f->path, data, cases[i][0], 0644);
		if (read_path(f, cases[i][1], &got, NULL) != -EFBIG)
			fail_msg("%zu bytes with a limit of %zu: not -EFBIG", cases[i][0],
				 cases[i][1]);
		assert_null(got);
	}
}

static void read_small_accepts_a_file_of_exactly_max_bytes(void **state)
{
	struct fixture *f = *state;
	static const size_t sizes[] = {10, 4095, 4096, 8192, 10000};
	char refused[128] = "";

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		autofree char *data = pattern(sizes[i]);
		autofree char *got = NULL;
		size_t len = 0;
		int r;

		write_file(f->path, data, sizes[i], 0644);
		r = read_path(f, sizes[i], &got, &len);
		if (r != 0) {
			snprintf(refused + strlen(refused), sizeof(refused) - strlen(refused),
				 " %zu (%d)", sizes[i], r);
			continue;
		}
		assert_int_equal(len, sizes[i]);
		assert_memory_equal(got, data, sizes[i]);
	}
	if (refused[0])
		fail_msg("files of exactly the limit refused:%s", refused);
}

/* --- fs_write_atomic --- */

static char *read_at(int dir_fd, const char *name)
{
	autoclose int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char *text = NULL;

	assert_true(fd >= 0);
	assert_int_equal(fs_read_small(fd, 1 << 20, &text, NULL), 0);
	return text;
}

static int count_entries(int dir_fd)
{
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir;
	int n = 0;

	assert_true(fd >= 0);
	dir = fdopendir(fd);
	assert_non_null(dir);
	for (struct dirent *de; (de = readdir(dir));)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(dir);
	return n;
}

static int count_entries_at(int dir_fd, const char *name)
{
	autoclose int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	assert_true(fd >= 0);
	return count_entries(fd);
}

static void write_atomic_replaces_content_and_mode(void **state)
{
	struct fixture *f = *state;
	autofree char *old = pattern(5000);
	autofree char *text = NULL;
	struct stat st;
	mode_t saved = umask(077);

	write_file(f->path, old, 5000, 0644);
	assert_int_equal(fs_write_atomic(f->dir_fd, "file", "new\n", 4, 0640), 0);
	umask(saved);
	text = read_at(f->dir_fd, "file");
	assert_string_equal(text, "new\n");
	assert_int_equal(fstatat(f->dir_fd, "file", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640); /* the mode asked for, whatever the umask */
	assert_int_equal(count_entries(f->dir_fd), 1);
}

static void write_atomic_creates_a_missing_file(void **state)
{
	struct fixture *f = *state;
	autofree char *text = NULL;
	struct stat st;

	assert_int_equal(fs_write_atomic(f->dir_fd, "new", "a\0b", 3, 0600), 0);
	assert_int_equal(fstatat(f->dir_fd, "new", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(st.st_mode & 07777, 0600);
	text = read_at(f->dir_fd, "new");
	assert_memory_equal(text, "a\0b", 3);
	assert_int_equal(count_entries(f->dir_fd), 1);
}

static void write_atomic_does_not_write_through_a_planted_temp_symlink(void **state)
{
	struct fixture *f = *state;
	autofree char *victim_text = NULL;

	write_file(f->path, "victim\n", 7, 0644);
	assert_int_equal(symlinkat(f->path, f->dir_fd, ".record.tmp"), 0);
	assert_int_equal(fs_write_atomic(f->dir_fd, "record", "evil\n", 5, 0644), -ELOOP);
	victim_text = read_at(f->dir_fd, "file");
	assert_string_equal(victim_text, "victim\n");
	assert_int_equal(faccessat(f->dir_fd, "record", F_OK, AT_SYMLINK_NOFOLLOW), -1);
}

/* --- fs_mkdir_p_in_root --- */

/* The fixture holds root/ and, next to it, outside/. Returns an fd for root/. */
static int make_root(struct fixture *f)
{
	int fd;

	assert_int_equal(mkdirat(f->dir_fd, "root", 0755), 0);
	assert_int_equal(mkdirat(f->dir_fd, "outside", 0755), 0);
	fd = openat(f->dir_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static void assert_same_file(int fd, int dir_fd, const char *path)
{
	struct stat a, b;

	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(fstatat(dir_fd, path, &b, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

static void mkdir_p_creates_nested_dirs(void **state)
{
	struct fixture *f = *state;
	autoclose int root_fd = make_root(f);
	autoclose int fd = -1;
	struct stat st;

	fd = fs_mkdir_p_in_root(root_fd, "/a/b//c/", 0750);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_same_file(fd, root_fd, "a/b/c");
	assert_int_equal(fstatat(root_fd, "a/b", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(count_entries(f->dir_fd), 2); /* root/ and outside/ only */
}

static void mkdir_p_reuses_existing_dirs(void **state)
{
	struct fixture *f = *state;
	autoclose int root_fd = make_root(f);
	autoclose int fd = -1;
	struct stat st;

	assert_int_equal(mkdirat(root_fd, "etc", 0711), 0);
	fd = fs_mkdir_p_in_root(root_fd, "/etc/ssh", 0755);
	assert_true(fd >= 0);
	assert_same_file(fd, root_fd, "etc/ssh");
	assert_int_equal(fstatat(root_fd, "etc", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0711); /* an existing directory keeps its mode */
}

static void mkdir_p_of_the_root_itself_gives_the_root(void **state)
{
	struct fixture *f = *state;
	autoclose int root_fd = make_root(f);
	autoclose int fd = fs_mkdir_p_in_root(root_fd, "/", 0755);

	assert_true(fd >= 0);
	assert_true(fd != root_fd);
	assert_same_file(fd, f->dir_fd, "root");
}

static void mkdir_p_refuses_dot_and_dotdot(void **state)
{
	struct fixture *f = *state;
	autoclose int root_fd = make_root(f);

	assert_int_equal(fs_mkdir_p_in_root(root_fd, "../outside/x", 0755), -EINVAL);
	assert_int_equal(fs_mkdir_p_in_root(root_fd, "a/../../outside/y", 0755), -EINVAL);
	assert_int_equal(fs_mkdir_p_in_root(root_fd, "/a/./b", 0755), -EINVAL);
	assert_int_equal(count_entries(f->dir_fd), 2);
	assert_int_equal(count_entries_at(f->dir_fd, "outside"), 0);
}

static void mkdir_p_refuses_a_file_component(void **state)
{
	struct fixture *f = *state;
	autoclose int root_fd = make_root(f);
	int fd = openat(root_fd, "file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(fs_mkdir_p_in_root(root_fd, "/file/x", 0755), -ENOTDIR);
}

static void mkdir_p_refuses_a_symlink_component_pointing_inside(void **state)
{
	struct fixture *f = *state;
	autoclose int root_fd = make_root(f);
	int fd;

	assert_int_equal(mkdirat(root_fd, "real", 0755), 0);
	assert_int_equal(symlinkat("real", root_fd, "link"), 0);
	fd = fs_mkdir_p_in_root(root_fd, "/link/x", 0755);
	if (fd >= 0)
		(void)close(fd);
	assert_int_equal(fd, -ELOOP);
	assert_int_equal(faccessat(root_fd, "real/x", F_OK, AT_SYMLINK_NOFOLLOW), -1);
}

static void mkdir_p_never_escapes_the_root(void **state)
{
	struct fixture *f = *state;
	autoclose int root_fd = make_root(f);
	char outside[128];
	static const char *const paths[] = {"/up/x", "/abs/x", "/up/up/x", "/deep/x"};

	snprintf(outside, sizeof(outside), "%s/outside", f->dir);
	assert_int_equal(symlinkat("../outside", root_fd, "up"), 0);
	assert_int_equal(symlinkat(outside, root_fd, "abs"), 0);
	assert_int_equal(mkdirat(root_fd, "d", 0755), 0);
	assert_int_equal(symlinkat("../../outside", root_fd, "d/e"), 0);
	assert_int_equal(symlinkat("d/e", root_fd, "deep"), 0);
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		int fd = fs_mkdir_p_in_root(root_fd, paths[i], 0755);

		if (fd >= 0) {
			(void)close(fd);
			fail_msg("'%s' through a symlink to outside the root was accepted",
				 paths[i]);
		}
	}
	assert_int_equal(count_entries(f->dir_fd), 2);
	assert_int_equal(count_entries_at(f->dir_fd, "outside"), 0);
}

#define DIR_TEST(t) cmocka_unit_test_setup_teardown(t, setup_dir, teardown_dir)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    DIR_TEST(open_trusted_accepts_a_root_owned_0644_file),
	    DIR_TEST(open_trusted_accepts_a_read_only_file),
	    DIR_TEST(open_trusted_refuses_a_symlink),
	    DIR_TEST(open_trusted_refuses_a_group_or_other_writable_file),
	    DIR_TEST(open_trusted_refuses_a_file_not_owned_by_root),
	    DIR_TEST(open_trusted_refuses_a_directory),
	    DIR_TEST(open_trusted_refuses_a_fifo_without_blocking),
	    DIR_TEST(open_trusted_refuses_a_file_in_a_directory_others_can_change),
	    DIR_TEST(open_trusted_accepts_a_sticky_directory_others_can_write),
	    DIR_TEST(open_trusted_refuses_a_symlink_or_dotdot_on_the_way),
	    DIR_TEST(open_trusted_takes_a_relative_path_from_the_working_directory),
	    DIR_TEST(open_trusted_of_a_missing_file_is_enoent),
	    DIR_TEST(read_small_reads_a_whole_file),
	    DIR_TEST(read_small_reads_an_empty_file),
	    DIR_TEST(read_small_refuses_a_file_over_the_limit),
	    DIR_TEST(read_small_accepts_a_file_of_exactly_max_bytes),
	    DIR_TEST(write_atomic_replaces_content_and_mode),
	    DIR_TEST(write_atomic_creates_a_missing_file),
	    DIR_TEST(write_atomic_does_not_write_through_a_planted_temp_symlink),
	    DIR_TEST(mkdir_p_creates_nested_dirs),
	    DIR_TEST(mkdir_p_reuses_existing_dirs),
	    DIR_TEST(mkdir_p_of_the_root_itself_gives_the_root),
	    DIR_TEST(mkdir_p_refuses_dot_and_dotdot),
	    DIR_TEST(mkdir_p_refuses_a_file_component),
	    DIR_TEST(mkdir_p_refuses_a_symlink_component_pointing_inside),
	    DIR_TEST(mkdir_p_never_escapes_the_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
