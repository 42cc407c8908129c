/* tests/unit/test_config.c: cfg_load(), cfg_parse_string(), cfg_parse_size(),
 * cfg_parse_duration() and the capability names of config/capnames.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/capability.h>
#include <sys/capability.h>

/* every cmocka test takes @state; most here do not need it */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/cleanup.h"
#include "config/capnames.h"
#include "config/config.h"

#define NOBODY_UID 65534

static const char example_conf[] =
    "images = {\n"
    "  host = { type = \"host\"; };\n"
    "  lab  = { type = \"dir\"; path = \"/srv/images/lab\"; };\n"
    "};\n"
    "defaults = {\n"
    "  image = \"host\";\n"
    "  hostname = \"%u-carrel\";\n"
    "  network = \"host\";\n"
    "  rootfs = \"tmpfs\";\n"
    "  rootfs_size = \"1G\";\n"
    "  volumes = ( { source = \"%h\"; target = \"%h\"; } );\n"
    "};\n"
    "policies = (\n"
    "  { groups = [ \"wheel\" ]; sandbox = false; },\n"
    "  { name = \"lab users\"; users = [ \"*\" ]; services = [ \"sshd\", \"su-l\" ];\n"
    "    rhosts = [ \"10.0.0.0/8\", \"*.lab.example.org\" ]; image = \"lab\";\n"
    "    network = \"none\"; }\n"
    ");\n";

static struct cfg_diags diags;

static void print_diags(void)
{
	for (size_t i = 0; i < diags.count; i++)
		print_message("  diag %zu: line %d: %s\n", i, diags.items[i].line,
			      diags.items[i].text);
}

static struct cfg *parse_ok(const char *text)
{
	struct cfg *c = NULL;
	int r = cfg_parse_string(text, "/etc/carrel/carrel.conf", &c, &diags);

	if (r != 0)
		print_diags();
	assert_int_equal(r, 0);
	assert_non_null(c);
	assert_int_equal(diags.count, 0);
	return c;
}

/* Parse @text expecting -EINVAL and exactly @count diagnostics. */
static void parse_fails(const char *text, size_t count)
{
	struct cfg *c = NULL;
	int r = cfg_parse_string(text, "carrel.conf", &c, &diags);

	if (r != -EINVAL || diags.count != count)
		print_diags();
	assert_int_equal(r, -EINVAL);
	assert_null(c);
	assert_int_equal(diags.count, count);
}

/* Diagnostic @i is at @line and contains @needle. */
static void assert_diag(size_t i, int line, const char *needle)
{
	assert_true(i < diags.count);
	if (diags.items[i].line != line || !strstr(diags.items[i].text, needle)) {
		print_diags();
		fail_msg("diag %zu: want line %d with \"%s\"", i, line, needle);
	}
}

/* Parse "defaults = { @body };" expecting one diagnostic at line 2 containing @needle. */
static void defaults_fail(const char *body, const char *needle)
{
	char text[512];

	snprintf(text, sizeof(text), "defaults = {\n%s\n};\n", body);
	parse_fails(text, 1);
	assert_diag(0, 2, needle);
}

/* Parse "policies = ( { @body } );" expecting one diagnostic at line 2 containing @needle. */
static void policy_fail(const char *body, const char *needle)
{
	char text[512];

	snprintf(text, sizeof(text), "policies = (\n{ %s }\n);\n", body);
	parse_fails(text, 1);
	assert_diag(0, 2, needle);
}

/* Parse "images = { @body };" expecting one diagnostic at line 2 containing @needle. */
static void image_fail(const char *body, const char *needle)
{
	char text[512];

	snprintf(text, sizeof(text), "images = {\n%s\n};\n", body);
	parse_fails(text, 1);
	assert_diag(0, 2, needle);
}

/* --- a valid file --- */

static void example_config_parses(void **state)
{
	struct cfg *c = parse_ok(example_conf);
	const struct cfg_policy *p;

	assert_string_equal(c->path, "/etc/carrel/carrel.conf");
	assert_int_equal(c->n_images, 2);
	assert_int_equal(cfg_image_find(c, "host")->type, CFG_IMAGE_HOST);
	assert_int_equal(cfg_image_find(c, "host")->line, 2);
	assert_null(cfg_image_find(c, "host")->path);
	assert_int_equal(cfg_image_find(c, "lab")->type, CFG_IMAGE_DIR);
	assert_string_equal(cfg_image_find(c, "lab")->path, "/srv/images/lab");
	assert_int_equal(cfg_image_find(c, "lab")->line, 3);

	assert_int_equal(c->defaults.set, CFG_FIELD_IMAGE | CFG_FIELD_HOSTNAME | CFG_FIELD_NETWORK |
					      CFG_FIELD_ROOTFS | CFG_FIELD_ROOTFS_SIZE |
					      CFG_FIELD_VOLUMES);
	assert_ptr_equal(c->defaults.image, cfg_image_find(c, "host"));
	assert_string_equal(c->defaults.hostname, "%u-carrel");
	assert_int_equal(c->defaults.rootfs_size, 1ull << 30);
	assert_int_equal(c->defaults.n_volumes, 1);
	assert_int_equal(c->defaults.volumes[0].line, 11);

	assert_int_equal(c->n_policies, 2);
	p = &c->policies[0];
	assert_int_equal(p->line, 14);
	assert_null(p->name);
	assert_false(p->sandbox);
	assert_int_equal(p->groups.n, 1);
	assert_string_equal(p->groups.patterns[0], "wheel");
	assert_int_equal(p->users.n, 0);
	assert_null(p->users.patterns);
	assert_int_equal(p->settings.set, 0);

	p = &c->policies[1];
	assert_int_equal(p->line, 15);
	assert_string_equal(p->name, "lab users");
	assert_true(p->sandbox);
	assert_int_equal(p->services.n, 2);
	assert_string_equal(p->services.patterns[1], "su-l");
	assert_int_equal(p->rhosts.n, 2);
	assert_string_equal(p->rhosts.patterns[0], "10.0.0.0/8");
	assert_int_equal(p->settings.set, CFG_FIELD_IMAGE | CFG_FIELD_NETWORK);
	assert_ptr_equal(p->settings.image, cfg_image_find(c, "lab"));
	assert_int_equal(p->settings.network, CFG_NETWORK_NONE);
	cfg_free(c);
}

static void empty_file_gives_builtin_defaults(void **state)
{
	struct cfg *c = parse_ok("# nothing here\n");

	assert_int_equal(c->n_images, 1);
	assert_string_equal(c->images[0].name, "host");
	assert_int_equal(c->images[0].type, CFG_IMAGE_HOST);
	assert_int_equal(c->images[0].line, 0);
	assert_int_equal(c->defaults.set, 0);
	assert_ptr_equal(c->defaults.image, &c->images[0]);
	assert_string_equal(c->defaults.hostname, "%u-carrel");
	assert_int_equal(c->defaults.network, CFG_NETWORK_HOST);
	assert_int_equal(c->defaults.rootfs, CFG_ROOTFS_TMPFS);
	assert_int_equal(c->defaults.rootfs_size, 1ull << 30);
	assert_int_equal(c->defaults.n_volumes, 1);
	assert_string_equal(c->defaults.volumes[0].source, "%h");
	assert_string_equal(c->defaults.volumes[0].target, "%h");
	assert_false(c->defaults.volumes[0].readonly);
	assert_false(c->defaults.volumes[0].optional);
	assert_int_equal(c->defaults.volumes[0].kind, CFG_VOLUME_BIND);
	assert_null(c->defaults.volumes[0].name);
	assert_int_equal(c->defaults.volumes[0].propagation, CFG_PROPAGATION_PRIVATE);
	assert_int_equal(c->n_policies, 0);
	cfg_free(c);
}

static void builtin_host_image_is_added_next_to_file_images(void **state)
{
	struct cfg *c = parse_ok("images = { lab = { type = \"dir\"; path = \"/srv/lab\"; }; };\n");

	assert_int_equal(c->n_images, 2);
	assert_non_null(cfg_image_find(c, "lab"));
	assert_int_equal(cfg_image_find(c, "host")->line, 0);
	assert_null(cfg_image_find(c, "nope"));
	cfg_free(c);
}

static void defaults_set_records_only_the_keys_the_file_gave(void **state)
{
	struct cfg *c = parse_ok("defaults = { network = \"none\"; rootfs_size = \"512M\"; };\n");

	assert_int_equal(c->defaults.set, CFG_FIELD_NETWORK | CFG_FIELD_ROOTFS_SIZE);
	assert_int_equal(c->defaults.network, CFG_NETWORK_NONE);
	assert_int_equal(c->defaults.rootfs_size, 512ull << 20);
	assert_string_equal(c->defaults.hostname, "%u-carrel");
	assert_string_equal(cfg_image_find(c, "host")->name, c->defaults.image->name);
	assert_int_equal(c->defaults.n_volumes, 1);
	cfg_free(c);
}

static void policy_settings_record_only_overridden_keys(void **state)
{
	struct cfg *c = parse_ok("policies = ( { users = \"bob\"; hostname = \"box-%U\";\n"
				 "  rootfs_size = 2097152; volumes = (); } );\n");
	const struct cfg_settings *s = &c->policies[0].settings;

	assert_int_equal(s->set, CFG_FIELD_HOSTNAME | CFG_FIELD_ROOTFS_SIZE | CFG_FIELD_VOLUMES);
	assert_string_equal(s->hostname, "box-%U");
	assert_int_equal(s->rootfs_size, 2097152);
	assert_int_equal(s->n_volumes, 0);
	assert_null(s->image);
	assert_int_equal(c->policies[0].users.n, 1);
	assert_string_equal(c->policies[0].users.patterns[0], "bob");
	cfg_free(c);
}

static void volumes_keep_flags_and_normalise_slashes(void **state)
{
	struct cfg *c =
	    parse_ok("defaults = { volumes = (\n"
		     "  { source = \"%h//data/\"; target = \"/mnt//data/\"; readonly = true; },\n"
		     "  { source = \"/srv/%u\"; target = \"/srv/%u\"; optional = true; }\n"
		     "); };\n");
	const struct cfg_volume *v = c->defaults.volumes;

	assert_int_equal(c->defaults.n_volumes, 2);
	assert_string_equal(v[0].source, "%h/data");
	assert_string_equal(v[0].target, "/mnt/data");
	assert_true(v[0].readonly);
	assert_false(v[0].optional);
	assert_int_equal(v[0].line, 2);
	assert_string_equal(v[1].source, "/srv/%u");
	assert_false(v[1].readonly);
	assert_true(v[1].optional);
	assert_int_equal(v[1].line, 3);
	assert_int_equal(v[0].kind, CFG_VOLUME_BIND);
	assert_int_equal(v[1].kind, CFG_VOLUME_BIND);
	assert_int_equal(v[1].propagation, CFG_PROPAGATION_PRIVATE);
	cfg_free(c);
}

