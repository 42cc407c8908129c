/* tests/unit/test_session_state.c: session ids, the record format, and the session directories,
 * the latter in a temporary directory used as the state root. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* every cmocka test takes @state; most here do not need it */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/cleanup.h"
#include "common/session_state.h"

#define ID_A "0123456789ab"
#define ID_B "a1b2c3d4e5f6"
#define ID_C "ffffffffffff"

/* The smallest record parse accepts; bad lines are appended to it. */
#define MINIMAL_RECORD "id=" ID_A "\nuser=bob\ninit_pid=42\n"

/* --- session ids --- */

static void id_new_gives_twelve_lowercase_hex_digits(void **state)
{
	for (int i = 0; i < 100; i++) {
		char id[SESSION_ID_LEN + 1];

		memset(id, 'X', sizeof(id));
		assert_int_equal(session_id_new(id), 0);
		assert_int_equal(strlen(id), SESSION_ID_LEN);
		assert_int_equal(strspn(id, "0123456789abcdef"), SESSION_ID_LEN);
		assert_true(session_id_valid(id));
	}
}

static void id_new_gives_distinct_ids(void **state)
{
	char ids[64][SESSION_ID_LEN + 1];

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		assert_int_equal(session_id_new(ids[i]), 0);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		for (size_t j = i + 1; j < ARRAY_SIZE(ids); j++)
			assert_string_not_equal(ids[i], ids[j]);
}

static void id_valid_accepts_twelve_lowercase_hex_digits(void **state)
{
	assert_true(session_id_valid(ID_A));
	assert_true(session_id_valid(ID_B));
	assert_true(session_id_valid(ID_C));
	assert_true(session_id_valid("000000000000"));
}

static void id_valid_refuses_a_wrong_length(void **state)
{
	assert_false(session_id_valid(""));
	assert_false(session_id_valid("0123456789a"));
	assert_false(session_id_valid("0123456789abc"));
	assert_false(session_id_valid("0123456789ab0123456789ab"));
}

static void id_valid_refuses_upper_case(void **state)
{
	assert_false(session_id_valid("0123456789AB"));
	assert_false(session_id_valid("A123456789ab"));
	assert_false(session_id_valid("FFFFFFFFFFFF"));
}

