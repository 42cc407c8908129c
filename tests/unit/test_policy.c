/* tests/unit/test_policy.c: policy_resolve(), policy_expand(), policy_rhost_matches() and
 * policy_describe(), on configs parsed from text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/capability.h>

/* every cmocka test takes @state; most here do not need it */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/cleanup.h"
#include "config/config.h"
#include "config/policy.h"

static const char policy_conf[] =
    "images = { lab = { type = \"dir\"; path = \"/srv/images/lab\"; }; };\n"
    "defaults = {\n"
    "  rootfs_size = \"2G\";\n"
    "  volumes = (\n"
    "    { source = \"%h\"; target = \"%h\"; },\n"
    "    { source = \"/srv/scratch/%u\"; target = \"/scratch\"; readonly = true; optional = "
    "true; } );\n"
    "};\n"
    "policies = (\n"
    "  { name = \"admins\"; groups = [ \"wheel\", \"adm*\" ]; sandbox = false; },\n"
    "  { name = \"lab\"; users = [ \"lab-*\" ]; services = [ \"sshd\", \"su*\" ];\n"
    "    image = \"lab\"; network = \"none\"; hostname = \"lab-%U\"; },\n"
    "  { rhosts = [ \"10.0.0.0/8\", \"2001:db8::/32\", \"*.Example.ORG\" ];\n"
    "    volumes = ( { source = \"%h/pub/\"; target = \"/pub\"; } ); },\n"
    "  { users = \"guest\"; services = \"\"; },\n"
    "  { users = [ \"bob\", \"carol\" ]; rootfs_size = \"256M\"; }\n"
    ");\n";

/* Policy indexes in policy_conf, and the lines of what tests look at. */
enum { ADMINS, LAB, REMOTE, GUEST, BOB };
#define DEFAULT_HOME_VOLUME_LINE 5

static const char *const no_groups[] = {"users"};

static struct policy_login login_for(const char *user)
{
	return (struct policy_login){
	    .user = user,
	    .uid = 1001,
	    .gid = 100,
	    .home = "/home/x",
	    .group = "users",
	    .groups = no_groups,
	    .n_groups = 1,
	    .service = "sshd",
	    .rhost = NULL,
	};
}

static int setup_cfg(void **state)
{
	struct cfg_diags diags;
	struct cfg *c = NULL;

	if (cfg_parse_string(policy_conf, "/etc/carrel/carrel.conf", &c, &diags) < 0) {
		for (size_t i = 0; i < diags.count; i++)
			print_error("line %d: %s\n", diags.items[i].line, diags.items[i].text);
		return -1;
	}
	*state = c;
	return 0;
}

static int teardown_cfg(void **state)
{
	cfg_free(*state);
	return 0;
}

/* Resolve @login, expecting success; the caller frees the profile. */
static struct profile *resolve(const struct cfg *c, const struct policy_login *login)
{
	struct cfg_diag err = {0};
	struct profile *p = NULL;
	int r = policy_resolve(c, login, &p, &err);

	if (r != 0)
		fail_msg("policy_resolve: %d: %s", r, err.text);
	assert_non_null(p);
	return p;
}

/* The index of the policy that matches @login, or -1. */
static int matching(const struct cfg *c, const struct policy_login *login)
{
	struct profile *p = resolve(c, login);
	int index = p->policy ? (int)p->policy_index : -1;

	if (p->policy)
		assert_ptr_equal(p->policy, &c->policies[p->policy_index]);
	else
		assert_false(p->sandbox);
	profile_free(p);
	return index;
}

/* --- which policy --- */

static void first_match_wins(void **state)
{
	const char *const groups[] = {"users", "wheel"};
	struct policy_login l = login_for("lab-1");
	struct profile *p;

	l.groups = groups;
	l.n_groups = 2;
	p = resolve(*state, &l); /* admins and lab both match: admins comes first */
	assert_ptr_equal(p->policy, &((struct cfg *)*state)->policies[ADMINS]);
	assert_int_equal(p->policy_index, ADMINS);
	assert_false(p->sandbox);
	profile_free(p);

	l.n_groups = 1;
	assert_int_equal(matching(*state, &l), LAB);
}

static void no_match_means_no_sandbox(void **state)
{
	struct policy_login l = login_for("zed");
	struct profile *p = resolve(*state, &l);
	char buf[64];

	assert_false(p->sandbox);
	assert_null(p->policy);
	assert_null(p->hostname);
	assert_int_equal(p->n_volumes, 0);
	assert_string_equal(policy_describe(*state, p, buf, sizeof(buf)), "none");
	profile_free(p);
}

static void sandbox_false_lets_the_login_through(void **state)
{
	const char *const groups[] = {"wheel"};
	struct policy_login l = login_for("root");
	struct profile *p;

	l.groups = groups;
	l.home = "relative"; /* would fail expansion; never expanded for an exempt login */
	p = resolve(*state, &l);
	assert_non_null(p->policy);
	assert_string_equal(p->policy->name, "admins");
	assert_false(p->sandbox);
	assert_null(p->image);
	profile_free(p);
}