static void criteria_accept_a_single_string_a_list_or_an_array(void **state)
{
	struct cfg *c = parse_ok("policies = ( { users = \"bob\"; groups = ( \"a\", \"b*\" );\n"
				 "  services = [ \"sshd\" ]; rhosts = \"2001:db8::/32\"; } );\n");

	assert_int_equal(c->policies[0].users.n, 1);
	assert_int_equal(c->policies[0].groups.n, 2);
	assert_string_equal(c->policies[0].groups.patterns[1], "b*");
	assert_int_equal(c->policies[0].services.n, 1);
	assert_string_equal(c->policies[0].rhosts.patterns[0], "2001:db8::/32");
	cfg_free(c);
}

static void host_image_may_be_redefined_as_host(void **state)
{
	struct cfg *c =
	    parse_ok("\nimages = { host = { type = \"host\"; description = \"/\"; }; };\n");

	assert_int_equal(c->n_images, 1);
	assert_int_equal(cfg_image_find(c, "host")->line, 2);
	cfg_free(c);
}

/* --- file-level and syntax problems --- */

static void syntax_error_reports_libconfig_line(void **state)
{
	parse_fails("defaults = {\n  network = \"host\"\n  image = ;\n};\n", 1);
	assert_int_equal(diags.items[0].line, 3);
	assert_string_equal(diags.items[0].text, "syntax error");
}

static void duplicate_key_is_a_syntax_error(void **state)
{
	parse_fails("defaults = { network = \"host\"; };\ndefaults = { };\n", 1);
	assert_diag(0, 2, "duplicate");
}

static void include_is_refused_at_its_line(void **state)
{
	parse_fails("defaults = { };\n  \t@include \"/etc/passwd\"\n@include \"x\"\n", 2);
	assert_diag(0, 2, "'@include' is not allowed");
	assert_diag(1, 3, "'@include' is not allowed");
}

static void include_inside_a_line_is_left_to_libconfig(void **state)
{
	/* not at the start of a line: libconfig does not include it, it is a syntax error */
	parse_fails("defaults = { }; @include \"/etc/passwd\"\n", 1);
	assert_diag(0, 1, "syntax error");
}

static void unknown_key_is_reported_with_its_line(void **state)
{
	parse_fails("defaults = { };\n\nimgaes = { };\n", 1);
	assert_diag(0, 3, "unknown key 'imgaes'");
}

static void unknown_key_in_defaults_is_reported(void **state)
{
	defaults_fail("netwrok = \"none\";", "unknown key 'netwrok' in defaults");
}

static void unknown_key_in_policy_names_the_policy(void **state)
{
	policy_fail("users = \"bob\"; imgae = \"lab\";", "unknown key 'imgae' in policy #1");
}

static void policy_messages_carry_number_and_name(void **state)
{
	parse_fails("policies = (\n{ users = \"a\"; },\n{ name = \"lab users\";\n sandbox = "
		    "\"no\"; }\n);\n",
		    1);
	assert_diag(0, 4,
		    "key 'sandbox' in policy #2 'lab users': expected true or false, got a "
		    "string");
}

static void all_errors_are_collected(void **state)
{
	parse_fails("defaults = {\n"
		    "  network = \"bridge\";\n"
		    "  rootfs_size = \"12Q\";\n"
		    "};\n"
		    "policies = ( { users = \"x\"; image = \"lba\"; } );\n",
		    3);
	assert_diag(0, 2,
		    "key 'network' in defaults: expected \"host\" or \"none\", got \"bridge\"");
	assert_diag(1, 3,
		    "key 'rootfs_size' in defaults: bad size \"12Q\" (use a number with K, M, "
		    "G or T)");
	assert_diag(2, 5, "policy #1: image 'lba' is not defined in 'images'");
}

static void errors_come_in_line_order(void **state)
{
	/* images are checked first, but they come last in this file */
	parse_fails("policies = ( { user = \"x\"; } );\n"
		    "whatever = 1;\n"
		    "images = { lab = { type = \"disk\"; }; };\n",
		    3);
	assert_diag(0, 1, "unknown key 'user' in policy #1");
	assert_diag(1, 2, "unknown key 'whatever'");
	assert_diag(
	    2, 3, "key 'type' in image 'lab': expected \"host\", \"dir\" or \"oci\", got \"disk\"");
}

static void too_many_errors_keep_the_first_lines(void **state)
{
	char text[8192] = "";
	struct cfg *c = NULL;

	for (int i = 1; i <= CFG_MAX_DIAGS + 10; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "bad%d = 1;\n", i);
	assert_int_equal(cfg_parse_string(text, "x", &c, &diags), -EINVAL);
	assert_null(c);
	assert_int_equal(diags.count, CFG_MAX_DIAGS);
	assert_true(diags.truncated);
	assert_int_equal(diags.items[0].line, 1);
	assert_int_equal(diags.items[CFG_MAX_DIAGS - 1].line, CFG_MAX_DIAGS);
}

static void top_level_keys_must_have_the_right_type(void **state)
{
	parse_fails("images = ( );\ndefaults = 1;\npolicies = { };\n", 3);
	assert_diag(0, 1, "key 'images': expected a group of images, got a list");
	assert_diag(1, 2, "key 'defaults': expected a group, got an integer");
	assert_diag(2, 3, "key 'policies': expected a list of groups, got a group");
}

static void control_characters_in_messages_are_scrubbed(void **state)
{
	parse_fails("defaults = { network = \"a\\nb\"; };\n", 1);
	assert_diag(0, 1, "got \"a?b\"");
}

/* --- images --- */

static void image_type_is_required_and_known(void **state)
{
	image_fail("lab = { path = \"/srv/lab\"; };", "image 'lab': missing 'type'");
	image_fail(
	    "lab = { type = 1; };",
	    "key 'type' in image 'lab': expected \"host\", \"dir\" or \"oci\", got an integer");
}

static void dir_image_needs_an_absolute_path(void **state)
{
	image_fail("lab = { type = \"dir\"; };", "image 'lab': missing 'path'");
	image_fail("lab = { type = \"dir\"; path = \"srv/lab\"; };",
		   "key 'path' in image 'lab': \"srv/lab\" must be an absolute path");
	image_fail("lab = { type = \"dir\"; path = \"/srv/../etc\"; };", "'..' component");
	image_fail("lab = { type = \"dir\"; path = \"/srv/./lab\"; };", "'.' or '..' component");
	image_fail("lab = { type = \"dir\"; path = \"/srv/lab \"; };", "white space");
	image_fail("lab = { type = \"dir\"; path = \"\"; };", "must not be empty");
	image_fail("lab = { type = \"dir\"; path = 7; };", "expected a string, got an integer");
}

static void host_image_takes_no_path(void **state)
{
	image_fail("h2 = { type = \"host\"; path = \"/\"; };",
		   "image 'h2': 'path' is not allowed for type \"host\"");
}

static void host_image_cannot_be_a_dir(void **state)
{
	image_fail("host = { type = \"dir\"; path = \"/srv/x\"; };",
		   "the built-in image 'host' can only have type \"host\"");
}

#define DIGEST_A "sha256:2a36a577e298e94b17a6a35db704e7c4fa89fbd278025fff8f6865c091a58942"

static void oci_image_defaults_to_its_own_name_in_the_store(void **state)
{
	struct cfg *c = parse_ok("images = { lab = { type = \"oci\"; }; };\n"
				 "defaults = { image = \"lab\"; };\n");
	const struct cfg_image *img = cfg_image_find(c, "lab");

	assert_non_null(img);
	assert_int_equal(img->type, CFG_IMAGE_OCI);
	assert_string_equal(cfg_image_type_name(img->type), "oci");
	assert_string_equal(img->oci_name, "lab");
	assert_null(img->oci_digest);
	assert_null(img->path);
	assert_ptr_equal(c->defaults.image, img);
	cfg_free(c);
}

static void oci_image_names_a_stored_image_or_a_digest(void **state)
{
	struct cfg *c = parse_ok("images = {\n"
				 "  web = { type = \"oci\"; name = \"nginx-1.25\"; };\n"
				 "  pin = { type = \"oci\"; digest = \"" DIGEST_A "\"; };\n"
				 "};\n");

	assert_string_equal(cfg_image_find(c, "web")->oci_name, "nginx-1.25");
	assert_null(cfg_image_find(c, "web")->oci_digest);
	assert_null(cfg_image_find(c, "pin")->oci_name);
	assert_string_equal(cfg_image_find(c, "pin")->oci_digest, DIGEST_A);
	cfg_free(c);
}

static void oci_image_keys_are_checked(void **state)
{
	image_fail("lab = { type = \"oci\"; name = \"a/b\"; };",
		   "key 'name' in image 'lab': \"a/b\" is not an image name");
	image_fail("lab = { type = \"oci\"; name = \"..\"; };", "is not an image name");
	image_fail("lab = { type = \"oci\"; name = 3; };", "expected a string, got an integer");
	image_fail("lab = { type = \"oci\"; digest = \"sha256:../../etc\"; };",
		   "key 'digest' in image 'lab': \"sha256:../../etc\" is not a digest");
	image_fail("lab = { type = \"oci\"; digest = \"sha512:abc\"; };", "is not a digest");
	/* upper case hex is not how digests are written */
	image_fail(
	    "lab = { type = \"oci\"; digest = "
	    "\"sha256:2A36A577E298E94B17A6A35DB704E7C4FA89FBD278025FFF8F6865C091A58942\"; };",
	    "is not a digest");
	image_fail("lab = { type = \"oci\"; name = \"x\"; digest = \"" DIGEST_A "\"; };",
		   "image 'lab': give 'name' or 'digest', not both");
	image_fail("lab = { type = \"oci\"; path = \"/srv/lab\"; };",
		   "image 'lab': 'path' is not allowed for type \"oci\"");
	image_fail("lab = { type = \"dir\"; path = \"/srv/lab\"; name = \"x\"; };",
		   "image 'lab': 'name' is not allowed for type \"dir\"");
	image_fail("lab = { type = \"host\"; digest = \"" DIGEST_A "\"; };",
		   "image 'lab': 'digest' is not allowed for type \"host\"");
	image_fail("host = { type = \"oci\"; };",
		   "the built-in image 'host' can only have type \"host\"");
}

static void image_names_are_checked(void **state)
{
	const char name64[] = "a123456789012345678901234567890123456789012345678901234567890123";
	char body[256];

	image_fail("a*b = { type = \"host\"; };", "image name 'a*b' is not valid");
	snprintf(body, sizeof(body), "%sx = { type = \"host\"; };", name64);
	image_fail(body, "is not valid");
	snprintf(body, sizeof(body), "images = { %s = { type = \"host\"; }; };\n", name64);
	cfg_free(parse_ok(body));
}

static void unknown_key_in_image_is_reported(void **state)
{
	image_fail("lab = { type = \"host\"; size = 1; };", "unknown key 'size' in image 'lab'");
	image_fail("lab = \"host\";", "image 'lab': expected a group, got a string");
}

/* --- settings --- */

