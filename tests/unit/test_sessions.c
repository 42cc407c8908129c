/* tests/unit/test_sessions.c: which session an admin's argument names (sessions_find), over
 * lists of records built here. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* every cmocka test takes @state; most here do not need it */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "admin/sessions.h"
#include "common/cleanup.h"

/* A list of sessions from "id user" pairs, in this order. */
static struct session_list make_list(const char *const pairs[][2], size_t n)
{
	struct session_list l = {.items = calloc(n + 1, sizeof(struct session_record *)), .n = n};

	assert_non_null(l.items);
	for (size_t i = 0; i < n; i++) {
		char text[128];

		snprintf(text, sizeof(text), "id=%s\nuser=%s\ninit_pid=%zu\n", pairs[i][0],
			 pairs[i][1], i + 2);
		assert_int_equal(session_record_parse(text, &l.items[i]), 0);
	}
	return l;
}

static const char *found_id(const struct session_list *l, const char *what, int expect)
{
	const struct session_record *rec = NULL;
	static char why[512];

	why[0] = '\0';
	assert_int_equal(sessions_find(l, what, &rec, why, sizeof(why)), expect);
	return expect == 0 ? rec->id : why;
}

static void a_full_id_a_prefix_or_a_user_names_one_session(void **state)
{
	static const char *const pairs[][2] = {{"0123456789ab", "alice"}, {"abcdef012345", "bob"}};
	struct session_list l = make_list(pairs, 2);

	assert_string_equal(found_id(&l, "0123456789ab", 0), "0123456789ab");
	assert_string_equal(found_id(&l, "abcd", 0), "abcdef012345");
	assert_string_equal(found_id(&l, "alice", 0), "0123456789ab");
	sessions_free(&l);
}

static void a_short_prefix_or_an_unknown_name_names_none(void **state)
{
	static const char *const pairs[][2] = {{"0123456789ab", "alice"}};
	struct session_list l = make_list(pairs, 1);

	/* under four digits is no prefix: it could be a typo for anything */
	assert_non_null(strstr(found_id(&l, "012", -ENOENT), "no running session is '012'"));
	assert_non_null(strstr(found_id(&l, "carol", -ENOENT), "carol"));
	sessions_free(&l);
}

static void a_name_of_two_sessions_is_ambiguous_and_lists_them(void **state)
{
	static const char *const pairs[][2] = {{"0123456789ab", "alice"},
					       {"0123aaaaaaaa", "alice"}};
	struct session_list l = make_list(pairs, 2);
	const char *why = found_id(&l, "alice", -EEXIST);

	assert_non_null(strstr(why, "0123456789ab"));
	assert_non_null(strstr(why, "0123aaaaaaaa"));
	assert_non_null(strstr(found_id(&l, "0123", -EEXIST), "names 2 sessions"));
	sessions_free(&l);
}

/* A user whose name is 12 hex digits and has a session of their own: the full id of
 * another session still names that session, as sessions_load_named() reads only it. */
static void a_full_id_wins_over_a_user_of_the_same_name(void **state)
{
	static const char *const pairs[][2] = {{"deadbeef0000", "alice"},
					       {"0123456789ab", "deadbeef0000"}};
	struct session_list l = make_list(pairs, 2);

	assert_string_equal(found_id(&l, "deadbeef0000", 0), "deadbeef0000");
	sessions_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_full_id_a_prefix_or_a_user_names_one_session),
	    cmocka_unit_test(a_short_prefix_or_an_unknown_name_names_none),
	    cmocka_unit_test(a_name_of_two_sessions_is_ambiguous_and_lists_them),
	    cmocka_unit_test(a_full_id_wins_over_a_user_of_the_same_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
