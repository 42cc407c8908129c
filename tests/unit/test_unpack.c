/* tests/unit/test_unpack.c: image/unpack.c, whiteout.c and unpack_meta.c: layer tars written
 * here with libarchive, unpacked into a temporary directory. Root only (owners, trusted.*
 * xattrs, mknod): skipped otherwise. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/cleanup.h"
#include "image/error.h"
#include "image/unpack.h"

struct fixture {
	char dir[64];      /* the test's directory */
	char root[96];     /* the layer's root, below it */
	char tar[96];      /* the tar file */
	struct archive *w; /* writing the tar */
	int root_fd;
	int warnings;
	char last_warning[600];
	struct image_error e;
};

static struct fixture fx;

static int setup(void **state)
{
	if (geteuid() != 0)
		return 0;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/carrel-unpack.XXXXXX");
	if (!mkdtemp(fx.dir))
		return -1;
	snprintf(fx.root, sizeof(fx.root), "%s/root", fx.dir);
	snprintf(fx.tar, sizeof(fx.tar), "%s/layer.tar", fx.dir);
	if (mkdir(fx.root, 0700) < 0)
		return -1;
	fx.root_fd = open(fx.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fx.warnings = 0;
	fx.last_warning[0] = '\0';
	fx.e.text[0] = '\0';
	fx.w = archive_write_new();
	archive_write_set_format_pax_restricted(fx.w);
	return fx.root_fd < 0 || archive_write_open_filename(fx.w, fx.tar) != ARCHIVE_OK ? -1 : 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int teardown(void **state)
{
	if (geteuid() != 0)
		return 0;
	if (fx.w)
		archive_write_free(fx.w);
	fx.w = NULL;
	(void)close(fx.root_fd);
	return nftw(fx.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

/* ---- writing the tar ---- */

static struct archive_entry *entry(const char *name, unsigned type, unsigned mode)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, mode);
	archive_entry_set_mtime(e, 1704067200, 0);
	return e;
}

static void put(struct archive_entry *e, const char *data)
{
	size_t n = data ? strlen(data) : 0;

	archive_entry_set_size(e, (la_int64_t)n);
	assert_int_equal(archive_write_header(fx.w, e), ARCHIVE_OK);
	if (n)
		assert_int_equal(archive_write_data(fx.w, data, n), (la_ssize_t)n);
	archive_entry_free(e);
}

static void add_file(const char *name, const char *data, unsigned mode)
{
	put(entry(name, AE_IFREG, mode), data);
}

static void add_dir(const char *name, unsigned mode, unsigned uid, unsigned gid)
{
	struct archive_entry *e = entry(name, AE_IFDIR, mode);

	archive_entry_set_uid(e, uid);
	archive_entry_set_gid(e, gid);
	put(e, NULL);
}

static void add_symlink(const char *name, const char *target)
{
	struct archive_entry *e = entry(name, AE_IFLNK, 0777);

	archive_entry_set_symlink(e, target);
	put(e, NULL);
}

static void add_hardlink(const char *name, const char *target)
{
	struct archive_entry *e = entry(name, AE_IFREG, 0644);

	archive_entry_set_hardlink(e, target);
	put(e, NULL);
}

static void add_device(const char *name, unsigned type)
{
	struct archive_entry *e = entry(name, type, 0666);

	archive_entry_set_rdev(e, makedev(1, 1));
	put(e, NULL);
}

/* ---- unpacking it ---- */

static void warned(void *data, const char *text)
{
	fx.warnings++;
	print_message("  warning: %s\n", text);
	snprintf(fx.last_warning, sizeof(fx.last_warning), "%s", text);
}

static int unpack_limited(int lower_fd, uint64_t max_bytes, uint64_t *ret_bytes)
{
	struct archive *r = archive_read_new();
	struct unpack_opts o = {
	    .root_fd = fx.root_fd,
	    .lower_fd = lower_fd,
	    .max_bytes = max_bytes,
	    .warn = warned,
	};
	uint64_t bytes = 0;
	int rr;

	assert_int_equal(archive_write_close(fx.w), ARCHIVE_OK);
	archive_write_free(fx.w);
	fx.w = NULL;
	archive_read_support_format_tar(r);
	assert_int_equal(archive_read_open_filename(r, fx.tar, 10240), ARCHIVE_OK);
	rr = unpack_layer(r, &o, &bytes, &fx.e);
	archive_read_free(r);
	if (ret_bytes)
		*ret_bytes = bytes;
	if (rr < 0)
		print_message("  unpack: %s\n", fx.e.text);
	return rr;
}

static int unpack(void)
{
	return unpack_limited(-1, 1 << 20, NULL);
}

static struct stat lstat_in(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", fx.root, name);
	assert_int_equal(lstat(path, &st), 0);
	return st;
}

static bool exists_in(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", fx.root, name);
	return lstat(path, &st) == 0;
}

/* ---- cases ---- */

static void files_directories_links_and_modes_are_kept(void **state)
{
	struct archive_entry *e;
	struct stat a, b;
	char target[64] = "";
	uint64_t bytes = 0;

	need_root();
	add_dir("home/", 0755, 0, 0);
	add_dir("home/user/", 0750, 1000, 1000);
	e = entry("home/user/secret", AE_IFREG, 0600);
	archive_entry_set_uid(e, 1000);
	archive_entry_set_gid(e, 1000);
	put(e, "private\n");
	add_file("bin/suid", "#!/bin/sh\n", 04755);
	add_file("bin/busybox", "busybox", 0755);
	add_hardlink("bin/test", "bin/busybox");
	add_symlink("sbin/init", "/bin/busybox");
	put(entry("run/fifo", AE_IFIFO, 0620), NULL);
	assert_int_equal(unpack_limited(-1, 1 << 20, &bytes), 0);
	assert_int_equal(bytes, 8 + 10 + 7);
	a = lstat_in("home/user");
	assert_int_equal(a.st_mode & 07777, 0750);
	assert_int_equal(a.st_uid, 1000);
	assert_int_equal(a.st_mtime, 1704067200);
	a = lstat_in("home/user/secret");
	assert_int_equal(a.st_mode & 07777, 0600);
	assert_int_equal(a.st_gid, 1000);
	assert_int_equal(lstat_in("bin/suid").st_mode & 07777, 04755);
	a = lstat_in("bin/busybox");
	b = lstat_in("bin/test");
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_nlink, 2);
	assert_true(S_ISLNK(lstat_in("sbin/init").st_mode));
	assert_int_equal(readlinkat(fx.root_fd, "sbin/init", target, sizeof(target) - 1), 12);
	assert_string_equal(target, "/bin/busybox");
	assert_true(S_ISFIFO(lstat_in("run/fifo").st_mode));
	assert_int_equal(lstat_in("run/fifo").st_mode & 07777, 0620);
	/* implicit, and no layer below: root's 0755 */
	assert_int_equal(lstat_in("bin").st_mode & 07777, 0755);
	assert_int_equal(fx.warnings, 0);
}

static void a_dotdot_component_is_refused(void **state)
{
	char outside[128];

	need_root();
	add_file("usr/../../escaped", "x", 0644);
	assert_int_equal(unpack(), -EPROTO);
	assert_non_null(strstr(fx.e.text, "entry 'usr/../../escaped' has a '..' component"));
	snprintf(outside, sizeof(outside), "%s/escaped", fx.dir);
	assert_int_not_equal(access(outside, F_OK), 0);
}

static void an_absolute_name_stays_below_the_root_with_a_warning(void **state)
{
	need_root();
	add_file("/etc/absolute", "x", 0644);
	assert_int_equal(unpack(), 0);
	assert_true(exists_in("etc/absolute"));
	assert_int_equal(fx.warnings, 1);
	assert_non_null(strstr(fx.last_warning, "absolute name, unpacked as 'etc/absolute'"));
}

static void nothing_is_written_through_a_symlink(void **state)
{
	char outside[128];

	need_root();
	snprintf(outside, sizeof(outside), "%s/outside", fx.dir);
	assert_int_equal(mkdir(outside, 0700), 0);
	add_symlink("escape", outside);
	add_file("escape/planted", "x", 0644);
	assert_int_equal(unpack(), -ELOOP);
	assert_non_null(strstr(fx.e.text, "through the symbolic link 'escape'"));
	strcat(outside, "/planted");
	assert_int_not_equal(access(outside, F_OK), 0);
}

static void a_directory_replaced_by_a_symlink_is_not_followed(void **state)
{
	need_root();
	add_dir("data/", 0755, 0, 0);
	add_file("data/ok", "x", 0644);
	add_symlink("data", "/tmp");
	add_file("data/planted", "x", 0644);
	assert_int_equal(unpack(), -ELOOP);
	assert_true(S_ISLNK(lstat_in("data").st_mode));
	assert_int_not_equal(access("/tmp/planted", F_OK), 0);
}

static void a_hard_link_must_name_a_file_of_the_layer(void **state)
{
	need_root();
	add_hardlink("copy", "/etc/shadow");
	assert_int_equal(unpack(), -ENOENT);
	assert_non_null(
	    strstr(fx.e.text, "a hard link to '/etc/shadow', which is not in this layer"));
	assert_false(exists_in("copy"));
}

static void a_hard_link_that_climbs_out_is_refused(void **state)
{
	need_root();
	add_hardlink("copy", "../../etc/shadow");
	assert_int_equal(unpack(), -EPROTO);
	assert_non_null(strstr(fx.e.text, "outside the layer"));
}

static void a_hard_link_to_a_symlink_links_the_symlink(void **state)
{
	struct stat st;

	need_root();
	add_symlink("shadow-sym", "/etc/shadow");
	add_hardlink("shadow-copy", "shadow-sym");
	assert_int_equal(unpack(), 0);
	st = lstat_in("shadow-copy");
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(st.st_ino, lstat_in("shadow-sym").st_ino);
}

static void device_nodes_are_skipped_with_a_warning(void **state)
{
	need_root();
	add_device("dev/mem", AE_IFCHR);
	add_device("dev/sda", AE_IFBLK);
	add_file("dev/ok", "x", 0644);
	assert_int_equal(unpack(), 0);
	assert_false(exists_in("dev/mem"));
	assert_false(exists_in("dev/sda"));
	assert_true(exists_in("dev/ok"));
	assert_int_equal(fx.warnings, 2);
	assert_non_null(strstr(fx.last_warning, "'dev/sda': a block device is not imported"));
}

static void whiteouts_become_overlayfs_whiteouts(void **state)
{
	char value[8] = "";
	struct stat st;
	autoclose int fd = -1;

	need_root();
	add_file("etc/.wh.motd", NULL, 0);
	add_dir("opt/app/", 0755, 0, 0);
	add_file("opt/app/.wh..wh..opq", NULL, 0);
	add_file("opt/app/VERSION", "1", 0644);
	assert_int_equal(unpack(), 0);
	st = lstat_in("etc/motd");
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	assert_false(exists_in("etc/.wh.motd"));
	assert_false(exists_in("opt/app/.wh..wh..opq"));
	fd = openat(fx.root_fd, "opt/app", O_RDONLY | O_DIRECTORY);
	assert_int_equal(fgetxattr(fd, "trusted.overlay.opaque", value, sizeof(value)), 1);
	assert_string_equal(value, "y");
}

static void a_whiteout_of_dot_or_dotdot_is_refused(void **state)
{
	need_root();
	add_file("etc/.wh...", NULL, 0);
	assert_int_equal(unpack(), -EPROTO);
	assert_non_null(strstr(fx.e.text, "a whiteout of '..'"));
}

static void a_whiteout_that_climbs_is_refused(void **state)
{
	need_root();
	add_file(".wh.../../x", NULL, 0);
	assert_int_equal(unpack(), -EPROTO);
	assert_non_null(strstr(fx.e.text, "'..' component"));
}

static void user_and_capability_xattrs_are_kept_trusted_ones_dropped(void **state)
{
	static const unsigned char cap[] = {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0,
					    0, 0, 0, 0, 0, 0,    0, 0, 0, 0};
	struct archive_entry *e = entry("bin/ping", AE_IFREG, 0755);
	unsigned char got[32];
	char path[PATH_MAX];

	need_root();
	archive_entry_xattr_add_entry(e, "user.fixture", "tiny", 4);
	archive_entry_xattr_add_entry(e, "security.capability", cap, sizeof(cap));
	archive_entry_xattr_add_entry(e, "trusted.overlay.opaque", "y", 1);
	put(e, "ping");
	assert_int_equal(unpack(), 0);
	snprintf(path, sizeof(path), "%s/bin/ping", fx.root);
	assert_int_equal(lgetxattr(path, "user.fixture", got, sizeof(got)), 4);
	assert_memory_equal(got, "tiny", 4);
	assert_int_equal(lgetxattr(path, "security.capability", got, sizeof(got)), sizeof(cap));
	assert_memory_equal(got, cap, sizeof(cap));
	assert_int_equal(lgetxattr(path, "trusted.overlay.opaque", got, sizeof(got)), -1);
	assert_int_equal(fx.warnings, 1);
	assert_non_null(strstr(fx.last_warning, "trusted.overlay.opaque' dropped"));
}

static void implicit_directories_take_the_metadata_of_the_layer_below(void **state)
{
	char lower[128], path[160];
	autoclose int lower_fd = -1;
	struct stat st;

	need_root();
	snprintf(lower, sizeof(lower), "%s/lower", fx.dir);
	snprintf(path, sizeof(path), "%s/home", lower);
	assert_int_equal(mkdir(lower, 0711), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	strcat(path, "/user");
	assert_int_equal(mkdir(path, 0750), 0);
	assert_int_equal(chown(path, 1000, 1001), 0);
	lower_fd = open(lower, O_PATH | O_DIRECTORY);
	add_file("home/user/secret", "x", 0600);
	assert_int_equal(unpack_limited(lower_fd, 1 << 20, NULL), 0);
	st = lstat_in("home/user");
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 1001);
	/* the layer's root too: the layer below's */
	assert_int_equal(fstat(fx.root_fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0711);
}

static void data_over_the_limit_is_refused(void **state)
{
	need_root();
	add_file("a", "0123456789", 0644);
	add_file("b", "0123456789", 0644);
	assert_int_equal(unpack_limited(-1, 15, NULL), -EFBIG);
	assert_non_null(strstr(fx.e.text, "entry 'b': the layer holds more than 15 bytes"));
}

static void later_entries_replace_earlier_ones(void **state)
{
	char data[8] = "";
	autoclose int fd = -1;

	need_root();
	add_file("x", "first", 0644);
	add_dir("x/", 0755, 0, 0);
	add_file("x/inner", "i", 0644);
	add_file("x", "second", 0600);
	assert_int_equal(unpack(), 0);
	fd = openat(fx.root_fd, "x", O_RDONLY | O_NOFOLLOW);
	assert_int_equal(read(fd, data, sizeof(data) - 1), 6);
	assert_string_equal(data, "second");
	assert_int_equal(lstat_in("x").st_mode & 07777, 0600);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(files_directories_links_and_modes_are_kept),
	    T(a_dotdot_component_is_refused),
	    T(an_absolute_name_stays_below_the_root_with_a_warning),
	    T(nothing_is_written_through_a_symlink),
	    T(a_directory_replaced_by_a_symlink_is_not_followed),
	    T(a_hard_link_must_name_a_file_of_the_layer),
	    T(a_hard_link_that_climbs_out_is_refused),
	    T(a_hard_link_to_a_symlink_links_the_symlink),
	    T(device_nodes_are_skipped_with_a_warning),
	    T(whiteouts_become_overlayfs_whiteouts),
	    T(a_whiteout_of_dot_or_dotdot_is_refused),
	    T(a_whiteout_that_climbs_is_refused),
	    T(user_and_capability_xattrs_are_kept_trusted_ones_dropped),
	    T(implicit_directories_take_the_metadata_of_the_layer_below),
	    T(data_over_the_limit_is_refused),
	    T(later_entries_replace_earlier_ones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