static void undefined_image_is_reported(void **state)
{
	parse_fails("policies = (\n{ users = \"a\"; },\n{ users = \"b\"; },\n"
		    "{ users = \"c\";\n image = \"lba\"; }\n);\n",
		    1);
	assert_diag(0, 5, "policy #3: image 'lba' is not defined in 'images'");
}

static void network_must_be_host_or_none(void **state)
{
	defaults_fail("network = \"bridge\";",
		      "key 'network' in defaults: expected \"host\" or \"none\", got \"bridge\"");
	defaults_fail("network = true;",
		      "key 'network' in defaults: expected \"host\" or \"none\", got a boolean");
}

static void rootfs_may_be_tmpfs_disk_or_persistent(void **state)
{
	struct cfg *c =
	    parse_ok("defaults = { rootfs = \"disk\"; };\n"
		     "policies = ( { rootfs = \"persistent\"; }, { rootfs = \"tmpfs\"; } );\n");

	assert_int_equal(c->defaults.set, CFG_FIELD_ROOTFS);
	assert_int_equal(c->defaults.rootfs, CFG_ROOTFS_DISK);
	assert_int_equal(c->policies[0].settings.set, CFG_FIELD_ROOTFS);
	assert_int_equal(c->policies[0].settings.rootfs, CFG_ROOTFS_PERSISTENT);
	assert_int_equal(c->policies[1].settings.rootfs, CFG_ROOTFS_TMPFS);
	cfg_free(c);
}

static void rootfs_must_be_a_known_kind(void **state)
{
	defaults_fail("rootfs = \"overlay\";", "key 'rootfs' in defaults: expected \"tmpfs\", "
					       "\"disk\" or \"persistent\", got \"overlay\"");
	policy_fail("rootfs = \"Disk\";", "key 'rootfs' in policy #1: expected \"tmpfs\", \"disk\" "
					  "or \"persistent\", got \"Disk\"");
	policy_fail("rootfs = 1;", "key 'rootfs' in policy #1: expected \"tmpfs\", \"disk\" or "
				   "\"persistent\", got an integer");
}

static void rootfs_size_must_be_a_size_in_range(void **state)
{
	policy_fail(
	    "users = \"a\"; rootfs_size = \"12Q\";",
	    "key 'rootfs_size' in policy #1: bad size \"12Q\" (use a number with K, M, G or "
	    "T)");
	defaults_fail("rootfs_size = \"512K\";", "\"512K\" is out of range (1M to 1T)");
	defaults_fail("rootfs_size = \"2T\";", "\"2T\" is out of range (1M to 1T)");
	defaults_fail("rootfs_size = \"99999999999999999999\";", "out of range");
	defaults_fail("rootfs_size = 1000;", "key 'rootfs_size' in defaults: 1000 is out of range");
	defaults_fail("rootfs_size = -5;", "-5 is out of range");
	defaults_fail("rootfs_size = 1.5;", "expected a size such as \"1G\", got a floating-point");
}

static void rootfs_size_limits_are_inclusive(void **state)
{
	struct cfg *c = parse_ok("defaults = { rootfs_size = \"1M\"; };\n"
				 "policies = ( { rootfs_size = \"1T\"; },\n"
				 "  { rootfs_size = 1099511627776L; } );\n");

	assert_int_equal(c->defaults.rootfs_size, 1ull << 20);
	assert_int_equal(c->policies[0].settings.rootfs_size, 1ull << 40);
	assert_int_equal(c->policies[1].settings.rootfs_size, 1ull << 40);
	cfg_free(c);
}

static void hostname_template_is_checked(void **state)
{
	defaults_fail("hostname = \"\";", "key 'hostname' in defaults: \"\" must not be empty");
	defaults_fail("hostname = \"box_1\";", "may only contain letters, digits");
	defaults_fail("hostname = "
		      "\"a12345678901234567890123456789012345678901234567890123456789012345\";",
		      "at most 64 characters");
	defaults_fail("hostname = \"%x-box\";",
		      "defaults: unknown expansion '%x' in 'hostname' (known: %u %h %U %g %%)");
	defaults_fail("hostname = \"box%\";", "trailing '%' in 'hostname'");
	defaults_fail("hostname = 1;", "key 'hostname' in defaults: expected a string");
}

static void hostname_template_accepts_every_code(void **state)
{
	struct cfg *c = parse_ok("defaults = { hostname = \"%u.%U-%g-%h-%%.A-z\"; };\n");

	assert_string_equal(c->defaults.hostname, "%u.%U-%g-%h-%%.A-z");
	cfg_free(c);
}

static void volume_source_must_be_absolute_or_home(void **state)
{
	defaults_fail("volumes = ( { source = \"home\"; target = \"/home\"; } );",
		      "volume source \"home\" in defaults: must be an absolute path or start with "
		      "%h");
	defaults_fail("volumes = ( { source = \"%u\"; target = \"/x\"; } );",
		      "must be an absolute path or start with %h");
	defaults_fail("volumes = ( { source = \"%h/../x\"; target = \"/x\"; } );", "'..'");
	defaults_fail(
	    "volumes = ( { source = \"/a\"; target = \"%h/.\"; } );",
	    "volume target \"%h/.\" in defaults: must not contain a '.' or '..' component");
	defaults_fail("volumes = ( { source = \"%h/\\tx\"; target = \"/x\"; } );",
		      "control characters");
	defaults_fail("volumes = ( { source = \"/srv/%q\"; target = \"/x\"; } );",
		      "defaults: unknown expansion '%q' in 'source'");
}

static void volume_target_must_not_be_the_root(void **state)
{
	policy_fail("volumes = ( { source = \"/srv\"; target = \"/\"; } );",
		    "volume target \"/\" in policy #1: must not be \"/\"");
	policy_fail("volumes = ( { source = \"/srv\"; target = \"//\"; } );", "must not be \"/\"");
	policy_fail("volumes = ( { source = \"/srv\"; target = \"x\"; } );",
		    "volume target \"x\" in policy #1: must be an absolute path");
}

static void volume_keys_are_checked(void **state)
{
	defaults_fail("volumes = ( { source = \"/a\"; target = \"/b\"; rw = true; } );",
		      "unknown key 'rw' in volume #1 of defaults");
	defaults_fail("volumes = ( { source = \"/a\"; target = \"/b\"; readonly = \"yes\"; } );",
		      "key 'readonly' in volume #1 of defaults: expected true or false, got a "
		      "string");
	defaults_fail("volumes = ( { source = \"/a\"; } );", "volume #1 of defaults: missing "
							     "'target'");
	defaults_fail("volumes = ( { name = \"a\"; } );",
		      "volume #1 of defaults: missing 'target'");
	defaults_fail("volumes = ( { } );", "volume #1 of defaults: missing 'target'");
	defaults_fail("volumes = ( { target = \"/b\"; propagation = \"shared\"; } );",
		      "key 'propagation' in volume #1 of defaults: expected \"private\" or "
		      "\"slave\", got \"shared\"");
	defaults_fail("volumes = ( { target = \"/b\"; propagation = true; } );",
		      "key 'propagation' in volume #1 of defaults: expected \"private\" or "
		      "\"slave\", got a boolean");
	defaults_fail("volumes = ( \"/a\" );", "volume #1 of defaults: expected a group, got a "
					       "string");
	defaults_fail("volumes = \"/a\";", "key 'volumes' in defaults: expected a list of groups");
}

/* --- volume kinds --- */

static void volume_kind_follows_from_source_and_name(void **state)
{
	struct cfg *c =
	    parse_ok("defaults = { volumes = (\n"
		     "  { source = \"%h\"; target = \"%h\"; },\n"
		     "  { name = \"scratch\"; target = \"/scratch//\"; readonly = true; },\n"
		     "  { target = \"/cache\"; propagation = \"private\"; },\n"
		     "  { source = \"/nfs/%u\"; target = \"/nfs/%u\"; propagation = \"slave\";\n"
		     "    readonly = true; optional = true; }\n"
		     "); };\n");
	const struct cfg_volume *v = c->defaults.volumes;

	assert_int_equal(c->defaults.n_volumes, 4);
	assert_int_equal(v[0].kind, CFG_VOLUME_BIND);
	assert_string_equal(v[0].source, "%h");
	assert_null(v[0].name);
	assert_int_equal(v[0].propagation, CFG_PROPAGATION_PRIVATE);
	assert_int_equal(v[0].line, 2);

	assert_int_equal(v[1].kind, CFG_VOLUME_NAMED);
	assert_null(v[1].source);
	assert_string_equal(v[1].name, "scratch");
	assert_string_equal(v[1].target, "/scratch");
	assert_true(v[1].readonly);
	assert_false(v[1].optional);
	assert_int_equal(v[1].line, 3);

	assert_int_equal(v[2].kind, CFG_VOLUME_ANONYMOUS);
	assert_null(v[2].source);
	assert_null(v[2].name);
	assert_string_equal(v[2].target, "/cache");
	assert_false(v[2].readonly);
	assert_int_equal(v[2].propagation, CFG_PROPAGATION_PRIVATE);

	assert_int_equal(v[3].kind, CFG_VOLUME_BIND);
	assert_string_equal(v[3].source, "/nfs/%u");
	assert_int_equal(v[3].propagation, CFG_PROPAGATION_SLAVE);
	assert_true(v[3].readonly);
	assert_true(v[3].optional);
	assert_int_equal(v[3].line, 5);
	cfg_free(c);
}

static void named_and_anonymous_volumes_work_in_a_policy(void **state)
{
	struct cfg *c =
	    parse_ok("policies = ( { volumes = (\n"
		     "  { name = \"a.b_c-1\"; target = \"%h/data\"; propagation = \"slave\"; },\n"
		     "  { target = \"/tmp/%u\"; readonly = false; }\n"
		     "); } );\n");
	const struct cfg_settings *s = &c->policies[0].settings;

	assert_int_equal(s->set, CFG_FIELD_VOLUMES);
	assert_int_equal(s->n_volumes, 2);
	assert_int_equal(s->volumes[0].kind, CFG_VOLUME_NAMED);
	assert_string_equal(s->volumes[0].name, "a.b_c-1");
	assert_string_equal(s->volumes[0].target, "%h/data");
	assert_int_equal(s->volumes[0].propagation, CFG_PROPAGATION_SLAVE);
	assert_int_equal(s->volumes[1].kind, CFG_VOLUME_ANONYMOUS);
	assert_string_equal(s->volumes[1].target, "/tmp/%u");
	assert_int_equal(s->volumes[1].line, 3);
	/* the defaults keep the built-in home volume */
	assert_int_equal(c->defaults.volumes[0].kind, CFG_VOLUME_BIND);
	cfg_free(c);
}

static void volume_with_source_and_name_is_refused_at_its_line(void **state)
{
	parse_fails("defaults = { volumes = (\n"
		    "  { source = \"/a\"; target = \"/a\"; },\n"
		    "  { source = \"/srv/x\"; name = \"x\";\n"
		    "    target = \"/x\"; }\n"
		    "); };\n",
		    1);
	assert_diag(0, 3,
		    "volume #2 of defaults: give either 'source' (bind) or 'name' (named volume), "
		    "not both");
	policy_fail(
	    "name = \"lab\"; volumes = ( { name = \"x\"; source = \"/x\"; target = \"/x\"; } );",
	    "volume #1 of policy #1 'lab': give either 'source' (bind) or 'name'");
}

