/* tests/unit/test_layertar.c: image/layertar.c: a layer directory in overlay form, as a RUN
 * leaves its upper directory, written out as an OCI layer, then unpacked again with the
 * importer (image/unpack.c): whiteouts and opaque directories make the round trip, what a
 * layer cannot hold is gone from both, and the same directory gives the same digests. Root
 * only (owners, trusted.* xattrs, mknod): skipped otherwise. */
#include <archive.h>
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
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/cleanup.h"
#include "image/error.h"
#include "image/layertar.h"
#include "image/unpack.h"

static char dir[64], lower[96];
static int warnings;

/* The test's directory, with the layers below (as a RUN's view of them) in it. */
static int setup(void **state)
{
	if (geteuid() != 0)
		return 0;
	snprintf(dir, sizeof(dir), "/tmp/carrel-layertar.XXXXXX");
	warnings = 0;
	if (!mkdtemp(dir))
		return -1;
	snprintf(lower, sizeof(lower), "%s/lower", dir);
	return mkdir(lower, 0755) == 0 && chmod(lower, 0751) == 0 ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int teardown(void **state)
{
	if (geteuid() != 0)
		return 0;
	return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

static void count_warning(void *data, const char *text)
{
	warnings++;
}

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	/* NOLINTNEXTLINE(cert-env33-c): the test's fixtures are made by shell commands */
	assert_int_equal(system(cmd), 0);
}

/* An upper directory as overlayfs leaves one. */
static void make_upper(const char *up)
{
	sh("mkdir -p %s/etc %s/opt/new %s/opt/data && echo new >%s/opt/new/file && "
	   "ln %s/opt/new/file %s/opt/new/link && ln -s ../x %s/opt/sym && echo d >%s/opt/data/d "
	   "&& "
	   "mkfifo %s/opt/fifo && chmod 4755 %s/opt/new/file",
	   up, up, up, up, up, up, up, up, up, up);
	assert_int_equal(mknod(strcat(strcpy((char[128]){0}, up), "/etc/motd"), S_IFCHR, 0), 0);
	sh("mknod %s/opt/disk b 8 0 && mknod %s/opt/tty c 5 0", up, up);
	sh("setfattr -n trusted.overlay.opaque -v y %s/opt/data", up);
	sh("setfattr -n trusted.overlay.origin -v 0x00 %s/opt/new", up);
	sh("setfattr -n user.keep -v yes %s/opt/data/d", up);
}

static int open_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static void write_layer(const char *up, const char *blob, struct layertar_result *res)
{
	autoclose int root_fd = open_dir(up), out_fd = open_dir(dir), lower_fd = open_dir(lower);
	struct layertar_opts o = {.root_fd = root_fd, .lower_fd = lower_fd, .warn = count_warning};
	struct image_error e = {""};

	assert_int_equal(layertar_write(&o, out_fd, blob, res, &e), 0);
}

static void unpack(const char *blob, const char *into)
{
	autoclose int root_fd = -1, lower_fd = open_dir(lower);
	struct archive *a = archive_read_new();
	struct unpack_opts o = {.max_bytes = 1 << 20};
	struct image_error e = {""};
	char path[160];
	uint64_t bytes = 0;

	sh("mkdir %s", into);
	root_fd = open_dir(into);
	o.root_fd = root_fd;
	o.lower_fd = lower_fd;
	snprintf(path, sizeof(path), "%s/%s", dir, blob);
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_filename(a, path, 10240), ARCHIVE_OK);
	assert_int_equal(unpack_layer(a, &o, &bytes, &e), 0);
	archive_read_free(a);
}

static void the_layer_round_trips_through_an_import(void **state)
{
	struct layertar_result res;
	char up[96], back[96], opaque[4] = "";
	struct stat st;

	need_root();
	snprintf(up, sizeof(up), "%s/upper", dir);
	snprintf(back, sizeof(back), "%s/back", dir);
	sh("mkdir %s", up);
	make_upper(up);
	write_layer(up, "blob", &res);
	assert_int_equal(warnings, 2);       /* the block and the character device */
	assert_int_equal(res.data_bytes, 6); /* "new\n" once for both links, "d\n" */
	sh("cd %s && [ \"$(gzip -dc blob | sha256sum | cut -c1-64)\" = %s ]", dir, res.diff_id + 7);
	sh("cd %s && [ \"$(sha256sum <blob | cut -c1-64)\" = %s ]", dir, res.blob_digest + 7);
	sh("cd %s && gzip -dc blob | tar t 2>/dev/null | grep -qx 'etc/.wh.motd'", dir);
	sh("cd %s && gzip -dc blob | tar t 2>/dev/null | grep -qx 'opt/data/.wh..wh..opq'", dir);
	/* The directory is now what the tar unpacks to (a whiteout's time aside: an import
	 * makes it anew). The root is the layers below's, 0751. */
	unpack("blob", back);
	sh("cd %s && find . ! -type c -printf '%%p %%y %%m %%U:%%G %%s %%T@ %%n\\n' -o -printf "
	   "'%%p %%y\\n' | sort >../a && cd %s && find . ! -type c -printf "
	   "'%%p %%y %%m %%U:%%G %%s %%T@ %%n\\n' -o -printf '%%p %%y\\n' | sort >../b && "
	   "cmp ../a ../b && grep -qx '. d 751 0:0 .*' ../a && getfattr -hR -d -m - . >../xb && "
	   "cd %s && getfattr -hR -d -m - . >../xa && cmp ../xa ../xb",
	   up, back, up);
	assert_int_equal(stat(strcat(strcpy((char[128]){0}, up), "/opt/disk"), &st), -1);
	assert_int_equal(getxattr(strcat(strcpy((char[128]){0}, up), "/opt/new"),
				  "trusted.overlay.origin", NULL, 0),
			 -1);
	assert_int_equal(getxattr(strcat(strcpy((char[128]){0}, back), "/opt/data"),
				  "trusted.overlay.opaque", opaque, sizeof(opaque)),
			 1);
}

static void the_same_directory_gives_the_same_digests(void **state)
{
	struct layertar_result one, two;
	char up[96];

	need_root();
	snprintf(up, sizeof(up), "%s/upper", dir);
	sh("mkdir %s", up);
	make_upper(up);
	write_layer(up, "one", &one);
	write_layer(up, "two", &two);
	assert_string_equal(one.diff_id, two.diff_id);
	assert_string_equal(one.blob_digest, two.blob_digest);
	sh("cmp %s/one %s/two", dir, dir);
}

static void a_name_that_reads_as_a_whiteout_is_refused(void **state)
{
	autoclose int root_fd = -1, out_fd = -1;
	struct layertar_result res;
	struct image_error e = {""};
	struct layertar_opts o = {.lower_fd = -1};
	char up[96];

	need_root();
	snprintf(up, sizeof(up), "%s/upper", dir);
	sh("mkdir -p %s/etc && touch %s/etc/.wh.passwd", up, up);
	root_fd = open_dir(up);
	out_fd = open_dir(dir);
	o.root_fd = root_fd;
	assert_int_equal(layertar_write(&o, out_fd, "blob", &res, &e), -EINVAL);
	assert_non_null(strstr(e.text, "'etc/.wh.passwd': a name starting with \".wh.\""));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(the_layer_round_trips_through_an_import),
	    T(the_same_directory_gives_the_same_digests),
	    T(a_name_that_reads_as_a_whiteout_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