static void every_criterion_must_match(void **state)
{
	struct policy_login l = login_for("lab-1");

	l.service = "login"; /* the user matches "lab", the service does not */
	assert_int_equal(matching(*state, &l), -1);
	l.service = "sshd";
	l.user = "lib-1"; /* now the service matches, the user does not */
	assert_int_equal(matching(*state, &l), -1);
	l.user = "lab-1";
	assert_int_equal(matching(*state, &l), LAB);
}

static void any_pattern_of_a_criterion_may_match(void **state)
{
	struct policy_login l = login_for("carol");

	assert_int_equal(matching(*state, &l), BOB);
	l.user = "bob";
	assert_int_equal(matching(*state, &l), BOB);
	l.user = "dave";
	assert_int_equal(matching(*state, &l), -1);
}

static void user_patterns_are_globs(void **state)
{
	struct policy_login l = login_for("lab-");

	assert_int_equal(matching(*state, &l), LAB);
	l.user = "lab";
	assert_int_equal(matching(*state, &l), -1);
	l.user = "xlab-1";
	assert_int_equal(matching(*state, &l), -1);
}

static void group_globs_match_any_group(void **state)
{
	const char *const groups[] = {"users", "audio", "adm-staff"};
	const char *const others[] = {"users", "admin"}; /* "adm*" matches "admin" too */
	const char *const none[] = {"users", "wheelers", "xadm"};
	struct policy_login l = login_for("zed");

	l.groups = groups;
	l.n_groups = 3;
	assert_int_equal(matching(*state, &l), ADMINS);
	l.groups = others;
	l.n_groups = 2;
	assert_int_equal(matching(*state, &l), ADMINS);
	l.groups = none;
	l.n_groups = 3;
	assert_int_equal(matching(*state, &l), -1);
}

static void primary_group_counts_even_when_not_listed(void **state)
{
	struct policy_login l = login_for("zed");

	l.group = "wheel";
	l.groups = NULL;
	l.n_groups = 0;
	assert_int_equal(matching(*state, &l), ADMINS);
}

static void service_patterns_are_globs(void **state)
{
	struct policy_login l = login_for("lab-1");

	l.service = "su-l";
	assert_int_equal(matching(*state, &l), LAB);
	l.service = "su";
	assert_int_equal(matching(*state, &l), LAB);
	l.service = "sshd-x";
	assert_int_equal(matching(*state, &l), -1);
}

static void missing_service_matches_only_an_empty_pattern(void **state)
{
	struct policy_login l = login_for("lab-1");

	l.service = NULL; /* "sshd" and "su*" do not match "" */
	assert_int_equal(matching(*state, &l), -1);
	l.user = "guest"; /* services = "" does */
	assert_int_equal(matching(*state, &l), GUEST);
	l.service = "";
	assert_int_equal(matching(*state, &l), GUEST);
	l.service = "sshd";
	assert_int_equal(matching(*state, &l), -1);
}

static void rhost_globs_and_networks_select_a_policy(void **state)
{
	static const struct {
		const char *rhost;
		int policy;
	} cases[] = {
	    {"10.2.3.4", REMOTE},
	    {"::ffff:10.2.3.4", REMOTE},
	    {"2001:db8:1::5", REMOTE},
	    {"box.example.org", REMOTE},
	    {"BOX.EXAMPLE.ORG", REMOTE},
	    {"11.0.0.1", -1},
	    {"2001:db9::1", -1},
	    {"example.org", -1},
	    {"", -1},
	    {NULL, -1},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct policy_login l = login_for("zed");
		int got;

		l.rhost = cases[i].rhost;
		got = matching(*state, &l);
		if (got != cases[i].policy)
			fail_msg("rhost '%s': policy %d, want %d",
				 cases[i].rhost ? cases[i].rhost : "", got, cases[i].policy);
	}
}

/* --- policy_rhost_matches --- */

static void rhost_cidr_matches_ipv4(void **state)
{
	assert_true(policy_rhost_matches("10.0.0.0/8", "10.255.0.1"));
	assert_false(policy_rhost_matches("10.0.0.0/8", "11.0.0.0"));
	assert_true(policy_rhost_matches("192.168.1.0/25", "192.168.1.127"));
	assert_false(policy_rhost_matches("192.168.1.0/25", "192.168.1.128"));
	assert_true(policy_rhost_matches("192.168.1.7/32", "192.168.1.7"));
	assert_false(policy_rhost_matches("192.168.1.7/32", "192.168.1.6"));
	assert_true(policy_rhost_matches("0.0.0.0/0", "203.0.113.9"));
	assert_true(policy_rhost_matches("10.1.2.3/8", "10.9.9.9")); /* host bits ignored */
}