static void optional_applies_to_bind_volumes_only(void **state)
{
	parse_fails("defaults = { volumes = (\n"
		    "  { name = \"scratch\";\n"
		    "    target = \"/scratch\";\n"
		    "    optional = true; },\n"
		    "  { target = \"/cache\"; optional = false; },\n"
		    "  { source = \"/srv\"; target = \"/srv\"; optional = true; }\n"
		    "); };\n",
		    2);
	assert_diag(0, 4, "volume #1 of defaults: 'optional' applies to bind volumes only");
	assert_diag(1, 5, "volume #2 of defaults: 'optional' applies to bind volumes only");
	policy_fail("volumes = ( { target = \"/c\"; optional = true; } );",
		    "volume #1 of policy #1: 'optional' applies to bind volumes only");
}

static void volume_names_are_checked(void **state)
{
	static const char *const bad[] = {"",    "-x",    "_x",          ".x",  "..", "a/b",
					  "a b", "x\\ty", "caf\xc3\xa9", "x:y", "a*"};
	char name[66], body[256];
	struct cfg *c;

	for (size_t i = 0; i <= ARRAY_SIZE(bad); i++) {
		memset(name, 'a', 65); /* last: one character too long */
		name[65] = '\0';
		snprintf(body, sizeof(body), "volumes = ( { name = \"%s\"; target = \"/v\"; } );",
			 i < ARRAY_SIZE(bad) ? bad[i] : name);
		defaults_fail(body, "in defaults: use up to 64 letters, digits, '_', '.' and '-', "
				    "starting with a letter or digit");
	}
	defaults_fail("volumes = ( { name = \"%u-cache\"; target = \"/v\"; } );",
		      "volume name \"%u-cache\" in defaults: takes no %-codes (named volumes are "
		      "per user already)");
	policy_fail("volumes = ( { name = \"100%%\"; target = \"/v\"; } );", "takes no %-codes");
	policy_fail("volumes = ( { name = 7; target = \"/v\"; } );",
		    "key 'name' in volume #1 of policy #1: expected a string, got an integer");

	name[64] = '\0'; /* 64 characters: the longest allowed */
	snprintf(body, sizeof(body),
		 "defaults = { volumes = ( { name = \"%s\"; target = \"/v\"; },\n"
		 "  { name = \"0.-_Z\"; target = \"/w\"; } ); };\n",
		 name);
	c = parse_ok(body);
	assert_string_equal(c->defaults.volumes[0].name, name);
	assert_string_equal(c->defaults.volumes[1].name, "0.-_Z");
	cfg_free(c);
}

static void every_volume_kind_keeps_the_target_rules(void **state)
{
	defaults_fail("volumes = ( { name = \"x\"; target = \"/\"; } );",
		      "volume target \"/\" in defaults: must not be \"/\"");
	defaults_fail("volumes = ( { target = \"//\"; } );",
		      "volume target \"//\" in defaults: must not be \"/\"");
	policy_fail("volumes = ( { name = \"x\"; target = \"x\"; } );",
		    "volume target \"x\" in policy #1: must be an absolute path");
	policy_fail("volumes = ( { target = \"/a/../b\"; } );",
		    "volume target \"/a/../b\" in policy #1: must not contain a '.' or '..'");
	policy_fail("volumes = ( { target = \"/a/%x\"; } );", "unknown expansion '%x' in 'target'");
}

/* --- limits, capabilities, seccomp, user namespaces --- */

#define ALL_LIMITS (CFG_LIMIT_MEMORY | CFG_LIMIT_SWAP | CFG_LIMIT_PIDS | CFG_LIMIT_CPU)
#define BIT(cap) (UINT64_C(1) << (cap))

static void builtin_defaults_cap_pids_and_nothing_else(void **state)
{
	struct cfg *c = parse_ok("# nothing here\n");

	assert_int_equal(c->defaults.limits.set, CFG_LIMIT_PIDS);
	assert_int_equal(c->defaults.limits.pids, 4096);
	assert_int_equal(c->defaults.limits.unlimited, 0);
	assert_int_equal(c->defaults.user_limits.set, 0);
	assert_int_equal(c->defaults.user_limits.unlimited, 0);
	assert_int_equal(c->defaults.capabilities, 0);
	assert_int_equal(c->defaults.seccomp, CFG_SECCOMP_DEFAULT);
	assert_false(c->defaults.allow_userns);
	cfg_free(c);
}

static void every_new_key_parses_in_defaults(void **state)
{
	struct cfg *c =
	    parse_ok("defaults = {\n"
		     "  limits = { memory = \"2G\"; swap = \"0\"; pids = 512; cpu = 1.5; };\n"
		     "  user_limits = { memory = \"8G\"; pids = 2048; cpu = 4; };\n"
		     "  capabilities = [ \"cap_net_bind_service\", \"CHOWN\" ];\n"
		     "  seccomp = \"off\";\n"
		     "  allow_userns = true;\n"
		     "};\n");
	const struct cfg_settings *d = &c->defaults;

	assert_int_equal(d->set,
			 CFG_FIELD_CAPABILITIES | CFG_FIELD_SECCOMP | CFG_FIELD_ALLOW_USERNS);
	assert_int_equal(d->limits.set, ALL_LIMITS);
	assert_int_equal(d->limits.memory, 2ull << 30);
	assert_int_equal(d->limits.swap, 0);
	assert_int_equal(d->limits.pids, 512);
	assert_int_equal(d->limits.cpu_milli, 1500);
	assert_int_equal(d->user_limits.set, CFG_LIMIT_MEMORY | CFG_LIMIT_PIDS | CFG_LIMIT_CPU);
	assert_int_equal(d->user_limits.memory, 8ull << 30);
	assert_int_equal(d->user_limits.pids, 2048);
	assert_int_equal(d->user_limits.cpu_milli, 4000);
	assert_int_equal(d->capabilities, BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN));
	assert_int_equal(d->seccomp, CFG_SECCOMP_OFF);
	assert_true(d->allow_userns);
	cfg_free(c);
}

static void every_new_key_parses_in_a_policy(void **state)
{
	struct cfg *c =
	    parse_ok("defaults = { limits = { memory = \"1G\"; }; };\n"
		     "policies = ( { users = \"bob\";\n"
		     "  limits = { swap = 1048576; cpu = 0.25; };\n"
		     "  user_limits = { memory = 4194304; swap = \"512M\"; pids = 8; };\n"
		     "  capabilities = \"kill\";\n"
		     "  seccomp = \"default\";\n"
		     "  allow_userns = false;\n"
		     "} );\n");
	const struct cfg_settings *s = &c->policies[0].settings;

	assert_int_equal(s->set,
			 CFG_FIELD_CAPABILITIES | CFG_FIELD_SECCOMP | CFG_FIELD_ALLOW_USERNS);
	/* only what the policy gave: no memory, and no built-in pids */
	assert_int_equal(s->limits.set, CFG_LIMIT_SWAP | CFG_LIMIT_CPU);
	assert_int_equal(s->limits.swap, 1ull << 20);
	assert_int_equal(s->limits.cpu_milli, 250);
	assert_int_equal(s->limits.memory, 0);
	assert_int_equal(s->limits.pids, 0);
	assert_int_equal(s->user_limits.set, CFG_LIMIT_MEMORY | CFG_LIMIT_SWAP | CFG_LIMIT_PIDS);
	assert_int_equal(s->user_limits.memory, 4ull << 20);
	assert_int_equal(s->user_limits.swap, 512ull << 20);
	assert_int_equal(s->user_limits.pids, 8);
	assert_int_equal(s->capabilities, BIT(CAP_KILL));
	assert_int_equal(s->seccomp, CFG_SECCOMP_DEFAULT);
	assert_false(s->allow_userns);
	assert_int_equal(c->defaults.limits.set, CFG_LIMIT_MEMORY | CFG_LIMIT_PIDS);
	cfg_free(c);
}

static void empty_limits_set_nothing_and_keep_the_builtin_pids(void **state)
{
	struct cfg *c = parse_ok("defaults = { limits = { }; user_limits = { }; };\n"
				 "policies = ( { limits = { }; } );\n");

	assert_int_equal(c->defaults.limits.set, CFG_LIMIT_PIDS);
	assert_int_equal(c->defaults.limits.pids, 4096);
	assert_int_equal(c->defaults.user_limits.set, 0);
	assert_int_equal(c->policies[0].settings.limits.set, 0);
	assert_int_equal(c->policies[0].settings.limits.unlimited, 0);
	cfg_free(c);
}

static void memory_in_defaults_keeps_the_builtin_pids(void **state)
{
	struct cfg *c = parse_ok("defaults = { limits = { memory = \"2G\"; }; };\n");

	assert_int_equal(c->defaults.limits.set, CFG_LIMIT_MEMORY | CFG_LIMIT_PIDS);
	assert_int_equal(c->defaults.limits.pids, 4096);
	cfg_free(c);
}

static void pids_max_means_no_limit(void **state)
{
	struct cfg *c =
	    parse_ok("defaults = { limits = { pids = \"max\"; }; };\n"
		     "policies = ( { user_limits = { pids = \"max\"; cpu = 2; }; } );\n");

	assert_int_equal(c->defaults.limits.set, 0); /* not even the built-in 4096 */
	assert_int_equal(c->defaults.limits.unlimited, CFG_LIMIT_PIDS);
	assert_int_equal(c->policies[0].settings.user_limits.set, CFG_LIMIT_CPU);
	assert_int_equal(c->policies[0].settings.user_limits.unlimited, CFG_LIMIT_PIDS);
	cfg_free(c);
}

static void limit_sizes_accept_strings_bytes_and_zero(void **state)
{
	struct cfg *c =
	    parse_ok("defaults = {\n"
		     "  limits = { memory = 4194304; swap = 0; };\n"
		     "  user_limits = { memory = \"1024T\"; swap = \"0M\"; };\n"
		     "};\n"
		     "policies = ( { limits = { memory = \"4MiB\"; swap = \"1125899906842624\"; "
		     "}; },\n"
		     "  { limits = { memory = 1125899906842624L; swap = \"000\"; }; } );\n");

	assert_int_equal(c->defaults.limits.memory, 4ull << 20); /* the minimum is inclusive */
	assert_int_equal(c->defaults.limits.set & CFG_LIMIT_SWAP, CFG_LIMIT_SWAP);
	assert_int_equal(c->defaults.limits.swap, 0);
	assert_int_equal(c->defaults.user_limits.memory, 1ull << 50); /* so is the maximum */
	assert_int_equal(c->defaults.user_limits.swap, 0);
	assert_int_equal(c->policies[0].settings.limits.memory, 4ull << 20);
	assert_int_equal(c->policies[0].settings.limits.swap, 1ull << 50);
	assert_int_equal(c->policies[1].settings.limits.memory, 1ull << 50);
	assert_int_equal(c->policies[1].settings.limits.set, CFG_LIMIT_MEMORY | CFG_LIMIT_SWAP);
	cfg_free(c);
}

