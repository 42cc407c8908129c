/* image/buildstep.c: one instruction of a build (see build.h): what it does to the config,
 * its cache key, its layer from the cache or made anew, and its history entry, whose
 * created_by says it as docker does:
 *   RUN            "/bin/sh -c CMD" (the exec form: its words)
 *   COPY, ADD      "/bin/sh -c #(nop) COPY [--chown=U:G ]file:<hex> in DEST " (dir:, multi:)
 *   WORKDIR        "/bin/sh -c #(nop) WORKDIR DIR"
 *   the others     "/bin/sh -c #(nop)  ENV K=V ...", LABEL, USER, CMD ["a" "b"], ENTRYPOINT,
 *                  EXPOSE 80/tcp */
#include <ctype.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/build_cache.h"
#include "common/cleanup.h"
#include "common/image_store.h"
#include "image/build_int.h"
#include "image/buildconf.h"
#include "image/buildcopy.h"
#include "image/dfwords.h"
#include "image/digest.h"
#include "image/error.h"
#include "image/users.h"

#define NOP "/bin/sh -c #(nop) "
#define CACHE_VERSION "carrel-build-cache-1"

struct step {
	struct build *b;
	const struct df_instr *in;
	char **env;                         /* the Env the instruction sees */
	char *created_by;                   /* for the history */
	char content[IMAGE_DIGEST_LEN + 1]; /* COPY, ADD: what they read; else "" */
	bool makes_layer;
	char **argv;  /* RUN */
	char **words; /* COPY, ADD: sources, then the destination */
	char *dest;   /* COPY, ADD: absolute */
	char *chown;  /* COPY, ADD: --chown as expanded, or NULL */
	struct copy_request copy;
	const char *kind; /* COPY, ADD: "file", "dir", "multi" */
};

static int fail(struct step *s, int r, const char *what)
{
	return image_fail(s->b->e, r, "%s:%d: %s: %s", s->b->df.name, s->in->line, s->in->name,
			  what);
}

static int oom(struct step *s)
{
	return image_fail(s->b->e, -ENOMEM, "out of memory");
}

/* ---- text ---- */

struct text {
	char *s;
	size_t n;
	bool failed;
};

static void add(struct text *t, const char *s)
{
	size_t len = strlen(s);
	char *grown = t->failed ? NULL : realloc(t->s, t->n + len + 1);

	if (!grown) {
		t->failed = true;
		return;
	}
	memcpy(grown + t->n, s, len + 1);
	t->s = grown;
	t->n += len;
}

/* A word as Go's %q writes it (docker's CMD ["a" "b"]). */
static void add_quoted(struct text *t, const char *s)
{
	char c[8];

	add(t, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			snprintf(c, sizeof(c), "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			snprintf(c, sizeof(c), "\\x%02x", (unsigned char)*s);
		else
			snprintf(c, sizeof(c), "%c", *s);
		add(t, c);
	}
	add(t, "\"");
}

static int take_text(struct step *s, struct text *t)
{
	if (t->failed) {
		free(t->s);
		return oom(s);
	}
	free(s->created_by);
	s->created_by = t->s;
	return 0;
}

/* "/a/b/../c" and relative paths against @base, lexically, to a clean absolute path. */
static int absolute(const char *base, const char *path, char **ret)
{
	autofree char *joined = NULL;
	char *out;
	size_t used = 0;

	if (asprintf(&joined, "%s/%s", path[0] == '/' ? "" : base, path) < 0)
		return -ENOMEM;
	out = calloc(1, strlen(joined) + 2);
	if (!out)
		return -ENOMEM;
	for (const char *p = joined; *(p += strspn(p, "/"));) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (used > 0 && out[--used] != '/')
				;
		} else if (!(n == 1 && p[0] == '.')) {
			out[used++] = '/';
			memcpy(out + used, p, n);
			used += n;
		}
		out[used] = '\0';
		p += n;
	}
	if (!used)
		strcpy(out, "/");
	*ret = out;
	return 0;
}

/* ---- config instructions ---- */