static void rhost_cidr_matches_ipv6(void **state)
{
	assert_true(policy_rhost_matches("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(policy_rhost_matches("2001:db8::/32", "2001:db9::1"));
	assert_true(policy_rhost_matches("fe80::/10", "febf::1"));
	assert_false(policy_rhost_matches("fe80::/10", "fec0::1"));
	assert_true(policy_rhost_matches("::1/128", "::1"));
	assert_false(policy_rhost_matches("::1/128", "::2"));
}

static void rhost_mapped_ipv6_matches_ipv4_networks(void **state)
{
	assert_true(policy_rhost_matches("10.0.0.0/8", "::ffff:10.1.2.3"));
	assert_true(policy_rhost_matches("10.0.0.0/8", "::FFFF:10.1.2.3"));
	assert_false(policy_rhost_matches("10.0.0.0/8", "::ffff:11.1.2.3"));
	assert_true(policy_rhost_matches("::ffff:10.0.0.0/104", "10.1.2.3"));
	assert_false(policy_rhost_matches("::ffff:10.0.0.0/104", "11.1.2.3"));
}

static void rhost_families_do_not_mix(void **state)
{
	assert_false(policy_rhost_matches("0.0.0.0/0", "::1"));
	assert_false(policy_rhost_matches("::/0", "10.0.0.1"));
	assert_true(policy_rhost_matches("::/0", "2001:db8::1"));
}

static void rhost_cidr_needs_a_numeric_address(void **state)
{
	assert_false(policy_rhost_matches("10.0.0.0/8", "10.example.org"));
	assert_false(policy_rhost_matches("10.0.0.0/8", NULL));
	assert_false(policy_rhost_matches("10.0.0.0/8", ""));
	assert_false(policy_rhost_matches("10.0.0.0/33", "10.0.0.1"));
	assert_false(policy_rhost_matches("garbage/8", "10.0.0.1"));
}

static void rhost_globs_ignore_case(void **state)
{
	assert_true(policy_rhost_matches("*.lab.example.org", "pc1.LAB.Example.org"));
	assert_false(policy_rhost_matches("*.lab.example.org", "lab.example.org"));
	assert_true(policy_rhost_matches("10.0.*", "10.0.3.4"));
	assert_true(policy_rhost_matches("*", NULL));
	assert_true(policy_rhost_matches("", NULL));
	assert_false(policy_rhost_matches("?*", NULL));
	assert_false(policy_rhost_matches("host", NULL));
}

/* --- the profile --- */

static void policy_overrides_defaults_field_by_field(void **state)
{
	struct policy_login l = login_for("lab-1");
	struct profile *p = resolve(*state, &l);

	assert_true(p->sandbox);
	assert_string_equal(p->image->name, "lab");
	assert_int_equal(p->network, CFG_NETWORK_NONE);
	assert_string_equal(p->hostname, "lab-1001");
	assert_int_equal(p->rootfs, CFG_ROOTFS_TMPFS);
	assert_int_equal(p->rootfs_size, 2ull << 30); /* from defaults */
	assert_int_equal(p->n_volumes, 2);            /* from defaults */
	profile_free(p);

	l.user = "bob";
	p = resolve(*state, &l);
	assert_string_equal(p->image->name, "host");
	assert_int_equal(p->network, CFG_NETWORK_HOST);
	assert_string_equal(p->hostname, "bob-carrel");
	assert_int_equal(p->rootfs_size, 256ull << 20);
	profile_free(p);
}

static void volumes_are_expanded(void **state)
{
	struct policy_login l = login_for("bob");
	struct profile *p;

	l.home = "/home//bob/";
	p = resolve(*state, &l);
	assert_int_equal(p->n_volumes, 2);
	assert_string_equal(p->volumes[0].source, "/home/bob");
	assert_string_equal(p->volumes[0].target, "/home/bob");
	assert_false(p->volumes[0].readonly);
	assert_false(p->volumes[0].optional);
	assert_string_equal(p->volumes[1].source, "/srv/scratch/bob");
	assert_string_equal(p->volumes[1].target, "/scratch");
	assert_true(p->volumes[1].readonly);
	assert_true(p->volumes[1].optional);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(p->volumes[i].kind, CFG_VOLUME_BIND);
		assert_null(p->volumes[i].name);
		assert_int_equal(p->volumes[i].propagation, CFG_PROPAGATION_PRIVATE);
	}
	profile_free(p);
}

static void policy_volumes_replace_the_defaults(void **state)
{
	struct policy_login l = login_for("zed");
	struct profile *p;

	l.rhost = "10.0.0.1";
	l.home = "/home/zed";
	p = resolve(*state, &l);
	assert_int_equal(p->policy_index, REMOTE);
	assert_int_equal(p->n_volumes, 1);
	assert_string_equal(p->volumes[0].source, "/home/zed/pub");
	assert_string_equal(p->volumes[0].target, "/pub");
	profile_free(p);
}

static void relative_home_is_refused_with_a_clear_message(void **state)
{
	struct policy_login l = login_for("bob");
	struct cfg_diag err = {0};
	struct profile *p = NULL;

	l.home = "relative/home";
	assert_int_equal(policy_resolve(*state, &l, &p, &err), -EINVAL);
	assert_null(p);
	assert_string_equal(err.text, "volume source '%h' expands to 'relative/home' for user "
				      "'bob': not an absolute path");
	assert_int_equal(err.line, DEFAULT_HOME_VOLUME_LINE);
	assert_int_equal(policy_resolve(*state, &l, &p, NULL), -EINVAL); /* err is optional */
}

static void home_with_dotdot_is_refused(void **state)
{
	struct policy_login l = login_for("bob");
	struct cfg_diag err = {0};
	struct profile *p = NULL;

	l.home = "/home/../etc";
	assert_int_equal(policy_resolve(*state, &l, &p, &err), -EINVAL);
	assert_null(p);
	assert_non_null(strstr(err.text, "contains a '..' component"));
}

static void user_name_cannot_climb_out_of_a_path(void **state)
{
	struct policy_login l = login_for("..");
	struct cfg_diag err = {0};
	struct profile *p = NULL;
	struct cfg *c = NULL;

	assert_int_equal(
	    cfg_parse_string("defaults = { volumes = (\n"
			     "{ source = \"/srv/scratch/%u\"; target = \"/s\"; } ); };\n"
			     "policies = ( { } );\n",
			     "t.conf", &c, NULL),
	    0);
	assert_int_equal(policy_resolve(c, &l, &p, &err), -EINVAL);
	assert_null(p);
	assert_string_equal(err.text,
			    "volume source '/srv/scratch/%u' expands to '/srv/scratch/..' "
			    "for user '..': contains a '..' component");
	assert_int_equal(err.line, 2);
	l.user = "...";
	assert_int_equal(policy_resolve(c, &l, &p, &err), 0);
	assert_string_equal(p->volumes[0].source, "/srv/scratch/...");
	profile_free(p);
	cfg_free(c);
}

static void home_at_the_root_cannot_be_a_target(void **state)
{
	struct policy_login l = login_for("bob");
	struct cfg_diag err = {0};
	struct profile *p = NULL;

	l.home = "/";
	assert_int_equal(policy_resolve(*state, &l, &p, &err), -EINVAL);
	assert_null(p);
	assert_string_equal(err.text, "volume target '%h' expands to '/' for user 'bob': cannot "
				      "mount over /");
}

/* A config where everyone matches, to look at hostnames. */
static struct profile *resolve_hostname(const char *tmpl, const struct policy_login *login,
					int want)
{
	char text[256];
	struct cfg *c = NULL;
	struct cfg_diag err = {0};
	struct profile *p = NULL;

	snprintf(text, sizeof(text),
		 "defaults = { hostname = \"%s\"; volumes = (); };\n"
		 "policies = ( { } );\n",
		 tmpl);
	assert_int_equal(cfg_parse_string(text, "t.conf", &c, NULL), 0);
	assert_int_equal(policy_resolve(c, login, &p, &err), want);
	if (want < 0)
		assert_non_null(strstr(err.text, "expands to an empty name"));
	cfg_free(c);
	return p;
}

static void hostname_is_sanitised_and_truncated(void **state)
{
	char long_user[100];
	struct policy_login l = login_for("Bob_Smith");
	struct profile *p = resolve_hostname("%u-carrel", &l, 0);

	assert_string_equal(p->hostname, "Bob-Smith-carrel");
	profile_free(p);

	l.home = "/home/bob";
	l.group = "staff+x";
	p = resolve_hostname("%h.%g%%", &l, 0);
	assert_string_equal(p->hostname, "-home-bob.staff-x-");
	profile_free(p);

	memset(long_user, 'a', sizeof(long_user) - 1);
	long_user[sizeof(long_user) - 1] = '\0';
	l.user = long_user;
	p = resolve_hostname("x%u", &l, 0);
	assert_int_equal(strlen(p->hostname), 64);
	assert_memory_equal(p->hostname, "xaaaa", 5);
	profile_free(p);

	l.user = "";
	assert_null(resolve_hostname("%u", &l, -EINVAL));
}

/* --- limits, capabilities, seccomp, user namespaces --- */

#define BIT(cap) (UINT64_C(1) << (cap))

/* Policies select users "a", "b", "c"... in the configs below. */
static const char limits_conf[] =
    "defaults = {\n"
    "  limits = { memory = \"2G\"; swap = \"1G\"; pids = 512; };\n"
    "  user_limits = { memory = \"8G\"; cpu = 4; };\n"
    "};\n"
    "policies = (\n"
    "  { users = \"a\"; limits = { memory = \"4G\"; cpu = 1.5; }; },\n"
    "  { users = \"b\"; user_limits = { pids = 100; }; limits = { swap = 0; }; },\n"
    "  { users = \"c\"; limits = { pids = \"max\"; }; },\n"
    "  { users = \"d\"; },\n"
    "  { users = \"e\"; sandbox = false; limits = { pids = 9; }; }\n"
    ");\n";

/* Parse @text and resolve @user under it; the caller frees both. */
static struct profile *resolve_in(const char *text, const char *user, struct cfg **ret_cfg)
{
	struct cfg_diags diags;
	struct policy_login l = login_for(user);
	struct cfg *c = NULL;

	if (cfg_parse_string(text, "t.conf", &c, &diags) != 0)
		fail_msg("parse: line %d: %s", diags.items[0].line, diags.items[0].text);
	*ret_cfg = c;
	return resolve(c, &l);
}

static void profile_gets_the_builtin_limits_when_the_file_is_silent(void **state)
{
	struct policy_login l = login_for("lab-1");
	struct profile *p = resolve(*state, &l);

	assert_true(p->sandbox);
	assert_int_equal(p->limits.set, CFG_LIMIT_PIDS);
	assert_int_equal(p->limits.pids, 4096);
	assert_int_equal(p->limits.unlimited, 0);
	assert_int_equal(p->user_limits.set, 0);
	assert_int_equal(p->capabilities, 0);
	assert_int_equal(p->seccomp, CFG_SECCOMP_DEFAULT);
	assert_false(p->allow_userns);
	profile_free(p);
}

static void policy_limits_override_the_defaults_key_by_key(void **state)
{
	struct cfg *c = NULL;
	struct profile *p = resolve_in(limits_conf, "a", &c);

	assert_int_equal(p->limits.set,
			 CFG_LIMIT_MEMORY | CFG_LIMIT_SWAP | CFG_LIMIT_PIDS | CFG_LIMIT_CPU);
	assert_int_equal(p->limits.memory, 4ull << 30); /* the policy's */
	assert_int_equal(p->limits.cpu_milli, 1500);    /* the policy's */
	assert_int_equal(p->limits.swap, 1ull << 30);   /* the defaults' */
	assert_int_equal(p->limits.pids, 512);          /* the defaults' */
	assert_int_equal(p->user_limits.set, CFG_LIMIT_MEMORY | CFG_LIMIT_CPU);
	assert_int_equal(p->user_limits.memory, 8ull << 30);
	assert_int_equal(p->user_limits.cpu_milli, 4000);
	/* the policy itself keeps only what it gave */
	assert_int_equal(p->policy->settings.limits.set, CFG_LIMIT_MEMORY | CFG_LIMIT_CPU);
	profile_free(p);
	cfg_free(c);
}

static void policy_user_limits_merge_and_zero_swap_overrides(void **state)
{
	struct cfg *c = NULL;
	struct profile *p = resolve_in(limits_conf, "b", &c);

	assert_int_equal(p->user_limits.set, CFG_LIMIT_MEMORY | CFG_LIMIT_CPU | CFG_LIMIT_PIDS);
	assert_int_equal(p->user_limits.pids, 100);
	assert_int_equal(p->user_limits.memory, 8ull << 30);
	assert_int_equal(p->limits.set, CFG_LIMIT_MEMORY | CFG_LIMIT_SWAP | CFG_LIMIT_PIDS);
	assert_int_equal(p->limits.swap, 0); /* 0 from the policy beats the defaults' 1G */
	assert_int_equal(p->limits.memory, 2ull << 30);
	profile_free(p);
	cfg_free(c);
}

static void pids_max_in_a_policy_lifts_the_defaults_limit(void **state)
{
	struct cfg *c = NULL;
	struct profile *p = resolve_in(limits_conf, "c", &c);

	assert_int_equal(p->limits.set, CFG_LIMIT_MEMORY | CFG_LIMIT_SWAP);
	assert_int_equal(p->limits.unlimited, CFG_LIMIT_PIDS);
	profile_free(p);
	cfg_free(c);

	/* over the built-in 4096 too */
	p = resolve_in("policies = ( { limits = { pids = \"max\"; }; } );\n", "x", &c);
	assert_int_equal(p->limits.set, 0);
	assert_int_equal(p->limits.unlimited, CFG_LIMIT_PIDS);
	profile_free(p);
	cfg_free(c);
}

static void pids_max_in_defaults_is_inherited_or_overridden(void **state)
{
	static const char text[] = "defaults = { limits = { pids = \"max\"; }; };\n"
				   "policies = ( { users = \"a\"; },\n"
				   "  { users = \"b\"; limits = { pids = 100; }; } );\n";
	struct cfg *c = NULL;
	struct profile *p = resolve_in(text, "a", &c);

	assert_int_equal(p->limits.set, 0);
	assert_int_equal(p->limits.unlimited, CFG_LIMIT_PIDS);
	profile_free(p);
	cfg_free(c);

	p = resolve_in(text, "b", &c);
	assert_int_equal(p->limits.set, CFG_LIMIT_PIDS);
	assert_int_equal(p->limits.unlimited, 0); /* never both */
	assert_int_equal(p->limits.pids, 100);
	profile_free(p);
	cfg_free(c);
}

static void assert_limits_equal(const struct cfg_limits *got, const struct cfg_limits *want)
{
	assert_int_equal(got->set, want->set);
	assert_int_equal(got->unlimited, want->unlimited);
	assert_int_equal(got->memory, want->memory);
	assert_int_equal(got->swap, want->swap);
	assert_int_equal(got->pids, want->pids);
	assert_int_equal(got->cpu_milli, want->cpu_milli);
}

static void policy_without_limits_inherits_them_whole(void **state)
{
	struct cfg *c = NULL;
	struct profile *p = resolve_in(limits_conf, "d", &c);

	assert_limits_equal(&p->limits, &c->defaults.limits);
	assert_limits_equal(&p->user_limits, &c->defaults.user_limits);
	profile_free(p);
	cfg_free(c);
}

static void unsandboxed_profile_has_no_limits(void **state)
{
	struct cfg *c = NULL;
	struct profile *p = resolve_in(limits_conf, "e", &c);

	assert_false(p->sandbox);
	assert_int_equal(p->limits.set, 0);
	assert_int_equal(p->user_limits.set, 0);
	profile_free(p);
	cfg_free(c);
}

static const char privileges_conf[] =
    "defaults = { capabilities = [ \"chown\", \"kill\" ]; seccomp = \"off\"; "
    "allow_userns = true; };\n"
    "policies = (\n"
    "  { users = \"a\"; capabilities = [ \"net_bind_service\" ]; },\n"
    "  { users = \"b\"; capabilities = [ ]; seccomp = \"default\"; },\n"
    "  { users = \"c\"; allow_userns = false; },\n"
    "  { users = \"d\"; }\n"
    ");\n";

static void policy_capabilities_replace_the_defaults(void **state)
{
	struct cfg *c = NULL;
	struct profile *p = resolve_in(privileges_conf, "a", &c);

	assert_int_equal(p->capabilities, BIT(CAP_NET_BIND_SERVICE)); /* not merged */
	profile_free(p);
	cfg_free(c);

	p = resolve_in(privileges_conf, "b", &c);
	assert_int_equal(p->capabilities, 0); /* an empty list keeps none */
	profile_free(p);
	cfg_free(c);

	p = resolve_in(privileges_conf, "d", &c);
	assert_int_equal(p->capabilities, BIT(CAP_CHOWN) | BIT(CAP_KILL));
	profile_free(p);
	cfg_free(c);
}

static void policy_seccomp_and_userns_override_the_defaults(void **state)
{
	struct cfg *c = NULL;
	struct profile *p = resolve_in(privileges_conf, "b", &c);

	assert_int_equal(p->seccomp, CFG_SECCOMP_DEFAULT);
	assert_true(p->allow_userns); /* inherited */
	profile_free(p);
	cfg_free(c);

	p = resolve_in(privileges_conf, "c", &c);
	assert_int_equal(p->seccomp, CFG_SECCOMP_OFF); /* inherited */
	assert_false(p->allow_userns);
	profile_free(p);
	cfg_free(c);

	p = resolve_in(privileges_conf, "d", &c);
	assert_int_equal(p->seccomp, CFG_SECCOMP_OFF);
	assert_true(p->allow_userns);
	profile_free(p);
	cfg_free(c);
}

/* --- sessions: scope, lifetime and root file system --- */

static void profile_gets_the_builtin_session_keys(void **state)
{
	struct policy_login l = login_for("lab-1");
	struct profile *p = resolve(*state, &l);

	assert_int_equal(p->session, CFG_SESSION_LOGIN);
	assert_int_equal(p->linger_sec, 0);
	assert_int_equal(p->idle_timeout_sec, 0);
	assert_int_equal(p->stop_timeout_sec, 10);
	assert_int_equal(p->rootfs, CFG_ROOTFS_TMPFS);
	profile_free(p);
}

static const char lifetime_conf[] =
    "defaults = { session = \"user\"; linger = \"10m\"; idle_timeout = \"1h\";\n"
    "  stop_timeout = \"30s\"; rootfs = \"disk\"; };\n"
    "policies = (\n"
    "  { users = \"a\"; session = \"login\"; stop_timeout = \"1m\"; rootfs = \"persistent\"; },\n"
    "  { users = \"b\"; linger = 0; idle_timeout = \"2d\"; },\n"
    "  { users = \"c\"; }\n"
    ");\n";

static void policy_session_keys_override_the_defaults_one_by_one(void **state)
{
	struct cfg *c = NULL;
	struct profile *p = resolve_in(lifetime_conf, "a", &c);

	assert_int_equal(p->session, CFG_SESSION_LOGIN); /* the policy's */
	assert_int_equal(p->stop_timeout_sec, 60);       /* the policy's */
	assert_int_equal(p->rootfs, CFG_ROOTFS_PERSISTENT);
	assert_int_equal(p->linger_sec, 600);        /* the defaults' */
	assert_int_equal(p->idle_timeout_sec, 3600); /* the defaults' */
	profile_free(p);
	cfg_free(c);

	p = resolve_in(lifetime_conf, "b", &c);
	assert_int_equal(p->session, CFG_SESSION_USER);
	assert_int_equal(p->linger_sec, 0); /* 0 from the policy beats the defaults' 10m */
	assert_int_equal(p->idle_timeout_sec, 2 * 86400);
	assert_int_equal(p->stop_timeout_sec, 30);
	assert_int_equal(p->rootfs, CFG_ROOTFS_DISK);
	profile_free(p);
	cfg_free(c);

	p = resolve_in(lifetime_conf, "c", &c);
	assert_int_equal(p->session, CFG_SESSION_USER);
	assert_int_equal(p->linger_sec, 600);
	assert_int_equal(p->idle_timeout_sec, 3600);
	assert_int_equal(p->stop_timeout_sec, 30);
	assert_int_equal(p->rootfs, CFG_ROOTFS_DISK);
	profile_free(p);
	cfg_free(c);
}

/* --- volume kinds --- */

static const char volume_kinds_conf[] =
    "defaults = { volumes = (\n"
    "  { source = \"%h\"; target = \"%h\"; },\n"
    "  { name = \"scratch\"; target = \"/scratch\"; },\n"
    "  { target = \"/cache\"; },\n"
    "  { source = \"/nfs/%u\"; target = \"/nfs/%u\"; propagation = \"slave\"; readonly = true; "
    "}\n"
    "); };\n"
    "policies = (\n"
    "  { users = \"p\"; volumes = (\n"
    "    { name = \"data\"; target = \"%h/data\"; readonly = true; propagation = \"slave\"; },\n"
    "    { target = \"/tmp/%u\"; } ); },\n"
    "  { }\n"
    ");\n";

static void every_volume_kind_is_resolved(void **state)
{
	struct cfg *c = NULL;
	struct profile *p = resolve_in(volume_kinds_conf, "bob", &c);
	const struct profile_volume *v = p->volumes;

	assert_int_equal(p->n_volumes, 4);
	assert_int_equal(v[0].kind, CFG_VOLUME_BIND);
	assert_string_equal(v[0].source, "/home/x");
	assert_null(v[0].name);
	assert_string_equal(v[0].target, "/home/x");
	assert_int_equal(v[0].propagation, CFG_PROPAGATION_PRIVATE);

	assert_int_equal(v[1].kind, CFG_VOLUME_NAMED);
	assert_null(v[1].source);
	assert_string_equal(v[1].name, "scratch");
	assert_string_equal(v[1].target, "/scratch");
	assert_false(v[1].readonly);
	assert_false(v[1].optional);
	assert_int_equal(v[1].propagation, CFG_PROPAGATION_PRIVATE);

	assert_int_equal(v[2].kind, CFG_VOLUME_ANONYMOUS);
	assert_null(v[2].source);
	assert_null(v[2].name);
	assert_string_equal(v[2].target, "/cache");

	assert_int_equal(v[3].kind, CFG_VOLUME_BIND);
	assert_string_equal(v[3].source, "/nfs/bob");
	assert_string_equal(v[3].target, "/nfs/bob");
	assert_true(v[3].readonly);
	assert_int_equal(v[3].propagation, CFG_PROPAGATION_SLAVE);
	profile_free(p);
	cfg_free(c);
}

static void named_and_anonymous_targets_are_expanded(void **state)
{
	struct cfg *c = NULL;
	struct profile *p = resolve_in(volume_kinds_conf, "p", &c);
	const struct profile_volume *v = p->volumes;

	assert_int_equal(p->n_volumes, 2); /* the policy's list replaces the defaults' */
	assert_int_equal(v[0].kind, CFG_VOLUME_NAMED);
	assert_string_equal(v[0].name, "data");
	assert_string_equal(v[0].target, "/home/x/data");
	assert_true(v[0].readonly);
	assert_int_equal(v[0].propagation, CFG_PROPAGATION_SLAVE);
	assert_int_equal(v[1].kind, CFG_VOLUME_ANONYMOUS);
	assert_null(v[1].source);
	assert_string_equal(v[1].target, "/tmp/p");
	profile_free(p);
	cfg_free(c);
}

static void named_and_anonymous_targets_are_checked_after_expansion(void **state)
{
	struct policy_login l = login_for("p");
	struct cfg_diag err = {0};
	struct profile *p = NULL;
	struct cfg *c = NULL;

	assert_int_equal(cfg_parse_string(volume_kinds_conf, "t.conf", &c, NULL), 0);
	l.home = "relative";
	assert_int_equal(policy_resolve(c, &l, &p, &err), -EINVAL);
	assert_null(p);
	assert_string_equal(err.text, "volume target '%h/data' expands to 'relative/data' for "
				      "user 'p': not an absolute path");
	assert_int_equal(err.line, 9);

	l.home = "/home/p";
	l.user = ".."; /* under the defaults' volumes */
	assert_int_equal(policy_resolve(c, &l, &p, &err), -EINVAL);
	assert_string_equal(err.text, "volume source '/nfs/%u' expands to '/nfs/..' for user "
				      "'..': contains a '..' component");
	assert_int_equal(err.line, 5);
	cfg_free(c);

	assert_int_equal(cfg_parse_string("defaults = { volumes = (\n"
					  "  { target = \"/srv/%u\"; } ); };\n"
					  "policies = ( { } );\n",
					  "t.conf", &c, NULL),
			 0);
	assert_int_equal(policy_resolve(c, &l, &p, &err), -EINVAL);
	assert_null(p);
	assert_string_equal(err.text, "volume target '/srv/%u' expands to '/srv/..' for user "
				      "'..': contains a '..' component");
	assert_int_equal(err.line, 2);
	cfg_free(c);
}

/* --- policy_expand --- */

static void expand_knows_every_code(void **state)
{
	struct policy_login l = login_for("bob");
	char *s = NULL;

	l.uid = 4294967294u;
	l.home = "/home/bob";
	l.group = "staff";
	assert_int_equal(policy_expand("u=%u h=%h U=%U g=%g %%=%% plain", &l, &s), 0);
	assert_string_equal(s, "u=bob h=/home/bob U=4294967294 g=staff %=% plain");
	free(s);
	l.uid = 0;
	assert_int_equal(policy_expand("%U%U", &l, &s), 0);
	assert_string_equal(s, "00");
	free(s);
	assert_int_equal(policy_expand("", &l, &s), 0);
	assert_string_equal(s, "");
	free(s);
}

static void expand_treats_missing_values_as_empty(void **state)
{
	struct policy_login l = login_for("bob");
	char *s = NULL;

	l.home = NULL;
	l.group = NULL;
	assert_int_equal(policy_expand("[%h][%g]", &l, &s), 0);
	assert_string_equal(s, "[][]");
	free(s);
}

static void expand_rejects_unknown_and_trailing_percent(void **state)
{
	struct policy_login l = login_for("bob");
	static const char *const bad[] = {"%x", "/home/%H", "%", "abc%", "%%%", "%n"};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *s = (char *)"untouched";

		if (policy_expand(bad[i], &l, &s) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
		assert_string_equal(s, "untouched");
	}
}

/* --- policy_describe --- */

static void describe_names_number_name_and_line(void **state)
{
	struct policy_login l = login_for("lab-1");
	struct profile *p = resolve(*state, &l);
	char buf[64];

	assert_string_equal(policy_describe(*state, p, buf, sizeof(buf)),
			    "#2 'lab' (carrel.conf:10)");
	profile_free(p);

	l.rhost = "10.0.0.1";
	l.user = "zed";
	p = resolve(*state, &l);
	assert_string_equal(policy_describe(*state, p, buf, sizeof(buf)), "#3 (carrel.conf:12)");
	assert_string_equal(policy_describe(*state, p, buf, 4), "#3 ");
	profile_free(p);
	assert_string_equal(policy_describe(*state, NULL, buf, sizeof(buf)), "none");
	profile_free(NULL);
}

#define CFG_TEST(t) cmocka_unit_test_setup_teardown(t, setup_cfg, teardown_cfg)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    CFG_TEST(first_match_wins),
	    CFG_TEST(no_match_means_no_sandbox),
	    CFG_TEST(sandbox_false_lets_the_login_through),
	    CFG_TEST(every_criterion_must_match),
	    CFG_TEST(any_pattern_of_a_criterion_may_match),
	    CFG_TEST(user_patterns_are_globs),
	    CFG_TEST(group_globs_match_any_group),
	    CFG_TEST(primary_group_counts_even_when_not_listed),
	    CFG_TEST(service_patterns_are_globs),
	    CFG_TEST(missing_service_matches_only_an_empty_pattern),
	    CFG_TEST(rhost_globs_and_networks_select_a_policy),
	    cmocka_unit_test(rhost_cidr_matches_ipv4),
	    cmocka_unit_test(rhost_cidr_matches_ipv6),
	    cmocka_unit_test(rhost_mapped_ipv6_matches_ipv4_networks),
	    cmocka_unit_test(rhost_families_do_not_mix),
	    cmocka_unit_test(rhost_cidr_needs_a_numeric_address),
	    cmocka_unit_test(rhost_globs_ignore_case),
	    CFG_TEST(policy_overrides_defaults_field_by_field),
	    CFG_TEST(volumes_are_expanded),
	    CFG_TEST(policy_volumes_replace_the_defaults),
	    CFG_TEST(relative_home_is_refused_with_a_clear_message),
	    CFG_TEST(home_with_dotdot_is_refused),
	    CFG_TEST(user_name_cannot_climb_out_of_a_path),
	    CFG_TEST(home_at_the_root_cannot_be_a_target),
	    CFG_TEST(profile_gets_the_builtin_limits_when_the_file_is_silent),
	    cmocka_unit_test(policy_limits_override_the_defaults_key_by_key),
	    cmocka_unit_test(policy_user_limits_merge_and_zero_swap_overrides),
	    cmocka_unit_test(pids_max_in_a_policy_lifts_the_defaults_limit),
	    cmocka_unit_test(pids_max_in_defaults_is_inherited_or_overridden),
	    cmocka_unit_test(policy_without_limits_inherits_them_whole),
	    cmocka_unit_test(unsandboxed_profile_has_no_limits),
	    cmocka_unit_test(policy_capabilities_replace_the_defaults),
	    cmocka_unit_test(policy_seccomp_and_userns_override_the_defaults),
	    CFG_TEST(profile_gets_the_builtin_session_keys),
	    cmocka_unit_test(policy_session_keys_override_the_defaults_one_by_one),
	    cmocka_unit_test(every_volume_kind_is_resolved),
	    cmocka_unit_test(named_and_anonymous_targets_are_expanded),
	    cmocka_unit_test(named_and_anonymous_targets_are_checked_after_expansion),
	    cmocka_unit_test(hostname_is_sanitised_and_truncated),
	    cmocka_unit_test(expand_knows_every_code),
	    cmocka_unit_test(expand_treats_missing_values_as_empty),
	    cmocka_unit_test(expand_rejects_unknown_and_trailing_percent),
	    CFG_TEST(describe_names_number_name_and_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