static void limit_sizes_are_checked(void **state)
{
	defaults_fail("limits = { memory = \"1M\"; };",
		      "defaults: key 'memory' in 'limits': at least 4M, got \"1M\"");
	defaults_fail("limits = { memory = 4194303; };",
		      "defaults: key 'memory' in 'limits': at least 4M, got 4194303");
	defaults_fail("limits = { memory = \"0\"; };", "at least 4M, got \"0\"");
	defaults_fail("limits = { memory = -5; };", "at least 4M, got -5");
	defaults_fail("user_limits = { memory = \"1025T\"; };",
		      "defaults: key 'memory' in 'user_limits': at most 1024T, got \"1025T\"");
	defaults_fail("limits = { memory = 1125899906842625L; };",
		      "at most 1024T, got 1125899906842625");
	defaults_fail("limits = { memory = \"99999999999999999999\"; };",
		      "at most 1024T, got \"99999999999999999999\"");
	defaults_fail("limits = { memory = \"12Q\"; };",
		      "defaults: key 'memory' in 'limits': bad size \"12Q\" (use a number with "
		      "K, M, G or T)");
	defaults_fail("limits = { memory = 1.5; };",
		      "defaults: key 'memory' in 'limits': expected a size such as \"2G\", got a "
		      "floating-point number");
	defaults_fail("limits = { memory = \"1G\"; swap = -1; };",
		      "defaults: key 'swap' in 'limits': at least 0, got -1");
	defaults_fail("limits = { memory = \"1G\"; swap = \"0x10\"; };", "bad size \"0x10\"");
	defaults_fail("limits = { memory = \"1G\"; swap = \"0Q\"; };", "bad size \"0Q\"");
	defaults_fail("limits = { memory = \"1G\"; swap = \"-0\"; };", "bad size \"-0\"");
	defaults_fail("limits = { memory = \"1G\"; swap = true; };",
		      "expected a size such as \"2G\", got a boolean");
}

static void pids_are_checked(void **state)
{
	struct cfg *c;

	defaults_fail("limits = { pids = 3; };",
		      "defaults: key 'pids' in 'limits': at least 8, got 3");
	defaults_fail("limits = { pids = -1; };", "at least 8, got -1");
	policy_fail("user_limits = { pids = 4194305; };",
		    "policy #1: key 'pids' in 'user_limits': at most 4194304, got 4194305");
	defaults_fail("limits = { pids = \"lots\"; };",
		      "defaults: key 'pids' in 'limits': expected an integer or \"max\", got "
		      "\"lots\"");
	defaults_fail("limits = { pids = \"MAX\"; };", "got \"MAX\"");
	defaults_fail("limits = { pids = 1.5; };",
		      "expected an integer or \"max\", got a floating-point number");
	c = parse_ok(
	    "defaults = { limits = { pids = 8; }; user_limits = { pids = 4194304; }; };\n");
	assert_int_equal(c->defaults.limits.pids, 8);
	assert_int_equal(c->defaults.user_limits.pids, 4194304);
	cfg_free(c);
}

static void cpu_accepts_ints_and_floats_in_thousandths(void **state)
{
	static const struct {
		const char *text;
		uint64_t milli;
	} cases[] = {
	    {"1.5", 1500},    {"4", 4000},        {"1", 1000},         {"0.25", 250},
	    {"0.3333", 333},  {"2.0006", 2001},   {"0.01", 10},        {"0.0104", 10},
	    {"1.0625", 1063}, {"4096", 4096000},  {"4096.0", 4096000}, {"3L", 3000},
	    {"1e-2", 10},     {"12.3456", 12346},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[128];
		struct cfg *c;

		snprintf(text, sizeof(text), "defaults = { limits = { cpu = %s; }; };\n",
			 cases[i].text);
		c = parse_ok(text);
		assert_int_equal(c->defaults.limits.set & CFG_LIMIT_CPU, CFG_LIMIT_CPU);
		if (c->defaults.limits.cpu_milli != cases[i].milli)
			fail_msg("cpu = %s gave %llu, want %llu", cases[i].text,
				 (unsigned long long)c->defaults.limits.cpu_milli,
				 (unsigned long long)cases[i].milli);
		cfg_free(c);
	}
}

static void cpu_is_checked(void **state)
{
	defaults_fail("limits = { cpu = 0; };",
		      "defaults: key 'cpu' in 'limits': must be more than 0, got 0");
	defaults_fail("limits = { cpu = 0.0; };", "must be more than 0, got 0");
	defaults_fail("limits = { cpu = -1.5; };", "must be more than 0, got -1.5");
	defaults_fail("limits = { cpu = 4097; };",
		      "defaults: key 'cpu' in 'limits': at most 4096, got 4097");
	defaults_fail("limits = { cpu = 4096.0001; };", "at most 4096, got 4096.0001");
	defaults_fail("limits = { cpu = 0.0004; };", "at least 0.01, got 0.0004");
	defaults_fail("limits = { cpu = 0.009; };", "at least 0.01, got 0.009");
	policy_fail("limits = { cpu = \"1.5\"; };",
		    "policy #1: key 'cpu' in 'limits': expected a number of CPUs such as 1.5, got "
		    "a string");
}

static void unknown_limit_key_is_reported(void **state)
{
	defaults_fail("limits = { mem = \"1G\"; };",
		      "defaults: unknown key 'mem' in 'limits' (known: memory, swap, pids, cpu)");
	policy_fail("name = \"big\"; user_limits = { procs = 10; };",
		    "policy #1 'big': unknown key 'procs' in 'user_limits'");
}

static void limits_must_be_a_group(void **state)
{
	defaults_fail("limits = 5;", "key 'limits' in defaults: expected a group such as { memory "
				     "= \"2G\"; }, got an integer");
	policy_fail("user_limits = ( \"1G\" );",
		    "key 'user_limits' in policy #1: expected a group such as { memory = \"2G\"; "
		    "}, got a list");
}

static void swap_needs_memory_in_defaults(void **state)
{
	defaults_fail("limits = { swap = \"1G\"; };",
		      "defaults: 'swap' needs 'memory' in the same 'limits' block");
	defaults_fail("user_limits = { swap = 0; pids = 10; };",
		      "defaults: 'swap' needs 'memory' in the same 'user_limits' block");
}

static void swap_in_a_policy_may_rely_on_the_defaults_memory(void **state)
{
	struct cfg *c = parse_ok("defaults = { limits = { memory = \"2G\"; }; };\n"
				 "policies = ( { limits = { swap = \"1G\"; }; } );\n");

	assert_int_equal(c->policies[0].settings.limits.set, CFG_LIMIT_SWAP);
	assert_int_equal(c->policies[0].settings.limits.swap, 1ull << 30);
	cfg_free(c);

	/* the defaults' per-session memory is no help to user_limits */
	parse_fails("defaults = { limits = { memory = \"2G\"; }; };\n"
		    "policies = ( { user_limits = { swap = \"1G\"; }; } );\n",
		    1);
	assert_diag(0, 2,
		    "policy #1: 'swap' needs 'memory' in the same 'user_limits' block or in the "
		    "defaults' one");
	policy_fail("limits = { swap = 0; };", "'swap' needs 'memory' in the same 'limits' block");
}

static void limit_errors_carry_their_lines(void **state)
{
	parse_fails("policies = (\n"
		    "{ name = \"big\";\n"
		    "  limits = {\n"
		    "    memory = \"1K\";\n"
		    "    pids = 1;\n"
		    "    cpu = 0;\n"
		    "  };\n"
		    "  user_limits = {\n"
		    "    pids = 9;\n"
		    "    swap = 0;\n"
		    "  };\n"
		    "} );\n",
		    4);
	assert_diag(0, 4, "policy #1 'big': key 'memory' in 'limits': at least 4M, got \"1K\"");
	assert_diag(1, 5, "policy #1 'big': key 'pids' in 'limits': at least 8, got 1");
	assert_diag(2, 6, "policy #1 'big': key 'cpu' in 'limits': must be more than 0");
	assert_diag(3, 10, "policy #1 'big': 'swap' needs 'memory'");
}

static void capabilities_accept_every_spelling(void **state)
{
	struct cfg *c = parse_ok("defaults = { capabilities = ( \"cap_net_bind_service\",\n"
				 "  \"NET_RAW\", \"chown\", \"CAP_Sys_Admin\", \"Cap_kill\", "
				 "\"chown\" ); };\n"
				 "policies = ( { capabilities = \"checkpoint_restore\"; },\n"
				 "  { capabilities = [ ]; } );\n");

	assert_int_equal(c->defaults.capabilities, BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_RAW) |
						       BIT(CAP_CHOWN) | BIT(CAP_SYS_ADMIN) |
						       BIT(CAP_KILL));
	assert_int_equal(c->policies[0].settings.capabilities, BIT(CAP_CHECKPOINT_RESTORE));
	assert_int_equal(c->policies[1].settings.set, CFG_FIELD_CAPABILITIES);
	assert_int_equal(c->policies[1].settings.capabilities, 0);
	cfg_free(c);
}

static void unknown_capability_is_reported_with_its_line(void **state)
{
	parse_fails("defaults = { capabilities = [\n"
		    "  \"cap_chown\",\n"
		    "  \"cap_foo\",\n"
		    "  \"all\" ]; };\n",
		    2);
	assert_diag(0, 3, "defaults: unknown capability 'cap_foo' in 'capabilities'");
	assert_diag(1, 4, "defaults: unknown capability 'all' in 'capabilities'");
	policy_fail("capabilities = \"\";", "policy #1: unknown capability '' in 'capabilities'");
	policy_fail("capabilities = \"cap_\";", "unknown capability 'cap_'");
	policy_fail("capabilities = \"cap_cap_chown\";", "unknown capability 'cap_cap_chown'");
	policy_fail("capabilities = \" chown\";", "unknown capability ' chown'");
}

static void capabilities_must_be_strings(void **state)
{
	defaults_fail("capabilities = [ 12 ];", "key 'capabilities' in defaults: expected a string "
						"or a list of strings, got an integer");
	defaults_fail("capabilities = 12;", "expected a string or a list of strings, got an "
					    "integer");
	policy_fail("capabilities = { chown = true; };",
		    "key 'capabilities' in policy #1: expected a string or a list of strings, got "
		    "a group");
}

static void seccomp_must_be_default_or_off(void **state)
{
	defaults_fail("seccomp = \"strict\";",
		      "key 'seccomp' in defaults: expected \"default\" or \"off\", got \"strict\"");
	policy_fail("seccomp = false;",
		    "key 'seccomp' in policy #1: expected \"default\" or \"off\", got a boolean");
}

static void allow_userns_must_be_a_boolean(void **state)
{
	defaults_fail("allow_userns = \"yes\";",
		      "key 'allow_userns' in defaults: expected true or false, got a string");
	policy_fail("allow_userns = 1;",
		    "key 'allow_userns' in policy #1: expected true or false, got an integer");
}

