/* tests/unit/test_text.c: text_list_contains(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* every cmocka test takes @state; none here needs it */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/text.h"

static void list_contains_finds_first_middle_and_last_items(void **state)
{
	assert_true(text_list_contains("rw,nosuid,nodev", ',', "rw"));
	assert_true(text_list_contains("rw,nosuid,nodev", ',', "nosuid"));
	assert_true(text_list_contains("rw,nosuid,nodev", ',', "nodev"));
	assert_true(text_list_contains("memory", ',', "memory"));
}

static void list_contains_needs_a_whole_item(void **state)
{
	assert_false(text_list_contains("rwx,ro", ',', "rw"));
	assert_false(text_list_contains("nosuid,nodev", ',', "suid"));
	assert_false(text_list_contains("nosuid,nodev", ',', "no"));
	assert_false(text_list_contains("nosuid,nodev", ',', "nosuid,"));
	assert_false(text_list_contains("nosuid,nodev", ',', "nodevx"));
	assert_false(text_list_contains("cpu,cpuacct", ',', "cpuacc"));
	assert_true(text_list_contains("cpuacct,cpu", ',', "cpu"));
}

static void list_contains_is_case_sensitive(void **state)
{
	assert_false(text_list_contains("alice,bob", ',', "Bob"));
	assert_false(text_list_contains("Alice", ',', "alice"));
}

static void list_contains_splits_on_the_given_separator_only(void **state)
{
	assert_true(text_list_contains("alice:bob", ':', "bob"));
	assert_false(text_list_contains("alice:bob", ',', "bob"));
	assert_true(text_list_contains("alice:bob", ',', "alice:bob"));
	assert_true(text_list_contains("a b,c", ' ', "b,c"));
}

static void list_contains_nothing_when_the_list_is_empty_or_null(void **state)
{
	assert_false(text_list_contains("", ',', "rw"));
	assert_false(text_list_contains(NULL, ',', "rw"));
}

static void list_contains_items_next_to_empty_ones(void **state)
{
	assert_true(text_list_contains(",rw", ',', "rw"));
	assert_true(text_list_contains("rw,", ',', "rw"));
	assert_true(text_list_contains("ro,,rw", ',', "rw"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(list_contains_finds_first_middle_and_last_items),
	    cmocka_unit_test(list_contains_needs_a_whole_item),
	    cmocka_unit_test(list_contains_is_case_sensitive),
	    cmocka_unit_test(list_contains_splits_on_the_given_separator_only),
	    cmocka_unit_test(list_contains_nothing_when_the_list_is_empty_or_null),
	    cmocka_unit_test(list_contains_items_next_to_empty_ones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
