/* carrel image build: see image/build.h. Here: options, signals, and the steps as docker's
 * classic builder prints them ("Step 2/5 : RUN ...", " ---> cached", " ---> <id>"), on stdout,
 * with RUN's own output in between. A RUN that fails ends carrel with its exit status. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "admin/commands.h"
#include "admin/image_cmds.h"
#include "admin/interrupt.h"
#include "admin/units.h"
#include "common/cleanup.h"
#include "common/image_record.h"
#include "common/log.h"
#include "image/build.h"
#include "image/error.h"

#define EXIT_INTERRUPTED 130

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: carrel image build -t NAME [-f FILE] [--no-cache] [--network host|none]\n"
	    "                          [--quiet] CONTEXT\n"
	    "\n"
	    "Build the image NAME from a Dockerfile, one layer per RUN, COPY and ADD, on a\n"
	    "stored image (FROM NAME) or on nothing (FROM scratch). RUN runs in a sandbox on\n"
	    "the image so far; COPY and ADD read from the directory CONTEXT. Steps done before\n"
	    "on the same image are taken from the build cache. An image NAME already there\n"
	    "is replaced, unless a session uses it. A RUN that fails ends the build, with\n"
	    "its exit status.\n"
	    "\n"
	    "  -t, --tag NAME        the image's name in the store\n"
	    "  -f, --file FILE       the Dockerfile (default CONTEXT/Dockerfile)\n"
	    "      --no-cache        make every step anew\n"
	    "      --network MODE    RUN on the host's network (host, the default), or in a\n"
	    "                        network of its own with loopback only (none)\n"
	    "  -q, --quiet           print only warnings, errors, RUN's output and the id\n"
	    "  -h, --help            show this help\n");
}

enum { OPT_NO_CACHE = 256, OPT_NETWORK };

static int parse_network(const char *mode, struct build_request *req)
{
	if (strcmp(mode, "host") != 0 && strcmp(mode, "none") != 0) {
		log_error("--network: '%s' is neither host nor none", mode);
		return -EINVAL;
	}
	req->host_network = strcmp(mode, "host") == 0;
	return 0;
}

static int parse(int argc, char **argv, struct build_request *req, bool *quiet)
{
	static const struct option options[] = {
	    {"tag", required_argument, NULL, 't'},
	    {"file", required_argument, NULL, 'f'},
	    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
	    {"network", required_argument, NULL, OPT_NETWORK},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "t:f:qh", options, NULL)) != -1) {
		if (opt == 't')
			req->name = optarg;
		else if (opt == 'f')
			req->dockerfile = optarg;
		else if (opt == OPT_NO_CACHE)
			req->no_cache = true;
		else if (opt == OPT_NETWORK && parse_network(optarg, req) == 0)
			continue;
		else if (opt == 'q')
			*quiet = true;
		else if (opt == 'h')
			return 1;
		else /* an unknown option, or a bad --network */
			return -EINVAL;
	}
	if (optind + 1 != argc || !req->name)
		return -EINVAL;
	req->context = argv[optind];
	return 0;
}

/* ---- what the build says as it goes ---- */

static void say(const char *line)
{
	fputs(line, stdout);
	fflush(stdout);
}

static void waiting(void *data)
{
	(void)data;
	fputs("waiting for another import, build or removal to finish\n", stderr);
}

static void step(void *data, size_t n, size_t count, const char *instruction)
{
	(void)data;
	printf("Step %zu/%zu : %s\n", n, count, instruction);
	fflush(stdout);
}

static void cached(void *data)
{
	(void)data;
	say(" ---> cached\n");
}

static void running(void *data)
{
	(void)data;
	say(" ---> running in a build sandbox\n");
}

static void layer(void *data, const char *diff_id, uint64_t size)
{
	char hex[13], text[32];

	(void)data;
	printf(" ---> new layer %s (%s)\n", image_digest_short(diff_id, hex),
	       units_size_si(size, text, sizeof(text)));
	fflush(stdout);
}

static void done(void *data, const char *id)
{
	char hex[13];

	(void)data;
	printf(" ---> %s\n", image_digest_short(id, hex));
	fflush(stdout);
}

static void warning(void *data, const char *text)
{
	(void)data;
	fflush(stdout);
	fprintf(stderr, "carrel: warning: %s\n", text);
}

static int report(const struct build_request *req, const struct build_result *res, bool quiet)
{
	const struct image_record *r = res->record;

	if (quiet) {
		printf("%s\n", r->config.digest);
		return EXIT_OK;
	}
	if (res->replaced && strcmp(res->old_id, r->config.digest) != 0)
		printf("replaced image '%s' %s\n", req->name, res->old_id);
	printf("built image '%s' %s (%zu layer%s, %zu new)\n", req->name, r->config.digest,
	       r->n_layers, r->n_layers == 1 ? "" : "s", res->new_layers);
	return EXIT_OK;
}

int image_cmd_build(int argc, char **argv)
{
	struct build_ui ui = {.waiting = waiting,
			      .step = step,
			      .cached = cached,
			      .running = running,
			      .layer = layer,
			      .done = done,
			      .warning = warning};
	struct build_request req = {
	    .host_network = true, .interrupted = &interrupt_requested, .ui = &ui};
	struct build_result res = {0};
	struct image_error e = {""};
	bool quiet = false;
	int r;

	r = parse(argc, argv, &req, &quiet);
	if (r != 0) {
		usage(r > 0 ? stdout : stderr);
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	}
	if (quiet)
		ui = (struct build_ui){.waiting = waiting, .warning = warning};
	interrupt_catch();
	r = image_build(&req, &res, &e);
	fflush(stdout);
	if (r < 0) {
		log_error("cannot build '%s': %s", req.name, e.text);
		if (r == -ECANCELED && res.run_status > 0)
			return res.run_status;
		return r == -EINTR ? EXIT_INTERRUPTED : EXIT_FAIL;
	}
	r = report(&req, &res, quiet);
	image_record_free(res.record);
	return r;
}
