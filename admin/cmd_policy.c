/* carrel policy explain: which policy a login would match, and what session it would get.
 * The answer an admin needs before enabling the module. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "admin/commands.h"
#include "common/decide.h"
#include "common/identity.h"
#include "common/log.h"
#include "config/capnames.h"
#include "config/config.h"
#include "config/policy.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: carrel policy explain --user USER [--service NAME] [--rhost HOST]\n"
		     "                             [-c FILE]\n"
		     "\n"
		     "Show which policy of the config (default " CARREL_CONFIG_PATH ")\n"
		     "a login of USER through PAM service NAME from HOST matches, and the\n"
		     "settings of the session it would get.\n"
		     "\n"
		     "  -u, --user USER      the user logging in\n"
		     "  -s, --service NAME   the PAM service (sshd, su-l, login, ...)\n"
		     "  -r, --rhost HOST     the remote host or address (none: a local login)\n"
		     "  -c, --config FILE    the config to read\n"
		     "  -h, --help           show this help\n");
}

static const char *format_size(uint64_t bytes, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%" PRIu64 " bytes", bytes);
	else
		snprintf(buf, size, "%" PRIu64 "%c", bytes, units[u]);
	return buf;
}

static void print_login(const struct identity *who, const char *service, const char *rhost)
{
	printf("user:      %s (uid %u, gid %u, groups:", who->user, (unsigned)who->uid,
	       (unsigned)who->gid);
	for (size_t i = 0; i < who->n_groups; i++)
		printf(" %s", who->groups[i]);
	printf(")\nservice:   %s\nrhost:     %s\n", service ? service : "(none)",
	       rhost ? rhost : "(none: a local login)");
}

/* "memory 1G, swap none, pids 1024, cpu 1.5", or "none". */
static void print_limits(const char *label, const struct cfg_limits *l)
{
	char size[32];
	const char *sep = "";

	printf("%s", label);
	if (l->set & CFG_LIMIT_MEMORY) {
		printf("memory %s", format_size(l->memory, size, sizeof(size)));
		sep = ", ";
	}
	if (l->set & CFG_LIMIT_SWAP) {
		printf("%sswap %s", sep,
		       l->swap ? format_size(l->swap, size, sizeof(size)) : "none");
		sep = ", ";
	}
	if (l->unlimited & CFG_LIMIT_PIDS) { /* "max": no limit, said so explicitly */
		printf("%spids max", sep);
		sep = ", ";
	} else if (l->set & CFG_LIMIT_PIDS) {
		printf("%spids %" PRIu64, sep, l->pids);
		sep = ", ";
	}
	if (l->set & CFG_LIMIT_CPU) {
		printf("%scpu %g", sep, (double)l->cpu_milli / 1000);
		sep = ", ";
	}
	printf("%s\n", *sep ? "" : "none");
}

static void print_confinement(const struct profile *p)
{
	char caps[512];

	if (p->capabilities == 0)
		snprintf(caps, sizeof(caps), "none");
	else if (cfg_capabilities_format(p->capabilities, caps, sizeof(caps)) < 0)
		snprintf(caps, sizeof(caps), "(too many to list)");
	printf("caps:      %s\n", caps);
	printf("seccomp:   %s, user namespaces %s\n", cfg_seccomp_name(p->seccomp),
	       p->allow_userns ? "allowed" : "refused");
}

static void print_settings(const struct profile *p)
{
	const struct cfg_image *img = p->image;
	char size[32];

	printf("image:     %s (%s%s%s)\n", img->name, cfg_image_type_name(img->type),
	       img->path ? " " : "", img->path ? img->path : "");
	printf("hostname:  %s\n", p->hostname);
	printf("network:   %s\n", cfg_network_name(p->network));
	printf("rootfs:    %s, at most %s\n", cfg_rootfs_name(p->rootfs),
	       format_size(p->rootfs_size, size, sizeof(size)));
	printf("session:   %s", cfg_session_scope_name(p->session));
	if (p->session == CFG_SESSION_USER)
		printf(", lingers %llus", (unsigned long long)p->linger_sec);
	if (p->idle_timeout_sec)
		printf(", idle timeout %llus", (unsigned long long)p->idle_timeout_sec);
	printf(", stop grace %llus\n", (unsigned long long)p->stop_timeout_sec);
	if (p->n_volumes == 0)
		printf("volumes:   (none)\n");
	for (size_t i = 0; i < p->n_volumes; i++) {
		const struct profile_volume *v = &p->volumes[i];

		char source[300];

		if (v->kind == CFG_VOLUME_NAMED)
			snprintf(source, sizeof(source), "volume '%s'", v->name);
		else if (v->kind == CFG_VOLUME_ANONYMOUS)
			snprintf(source, sizeof(source), "(anonymous)");
		else
			snprintf(source, sizeof(source), "%s", v->source);
		printf("%s%s -> %s (%s%s%s)\n", i ? "           " : "volumes:   ", source,
		       v->target, v->readonly ? "read-only" : "read-write",
		       v->optional ? ", optional" : "",
		       v->propagation == CFG_PROPAGATION_SLAVE ? ", slave" : "");
	}
	print_limits("limits:    ", &p->limits);
	print_limits("per user:  ", &p->user_limits); /* all their sessions together */
	print_confinement(p);
}

static int explain(const char *config, const char *user, const char *service, const char *rhost)
{
	struct decision d;
	char why[512], policy[200];
	int r;

	r = decide(config, user, service, rhost, &d, why, sizeof(why));
	if (r < 0) {
		log_error("%s", why);
		return EXIT_FAIL;
	}
	print_login(d.who, service, rhost);
	printf("policy:    %s\n", d.profile->policy
				      ? policy_describe(d.cfg, d.profile, policy, sizeof(policy))
				      : "none matched");
	if (!d.profile->sandbox)
		printf("sandbox:   no: pam_carrel leaves this login alone (PAM_IGNORE)\n");
	else {
		printf("sandbox:   yes\n");
		print_settings(d.profile);
	}
	decision_free(&d);
	return EXIT_OK;
}

int cmd_policy(int argc, char **argv)
{
	static const struct option options[] = {
	    {"user", required_argument, NULL, 'u'},  {"service", required_argument, NULL, 's'},
	    {"rhost", required_argument, NULL, 'r'}, {"config", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},        {},
	};
	const char *config = CARREL_CONFIG_PATH, *user = NULL, *service = NULL, *rhost = NULL;
	int opt;

	if (argc < 2 || strcmp(argv[1], "explain") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			usage(stdout);
			return EXIT_OK;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	argv++;
	argc--;
	while ((opt = getopt_long(argc, argv, "u:s:r:c:h", options, NULL)) != -1) {
		switch (opt) {
		case 'u':
			user = optarg;
			break;
		case 's':
			service = optarg;
			break;
		case 'r':
			rhost = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!user || optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return explain(config, user, service, rhost);
}