static void id_valid_refuses_other_characters(void **state)
{
	static const char *const bad[] = {
	    "0123456789ag", "0x0123456789",  "../../etc/xy", "01234/6789ab", " 123456789ab",
	    "0123456789a ", "0123456789a\n", "012345-789ab", "0123456789a.",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (session_id_valid(bad[i]))
			fail_msg("'%s' was accepted", bad[i]);
}

static void id_valid_refuses_null(void **state)
{
	assert_false(session_id_valid(NULL));
}

/* --- the record format --- */

static char *dup_or_fail(const char *s)
{
	char *copy = strdup(s);

	assert_non_null(copy);
	return copy;
}

/* A record with every field set, and values that need escaping. */
static struct session_record *filled_record(void)
{
	struct session_record *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	memcpy(r->id, ID_B, sizeof(r->id));
	r->user = dup_or_fail("bob\tthe\\builder");
	r->uid = 4294967294u;
	r->gid = 100;
	r->home = dup_or_fail("/home/bob\nsecond line");
	r->shell = dup_or_fail("/bin/bash");
	r->service = dup_or_fail("sshd");
	r->tty = dup_or_fail("/dev/pts/3");
	r->rhost = dup_or_fail("10.0.0.1");
	r->image = dup_or_fail("lab");
	r->image_type = dup_or_fail("oci");
	r->stored_image = dup_or_fail("lab-1.2");
	r->image_id =
	    dup_or_fail("sha256:2a36a577e298e94b17a6a35db704e7c4fa89fbd278025fff8f6865c091a58942");
	r->workdir = dup_or_fail("/opt/app");
	r->policy = dup_or_fail("#2 'lab=x' (carrel.conf:10)");
	r->config = dup_or_fail("/etc/carrel/carrel.conf");
	r->hostname = dup_or_fail("bob-carrel");
	r->network = dup_or_fail("none");
	r->rootfs = dup_or_fail("tmpfs");
	r->rootfs_size = 1ull << 40;
	r->init_pid = 4194304;
	r->init_start = 123456789012ull;
	r->created_usec = 1700000000123456LL;
	r->lower_dir = dup_or_fail("/srv/images/lab");
	r->upper_dir = dup_or_fail("/run/carrel/sessions/" ID_B "/layer/upper");
	r->work_dir = dup_or_fail("\\\\\\");
	r->merged_dir = dup_or_fail("\n\t\\n\\t");
	assert_int_equal(
	    session_record_add_mount(r, "bind", "/home/bob\tx", "/home/bob", true, "rprivate"), 0);
	assert_int_equal(session_record_add_mount(r, "overlay", "a\\b\nc", "/", false, "private"),
			 0);
	assert_int_equal(session_record_add_mount(r, "tmpfs", "", "/t\tmp", true, ""), 0);
	assert_int_equal(session_record_add_cgroup(r, "/sys/fs/cgroup/carrel/" ID_B), 0);
	assert_int_equal(session_record_add_cgroup(r, "/sys/fs/cgroup/with\ttab\\and\nnewline"), 0);
	assert_int_equal(session_record_add_env(r, "PATH=/usr/local/bin:/usr/bin:/bin"), 0);
	assert_int_equal(session_record_add_env(r, "GREETING=hello world=1"), 0);
	assert_int_equal(session_record_add_env(r, "ODD=a\tb\\c\nd"), 0);
	assert_int_equal(session_record_set_gids(r, (const gid_t[]){1001, 27, 4294967294u}, 3), 0);
	return r;
}

static void assert_records_equal(const struct session_record *a, const struct session_record *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->user, b->user);
	assert_int_equal(a->uid, b->uid);
	assert_int_equal(a->gid, b->gid);
	assert_int_equal(a->n_gids, b->n_gids);
	for (size_t i = 0; i < a->n_gids; i++)
		assert_int_equal(a->gids[i], b->gids[i]);
	assert_string_equal(a->home, b->home);
	assert_string_equal(a->shell, b->shell);
	assert_string_equal(a->service, b->service);
	assert_string_equal(a->tty, b->tty);
	assert_string_equal(a->rhost, b->rhost);
	assert_string_equal(a->image, b->image);
	assert_string_equal(a->image_type, b->image_type);
	assert_string_equal(a->stored_image, b->stored_image);
	assert_string_equal(a->image_id, b->image_id);
	assert_string_equal(a->workdir, b->workdir);
	assert_int_equal(a->n_env, b->n_env);
	for (size_t i = 0; i < a->n_env; i++)
		assert_string_equal(a->env[i], b->env[i]);
	assert_null(b->env[b->n_env]);
	assert_string_equal(a->policy, b->policy);
	assert_string_equal(a->config, b->config);
	assert_string_equal(a->hostname, b->hostname);
	assert_string_equal(a->network, b->network);
	assert_string_equal(a->rootfs, b->rootfs);
	assert_int_equal(a->rootfs_size, b->rootfs_size);
	assert_int_equal(a->init_pid, b->init_pid);
	assert_int_equal(a->init_start, b->init_start);
	assert_int_equal(a->created_usec, b->created_usec);
	assert_string_equal(a->lower_dir, b->lower_dir);
	assert_string_equal(a->upper_dir, b->upper_dir);
	assert_string_equal(a->work_dir, b->work_dir);
	assert_string_equal(a->merged_dir, b->merged_dir);
	assert_int_equal(a->n_mounts, b->n_mounts);
	for (size_t i = 0; i < a->n_mounts; i++) {
		assert_string_equal(a->mounts[i].type, b->mounts[i].type);
		assert_string_equal(a->mounts[i].source, b->mounts[i].source);
		assert_string_equal(a->mounts[i].destination, b->mounts[i].destination);
		assert_string_equal(a->mounts[i].propagation, b->mounts[i].propagation);
		assert_int_equal(a->mounts[i].rw, b->mounts[i].rw);
	}
	assert_int_equal(a->n_cgroups, b->n_cgroups);
	for (size_t i = 0; i < a->n_cgroups; i++)
		assert_string_equal(a->cgroups[i], b->cgroups[i]);
}

static void format_then_parse_gives_the_same_record(void **state)
{
	struct session_record *r = filled_record();
	struct session_record *back = NULL;
	autofree char *text = NULL;

	assert_int_equal(session_record_format(r, &text), 0);
	assert_non_null(text);
	assert_int_equal(session_record_parse(text, &back), 0);
	assert_non_null(back);
	assert_int_equal(back->n_mounts, 3);
	assert_int_equal(back->n_cgroups, 2);
	assert_int_equal(back->n_env, 3);
	assert_records_equal(r, back);
	session_record_free(back);
	session_record_free(r);
}