static void seccomp_and_userns_in_a_policy_record_their_bits(void **state)
{
	struct cfg *c =
	    parse_ok("policies = ( { seccomp = \"off\"; }, { allow_userns = true; } );\n");

	assert_int_equal(c->policies[0].settings.set, CFG_FIELD_SECCOMP);
	assert_int_equal(c->policies[0].settings.seccomp, CFG_SECCOMP_OFF);
	assert_int_equal(c->policies[1].settings.set, CFG_FIELD_ALLOW_USERNS);
	assert_true(c->policies[1].settings.allow_userns);
	cfg_free(c);
}

/* --- session scope, linger and timeouts --- */

#define LIFETIME_FIELDS                                                                            \
	(CFG_FIELD_SESSION | CFG_FIELD_LINGER | CFG_FIELD_IDLE_TIMEOUT | CFG_FIELD_STOP_TIMEOUT)

static void builtin_sessions_are_per_login_and_stop_after_ten_seconds(void **state)
{
	struct cfg *c = parse_ok("policies = ( { users = \"bob\"; } );\n");

	assert_int_equal(c->defaults.set, 0);
	assert_int_equal(c->defaults.session, CFG_SESSION_LOGIN);
	assert_int_equal(c->defaults.linger_sec, 0);
	assert_int_equal(c->defaults.idle_timeout_sec, 0);
	assert_int_equal(c->defaults.stop_timeout_sec, 10);
	assert_int_equal(c->defaults.rootfs, CFG_ROOTFS_TMPFS);
	assert_int_equal(c->policies[0].settings.set, 0);
	cfg_free(c);
}

static void session_keys_parse_in_defaults(void **state)
{
	struct cfg *c = parse_ok("defaults = {\n"
				 "  session = \"user\";\n"
				 "  linger = \"10m\";\n"
				 "  idle_timeout = \"1h\";\n"
				 "  stop_timeout = \"10s\";\n"
				 "  rootfs = \"persistent\";\n"
				 "};\n");
	const struct cfg_settings *d = &c->defaults;

	assert_int_equal(d->set, LIFETIME_FIELDS | CFG_FIELD_ROOTFS);
	assert_int_equal(d->session, CFG_SESSION_USER);
	assert_int_equal(d->linger_sec, 600);
	assert_int_equal(d->idle_timeout_sec, 3600);
	assert_int_equal(d->stop_timeout_sec, 10);
	assert_int_equal(d->rootfs, CFG_ROOTFS_PERSISTENT);
	cfg_free(c);
}

static void session_keys_parse_in_a_policy(void **state)
{
	struct cfg *c =
	    parse_ok("defaults = { session = \"user\"; linger = 5; };\n"
		     "policies = (\n"
		     "  { users = \"a\"; session = \"login\"; linger = 90;\n"
		     "    idle_timeout = \"2d\"; stop_timeout = \"0\"; rootfs = \"disk\"; },\n"
		     "  { users = \"b\"; stop_timeout = 3600; }\n"
		     ");\n");
	const struct cfg_settings *a = &c->policies[0].settings;
	const struct cfg_settings *b = &c->policies[1].settings;

	assert_int_equal(a->set, LIFETIME_FIELDS | CFG_FIELD_ROOTFS);
	assert_int_equal(a->session, CFG_SESSION_LOGIN);
	assert_int_equal(a->linger_sec, 90);
	assert_int_equal(a->idle_timeout_sec, 2 * 86400);
	assert_int_equal(a->stop_timeout_sec, 0);
	assert_int_equal(a->rootfs, CFG_ROOTFS_DISK);
	assert_int_equal(b->set, CFG_FIELD_STOP_TIMEOUT);
	assert_int_equal(b->stop_timeout_sec, 3600);
	/* the defaults: what the file gave, the built-ins for the rest */
	assert_int_equal(c->defaults.set, CFG_FIELD_SESSION | CFG_FIELD_LINGER);
	assert_int_equal(c->defaults.session, CFG_SESSION_USER);
	assert_int_equal(c->defaults.linger_sec, 5);
	assert_int_equal(c->defaults.stop_timeout_sec, 10);
	cfg_free(c);
}

static void session_must_be_login_or_user(void **state)
{
	defaults_fail("session = \"shared\";",
		      "key 'session' in defaults: expected \"login\" or \"user\", got \"shared\"");
	policy_fail("session = \"User\";", "key 'session' in policy #1: expected \"login\" or "
					   "\"user\", got \"User\"");
	policy_fail("session = true;",
		    "key 'session' in policy #1: expected \"login\" or \"user\", got a boolean");
}

static void durations_are_checked(void **state)
{
	defaults_fail("linger = \"10x\";", "key 'linger' in defaults: bad duration \"10x\" (use "
					   "a number with s, m, h or d)");
	defaults_fail("idle_timeout = \"1h30m\";",
		      "key 'idle_timeout' in defaults: bad duration \"1h30m\"");
	defaults_fail("stop_timeout = \"1.5s\";",
		      "key 'stop_timeout' in defaults: bad duration \"1.5s\"");
	policy_fail("linger = \"\";", "key 'linger' in policy #1: bad duration \"\"");
	policy_fail("linger = \"-1\";", "key 'linger' in policy #1: bad duration \"-1\"");
	policy_fail("idle_timeout = \"10M\";", "bad duration \"10M\"");
	policy_fail("linger = \"366d\";",
		    "key 'linger' in policy #1: \"366d\" is out of range (0 to 365d)");
	policy_fail("idle_timeout = 31536001;",
		    "key 'idle_timeout' in policy #1: 31536001 is out of range (0 to 365d)");
	policy_fail("linger = -1;", "key 'linger' in policy #1: -1 is out of range (0 to 365d)");
	policy_fail("idle_timeout = 99999999999999L;", "99999999999999 is out of range");
	policy_fail("linger = \"99999999999999999999999d\";", "is out of range (0 to 365d)");
	defaults_fail("stop_timeout = \"61m\";",
		      "key 'stop_timeout' in defaults: \"61m\" is out of range (0 to 1h)");
	defaults_fail("stop_timeout = 3601;",
		      "key 'stop_timeout' in defaults: 3601 is out of range (0 to 1h)");
	defaults_fail("stop_timeout = \"2h\";", "\"2h\" is out of range (0 to 1h)");
	policy_fail("linger = 1.5;", "key 'linger' in policy #1: expected a duration such as "
				     "\"10m\", got a floating-point number");
	policy_fail("stop_timeout = [ 1 ];", "key 'stop_timeout' in policy #1: expected a "
					     "duration such as \"10m\", got an array");
}

static void duration_limits_are_inclusive(void **state)
{
	struct cfg *c = parse_ok("defaults = { linger = \"365d\"; idle_timeout = 31536000;\n"
				 "  stop_timeout = \"1h\"; };\n"
				 "policies = ( { linger = \"8760h\"; idle_timeout = \"525600m\";\n"
				 "  stop_timeout = \"3600s\"; },\n"
				 "  { linger = 0; idle_timeout = \"0d\"; stop_timeout = 0; } );\n");

	assert_int_equal(c->defaults.linger_sec, 31536000);
	assert_int_equal(c->defaults.idle_timeout_sec, 31536000);
	assert_int_equal(c->defaults.stop_timeout_sec, 3600);
	assert_int_equal(c->policies[0].settings.linger_sec, 31536000);
	assert_int_equal(c->policies[0].settings.idle_timeout_sec, 31536000);
	assert_int_equal(c->policies[0].settings.stop_timeout_sec, 3600);
	assert_int_equal(c->policies[1].settings.set, LIFETIME_FIELDS & ~CFG_FIELD_SESSION);
	assert_int_equal(c->policies[1].settings.linger_sec, 0);
	assert_int_equal(c->policies[1].settings.idle_timeout_sec, 0);
	assert_int_equal(c->policies[1].settings.stop_timeout_sec, 0);
	cfg_free(c);
}

static void lifetime_errors_carry_their_lines(void **state)
{
	parse_fails("policies = (\n"
		    "{ name = \"lab\";\n"
		    "  session = \"none\";\n"
		    "  linger = \"1w\";\n"
		    "  idle_timeout = \"400d\";\n"
		    "  stop_timeout = \"1d\";\n"
		    "} );\n",
		    4);
	assert_diag(0, 3, "key 'session' in policy #1 'lab': expected \"login\" or \"user\"");
	assert_diag(1, 4, "key 'linger' in policy #1 'lab': bad duration \"1w\"");
	assert_diag(2, 5, "key 'idle_timeout' in policy #1 'lab': \"400d\" is out of range");
	assert_diag(3, 6,
		    "key 'stop_timeout' in policy #1 'lab': \"1d\" is out of range (0 to 1h)");
}

/* --- capability names --- */

