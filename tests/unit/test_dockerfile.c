/* tests/unit/test_dockerfile.c: image/dockerfile.c (Dockerfiles read into instructions, errors
 * with file and line), image/dfwords.c (words, quotes and variables as docker reads them) and
 * image/buildconf.c (the config a build changes). */
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

#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/cleanup.h"
#include "image/buildconf.h"
#include "image/dfwords.h"
#include "image/dockerfile.h"
#include "image/error.h"

static int parse(const char *text, struct dockerfile *df, struct image_error *e)
{
	return dockerfile_parse(text, strlen(text), "Dockerfile", df, e);
}

static void instructions_continuations_and_comments_are_read(void **state)
{
	struct dockerfile df = {0};
	struct image_error e = {""};

	assert_int_equal(parse("# syntax comment\n"
			       "from tiny AS base\n"
			       "\n"
			       "RUN echo a && \\\n"
			       "# a comment between the lines\n"
			       "\n"
			       "    echo b\n"
			       "COPY --chown=user:staff a b /dst/\n"
			       "CMD [\"/bin/sh\", \"-c\", \"x\"]\n"
			       "ENTRYPOINT [not json\n"
			       "WORKDIR /srv\\\n",
			       &df, &e),
			 0);
	assert_int_equal(df.n, 6);
	assert_int_equal(df.instrs[0].kind, DF_FROM);
	assert_string_equal(df.instrs[0].name, "FROM");
	assert_string_equal(df.instrs[0].args, "tiny AS base");
	assert_int_equal(df.instrs[1].line, 4);
	assert_string_equal(df.instrs[1].args, "echo a &&     echo b");
	assert_null(df.instrs[1].json);
	assert_int_equal(df.instrs[2].line, 8);
	assert_string_equal(df.instrs[2].chown, "user:staff");
	assert_string_equal(df.instrs[2].args, "a b /dst/");
	assert_string_equal(df.instrs[2].text, "COPY --chown=user:staff a b /dst/");
	assert_non_null(df.instrs[3].json);
	assert_string_equal(df.instrs[3].json[2], "x");
	assert_null(df.instrs[3].json[3]);
	assert_null(df.instrs[4].json); /* not JSON: the shell form */
	assert_string_equal(df.instrs[5].args, "/srv");
	dockerfile_free(&df);
}

static void errors_name_the_file_and_line(void **state)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
	    {"FROM tiny\n\nFROBNICATE x\n", "Dockerfile:3: unknown instruction 'FROBNICATE'"},
	    {"FROM tiny\nARG V=1\n", "Dockerfile:2: ARG is not supported by carrel image build"},
	    {"RUN true\n", "Dockerfile:1: RUN before FROM"},
	    {"FROM a\nFROM b\n",
	     "Dockerfile:2: a second FROM: multi-stage builds are not supported"},
	    {"FROM a\nCOPY one\n", "Dockerfile:2: COPY needs a source and a destination"},
	    {"FROM a\nCOPY --from=x a b\n", "Dockerfile:2: COPY --from is not supported"},
	    {"FROM a\nADD --chown a b\n",
	     "Dockerfile:2: ADD --chown needs a value: --chown=USER[:GROUP]"},
	    {"FROM a\nRUN --mount=type=cache x\n", "Dockerfile:2: RUN --mount is not supported"},
	    {"FROM a\nENV JUSTKEY\n", "Dockerfile:2: ENV takes KEY=VALUE pairs, or KEY VALUE"},
	    {"FROM a\nLABEL a=\"open\n", "Dockerfile:2: LABEL takes KEY=VALUE pairs, or KEY VALUE"},
	    {"FROM a\n\nWORKDIR\n", "Dockerfile:3: WORKDIR needs an argument"},
	    {"# only a comment\n", "Dockerfile: no instructions (it needs at least FROM)"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dockerfile df = {0};
		struct image_error e = {""};

		assert_int_equal(parse(cases[i].text, &df, &e), -EINVAL);
		assert_string_equal(e.text, cases[i].error);
		assert_null(df.instrs);
	}
}

static void words_split_with_quotes_and_escapes(void **state)
{
	char *const env[] = {"A=one", "B=", "A=two", NULL};
	char **w = NULL;

	assert_int_equal(dfwords_split("  a 'b c' \"d $A\" e\\ f '' ${A}x $B$1 $ ", env, &w), 7);
	assert_string_equal(w[0], "a");
	assert_string_equal(w[1], "b c");
	assert_string_equal(w[2], "d two"); /* the last A wins */
	assert_string_equal(w[3], "e f");
	assert_string_equal(w[4], "");
	assert_string_equal(w[5], "twox");
	assert_string_equal(w[6], "$"); /* $B and $1 are empty, the lone $ stays */
	dfwords_free(w);
	assert_int_equal(dfwords_split("'open", env, &w), -EINVAL);
	assert_int_equal(dfwords_split("${A", env, &w), -EINVAL);
}

