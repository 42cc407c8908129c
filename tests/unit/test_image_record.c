/* tests/unit/test_image_record.c: common/image_record.c (image.json, Env and WorkingDir of a
 * config) and image/pathname.c (member names made safe). */
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
#include "common/image_record.h"
#include "image/pathname.h"

#define D1 "sha256:2a36a577e298e94b17a6a35db704e7c4fa89fbd278025fff8f6865c091a58942"
#define D2 "sha256:8b7d5ae010bafd53459df61cac09c9704b3f41f6e69fda214282d6e3e137cea5"
#define D3 "sha256:b350dc6a008e70d7e49e5939cb0d8f4bbb16d04b59a3144e37376bad6223377c"

static struct image_record *filled(void)
{
	struct image_record *r = calloc(1, sizeof(*r));
	struct image_layer l = {.blob = {.digest = D3, .media_type = "tar+gzip", .size = 1085683},
				.diff_id = D3,
				.chain_id = D3,
				.unpacked_size = 1982256};

	assert_non_null(r);
	snprintf(r->name, sizeof(r->name), "tiny-1.0");
	r->manifest = (struct image_descriptor){.digest = D2, .size = 813};
	r->config = (struct image_descriptor){.digest = D1, .size = 3453};
	assert_int_equal(image_record_set(&r->manifest.media_type, "manifest+json"), 0);
	assert_int_equal(image_record_set(&r->config.media_type, "config+json"), 0);
	assert_int_equal(image_record_add_layer(r, &l), 0);
	assert_int_equal(image_record_add_layer(r, &l), 0);
	assert_int_equal(image_record_set(&r->platform, "linux/amd64"), 0);
	assert_int_equal(image_record_set(&r->created, "2024-01-01T00:07:00Z"), 0);
	assert_int_equal(image_record_set(&r->imported, "2026-11-29T00:00:00Z"), 0);
	assert_int_equal(image_record_set(&r->source_type, "oci-layout"), 0);
	assert_int_equal(image_record_set(&r->source_path, "/srv/a \"quoted\"\npath"), 0);
	assert_int_equal(image_record_set(&r->source_ref, "latest"), 0);
	return r;
}

static void a_record_survives_format_and_parse(void **state)
{
	struct image_record *r = filled(), *back = NULL;
	autofree char *text = NULL;

	assert_int_equal(image_record_format(r, &text), 0);
	assert_int_equal(image_record_parse(text, strlen(text), &back), 0);
	assert_string_equal(back->name, "tiny-1.0");
	assert_string_equal(back->config.digest, D1);
	assert_string_equal(back->manifest.media_type, "manifest+json");
	assert_int_equal(back->manifest.size, 813);
	assert_int_equal(back->n_layers, 2);
	assert_string_equal(back->layers[1].chain_id, D3);
	assert_int_equal(back->layers[1].unpacked_size, 1982256);
	assert_int_equal(back->layers[0].blob.size, 1085683);
	assert_string_equal(back->source_path, r->source_path);
	assert_string_equal(back->created, "2024-01-01T00:07:00Z");
	assert_non_null(strstr(text, "\"id\": \"" D1 "\""));
	image_record_free(back);
	image_record_free(r);
}

