/* tests/unit/test_identity.c: identity_lookup() through the host's NSS (root is always there),
 * and identity_to_login(). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* every cmocka test takes @state; none here needs it */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/cleanup.h"
#include "common/identity.h"

static bool has_group(const struct identity *id, const char *name)
{
	for (size_t i = 0; i < id->n_groups; i++)
		if (strcmp(id->groups[i], name) == 0)
			return true;
	return false;
}

static void lookup_of_root_gives_uid_0_and_home_root(void **state)
{
	struct identity *id = NULL;

	assert_int_equal(identity_lookup("root", &id), 0);
	assert_non_null(id);
	assert_string_equal(id->user, "root");
	assert_int_equal(id->uid, 0);
	assert_int_equal(id->gid, 0);
	assert_string_equal(id->home, "/root");
	assert_non_null(id->gecos);
	assert_true(id->shell[0] == '/');
	identity_free(id);
}

static void lookup_of_root_lists_its_groups_primary_first(void **state)
{
	struct identity *id = NULL;

	assert_int_equal(identity_lookup("root", &id), 0);
	assert_true(id->n_groups >= 1);
	assert_non_null(id->gids);
	assert_int_equal(id->gids[0], 0);
	assert_string_equal(id->groups[0], "root");
	assert_string_equal(id->group, "root");
	assert_true(has_group(id, "root"));
	assert_null(id->groups[id->n_groups]); /* NULL-terminated as well as counted */
	identity_free(id);
}

static void lookup_of_an_unknown_user_is_enoent(void **state)
{
	struct identity *id = (struct identity *)0x1;

	assert_int_equal(identity_lookup("carrel-no-such-user-x7", &id), -ENOENT);
	assert_ptr_equal(id, (struct identity *)0x1);
	assert_int_equal(identity_lookup("", &id), -ENOENT);
	identity_free(NULL);
}

static void to_login_copies_the_fields(void **state)
{
	char *groups[] = {"staff", "wheel", NULL};
	gid_t gids[] = {50, 10};
	struct identity id = {
	    .user = "bob",
	    .uid = 1001,
	    .gid = 50,
	    .gecos = "Bob",
	    .home = "/home/bob",
	    .shell = "/bin/sh",
	    .group = "staff",
	    .groups = groups,
	    .gids = gids,
	    .n_groups = 2,
	};
	struct policy_login l;

	memset(&l, 0xaa, sizeof(l));
	identity_to_login(&id, "sshd", "10.0.0.1", &l);
	assert_ptr_equal(l.user, id.user);
	assert_int_equal(l.uid, 1001);
	assert_int_equal(l.gid, 50);
	assert_ptr_equal(l.home, id.home);
	assert_ptr_equal(l.group, id.group);
	assert_ptr_equal(l.groups, groups);
	assert_int_equal(l.n_groups, 2);
	assert_string_equal(l.groups[1], "wheel");
	assert_string_equal(l.service, "sshd");
	assert_string_equal(l.rhost, "10.0.0.1");

	identity_to_login(&id, NULL, NULL, &l);
	assert_null(l.service);
	assert_null(l.rhost);
}

static void to_login_of_a_looked_up_user_points_into_it(void **state)
{
	struct identity *id = NULL;
	struct policy_login l;

	assert_int_equal(identity_lookup("root", &id), 0);
	identity_to_login(id, "login", NULL, &l);
	assert_string_equal(l.user, "root");
	assert_int_equal(l.uid, 0);
	assert_string_equal(l.home, "/root");
	assert_string_equal(l.group, "root");
	assert_int_equal(l.n_groups, id->n_groups);
	assert_ptr_equal(l.groups, id->groups);
	assert_string_equal(l.service, "login");
	assert_null(l.rhost);
	identity_free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(lookup_of_root_gives_uid_0_and_home_root),
	    cmocka_unit_test(lookup_of_root_lists_its_groups_primary_first),
	    cmocka_unit_test(lookup_of_an_unknown_user_is_enoent),
	    cmocka_unit_test(to_login_copies_the_fields),
	    cmocka_unit_test(to_login_of_a_looked_up_user_points_into_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