static int env_or_label(struct step *s, bool is_env)
{
	char **keys = NULL, **values = NULL;
	struct text t = {0};
	int n, r = 0;

	n = dfwords_pairs(s->in->args, s->env, &keys, &values);
	if (n < 0)
		return fail(s, n, n == -ENOMEM ? "out of memory" : "malformed KEY=VALUE pairs");
	add(&t, is_env ? NOP " ENV" : NOP " LABEL");
	for (int i = 0; r >= 0 && i < n; i++) {
		r = is_env ? buildconf_set_env(s->b->config, keys[i], values[i])
			   : buildconf_set_label(s->b->config, keys[i], values[i]);
		add(&t, " ");
		add(&t, keys[i]);
		add(&t, "=");
		add(&t, values[i]);
	}
	dfwords_free(keys);
	dfwords_free(values);
	if (r < 0) {
		free(t.s);
		return fail(s, r, "cannot change the config");
	}
	return take_text(s, &t);
}

static int one_value(struct step *s, char **ret)
{
	int r = dfwords_expand(s->in->args, s->env, ret);

	if (r < 0)
		return fail(s, r, "unterminated quote or malformed ${...}");
	if (!(*ret)[0])
		return fail(s, -EINVAL, "it expands to nothing");
	return 0;
}

static int workdir(struct step *s)
{
	autofree char *value = NULL, *dir = NULL;
	struct text t = {0};
	int r = one_value(s, &value);

	if (r < 0)
		return r;
	r = absolute(buildconf_string(s->b->config, "WorkingDir")[0]
			 ? buildconf_string(s->b->config, "WorkingDir")
			 : "/",
		     value, &dir);
	if (r >= 0)
		r = buildconf_set_string(s->b->config, "WorkingDir", dir);
	if (r < 0)
		return oom(s);
	add(&t, NOP "WORKDIR ");
	add(&t, dir);
	return take_text(s, &t);
}

static int user(struct step *s)
{
	autofree char *value = NULL;
	struct text t = {0};
	int r = one_value(s, &value);

	if (r < 0)
		return r;
	if (buildconf_set_string(s->b->config, "User", value) < 0)
		return oom(s);
	add(&t, NOP " USER ");
	add(&t, value);
	return take_text(s, &t);
}

/* The exec form's words, or the shell form's /bin/sh -c ARGS. */
static char **argv_of(const struct df_instr *in)
{
	char **argv;
	size_t n = 0;

	while (in->json && in->json[n])
		n++;
	argv = calloc((in->json ? n : 3) + 1, sizeof(*argv));
	for (size_t i = 0; argv && i < (in->json ? n : 3); i++) {
		argv[i] = strdup(in->json ? in->json[i]
				 : i == 0 ? "/bin/sh"
				 : i == 1 ? "-c"
					  : in->args);
		if (!argv[i]) {
			dfwords_free(argv);
			return NULL;
		}
	}
	return argv;
}

static int cmd_or_entrypoint(struct step *s, bool is_cmd)
{
	char **argv = argv_of(s->in);
	struct text t = {0};
	int r;

	if (!argv)
		return oom(s);
	r = buildconf_set_argv(s->b->config, is_cmd ? "Cmd" : "Entrypoint", argv);
	/* As docker: an ENTRYPOINT drops the CMD the base image had, not one set here. */
	if (!is_cmd && !s->b->cmd_set)
		buildconf_unset(s->b->config, "Cmd");
	s->b->cmd_set |= is_cmd;
	add(&t, is_cmd ? NOP " CMD [" : NOP " ENTRYPOINT [");
	for (size_t i = 0; argv[i]; i++) {
		add(&t, i ? " " : "");
		add_quoted(&t, argv[i]);
	}
	add(&t, "]");
	dfwords_free(argv);
	if (r < 0) {
		free(t.s);
		return oom(s);
	}
	return take_text(s, &t);
}