static void format_writes_one_line_per_value(void **state)
{
	struct session_record *r = filled_record();
	autofree char *text = NULL;
	size_t lines = 0, mounts = 0;

	assert_int_equal(session_record_format(r, &text), 0);
	for (char *line = text; *line; lines++) {
		char *end = strchr(line, '\n');
		size_t tabs = 0;

		assert_non_null(end); /* every line ends in a newline, the last one too */
		assert_non_null(memchr(line, '=', (size_t)(end - line)));
		for (char *p = line; p < end; p++)
			tabs += *p == '\t';
		if (strncmp(line, "mount=", 6) == 0) {
			mounts++;
			assert_int_equal(tabs, 4); /* five fields; tabs inside them are escaped */
		} else {
			assert_int_equal(tabs, 0);
		}
		line = end + 1;
	}
	assert_int_equal(mounts, r->n_mounts);
	/* 32 single keys (limits only when set: none here), then mounts, cgroups and env */
	assert_int_equal(lines, 32 + r->n_mounts + r->n_cgroups + r->n_env);
	assert_non_null(strstr(text, "\ngroups=1001,27,4294967294\n"));
	assert_non_null(strstr(text, "\nenv=GREETING=hello world=1\n"));
	assert_non_null(strstr(text, "\nenv=ODD=a\\tb\\\\c\\nd\n"));
	assert_non_null(strstr(text, "\nuser=bob\\tthe\\\\builder\n"));
	assert_non_null(strstr(text, "\nhome=/home/bob\\nsecond line\n"));
	session_record_free(r);
}

static void parse_accepts_a_minimal_record(void **state)
{
	struct session_record *r = NULL;

	assert_int_equal(session_record_parse(MINIMAL_RECORD, &r), 0);
	assert_string_equal(r->id, ID_A);
	assert_string_equal(r->user, "bob");
	assert_int_equal(r->init_pid, 42);
	assert_null(r->home);
	assert_int_equal(r->uid, 0);
	assert_int_equal(r->n_mounts, 0);
	assert_int_equal(r->n_cgroups, 0);
	/* A record of a session on an image that is not a stored one, or from before them. */
	assert_null(r->stored_image);
	assert_null(r->image_id);
	assert_null(r->workdir);
	assert_int_equal(r->n_env, 0);
	assert_null(r->env);
	assert_int_equal(r->n_gids, 0); /* from before carrel kept them: join asks NSS */
	assert_null(r->gids);
	session_record_free(r);
}

/* Groups up to SESSION_RECORD_MAX_GIDS are kept; past it none (join looks them up), so that a
 * user in a huge directory's every group cannot make a record too big to read back. */
static void groups_are_kept_up_to_the_maximum_and_left_out_past_it(void **state)
{
	static gid_t gids[SESSION_RECORD_MAX_GIDS + 1];
	struct session_record *r = filled_record(), *back = NULL;
	autofree char *kept = NULL, *left_out = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(gids); i++)
		gids[i] = 4000000000u + (gid_t)i; /* ten digits each, the longest */
	assert_int_equal(session_record_set_gids(r, gids, SESSION_RECORD_MAX_GIDS), 0);
	assert_int_equal(session_record_format(r, &kept), 0);
	assert_int_equal(session_record_parse(kept, &back), 0);
	assert_int_equal(back->n_gids, SESSION_RECORD_MAX_GIDS);
	assert_int_equal(back->gids[SESSION_RECORD_MAX_GIDS - 1],
			 gids[SESSION_RECORD_MAX_GIDS - 1]);
	session_record_free(back);

	assert_int_equal(session_record_set_gids(r, gids, SESSION_RECORD_MAX_GIDS + 1), 0);
	assert_int_equal(session_record_format(r, &left_out), 0);
	assert_null(strstr(left_out, "\ngroups="));
	assert_int_equal(session_record_parse(left_out, &back), 0);
	assert_int_equal(back->n_gids, 0);
	session_record_free(back);
	session_record_free(r);
}

static void parse_refuses_a_bad_group_list(void **state)
{
	static const char *const bad[] = {"",      "1001,",    ",1001",      "1001,,27",
					  "-1",    "1001,abc", "4294967295", "99999999999",
					  " 1001", "1001;27"};
	struct session_record *r = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char text[256];

		snprintf(text, sizeof(text), MINIMAL_RECORD "groups=%s\n", bad[i]);
		assert_int_equal(session_record_parse(text, &r), -EPROTO);
	}
	assert_int_equal(session_record_parse(MINIMAL_RECORD "groups=5\n", &r), 0);
	assert_int_equal(r->n_gids, 1);
	assert_int_equal(r->gids[0], 5);
	session_record_free(r);
}