static void capability_names_agree_with_libcap(void **state)
{
	for (int cap = 0; cap <= CAP_CHECKPOINT_RESTORE; cap++) {
		char *want = cap_to_name((cap_value_t)cap);
		const char *got = cfg_capability_name(cap);
		char upper[64];

		assert_non_null(want);
		if (!got || strcmp(got, want) != 0)
			fail_msg("capability %d: '%s', libcap says '%s'", cap, got ? got : "(null)",
				 want);
		assert_int_equal(cfg_capability_from_name(want), cap);
		/* without the prefix, in upper case */
		snprintf(upper, sizeof(upper), "%s", want + strlen("cap_"));
		for (char *c = upper; *c; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
		assert_int_equal(cfg_capability_from_name(upper), cap);
		cap_free(want);
	}
}

static void capability_name_is_null_out_of_range(void **state)
{
	assert_null(cfg_capability_name(-1));
	assert_null(cfg_capability_name(CAP_CHECKPOINT_RESTORE + 1));
	assert_null(cfg_capability_name(63));
	assert_null(cfg_capability_name(64));
	assert_string_equal(cfg_capability_name(CAP_NET_BIND_SERVICE), "cap_net_bind_service");
}

static void capability_from_name_rejects_unknown_names(void **state)
{
	static const char *const bad[] = {
	    "",       "cap_",      "all", "cap_foo", "chown ",          " chown", "cap_cap_chown",
	    "chownx", "cap-chown", "0",   "cap_all", "net bind service"};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (cfg_capability_from_name(bad[i]) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	assert_int_equal(cfg_capability_from_name("CAP_CHOWN"), CAP_CHOWN);
	assert_int_equal(cfg_capability_from_name("cAp_BpF"), CAP_BPF);
}

static void capabilities_format_lists_names_in_number_order(void **state)
{
	char buf[1024];

	assert_int_equal(cfg_capabilities_format(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(
	    cfg_capabilities_format(BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN), buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "cap_chown,cap_net_bind_service");
	assert_int_equal(cfg_capabilities_format(BIT(CAP_CHECKPOINT_RESTORE), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "cap_checkpoint_restore");
	/* bits without a name come out as numbers rather than vanishing */
	assert_int_equal(
	    cfg_capabilities_format(BIT(CAP_BPF) | BIT(41) | BIT(63), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "cap_bpf,41,63");
}

static void capabilities_format_round_trips_every_capability(void **state)
{
	uint64_t all = BIT(CAP_CHECKPOINT_RESTORE + 1) - 1, back = 0;
	char buf[1024];
	char *save = NULL;

	assert_int_equal(cfg_capabilities_format(all, buf, sizeof(buf)), 0);
	for (char *name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		int cap = cfg_capability_from_name(name);

		assert_true(cap >= 0);
		back |= BIT(cap);
	}
	assert_int_equal(back, all);
}

static void capabilities_format_refuses_a_short_buffer(void **state)
{
	const uint64_t mask = BIT(CAP_CHOWN) | BIT(CAP_KILL); /* "cap_chown,cap_kill": 18 */
	char buf[19];

	assert_int_equal(cfg_capabilities_format(mask, buf, 19), 0);
	assert_string_equal(buf, "cap_chown,cap_kill");
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(cfg_capabilities_format(mask, buf, 18), -ENOBUFS);
	assert_string_equal(buf, ""); /* never a truncated list */
	assert_int_equal(cfg_capabilities_format(0, buf, 0), -ENOBUFS);
	assert_int_equal(cfg_capabilities_format(0, buf, 1), 0);
	assert_string_equal(buf, "");
}

/* --- policies --- */

static void sandbox_must_be_a_boolean(void **state)
{
	policy_fail("sandbox = \"no\";",
		    "key 'sandbox' in policy #1: expected true or false, got a string");
}

static void empty_criterion_matches_nobody(void **state)
{
	policy_fail("users = [ ];", "policy #1: empty 'users' matches nobody");
	policy_fail("rhosts = ( );", "policy #1: empty 'rhosts' matches nobody");
}

static void criteria_must_be_strings(void **state)
{
	policy_fail("groups = [ 1 ];", "key 'groups' in policy #1: expected a string or a list "
				       "of strings, got an integer");
	policy_fail("services = { a = 1; };",
		    "expected a string or a list of strings, got a group");
}

static void rhost_cidr_must_be_valid(void **state)
{
	policy_fail("rhosts = [ \"10.0.0.0/33\" ];",
		    "key 'rhosts' in policy #1: bad CIDR \"10.0.0.0/33\"");
	policy_fail("rhosts = [ \"10.0.0/8\" ];", "bad CIDR");
	policy_fail("rhosts = [ \"::/129\" ];", "bad CIDR");
	policy_fail("rhosts = [ \"fe80::/x\" ];", "bad CIDR");
	policy_fail("rhosts = [ \"/8\" ];", "bad CIDR");
	policy_fail("rhosts = [ \"10.0.0.0/\" ];", "bad CIDR");
	cfg_free(parse_ok("policies = ( { rhosts = [ \"10.0.0.0/0\", \"::1/128\", \"*.org\" ]; } "
			  ");\n"));
}

static void policy_name_is_checked(void **state)
{
	policy_fail("name = \"\";", "key 'name' in policy #1: must be 1 to 64 characters");
	policy_fail("name = 3;", "key 'name' in policy #1: expected a string, got an integer");
}

static void policy_must_be_a_group(void **state)
{
	parse_fails("policies = (\n\"everyone\" );\n", 1);
	assert_diag(0, 2, "policy #1: expected a group, got a string");
}

/* --- cfg_parse_size --- */

static void size_accepts_units_and_suffixes(void **state)
{
	static const struct {
		const char *text;
		uint64_t value;
	} cases[] = {
	    {"1048576", 1048576},
	    {"64k", 64 << 10},
	    {"64K", 64 << 10},
	    {"512M", 512ull << 20},
	    {"1G", 1ull << 30},
	    {"1g", 1ull << 30},
	    {"2T", 2ull << 40},
	    {"1GB", 1ull << 30},
	    {"1GiB", 1ull << 30},
	    {"1gib", 1ull << 30},
	    {"100B", 100},
	    {"007M", 7ull << 20},
	    {"18446744073709551615", UINT64_MAX},
	    {"16777215T", 16777215ull << 40},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 0;

		if (cfg_parse_size(cases[i].text, &v) != 0 || v != cases[i].value)
			fail_msg("\"%s\" gave %llu", cases[i].text, (unsigned long long)v);
	}
}

static void size_rejects_garbage_zero_and_signs(void **state)
{
	static const char *const bad[] = {"",    "G",   "0",    "0K",  "-1",    "+1",
					  " 1",  "1 G", "1.5G", "1X",  "1GiBx", "1iB",
					  "12Q", "1KK", "0x10", "1Gi", "1G "};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t v = 42;
		int r = cfg_parse_size(bad[i], &v);

		if (r != -EINVAL || v != 42)
			fail_msg("\"%s\" gave %d, %llu", bad[i], r, (unsigned long long)v);
	}
}

static void size_overflow_is_erange(void **state)
{
	uint64_t v = 42;

	assert_int_equal(cfg_parse_size("18446744073709551616", &v), -ERANGE);
	assert_int_equal(cfg_parse_size("16777216T", &v), -ERANGE);
	assert_int_equal(cfg_parse_size("99999999999999999999999K", &v), -ERANGE);
	assert_int_equal(v, 42);
}

/* --- cfg_parse_duration --- */

static void duration_accepts_one_unit_or_none(void **state)
{
	static const struct {
		const char *text;
		uint64_t value;
	} cases[] = {
	    {"0", 0},
	    {"0s", 0},
	    {"0d", 0},
	    {"90", 90},
	    {"90s", 90},
	    {"10m", 600},
	    {"2h", 7200},
	    {"1d", 86400},
	    {"007m", 420},
	    {"365d", 31536000},
	    {"8760h", 31536000},
	    {"525600m", 31536000},
	    {"31536000", 31536000},
	    {"31536000s", 31536000},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 42;

		if (cfg_parse_duration(cases[i].text, &v) != 0 || v != cases[i].value)
			fail_msg("\"%s\" gave %llu", cases[i].text, (unsigned long long)v);
	}
}

static void duration_rejects_garbage_fractions_and_combined_units(void **state)
{
	static const char *const bad[] = {"",
					  "s",
					  "m",
					  "-1",
					  "+1",
					  " 1",
					  "1 ",
					  "1 s",
					  "1.5h",
					  "1h30m",
					  "10x",
					  "10M",
					  "10H",
					  "10S",
					  "1w",
					  "1y",
					  "1ms",
					  "1min",
					  "1ss",
					  "0x10",
					  "1e3",
					  "1sec",
					  "99999999999999999999999x"};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t v = 42;
		int r = cfg_parse_duration(bad[i], &v);

		if (r != -EINVAL || v != 42)
			fail_msg("\"%s\" gave %d, %llu", bad[i], r, (unsigned long long)v);
	}
}

static void duration_over_a_year_is_erange(void **state)
{
	static const char *const big[] = {"366d",
					  "8761h",
					  "525601m",
					  "31536001",
					  "31536001s",
					  "18446744073709551616",
					  "99999999999999999999999d"};

	for (size_t i = 0; i < ARRAY_SIZE(big); i++) {
		uint64_t v = 42;
		int r = cfg_parse_duration(big[i], &v);

		if (r != -ERANGE || v != 42)
			fail_msg("\"%s\" gave %d, %llu", big[i], r, (unsigned long long)v);
	}
}

/* --- names and freeing --- */

static void names_are_stable(void **state)
{
	assert_string_equal(cfg_image_type_name(CFG_IMAGE_HOST), "host");
	assert_string_equal(cfg_image_type_name(CFG_IMAGE_DIR), "dir");
	assert_string_equal(cfg_network_name(CFG_NETWORK_HOST), "host");
	assert_string_equal(cfg_network_name(CFG_NETWORK_NONE), "none");
	assert_string_equal(cfg_rootfs_name(CFG_ROOTFS_TMPFS), "tmpfs");
	assert_string_equal(cfg_rootfs_name(CFG_ROOTFS_DISK), "disk");
	assert_string_equal(cfg_rootfs_name(CFG_ROOTFS_PERSISTENT), "persistent");
	assert_string_equal(cfg_session_scope_name(CFG_SESSION_LOGIN), "login");
	assert_string_equal(cfg_session_scope_name(CFG_SESSION_USER), "user");
	assert_string_equal(cfg_volume_kind_name(CFG_VOLUME_BIND), "bind");
	assert_string_equal(cfg_volume_kind_name(CFG_VOLUME_NAMED), "named");
	assert_string_equal(cfg_volume_kind_name(CFG_VOLUME_ANONYMOUS), "anonymous");
	assert_string_equal(cfg_propagation_name(CFG_PROPAGATION_PRIVATE), "private");
	assert_string_equal(cfg_propagation_name(CFG_PROPAGATION_SLAVE), "slave");
	assert_string_equal(cfg_seccomp_name(CFG_SECCOMP_DEFAULT), "default");
	assert_string_equal(cfg_seccomp_name(CFG_SECCOMP_OFF), "off");
}

static void free_accepts_null(void **state)
{
	cfg_free(NULL);
	assert_int_equal(cfg_parse_string("x = 1;", "n", &(struct cfg *){NULL}, NULL), -EINVAL);
}

/* --- cfg_load, on real files --- */

struct fixture {
	char dir[64];
	char path[128];
};

static int setup_dir(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/carrel-test-config-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/carrel.conf", f->dir);
	*state = f;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown_dir(void **state)
{
	struct fixture *f = *state;

	(void)nftw(f->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void skip_unless_root(void)
{
	if (geteuid() != 0)
		skip(); /* files we create are ours, and cfg_load() wants them root-owned */
}

static void load_reads_a_trusted_file(void **state)
{
	struct fixture *f = *state;
	struct cfg *c = NULL;

	skip_unless_root();
	write_file(f->path, example_conf, strlen(example_conf), 0644);
	assert_int_equal(cfg_load(f->path, &c, &diags), 0);
	assert_int_equal(diags.count, 0);
	assert_string_equal(c->path, f->path);
	assert_int_equal(c->n_policies, 2);
	cfg_free(c);
}

static void load_reports_errors_with_lines(void **state)
{
	struct fixture *f = *state;
	const char text[] = "defaults = {\n  network = \"bridge\";\n};\n";
	struct cfg *c = NULL;

	skip_unless_root();
	write_file(f->path, text, strlen(text), 0600);
	assert_int_equal(cfg_load(f->path, &c, &diags), -EINVAL);
	assert_null(c);
	assert_diag(0, 2, "key 'network' in defaults");
}

static void load_refuses_a_missing_file(void **state)
{
	struct fixture *f = *state;
	struct cfg *c = NULL;

	assert_int_equal(cfg_load(f->path, &c, &diags), -ENOENT);
	assert_null(c);
	assert_int_equal(diags.count, 1);
	assert_diag(0, 0, "does not exist");
	assert_non_null(strstr(diags.items[0].text, f->path));
}

static void load_refuses_a_symlink(void **state)
{
	struct fixture *f = *state;
	char target[160];
	struct cfg *c = NULL;

	snprintf(target, sizeof(target), "%s/real.conf", f->dir);
	write_file(target, "", 0, 0644);
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(cfg_load(f->path, &c, &diags), -EPERM);
	assert_null(c);
	assert_int_equal(diags.count, 1);
	assert_diag(0, 0, "is a symbolic link: refusing it");
}

static void load_refuses_a_directory(void **state)
{
	struct fixture *f = *state;
	struct cfg *c = NULL;

	assert_int_equal(mkdir(f->path, 0755), 0);
	assert_int_equal(cfg_load(f->path, &c, &diags), -EPERM);
	assert_diag(0, 0, "is not a regular file: refusing it");
}

static void load_refuses_a_group_writable_file(void **state)
{
	struct fixture *f = *state;
	struct cfg *c = NULL;

	skip_unless_root();
	write_file(f->path, "", 0, 0664);
	assert_int_equal(cfg_load(f->path, &c, &diags), -EPERM);
	assert_null(c);
	assert_diag(0, 0,
		    "is writable by its group (mode 0664): refusing it (make it root-owned, "
		    "mode 0644)");
}

static void load_refuses_a_file_not_owned_by_root(void **state)
{
	struct fixture *f = *state;
	char want[256];
	struct cfg *c = NULL;
	uid_t owner = geteuid();

	write_file(f->path, "", 0, 0644);
	if (owner == 0) {
		assert_int_equal(chown(f->path, NOBODY_UID, (gid_t)-1), 0);
		owner = NOBODY_UID;
	}
	snprintf(want, sizeof(want),
		 "'%s' is owned by uid %u, not root: refusing it (make it "
		 "root-owned, mode 0644)",
		 f->path, (unsigned)owner);
	assert_int_equal(cfg_load(f->path, &c, &diags), -EPERM);
	assert_null(c);
	assert_int_equal(diags.count, 1);
	assert_diag(0, 0, want);
}

static void load_refuses_include(void **state)
{
	struct fixture *f = *state;
	char text[256];
	struct cfg *c = NULL;

	skip_unless_root();
	/* the included file itself is fine: the point is that it would escape the checks */
	snprintf(text, sizeof(text), "defaults = { };\n@include \"%s/other.conf\"\n", f->dir);
	write_file(f->path, text, strlen(text), 0644);
	assert_int_equal(cfg_load(f->path, &c, &diags), -EINVAL);
	assert_null(c);
	assert_int_equal(diags.count, 1);
	assert_diag(0, 2, "'@include' is not allowed");
}

static void load_refuses_a_nul_byte(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "defaults = { };\n\0@include \"/etc/shadow\"\n";
	struct cfg *c = NULL;

	skip_unless_root();
	write_file(f->path, text, sizeof(text) - 1, 0644);
	assert_int_equal(cfg_load(f->path, &c, &diags), -EINVAL);
	assert_diag(0, 0, "contains a NUL byte");
}

static void load_refuses_a_huge_file(void **state)
{
	struct fixture *f = *state;
	size_t len = 1024 * 1024 + 1;
	char *text = malloc(len);
	struct cfg *c = NULL;

	skip_unless_root();
	assert_non_null(text);
	memset(text, '\n', len);
	write_file(f->path, text, len, 0644);
	free(text);
	assert_int_equal(cfg_load(f->path, &c, &diags), -EFBIG);
	assert_diag(0, 0, "larger than 1 MiB");
}

static void load_works_without_diags(void **state)
{
	struct fixture *f = *state;
	struct cfg *c = NULL;

	assert_int_equal(cfg_load(f->path, &c, NULL), -ENOENT);
	assert_null(c);
}

#define FILE_TEST(t) cmocka_unit_test_setup_teardown(t, setup_dir, teardown_dir)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(example_config_parses),
	    cmocka_unit_test(empty_file_gives_builtin_defaults),
	    cmocka_unit_test(builtin_host_image_is_added_next_to_file_images),
	    cmocka_unit_test(defaults_set_records_only_the_keys_the_file_gave),
	    cmocka_unit_test(policy_settings_record_only_overridden_keys),
	    cmocka_unit_test(volumes_keep_flags_and_normalise_slashes),
	    cmocka_unit_test(criteria_accept_a_single_string_a_list_or_an_array),
	    cmocka_unit_test(host_image_may_be_redefined_as_host),
	    cmocka_unit_test(syntax_error_reports_libconfig_line),
	    cmocka_unit_test(duplicate_key_is_a_syntax_error),
	    cmocka_unit_test(include_is_refused_at_its_line),
	    cmocka_unit_test(include_inside_a_line_is_left_to_libconfig),
	    cmocka_unit_test(unknown_key_is_reported_with_its_line),
	    cmocka_unit_test(unknown_key_in_defaults_is_reported),
	    cmocka_unit_test(unknown_key_in_policy_names_the_policy),
	    cmocka_unit_test(policy_messages_carry_number_and_name),
	    cmocka_unit_test(all_errors_are_collected),
	    cmocka_unit_test(errors_come_in_line_order),
	    cmocka_unit_test(too_many_errors_keep_the_first_lines),
	    cmocka_unit_test(top_level_keys_must_have_the_right_type),
	    cmocka_unit_test(control_characters_in_messages_are_scrubbed),
	    cmocka_unit_test(image_type_is_required_and_known),
	    cmocka_unit_test(dir_image_needs_an_absolute_path),
	    cmocka_unit_test(host_image_takes_no_path),
	    cmocka_unit_test(host_image_cannot_be_a_dir),
	    cmocka_unit_test(image_names_are_checked),
	    cmocka_unit_test(oci_image_defaults_to_its_own_name_in_the_store),
	    cmocka_unit_test(oci_image_names_a_stored_image_or_a_digest),
	    cmocka_unit_test(oci_image_keys_are_checked),
	    cmocka_unit_test(unknown_key_in_image_is_reported),
	    cmocka_unit_test(undefined_image_is_reported),
	    cmocka_unit_test(network_must_be_host_or_none),
	    cmocka_unit_test(rootfs_may_be_tmpfs_disk_or_persistent),
	    cmocka_unit_test(rootfs_must_be_a_known_kind),
	    cmocka_unit_test(rootfs_size_must_be_a_size_in_range),
	    cmocka_unit_test(rootfs_size_limits_are_inclusive),
	    cmocka_unit_test(hostname_template_is_checked),
	    cmocka_unit_test(hostname_template_accepts_every_code),
	    cmocka_unit_test(volume_source_must_be_absolute_or_home),
	    cmocka_unit_test(volume_target_must_not_be_the_root),
	    cmocka_unit_test(volume_keys_are_checked),
	    cmocka_unit_test(volume_kind_follows_from_source_and_name),
	    cmocka_unit_test(named_and_anonymous_volumes_work_in_a_policy),
	    cmocka_unit_test(volume_with_source_and_name_is_refused_at_its_line),
	    cmocka_unit_test(optional_applies_to_bind_volumes_only),
	    cmocka_unit_test(volume_names_are_checked),
	    cmocka_unit_test(every_volume_kind_keeps_the_target_rules),
	    cmocka_unit_test(builtin_defaults_cap_pids_and_nothing_else),
	    cmocka_unit_test(every_new_key_parses_in_defaults),
	    cmocka_unit_test(every_new_key_parses_in_a_policy),
	    cmocka_unit_test(empty_limits_set_nothing_and_keep_the_builtin_pids),
	    cmocka_unit_test(memory_in_defaults_keeps_the_builtin_pids),
	    cmocka_unit_test(pids_max_means_no_limit),
	    cmocka_unit_test(limit_sizes_accept_strings_bytes_and_zero),
	    cmocka_unit_test(limit_sizes_are_checked),
	    cmocka_unit_test(pids_are_checked),
	    cmocka_unit_test(cpu_accepts_ints_and_floats_in_thousandths),
	    cmocka_unit_test(cpu_is_checked),
	    cmocka_unit_test(unknown_limit_key_is_reported),
	    cmocka_unit_test(limits_must_be_a_group),
	    cmocka_unit_test(swap_needs_memory_in_defaults),
	    cmocka_unit_test(swap_in_a_policy_may_rely_on_the_defaults_memory),
	    cmocka_unit_test(limit_errors_carry_their_lines),
	    cmocka_unit_test(capabilities_accept_every_spelling),
	    cmocka_unit_test(unknown_capability_is_reported_with_its_line),
	    cmocka_unit_test(capabilities_must_be_strings),
	    cmocka_unit_test(seccomp_must_be_default_or_off),
	    cmocka_unit_test(allow_userns_must_be_a_boolean),
	    cmocka_unit_test(seccomp_and_userns_in_a_policy_record_their_bits),
	    cmocka_unit_test(builtin_sessions_are_per_login_and_stop_after_ten_seconds),
	    cmocka_unit_test(session_keys_parse_in_defaults),
	    cmocka_unit_test(session_keys_parse_in_a_policy),
	    cmocka_unit_test(session_must_be_login_or_user),
	    cmocka_unit_test(durations_are_checked),
	    cmocka_unit_test(duration_limits_are_inclusive),
	    cmocka_unit_test(lifetime_errors_carry_their_lines),
	    cmocka_unit_test(capability_names_agree_with_libcap),
	    cmocka_unit_test(capability_name_is_null_out_of_range),
	    cmocka_unit_test(capability_from_name_rejects_unknown_names),
	    cmocka_unit_test(capabilities_format_lists_names_in_number_order),
	    cmocka_unit_test(capabilities_format_round_trips_every_capability),
	    cmocka_unit_test(capabilities_format_refuses_a_short_buffer),
	    cmocka_unit_test(sandbox_must_be_a_boolean),
	    cmocka_unit_test(empty_criterion_matches_nobody),
	    cmocka_unit_test(criteria_must_be_strings),
	    cmocka_unit_test(rhost_cidr_must_be_valid),
	    cmocka_unit_test(policy_name_is_checked),
	    cmocka_unit_test(policy_must_be_a_group),
	    cmocka_unit_test(size_accepts_units_and_suffixes),
	    cmocka_unit_test(size_rejects_garbage_zero_and_signs),
	    cmocka_unit_test(size_overflow_is_erange),
	    cmocka_unit_test(duration_accepts_one_unit_or_none),
	    cmocka_unit_test(duration_rejects_garbage_fractions_and_combined_units),
	    cmocka_unit_test(duration_over_a_year_is_erange),
	    cmocka_unit_test(names_are_stable),
	    cmocka_unit_test(free_accepts_null),
	    FILE_TEST(load_reads_a_trusted_file),
	    FILE_TEST(load_reports_errors_with_lines),
	    FILE_TEST(load_refuses_a_missing_file),
	    FILE_TEST(load_refuses_a_symlink),
	    FILE_TEST(load_refuses_a_directory),
	    FILE_TEST(load_refuses_a_group_writable_file),
	    FILE_TEST(load_refuses_a_file_not_owned_by_root),
	    FILE_TEST(load_refuses_include),
	    FILE_TEST(load_refuses_a_nul_byte),
	    FILE_TEST(load_refuses_a_huge_file),
	    FILE_TEST(load_works_without_diags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