static void parse_refuses(const char *from, const char *to)
{
	struct image_record *r = filled(), *back = NULL;
	autofree char *text = NULL;
	char *at;
	char edited[8192];

	assert_int_equal(image_record_format(r, &text), 0);
	at = strstr(text, from);
	assert_non_null(at);
	snprintf(edited, sizeof(edited), "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	assert_int_equal(image_record_parse(edited, strlen(edited), &back), -EPROTO);
	image_record_free(r);
}

static void parse_refuses_what_could_become_a_bad_path(void **state)
{
	/* digests and names become paths in the store */
	parse_refuses("\"chainId\": \"" D3, "\"chainId\": \"sha256:../../../etc");
	parse_refuses("\"digest\": \"" D2, "\"digest\": \"sha512:" D2 + 7);
	parse_refuses("\"name\": \"tiny-1.0\"", "\"name\": \"../tiny\"");
	parse_refuses("\"name\": \"tiny-1.0\"", "\"name\": \".hidden\"");
	parse_refuses("\"schemaVersion\": 1", "\"schemaVersion\": 2");
	parse_refuses("\"size\": 813", "\"size\": -1");
	parse_refuses("\"layers\": [", "\"layers\": 3, \"x\": [");
}

static void parse_refuses_malformed_json(void **state)
{
	struct image_record *r = NULL;

	assert_int_equal(image_record_parse("{", 1, &r), -EPROTO);
	assert_int_equal(image_record_parse("[]", 2, &r), -EPROTO);
	assert_int_equal(image_record_parse("{} x", 4, &r), -EPROTO);
}

static void names_and_digests_are_checked(void **state)
{
	char name65[66];

	assert_true(image_name_valid("tiny"));
	assert_true(image_name_valid("A.b_c-9"));
	assert_false(image_name_valid(""));
	assert_false(image_name_valid("-x"));
	assert_false(image_name_valid("a/b"));
	assert_false(image_name_valid(".."));
	memset(name65, 'a', 65);
	name65[65] = '\0';
	assert_false(image_name_valid(name65));
	name65[64] = '\0';
	assert_true(image_name_valid(name65));
	assert_true(image_digest_valid(D1));
	assert_false(image_digest_valid(
	    "sha256:2A36A577E298E94B17A6A35DB704E7C4FA89FBD278025FFF8F6865C091A58942"));
	assert_false(image_digest_valid(D1 "0"));
	assert_false(image_digest_valid("sha256:../../evil-manifest.json"));
	assert_false(image_digest_valid(NULL));
}

static void env_and_workdir_come_from_the_config(void **state)
{
	static const char config[] =
	    "{\"architecture\":\"amd64\",\"config\":{\"Env\":[\"PATH=/bin\",\"GREETING=hello "
	    "world=1\"],\"WorkingDir\":\"/opt/app\"},\"os\":\"linux\"}";
	struct image_exec x;

	assert_int_equal(image_exec_parse(config, strlen(config), &x), 0);
	assert_int_equal(x.n_env, 2);
	assert_string_equal(x.env[1], "GREETING=hello world=1");
	assert_null(x.env[2]);
	assert_string_equal(x.workdir, "/opt/app");
	image_exec_free(&x);
	assert_int_equal(image_exec_parse("{\"config\":null}", 15, &x), 0);
	assert_int_equal(x.n_env, 0);
	assert_non_null(x.env);
	assert_string_equal(x.workdir, "");
	image_exec_free(&x);
}

static void a_malformed_env_or_workdir_is_refused(void **state)
{
	static const char *const bad[] = {
	    "{\"config\":{\"Env\":[\"NOEQUALS\"]}}",
	    "{\"config\":{\"Env\":[\"=x\"]}}",
	    "{\"config\":{\"Env\":[1]}}",
	    "{\"config\":{\"Env\":\"A=b\"}}",
	    "{\"config\":{\"WorkingDir\":\"rel\"}}",
	    "{\"config\":[]}",
	    "{\"config\":{}",
	};
	struct image_exec x;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(image_exec_parse(bad[i], strlen(bad[i]), &x), -EPROTO);
}

static void member_names_are_cleaned(void **state)
{
	char out[64];
	bool absolute;

	assert_int_equal(pathname_clean("./usr//bin/./sh", out, sizeof(out), &absolute), 0);
	assert_string_equal(out, "usr/bin/sh");
	assert_false(absolute);
	assert_int_equal(pathname_clean("/tmp/x/", out, sizeof(out), &absolute), 0);
	assert_string_equal(out, "tmp/x");
	assert_true(absolute);
	assert_int_equal(pathname_clean("./", out, sizeof(out), &absolute), 0);
	assert_string_equal(out, "");
	assert_int_equal(pathname_clean("usr/../../x", out, sizeof(out), &absolute), -EINVAL);
	assert_int_equal(pathname_clean(".wh.../../x", out, sizeof(out), &absolute), -EINVAL);
	assert_int_equal(pathname_clean("a..b/..c", out, sizeof(out), &absolute), 0);
	assert_int_equal(pathname_clean("0123456789/0123456789/0123456789/0123456789/0123456789/"
					"0123456789",
					out, sizeof(out), &absolute),
			 -ENAMETOOLONG);
}

static void links_between_members_stay_inside_the_archive(void **state)
{
	char out[128];

	assert_int_equal(pathname_resolve_link("b135/layer.tar", "../b350.tar", out, sizeof(out)),
			 0);
	assert_string_equal(out, "b350.tar");
	assert_int_equal(pathname_resolve_link("a/b/c", "../d/./e", out, sizeof(out)), 0);
	assert_string_equal(out, "a/d/e");
	assert_int_equal(pathname_resolve_link("evil.tar", "/etc/shadow", out, sizeof(out)),
			 -EXDEV);
	assert_int_equal(pathname_resolve_link("a/x", "../../etc/shadow", out, sizeof(out)),
			 -EXDEV);
	assert_int_equal(pathname_resolve_link("x", "", out, sizeof(out)), -EXDEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_record_survives_format_and_parse),
	    cmocka_unit_test(parse_refuses_what_could_become_a_bad_path),
	    cmocka_unit_test(parse_refuses_malformed_json),
	    cmocka_unit_test(names_and_digests_are_checked),
	    cmocka_unit_test(env_and_workdir_come_from_the_config),
	    cmocka_unit_test(a_malformed_env_or_workdir_is_refused),
	    cmocka_unit_test(member_names_are_cleaned),
	    cmocka_unit_test(links_between_members_stay_inside_the_archive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