static void parse_refuses_an_env_entry_that_is_no_assignment(void **state)
{
	struct session_record *r = NULL;

	assert_int_equal(session_record_parse(MINIMAL_RECORD "env=NOEQUALS\n", &r), -EPROTO);
	assert_int_equal(session_record_parse(MINIMAL_RECORD "env==value\n", &r), -EPROTO);
	assert_int_equal(session_record_parse(MINIMAL_RECORD "env=A=\\q\n", &r), -EPROTO);
	assert_int_equal(session_record_parse(MINIMAL_RECORD "env=EMPTY=\nenv=A=b=c\n", &r), 0);
	assert_int_equal(r->n_env, 2);
	assert_string_equal(r->env[0], "EMPTY=");
	assert_string_equal(r->env[1], "A=b=c");
	assert_null(r->env[2]);
	session_record_free(r);
}

static void parse_ignores_unknown_keys(void **state)
{
	struct session_record *r = NULL;

	assert_int_equal(session_record_parse("colour=blue\n" MINIMAL_RECORD "future.key=a=b\n"
					      "empty_future_key=\n",
					      &r),
			 0);
	assert_string_equal(r->id, ID_A);
	assert_string_equal(r->user, "bob");
	assert_int_equal(r->init_pid, 42);
	session_record_free(r);
}

static void parse_keeps_empty_mount_fields(void **state)
{
	struct session_record *r = NULL;

	assert_int_equal(session_record_parse(MINIMAL_RECORD "mount=tmpfs\t\t/tmp\tro\t\n", &r), 0);
	assert_int_equal(r->n_mounts, 1);
	assert_string_equal(r->mounts[0].type, "tmpfs");
	assert_string_equal(r->mounts[0].source, "");
	assert_string_equal(r->mounts[0].destination, "/tmp");
	assert_false(r->mounts[0].rw);
	assert_string_equal(r->mounts[0].propagation, "");
	session_record_free(r);
}

/* Parse @text expecting -EPROTO and no record. */
static void parse_refuses(const char *text)
{
	struct session_record *r = NULL;
	int rr = session_record_parse(text, &r);

	if (rr != -EPROTO) {
		session_record_free(r);
		fail_msg("got %d, not -EPROTO, for:\n%s", rr, text);
	}
	assert_null(r);
}

static void parse_refuses_a_line_without_equals(void **state)
{
	parse_refuses(MINIMAL_RECORD "garbage\n");
	parse_refuses("garbage\n" MINIMAL_RECORD);
	parse_refuses(MINIMAL_RECORD "user bob\n");
}

static void parse_refuses_bad_numbers(void **state)
{
	static const char *const bad[] = {
	    "uid=abc",
	    "uid=",
	    "uid=-1",
	    "uid=4294967296",
	    "uid=12x",
	    "gid=1.5",
	    "gid=-3",
	    "rootfs_size=-1",
	    "init_pid=0",
	    "init_pid=-5",
	    "init_pid=2147483648",
	    "init_pid=0x10",
	    "init_start=-1",
	    "init_start=",
	    "created_usec=99999999999999999999",
	    "created_usec=1e6",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char text[256];

		snprintf(text, sizeof(text), MINIMAL_RECORD "%s\n", bad[i]);
		parse_refuses(text);
	}
}

static void parse_refuses_a_missing_id_user_or_init_pid(void **state)
{
	parse_refuses("user=bob\ninit_pid=42\n");
	parse_refuses("id=" ID_A "\ninit_pid=42\n");
	parse_refuses("id=" ID_A "\nuser=bob\n");
	parse_refuses("");
}

static void parse_refuses_a_malformed_id(void **state)
{
	parse_refuses("id=0123456789AB\nuser=bob\ninit_pid=42\n");
	parse_refuses("id=../../etc/x\nuser=bob\ninit_pid=42\n");
	parse_refuses("id=\nuser=bob\ninit_pid=42\n");
}

static void parse_refuses_a_bad_escape(void **state)
{
	parse_refuses(MINIMAL_RECORD "home=/home/\\q\n");
	parse_refuses(MINIMAL_RECORD "home=ends in a backslash\\\n");
	parse_refuses(MINIMAL_RECORD "cgroup=/sys/fs/cgroup/\\x\n");
	parse_refuses(MINIMAL_RECORD "mount=bind\t/a\\z\t/b\trw\tprivate\n");
	parse_refuses("id=" ID_A "\nuser=b\\0b\ninit_pid=42\n");
}

