/* tests/unit/test_cfgmsg.c: cfgmsg_summary(), on diagnostics built by hand and by the parser. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* every cmocka test takes @state; none here needs it */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/cfgmsg.h"
#include "config/config.h"

#define CONF "/etc/carrel/carrel.conf"
#define HINT "run 'carrel check-config -c " CONF "')"

/* Diagnostics with @count problems at lines 7, 8, ... */
static struct cfg_diags diags_with(size_t count)
{
	struct cfg_diags d = {0};

	for (size_t i = 0; i < count; i++) {
		d.items[i].line = 7 + (int)i;
		snprintf(d.items[i].text, sizeof(d.items[i].text), "unknown key 'k%zu'", i);
	}
	d.count = count;
	return d;
}

static void summary_names_the_first_problem_with_its_line(void **state)
{
	struct cfg_diags d = diags_with(1);
	char buf[256];

	assert_ptr_equal(cfgmsg_summary(CONF, -EINVAL, &d, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "config '" CONF "' line 7: unknown key 'k0'");
}

static void summary_counts_the_other_problems(void **state)
{
	struct cfg_diags d = diags_with(3);
	char buf[256];

	cfgmsg_summary(CONF, -EINVAL, &d, buf, sizeof(buf));
	assert_string_equal(buf, "config '" CONF "' line 7: unknown key 'k0' "
				 "(and 2 more problems: " HINT);
	d.count = 2;
	cfgmsg_summary(CONF, -EINVAL, &d, buf, sizeof(buf));
	assert_string_equal(buf, "config '" CONF "' line 7: unknown key 'k0' "
				 "(and 1 more problem: " HINT);
}

static void summary_of_parser_output_names_the_first_line(void **state)
{
	struct cfg_diags d;
	struct cfg *c = NULL;
	char buf[256];

	assert_int_equal(cfg_parse_string("defaults = { };\nbad1 = 1;\nbad2 = 2;\n", CONF, &c, &d),
			 -EINVAL);
	assert_int_equal(d.count, 2);
	cfgmsg_summary(CONF, -EINVAL, &d, buf, sizeof(buf));
	assert_string_equal(buf, "config '" CONF "' line 2: unknown key 'bad1' (and 1 more "
				 "problem: " HINT);
}

static void summary_of_a_line_zero_problem_names_the_file(void **state)
{
	struct cfg_diags d = {0};
	struct cfg *c = NULL;
	char buf[256];
	int r;

	/* what cfg_load() says about a file it cannot use at all */
	r = cfg_load("/nonexistent/carrel.conf", &c, &d);
	assert_int_equal(r, -ENOENT);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.items[0].line, 0);
	cfgmsg_summary("/nonexistent/carrel.conf", r, &d, buf, sizeof(buf));
	assert_string_equal(buf, "config file '/nonexistent/carrel.conf' does not exist");
}

static void summary_without_diagnostics_gives_the_error(void **state)
{
	struct cfg_diags none = {0};
	char buf[256];

	cfgmsg_summary(CONF, -ENOENT, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "config '" CONF "': No such file or directory");
	cfgmsg_summary(CONF, -EACCES, &none, buf, sizeof(buf));
	assert_string_equal(buf, "config '" CONF "': Permission denied");
}

static void summary_is_cut_to_the_buffer(void **state)
{
	struct cfg_diags d = diags_with(3);
	const char *full = "config '" CONF "' line 7: unknown key 'k0' (and 2 more problems: " HINT;
	char buf[300];

	for (size_t size = 1; size < strlen(full) + 2; size++) {
		memset(buf, 'X', sizeof(buf));
		cfgmsg_summary(CONF, -EINVAL, &d, buf, size);
		if (strlen(buf) != (size <= strlen(full) ? size - 1 : strlen(full)) ||
		    strncmp(buf, full, strlen(buf)) != 0 || buf[size] != 'X')
			fail_msg("size %zu gave '%s'", size, buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(summary_names_the_first_problem_with_its_line),
	    cmocka_unit_test(summary_counts_the_other_problems),
	    cmocka_unit_test(summary_of_parser_output_names_the_first_line),
	    cmocka_unit_test(summary_of_a_line_zero_problem_names_the_file),
	    cmocka_unit_test(summary_without_diagnostics_gives_the_error),
	    cmocka_unit_test(summary_is_cut_to_the_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