static void variables_expand_with_defaults(void **state)
{
	char *const env[] = {"SET=yes", "EMPTY=", NULL};
	autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *f = NULL;

	assert_int_equal(dfwords_expand("${UNSET:-dflt} ${EMPTY:-dflt} ${SET:-dflt}", env, &a), 0);
	assert_string_equal(a, "dflt dflt yes");
	assert_int_equal(dfwords_expand("${SET:+alt}${UNSET:+alt}.", env, &b), 0);
	assert_string_equal(b, "alt.");
	assert_int_equal(dfwords_expand("'$SET' \"\\$SET\" \\$SET", env, &c), 0);
	assert_string_equal(c, "$SET $SET $SET");
	assert_int_equal(dfwords_expand("${UNSET:-${SET}}", env, &d), 0);
	assert_string_equal(d, "yes");
	assert_int_equal(dfwords_expand("/opt/bin:$PATH", NULL, &f), 0);
	assert_string_equal(f, "/opt/bin:");
}

static void env_pairs_take_both_forms(void **state)
{
	char *const env[] = {"OLD=1", NULL};
	char **keys = NULL, **values = NULL;

	assert_int_equal(dfwords_pairs("k=v k2=\"v 2\" k3=$OLD k4=a\\ b", env, &keys, &values), 4);
	assert_string_equal(keys[1], "k2");
	assert_string_equal(values[1], "v 2");
	assert_string_equal(values[2], "1");
	assert_string_equal(values[3], "a b");
	dfwords_free(keys);
	dfwords_free(values);
	assert_int_equal(dfwords_pairs("KEY a value  with \"quotes\"", env, &keys, &values), 1);
	assert_string_equal(keys[0], "KEY");
	assert_string_equal(values[0], "a value  with quotes");
	dfwords_free(keys);
	dfwords_free(values);
	assert_int_equal(dfwords_pairs("\"a key\"=v", env, &keys, &values), 1);
	assert_string_equal(keys[0], "a key");
	dfwords_free(keys);
	dfwords_free(values);
	assert_int_equal(dfwords_pairs("=v", env, &keys, &values), -EINVAL);
	assert_int_equal(dfwords_pairs("''=v", env, &keys, &values), -EINVAL);
	assert_int_equal(dfwords_pairs("a=1 b", env, &keys, &values), -EINVAL);
}

static void the_config_changes_in_place_and_hashes_the_same(void **state)
{
	json_object *c = NULL, *d = NULL;
	autofree char *text = NULL, *again = NULL;
	char id1[IMAGE_DIGEST_LEN + 1], id2[IMAGE_DIGEST_LEN + 1];
	char **env = NULL;
	size_t len;

	assert_int_equal(buildconf_scratch(&c), 0);
	assert_int_equal(buildconf_set_env(c, "A", "1"), 0);
	assert_int_equal(buildconf_set_env(c, "PATH", "/bin"), 0); /* replaced where it is */
	assert_int_equal(buildconf_env(c, &env), 0);
	assert_string_equal(env[0], "PATH=/bin");
	assert_string_equal(env[1], "A=1");
	assert_null(env[2]);
	dfwords_free(env);
	assert_int_equal(buildconf_add_history(c, "2026-01-01T00:00:00Z", "x", true), 0);
	assert_int_equal(buildconf_text(c, &text, &len, id1), 0);
	assert_int_equal(buildconf_parse(text, len, &d), 0);
	assert_int_equal(buildconf_text(d, &again, &len, id2), 0);
	assert_string_equal(id1, id2);
	assert_string_equal(buildconf_string(d, "WorkingDir"), "");
	assert_int_equal(buildconf_history_len(d), 1);
	json_object_put(c);
	json_object_put(d);
	assert_int_equal(buildconf_parse("{\"config\": 3}", 13, &d), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(instructions_continuations_and_comments_are_read),
	    cmocka_unit_test(errors_name_the_file_and_line),
	    cmocka_unit_test(words_split_with_quotes_and_escapes),
	    cmocka_unit_test(variables_expand_with_defaults),
	    cmocka_unit_test(env_pairs_take_both_forms),
	    cmocka_unit_test(the_config_changes_in_place_and_hashes_the_same),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