static void parse_refuses_a_mount_with_the_wrong_field_count(void **state)
{
	parse_refuses(MINIMAL_RECORD "mount=\n");
	parse_refuses(MINIMAL_RECORD "mount=bind\n");
	parse_refuses(MINIMAL_RECORD "mount=bind\t/a\t/b\trw\n");
	parse_refuses(MINIMAL_RECORD "mount=bind\t/a\t/b\trw\tprivate\textra\n");
	parse_refuses(MINIMAL_RECORD "mount=bind\t/a\t/b\trw\tprivate\t\n");
}

static void parse_refuses_a_mount_neither_rw_nor_ro(void **state)
{
	parse_refuses(MINIMAL_RECORD "mount=bind\t/a\t/b\tRW\tprivate\n");
	parse_refuses(MINIMAL_RECORD "mount=bind\t/a\t/b\t\tprivate\n");
	parse_refuses(MINIMAL_RECORD "mount=bind\t/a\t/b\tro,nosuid\tprivate\n");
	parse_refuses(MINIMAL_RECORD "mount=bind\t/a\t/b\trw \tprivate\n");
	parse_refuses(MINIMAL_RECORD "mount=bind\t/a\t/b\tyes\tprivate\n");
}

/* --- the session directories, below a temporary root --- */

struct fixture {
	char dir[64];
	int root_fd;
	pid_t child; /* a forked helper to reap at teardown, or 0 */
};

