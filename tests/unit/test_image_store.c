/* tests/unit/test_image_store.c: common/image_store.c on a store in a temporary directory:
 * records, the locks, layers, and what reclaiming removes and keeps. */
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/cleanup.h"
#include "common/image_store.h"

#define CONFIG_HEX "2a36a577e298e94b17a6a35db704e7c4fa89fbd278025fff8f6865c091a58942"
#define MANIFEST_HEX "8b7d5ae010bafd53459df61cac09c9704b3f41f6e69fda214282d6e3e137cea5"
#define OTHER_HEX "974a269ce3e8dd18eef4cedbc91b9150223d0ec1c25961d3c2e685ce6864e159"
#define CONFIG "sha256:" CONFIG_HEX
#define MANIFEST "sha256:" MANIFEST_HEX
#define LAYER "sha256:b350dc6a008e70d7e49e5939cb0d8f4bbb16d04b59a3144e37376bad6223377c"
#define OTHER "sha256:" OTHER_HEX
#define HEX(d) ((d) + 7)

static char dir[64];
static int store_fd = -1;

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/carrel-store.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	store_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return store_fd < 0 || image_store_prepare(store_fd) < 0 ? -1 : 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int teardown(void **state)
{
	(void)close(store_fd);
	return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_at(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void make_dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(mkdir(path, 0700), 0);
}

/* An image @name with one layer, @layer, its blobs and the layer's directory. */
static void add_image(const char *name, const char *layer)
{
	struct image_layer l = {.blob = {.media_type = "tar+gzip", .size = 3}};
	struct image_record r = {
	    .manifest = {.digest = MANIFEST, .media_type = "m", .size = 1},
	    .config = {.digest = CONFIG, .media_type = "c", .size = 2},
	};
	autofree char *text = NULL;
	char rel[256];

	snprintf(r.name, sizeof(r.name), "%s", name);
	memcpy(l.blob.digest, layer, sizeof(l.blob.digest));
	memcpy(l.diff_id, layer, sizeof(l.diff_id));
	memcpy(l.chain_id, layer, sizeof(l.chain_id));
	assert_int_equal(image_record_add_layer(&r, &l), 0);
	assert_int_equal(image_record_format(&r, &text), 0);
	free(r.layers[0].blob.media_type);
	free(r.layers);
	snprintf(rel, sizeof(rel), "images/%s", name);
	make_dir(rel);
	snprintf(rel, sizeof(rel), "images/%s/" IMAGE_RECORD_FILE, name);
	write_at(rel, text);
	snprintf(rel, sizeof(rel), "images/%s/" IMAGE_CONFIG_FILE, name);
	write_at(rel, "{\"config\":{\"Env\":[\"A=1\"],\"WorkingDir\":\"/w\"}}");
	snprintf(rel, sizeof(rel), "layers/%s", HEX(layer));
	if (faccessat(store_fd, rel, F_OK, 0) < 0) {
		make_dir(rel);
		snprintf(rel, sizeof(rel), "layers/%s/root", HEX(layer));
		make_dir(rel);
	}
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", HEX(layer));
	write_at(rel, "abc");
	write_at("blobs/sha256/" CONFIG_HEX, "{}");
	write_at("blobs/sha256/" MANIFEST_HEX, "{}");
}

static void records_are_found_by_name_and_digest(void **state)
{
	struct image_record *r = NULL;
	struct image_exec x;
	char name[IMAGE_NAME_MAX + 1];
	char **names = NULL;
	autoclose int dir_fd = -1;

	add_image("b", LAYER);
	add_image("a", LAYER);
	assert_int_equal(image_list(store_fd, &names), 2);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	assert_null(names[2]);
	image_names_free(names);
	assert_int_equal(image_load(store_fd, "a", &r), 0);
	assert_string_equal(r->layers[0].chain_id, LAYER);
	image_record_free(r);
	assert_int_equal(image_load(store_fd, "c", &r), -ENOENT);
	assert_int_equal(image_load(store_fd, "../a", &r), -EINVAL);
	assert_int_equal(image_find_digest(store_fd, CONFIG, name), 0);
	assert_string_equal(name, "a"); /* the first of those with it */
	assert_int_equal(image_find_digest(store_fd, MANIFEST, name), 0);
	assert_int_equal(image_find_digest(store_fd, OTHER, name), -ENOENT);
	dir_fd = image_dir_open(store_fd, "a");
	assert_int_equal(image_load_exec(dir_fd, &x), 0);
	assert_string_equal(x.env[0], "A=1");
	assert_string_equal(x.workdir, "/w");
	image_exec_free(&x);
}

static void a_record_under_another_name_is_refused(void **state)
{
	struct image_record *r = NULL;
	char from[128], to[128];

	add_image("a", LAYER);
	snprintf(from, sizeof(from), "%s/images/a", dir);
	snprintf(to, sizeof(to), "%s/images/copied", dir);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(image_load(store_fd, "copied", &r), -EPROTO);
}

static void the_store_lock_is_exclusive(void **state)
{
	int a = image_store_lock(store_fd, false), b;

	assert_true(a >= 0);
	assert_int_equal(image_store_lock(store_fd, false), -EBUSY);
	(void)close(a);
	b = image_store_lock(store_fd, false);
	assert_true(b >= 0);
	(void)close(b);
}

static void a_session_hold_keeps_an_image_from_removal(void **state)
{
	int shared, other, excl;

	add_image("a", LAYER);
	shared = image_hold(store_fd, "a", false);
	assert_true(shared >= 0);
	other = image_hold(store_fd, "a", false);
	assert_true(other >= 0); /* many sessions at once */
	assert_int_equal(image_hold(store_fd, "a", true), -EBUSY);
	(void)close(shared);
	(void)close(other);
	excl = image_hold(store_fd, "a", true);
	assert_true(excl >= 0);
	assert_int_equal(image_hold(store_fd, "a", false), -EBUSY);
	(void)close(excl);
	assert_int_equal(image_hold(store_fd, "gone", false), -ENOENT);
}

static void a_removed_image_cannot_be_held(void **state)
{
	autoclose int images_fd = -1;
	int fd;

	add_image("a", LAYER);
	images_fd = image_store_subdir(store_fd, "images");
	assert_int_equal(image_store_discard(store_fd, images_fd, "a"), 0);
	assert_int_equal(image_hold(store_fd, "a", false), -ENOENT);
	fd = image_store_subdir(store_fd, "tmp");
	assert_true(fd >= 0);
	assert_int_equal(faccessat(fd, "a", F_OK, 0), -1);
	(void)close(fd);
}

static void reclaim_removes_only_what_no_image_names(void **state)
{
	char rel[160];
	int n;

	add_image("a", LAYER);
	make_dir("layers/" OTHER_HEX);
	write_at("blobs/sha256/" OTHER_HEX, "x");
	write_at("blobs/sha256/not-a-digest", "x");
	n = image_store_reclaim(store_fd, NULL, NULL);
	assert_int_equal(n, 2);
	snprintf(rel, sizeof(rel), "layers/%s", HEX(OTHER));
	assert_int_equal(faccessat(store_fd, rel, F_OK, 0), -1);
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", HEX(OTHER));
	assert_int_equal(faccessat(store_fd, rel, F_OK, 0), -1);
	snprintf(rel, sizeof(rel), "layers/%s/root", HEX(LAYER));
	assert_int_equal(faccessat(store_fd, rel, F_OK, 0), 0);
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", HEX(CONFIG));
	assert_int_equal(faccessat(store_fd, rel, F_OK, 0), 0);
	/* only names that are digests are the store's to remove */
	assert_int_equal(faccessat(store_fd, "blobs/sha256/not-a-digest", F_OK, 0), 0);
}

static void reclaim_stops_at_a_record_it_cannot_read(void **state)
{
	add_image("a", LAYER);
	make_dir("images/broken");
	write_at("images/broken/image.json", "{");
	assert_int_equal(image_store_reclaim(store_fd, NULL, NULL), -EPROTO);
	assert_int_equal(faccessat(store_fd, "blobs/sha256/" CONFIG_HEX, F_OK, 0), 0);
}

static void stale_staging_goes_fresh_staging_stays(void **state)
{
	struct timespec old[2] = {{time(NULL) - 600, 0}, {time(NULL) - 600, 0}};
	char path[128];

	make_dir("tmp/import-old");
	make_dir("tmp/import-new");
	write_at("tmp/import-old/partial", "x");
	snprintf(path, sizeof(path), "%s/tmp/import-old", dir);
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	assert_int_equal(image_store_clean_tmp(store_fd, 300, NULL, NULL), 1);
	assert_int_equal(faccessat(store_fd, "tmp/import-old", F_OK, 0), -1);
	assert_int_equal(faccessat(store_fd, "tmp/import-new", F_OK, 0), 0);
	assert_int_equal(image_store_clean_tmp(store_fd, 0, NULL, NULL), 1);
}

static void a_layer_others_may_write_is_refused(void **state)
{
	char path[160];
	int fd;

	if (geteuid() != 0)
		skip(); /* the layer must be root's */
	add_image("a", LAYER);
	fd = image_layer_open(store_fd, LAYER);
	assert_true(fd >= 0);
	(void)close(fd);
	snprintf(path, sizeof(path), "%s/layers/%s", dir, HEX(LAYER));
	assert_int_equal(chmod(path, 0770), 0);
	assert_int_equal(image_layer_open(store_fd, LAYER), -EPERM);
	assert_int_equal(image_layer_open(store_fd, "sha256:../../etc"), -EINVAL);
	assert_int_equal(image_layer_open(store_fd, OTHER), -ENOENT);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(records_are_found_by_name_and_digest),
	    T(a_record_under_another_name_is_refused),
	    T(the_store_lock_is_exclusive),
	    T(a_session_hold_keeps_an_image_from_removal),
	    T(a_removed_image_cannot_be_held),
	    T(reclaim_removes_only_what_no_image_names),
	    T(reclaim_stops_at_a_record_it_cannot_read),
	    T(stale_staging_goes_fresh_staging_stays),
	    T(a_layer_others_may_write_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