/* "80" is "80/tcp"; "53/udp", "8000-8010/tcp" as they are. */
static int port(struct step *s, const char *word, char *out, size_t size)
{
	size_t digits = strspn(word, "0123456789"), more = 0;
	const char *proto = "tcp";

	if (word[digits] == '-')
		more = 1 + strspn(word + digits + 1, "0123456789");
	if (digits == 0 || more == 1 || digits > 5)
		return fail(s, -EINVAL, "expected PORT[-PORT][/PROTOCOL]");
	if (word[digits + more] == '/')
		proto = word + digits + more + 1;
	else if (word[digits + more])
		return fail(s, -EINVAL, "expected PORT[-PORT][/PROTOCOL]");
	if (strcasecmp(proto, "tcp") != 0 && strcasecmp(proto, "udp") != 0 &&
	    strcasecmp(proto, "sctp") != 0)
		return fail(s, -EINVAL, "the protocol is tcp, udp or sctp");
	snprintf(out, size, "%.*s/%s", (int)(digits + more), word, proto);
	for (char *p = strchr(out, '/'); *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

static int expose(struct step *s)
{
	char **words = NULL;
	struct text t = {0};
	int n = dfwords_split(s->in->args, s->env, &words), r = 0;

	if (n < 0)
		return fail(s, n, "unterminated quote or malformed ${...}");
	add(&t, NOP " EXPOSE");
	for (int i = 0; r >= 0 && i < n; i++) {
		char text[64];

		r = port(s, words[i], text, sizeof(text));
		if (r >= 0 && buildconf_expose(s->b->config, text) < 0)
			r = oom(s);
		add(&t, " ");
		add(&t, text);
	}
	dfwords_free(words);
	if (r < 0) {
		free(t.s);
		return r;
	}
	return take_text(s, &t);
}

/* ---- RUN, COPY, ADD ---- */

static int run(struct step *s)
{
	struct text t = {0};

	s->argv = argv_of(s->in);
	if (!s->argv)
		return oom(s);
	s->makes_layer = true;
	if (s->in->json) {
		for (size_t i = 0; s->argv[i]; i++) {
			add(&t, i ? " " : "");
			add(&t, s->argv[i]);
		}
	} else {
		add(&t, "/bin/sh -c ");
		add(&t, s->in->args);
	}
	return take_text(s, &t);
}

static int copy_created_by(struct step *s)
{
	struct text t = {0};

	add(&t, NOP);
	add(&t, s->in->name);
	add(&t, " ");
	if (s->chown) {
		add(&t, "--chown=");
		add(&t, s->chown);
		add(&t, " ");
	}
	add(&t, s->kind);
	add(&t, ":");
	add(&t, s->content + 7);
	add(&t, " in ");
	add(&t, s->dest);
	add(&t, " ");
	return take_text(s, &t);
}

/* The words of COPY/ADD, expanded: the exec form's each on its own, else split. */
static int copy_words(struct step *s)
{
	size_t n = 0;
	int r = 0;

	if (!s->in->json) {
		int k = dfwords_split(s->in->args, s->env, &s->words);

		return k < 0 ? fail(s, k, "unterminated quote or malformed ${...}") : k;
	}
	while (s->in->json[n])
		n++;
	s->words = calloc(n + 1, sizeof(*s->words));
	for (size_t i = 0; s->words && r >= 0 && i < n; i++)
		r = dfwords_expand(s->in->json[i], s->env, &s->words[i]);
	if (!s->words || r == -ENOMEM)
		return oom(s);
	return r < 0 ? fail(s, r, "malformed ${...}") : (int)n;
}

static int copy_owner(struct step *s, int view_fd)
{
	struct image_user u;
	char why[300];
	int r;

	if (!s->in->chown)
		return 0;
	r = dfwords_expand(s->in->chown, s->env, &s->chown);
	if (r >= 0)
		r = users_resolve(view_fd, s->chown, USERS_FOR_CHOWN, &u, why, sizeof(why));
	if (r < 0)
		return fail(s, r, r == -ENOMEM ? "out of memory" : why);
	s->copy.chown = true;
	s->copy.uid = u.uid;
	s->copy.gid = u.gid;
	return 0;
}

static int copy(struct step *s)
{
	const char *wd = buildconf_string(s->b->config, "WorkingDir");
	autoclose int view_fd = -1;
	const char *last;
	int n, r;

	n = copy_words(s);
	if (n < 0)
		return n;
	if (n < 2)
		return fail(s, -EINVAL, "it needs a source and a destination");
	last = s->words[n - 1];
	r = absolute(wd[0] ? wd : "/", last, &s->dest);
	/* "dest/" says the destination is a directory: the slash stays. */
	if (r >= 0 && last[strlen(last) - 1] == '/' && strcmp(s->dest, "/") != 0) {
		autofree char *dir = take_ptr(s->dest);

		r = asprintf(&s->dest, "%s/", dir) < 0 ? -ENOMEM : 0;
	}
	if (r < 0)
		return oom(s);
	free(s->words[n - 1]);
	s->words[n - 1] = NULL;
	view_fd = build_view(s->b);
	if (view_fd < -1)
		return view_fd;
	r = copy_owner(s, view_fd);
	if (r < 0)
		return r;
	s->copy = (struct copy_request){
	    .context_fd = s->b->context_fd,
	    .sources = s->words,
	    .dest = s->dest,
	    .is_add = s->in->kind == DF_ADD,
	    .chown = s->copy.chown,
	    .uid = s->copy.uid,
	    .gid = s->copy.gid,
	    .lower_fd = view_fd,
	    .layer_fd = -1,
	    .io = &s->b->io,
	    .warn = build_warn,
	    .warn_data = s->b,
	};
	r = buildcopy(&s->copy, s->content, &s->kind, s->b->e);
	if (r < 0)
		return image_fail_context(s->b->e, r, "%s:%d: %s", s->b->df.name, s->in->line,
					  s->in->name);
	s->makes_layer = true;
	return copy_created_by(s);
}

/* COPY, ADD: into a new layer, hashed again as it is copied. */
static int copy_layer(struct step *s, struct image_layer *ret)
{
	autoclose int view_fd = build_view(s->b), root_fd = -1;
	char digest[IMAGE_DIGEST_LEN + 1];
	int r;

	if (view_fd < -1)
		return view_fd;
	root_fd = build_layer_dir(s->b, view_fd);
	if (root_fd < 0)
		return root_fd;
	s->copy.lower_fd = view_fd;
	s->copy.layer_fd = root_fd;
	r = buildcopy(&s->copy, digest, &s->kind, s->b->e);
	if (r < 0)
		return image_fail_context(s->b->e, r, "%s:%d: %s", s->b->df.name, s->in->line,
					  s->in->name);
	/* The context changed since it was hashed: the layer is what was copied now. */
	if (strcmp(digest, s->content) != 0) {
		memcpy(s->content, digest, sizeof(s->content));
		r = copy_created_by(s);
		if (r < 0)
			return r;
	}
	return build_layer_commit(s->b, view_fd, ret);
}

static int prepare(struct step *s)
{
	switch (s->in->kind) {
	case DF_ENV:
		return env_or_label(s, true);
	case DF_LABEL:
		return env_or_label(s, false);
	case DF_WORKDIR:
		return workdir(s);
	case DF_USER:
		return user(s);
	case DF_CMD:
		return cmd_or_entrypoint(s, true);
	case DF_ENTRYPOINT:
		return cmd_or_entrypoint(s, false);
	case DF_EXPOSE:
		return expose(s);
	case DF_RUN:
		return run(s);
	case DF_COPY:
	case DF_ADD:
		return copy(s);
	default: /* FROM: image/build.c */
		return fail(s, -EINVAL, "not here");
	}
}

/* ---- the cache ---- */

static int cache_key(const struct step *s, char ret[IMAGE_DIGEST_LEN + 1])
{
	autofree char *text = NULL;

	if (asprintf(&text, CACHE_VERSION "\n%s\n%s\n%s", s->b->id, s->in->text, s->content) < 0)
		return -ENOMEM;
	return digest_buffer(text, strlen(text), ret);
}

static const char *parent_chain(const struct build *b)
{
	return b->n_layers ? b->layers[b->n_layers - 1].chain_id : "";
}

/* The cache's entry for @key, when the store still has all it names. */
static bool cache_get(struct step *s, const char *key, struct build_cache_entry *ret)
{
	struct build *b = s->b;
	autoclose int blobs_fd = -1, layer_fd = -1;
	bool usable;

	if (b->req->no_cache || build_cache_get(b->store_fd, key, ret) < 0)
		return false;
	usable =
	    strcmp(ret->parent_chain, parent_chain(b)) == 0 && ret->has_layer == s->makes_layer;
	if (usable && ret->has_layer) {
		blobs_fd = image_store_subdir(b->store_fd, "blobs/sha256");
		layer_fd = image_layer_open(b->store_fd, ret->layer.chain_id);
		usable =
		    blobs_fd >= 0 && layer_fd >= 0 &&
		    faccessat(blobs_fd, ret->layer.blob.digest + 7, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	}
	if (!usable)
		build_cache_entry_free(ret);
	return usable;
}

static void now_rfc3339(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
}

/* ---- the step ---- */

/* The step's result into the config: its layer, its history entry; the new id. */
static int record(struct step *s, const char *created, const struct image_layer *layer)
{
	struct build *b = s->b;
	autofree char *text = NULL;
	char **grown;
	size_t len;
	int r = 0;

	if (layer)
		r = build_add_layer(b, layer);
	if (r < 0)
		return r;
	if ((layer && buildconf_add_diff_id(b->config, layer->diff_id) < 0) ||
	    buildconf_add_history(b->config, created, s->created_by, !layer) < 0 ||
	    buildconf_text(b->config, &text, &len, b->id) < 0)
		return oom(s);
	grown = realloc(b->step_ids, (b->n_step_ids + 2) * sizeof(*grown));
	if (!grown)
		return oom(s);
	b->step_ids = grown;
	grown[b->n_step_ids] = strdup(b->id);
	if (!grown[b->n_step_ids])
		return oom(s);
	grown[++b->n_step_ids] = NULL;
	return 0;
}

static void remember(struct step *s, const char *key, const char *created,
		     const struct image_layer *layer, const char *parent)
{
	struct build_cache_entry entry = {.has_layer = layer != NULL};

	snprintf(entry.created, sizeof(entry.created), "%s", created);
	snprintf(entry.parent_chain, sizeof(entry.parent_chain), "%s", parent);
	if (layer)
		entry.layer = *layer;
	/* Only a hint for later builds: this one goes on without it. */
	if (build_cache_put(s->b->store_fd, key, &entry) < 0)
		build_warn(s->b, "cannot write the build cache entry, going on");
}

static int fresh(struct step *s, char *created, size_t size, struct image_layer *layer)
{
	struct build *b = s->b;
	int r = 0;

	now_rfc3339(created, size);
	if (s->in->kind == DF_RUN) {
		if (b->req->ui && b->req->ui->running)
			b->req->ui->running(b->req->ui->data);
		r = build_run(b, s->argv, layer);
		if (r < 0)
			r = image_fail_context(b->e, r, "%s:%d: %s", b->df.name, s->in->line,
					       s->in->text);
	} else if (s->makes_layer) {
		r = copy_layer(s, layer);
	}
	if (r >= 0 && s->makes_layer) {
		b->new_layers++;
		if (b->req->ui && b->req->ui->layer)
			b->req->ui->layer(b->req->ui->data, layer->diff_id, layer->unpacked_size);
	}
	return r;
}

static void step_free(struct step *s)
{
	dfwords_free(s->env);
	free(s->created_by);
	dfwords_free(s->argv);
	dfwords_free(s->words);
	free(s->dest);
	free(s->chown);
}

int build_step(struct build *b, const struct df_instr *in)
{
	struct step s = {.b = b, .in = in};
	struct build_cache_entry hit = {0};
	struct image_layer layer = {0};
	char key[IMAGE_DIGEST_LEN + 1], created[40], parent[IMAGE_DIGEST_LEN + 1];
	bool cached = false;
	int r;

	snprintf(parent, sizeof(parent), "%s", parent_chain(b));
	r = buildconf_env(b->config, &s.env) < 0 ? oom(&s) : prepare(&s);
	if (r >= 0)
		r = cache_key(&s, key) < 0 ? oom(&s) : 0;
	if (r >= 0 && (cached = cache_get(&s, key, &hit))) {
		snprintf(created, sizeof(created), "%s", hit.created);
		layer = hit.layer;
		if (b->req->ui && b->req->ui->cached)
			b->req->ui->cached(b->req->ui->data);
	} else if (r >= 0) {
		r = fresh(&s, created, sizeof(created), &layer);
		/* COPY's content as it was copied: the key of what was made. */
		if (r >= 0)
			r = cache_key(&s, key) < 0 ? oom(&s) : 0;
	}
	if (r >= 0)
		r = record(&s, created, s.makes_layer ? &layer : NULL);
	if (r >= 0 && !cached)
		remember(&s, key, created, s.makes_layer ? &layer : NULL, parent);
	if (r >= 0 && b->req->ui && b->req->ui->done)
		b->req->ui->done(b->req->ui->data, b->id);
	build_cache_entry_free(&hit);
	step_free(&s);
	return r;
}