static int setup_root(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/carrel-test-session-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->root_fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->root_fd < 0)
		return -1;
	*state = f;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown_root(void **state)
{
	struct fixture *f = *state;

	if (f->child > 0) {
		(void)kill(f->child, SIGKILL);
		(void)waitpid(f->child, NULL, 0);
	}
	(void)close(f->root_fd);
	(void)nftw(f->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Does @name exist below @dir_fd (not following a symlink)? */
static bool exists_at(int dir_fd, const char *name)
{
	struct stat st;

	return fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static mode_t mode_at(int dir_fd, const char *name)
{
	struct stat st;

	assert_int_equal(fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_mode;
}

static void touch_at(int dir_fd, const char *name)
{
	int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
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

static void dir_create_makes_a_private_dir_with_layer_and_merged(void **state)
{
	struct fixture *f = *state;
	autoclose int dir_fd = session_dir_create(f->root_fd, ID_A);
	struct stat by_fd, by_name;

	assert_true(dir_fd >= 0);
	assert_int_equal(fstat(dir_fd, &by_fd), 0);
	assert_int_equal(fstatat(f->root_fd, ID_A, &by_name, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(by_fd.st_ino == by_name.st_ino && by_fd.st_dev == by_name.st_dev);
	assert_true(S_ISDIR(by_name.st_mode));
	assert_int_equal(by_name.st_mode & 07777, 0700);
	assert_true(S_ISDIR(mode_at(dir_fd, SESSION_LAYER_DIR)));
	assert_true(S_ISDIR(mode_at(dir_fd, SESSION_MERGED_DIR)));
	assert_int_equal(count_entries(dir_fd), 2);
	assert_true(fcntl(dir_fd, F_GETFD) & FD_CLOEXEC);
}

static void dir_create_refuses_a_taken_id(void **state)
{
	struct fixture *f = *state;
	int fd = session_dir_create(f->root_fd, ID_A);

	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(session_dir_create(f->root_fd, ID_A), -EEXIST);
}

static void dir_create_refuses_a_bad_id(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(session_dir_create(f->root_fd, "../escape-id"), -EINVAL);
	assert_int_equal(session_dir_create(f->root_fd, "0123456789AB"), -EINVAL);
	assert_int_equal(session_dir_create(f->root_fd, ""), -EINVAL);
	assert_int_equal(count_entries(f->root_fd), 0);
}

static void dir_open_finds_only_existing_valid_ids(void **state)
{
	struct fixture *f = *state;
	autoclose int made_fd = session_dir_create(f->root_fd, ID_A);
	autoclose int fd = -1;

	assert_true(made_fd >= 0);
	fd = session_dir_open(f->root_fd, ID_A);
	assert_true(fd >= 0);
	assert_int_equal(session_dir_open(f->root_fd, ID_B), -ENOENT);
	assert_int_equal(session_dir_open(f->root_fd, ".."), -EINVAL);
}

static void lock_take_refuses_a_session_already_locked(void **state)
{
	struct fixture *f = *state;
	autoclose int dir_fd = session_dir_create(f->root_fd, ID_A);
	autoclose int lock_fd = -1;

	assert_true(dir_fd >= 0);
	lock_fd = session_lock_take(dir_fd);
	assert_true(lock_fd >= 0);
	assert_int_equal(mode_at(dir_fd, "lock") & 07777, 0600);
	assert_int_equal(session_lock_take(dir_fd), -EBUSY);
}

static void session_is_alive_while_another_process_holds_its_lock(void **state)
{
	struct fixture *f = *state;
	autoclose int dir_fd = session_dir_create(f->root_fd, ID_A);
	int ready[2], release[2], status;
	char c = 0;

	assert_true(dir_fd >= 0);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(release, O_CLOEXEC), 0);
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0) {
		/* The child's lock is on its own open file: the parent does not share it. */
		int lock_fd;

		(void)close(release[1]);
		lock_fd = session_lock_take(dir_fd);
		c = lock_fd >= 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		if (read(release[0], &c, 1) < 0) /* EOF once the parent closes its end */
			_exit(3);
		_exit(0);
	}
	(void)close(ready[1]);
	(void)close(release[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	(void)close(ready[0]);
	assert_int_equal(c, 'y');

	assert_int_equal(session_is_alive(dir_fd), 1);
	assert_int_equal(session_is_alive(dir_fd), 1); /* looking does not take the lock */

	(void)close(release[1]);
	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	f->child = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(session_is_alive(dir_fd), 0);
}

static void session_is_not_alive_once_its_lock_is_closed(void **state)
{
	struct fixture *f = *state;
	autoclose int dir_fd = session_dir_create(f->root_fd, ID_A);
	int lock_fd;

	assert_true(dir_fd >= 0);
	lock_fd = session_lock_take(dir_fd);
	assert_true(lock_fd >= 0);
	assert_int_equal(close(lock_fd), 0);
	assert_int_equal(session_is_alive(dir_fd), 0);
	assert_int_equal(session_is_alive(dir_fd), 0); /* looking leaves no lock behind */
}

static void session_without_a_lock_file_is_being_created(void **state)
{
	struct fixture *f = *state;
	autoclose int dir_fd = session_dir_create(f->root_fd, ID_A);

	assert_true(dir_fd >= 0);
	assert_false(exists_at(dir_fd, "lock"));
	assert_int_equal(session_is_alive(dir_fd), 1);
}

/* What a joining process must get again: the confinement and the limits. */
static void confinement_and_limits_survive_a_round_trip(void **state)
{
	struct session_record *r = NULL, *back = NULL;
	char *text = NULL;

	(void)state;
	assert_int_equal(session_record_parse("id=0123456789ab\nuser=bob\ninit_pid=7\n", &r), 0);
	r->capabilities = (1ULL << 10) | (1ULL << 0);
	r->seccomp = strdup("off");
	r->allow_userns = true;
	r->limits = (struct cfg_limits){
	    .set = CFG_LIMIT_MEMORY | CFG_LIMIT_CPU, .memory = 2ULL << 30, .cpu_milli = 1500};
	r->user_limits = (struct cfg_limits){.set = CFG_LIMIT_PIDS, .pids = 512};
	assert_int_equal(session_record_format(r, &text), 0);
	assert_null(strstr(text, "limit_swap")); /* an unset limit is not written */
	assert_int_equal(session_record_parse(text, &back), 0);
	assert_int_equal(back->capabilities, r->capabilities);
	assert_string_equal(back->seccomp, "off");
	assert_true(back->allow_userns);
	assert_int_equal(back->limits.set, CFG_LIMIT_MEMORY | CFG_LIMIT_CPU);
	assert_int_equal(back->limits.memory, 2ULL << 30);
	assert_int_equal(back->limits.cpu_milli, 1500);
	assert_int_equal(back->user_limits.set, CFG_LIMIT_PIDS);
	assert_int_equal(back->user_limits.pids, 512);
	free(text);
	session_record_free(r);
	session_record_free(back);
}

static void record_write_then_load_gives_the_same_record(void **state)
{
	struct fixture *f = *state;
	autoclose int dir_fd = session_dir_create(f->root_fd, ID_B);
	struct session_record *r = filled_record();
	struct session_record *back = NULL;

	assert_true(dir_fd >= 0);
	assert_int_equal(session_record_write(dir_fd, r), 0);
	assert_int_equal(mode_at(dir_fd, "session") & 07777, 0600);
	assert_false(exists_at(dir_fd, ".session.tmp"));
	assert_int_equal(session_record_load(dir_fd, &back), 0);
	assert_records_equal(r, back);
	session_record_free(back);

	/* a second write replaces the first */
	free(r->user);
	r->user = dup_or_fail("carol");
	assert_int_equal(session_record_write(dir_fd, r), 0);
	assert_int_equal(session_record_load(dir_fd, &back), 0);
	assert_string_equal(back->user, "carol");
	session_record_free(back);
	session_record_free(r);
}

static void record_load_without_a_record_is_enoent(void **state)
{
	struct fixture *f = *state;
	autoclose int dir_fd = session_dir_create(f->root_fd, ID_A);
	struct session_record *r = NULL;

	assert_true(dir_fd >= 0);
	assert_int_equal(session_record_load(dir_fd, &r), -ENOENT);
	assert_null(r);
}

static void record_load_refuses_a_corrupt_record(void **state)
{
	struct fixture *f = *state;
	autoclose int dir_fd = session_dir_create(f->root_fd, ID_A);
	static const char junk[] = "id=" ID_A "\nuser=bob\ninit_pid=forty-two\n";
	struct session_record *r = NULL;
	int fd;

	assert_true(dir_fd >= 0);
	fd = openat(dir_fd, "session", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, strlen(junk)), (ssize_t)strlen(junk));
	assert_int_equal(close(fd), 0);
	assert_int_equal(session_record_load(dir_fd, &r), -EPROTO);
	assert_null(r);
}

/* A session as the launcher leaves it: directories, a record and a (released) lock. */
static int make_full_session(struct fixture *f, const char *id)
{
	int dir_fd = session_dir_create(f->root_fd, id);
	struct session_record *r = filled_record();
	int lock_fd;

	assert_true(dir_fd >= 0);
	memcpy(r->id, id, sizeof(r->id));
	assert_int_equal(session_record_write(dir_fd, r), 0);
	session_record_free(r);
	lock_fd = session_lock_take(dir_fd);
	assert_true(lock_fd >= 0);
	assert_int_equal(close(lock_fd), 0);
	return dir_fd;
}

static void dir_remove_removes_a_whole_session(void **state)
{
	struct fixture *f = *state;
	int dir_fd = make_full_session(f, ID_A);

	assert_int_equal(close(dir_fd), 0);
	assert_int_equal(session_dir_remove(f->root_fd, ID_A), 0);
	assert_false(exists_at(f->root_fd, ID_A));
	assert_int_equal(count_entries(f->root_fd), 0);
}

static void dir_remove_of_a_missing_session_is_fine(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(session_dir_remove(f->root_fd, ID_A), 0);
}

static void dir_remove_refuses_a_bad_id(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(session_dir_remove(f->root_fd, ".."), -EINVAL);
	assert_int_equal(session_dir_remove(f->root_fd, "0123456789AB"), -EINVAL);
}

/* Everything make_full_session() made is still there. */
static void assert_session_untouched(int dir_fd)
{
	static const char *const names[] = {"session", "lock", SESSION_LAYER_DIR,
					    SESSION_MERGED_DIR};

	char gone[64] = "";

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!exists_at(dir_fd, names[i]))
			snprintf(gone + strlen(gone), sizeof(gone) - strlen(gone), " %s", names[i]);
	if (gone[0])
		fail_msg("removed although the session dir was refused:%s", gone);
}

static void dir_remove_leaves_everything_when_an_unknown_file_is_inside(void **state)
{
	struct fixture *f = *state;
	autoclose int dir_fd = make_full_session(f, ID_A);
	int r;

	touch_at(dir_fd, "stray");
	r = session_dir_remove(f->root_fd, ID_A);
	assert_true(r < 0);
	assert_true(exists_at(f->root_fd, ID_A));
	assert_true(exists_at(dir_fd, "stray"));
	assert_session_untouched(dir_fd);
}

static void dir_remove_leaves_everything_when_layer_is_not_empty(void **state)
{
	struct fixture *f = *state;
	autoclose int dir_fd = make_full_session(f, ID_A);
	autoclose int layer_fd = openat(dir_fd, SESSION_LAYER_DIR, O_RDONLY | O_DIRECTORY);
	int r;

	assert_true(layer_fd >= 0);
	touch_at(layer_fd, "upper-leftover");
	r = session_dir_remove(f->root_fd, ID_A);
	assert_true(r < 0);
	assert_true(exists_at(layer_fd, "upper-leftover"));
	assert_session_untouched(dir_fd);
}

static void list_ids_returns_sorted_valid_ids_only(void **state)
{
	struct fixture *f = *state;
	static const char *const made[] = {ID_C, ID_A, ID_B};
	static const char *const junk_dirs[] = {"lost+found", "0123456789AB", "0123456789abc",
						".0123456789a"};
	char **ids = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(made); i++) {
		int fd = session_dir_create(f->root_fd, made[i]);

		assert_true(fd >= 0);
		assert_int_equal(close(fd), 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(junk_dirs); i++)
		assert_int_equal(mkdirat(f->root_fd, junk_dirs[i], 0700), 0);
	touch_at(f->root_fd, ".session.tmp");
	touch_at(f->root_fd, "0123456789a");

	assert_int_equal(session_list_ids(f->root_fd, &ids), 3);
	assert_string_equal(ids[0], ID_A);
	assert_string_equal(ids[1], ID_B);
	assert_string_equal(ids[2], ID_C);
	assert_null(ids[3]);
	session_ids_free(ids);
}

static void list_ids_of_an_empty_root_is_an_empty_list(void **state)
{
	struct fixture *f = *state;
	char **ids = NULL;

	assert_int_equal(session_list_ids(f->root_fd, &ids), 0);
	assert_non_null(ids);
	assert_null(ids[0]);
	session_ids_free(ids);
	session_ids_free(NULL);
}

#define ROOT_TEST(t) cmocka_unit_test_setup_teardown(t, setup_root, teardown_root)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(id_new_gives_twelve_lowercase_hex_digits),
	    cmocka_unit_test(id_new_gives_distinct_ids),
	    cmocka_unit_test(id_valid_accepts_twelve_lowercase_hex_digits),
	    cmocka_unit_test(id_valid_refuses_a_wrong_length),
	    cmocka_unit_test(id_valid_refuses_upper_case),
	    cmocka_unit_test(id_valid_refuses_other_characters),
	    cmocka_unit_test(id_valid_refuses_null),
	    cmocka_unit_test(format_then_parse_gives_the_same_record),
	    cmocka_unit_test(format_writes_one_line_per_value),
	    cmocka_unit_test(confinement_and_limits_survive_a_round_trip),
	    cmocka_unit_test(parse_accepts_a_minimal_record),
	    cmocka_unit_test(parse_ignores_unknown_keys),
	    cmocka_unit_test(parse_refuses_an_env_entry_that_is_no_assignment),
	    cmocka_unit_test(parse_refuses_a_bad_group_list),
	    cmocka_unit_test(groups_are_kept_up_to_the_maximum_and_left_out_past_it),
	    cmocka_unit_test(parse_keeps_empty_mount_fields),
	    cmocka_unit_test(parse_refuses_a_line_without_equals),
	    cmocka_unit_test(parse_refuses_bad_numbers),
	    cmocka_unit_test(parse_refuses_a_missing_id_user_or_init_pid),
	    cmocka_unit_test(parse_refuses_a_malformed_id),
	    cmocka_unit_test(parse_refuses_a_bad_escape),
	    cmocka_unit_test(parse_refuses_a_mount_with_the_wrong_field_count),
	    cmocka_unit_test(parse_refuses_a_mount_neither_rw_nor_ro),
	    ROOT_TEST(dir_create_makes_a_private_dir_with_layer_and_merged),
	    ROOT_TEST(dir_create_refuses_a_taken_id),
	    ROOT_TEST(dir_create_refuses_a_bad_id),
	    ROOT_TEST(dir_open_finds_only_existing_valid_ids),
	    ROOT_TEST(lock_take_refuses_a_session_already_locked),
	    ROOT_TEST(session_is_alive_while_another_process_holds_its_lock),
	    ROOT_TEST(session_is_not_alive_once_its_lock_is_closed),
	    ROOT_TEST(session_without_a_lock_file_is_being_created),
	    ROOT_TEST(record_write_then_load_gives_the_same_record),
	    ROOT_TEST(record_load_without_a_record_is_enoent),
	    ROOT_TEST(record_load_refuses_a_corrupt_record),
	    ROOT_TEST(dir_remove_removes_a_whole_session),
	    ROOT_TEST(dir_remove_of_a_missing_session_is_fine),
	    ROOT_TEST(dir_remove_refuses_a_bad_id),
	    ROOT_TEST(dir_remove_leaves_everything_when_an_unknown_file_is_inside),
	    ROOT_TEST(dir_remove_leaves_everything_when_layer_is_not_empty),
	    ROOT_TEST(list_ids_returns_sorted_valid_ids_only),
	    ROOT_TEST(list_ids_of_an_empty_root_is_an_empty_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
