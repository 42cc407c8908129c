/* image/dockerfile.c: see dockerfile.h. Lines are read into logical lines (continuations
 * joined, comments dropped), then each logical line into one instruction. */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "image/dfwords.h"
#include "image/dockerfile.h"
#include "image/error.h"
#include "image/jsondoc.h"

static const struct {
	const char *name;
	enum df_kind kind;
	bool takes_json; /* the exec form: RUN ["a", "b"] */
} known[] = {
    {"FROM", DF_FROM, false},     {"RUN", DF_RUN, true},
    {"COPY", DF_COPY, true},      {"ADD", DF_ADD, true},
    {"ENV", DF_ENV, false},       {"WORKDIR", DF_WORKDIR, false},
    {"USER", DF_USER, false},     {"LABEL", DF_LABEL, false},
    {"CMD", DF_CMD, true},        {"ENTRYPOINT", DF_ENTRYPOINT, true},
    {"EXPOSE", DF_EXPOSE, false},
};

/* Dockerfile instructions this builder knows of but does not implement. */
static const char *const unsupported[] = {"ARG",   "ONBUILD", "STOPSIGNAL", "HEALTHCHECK",
					  "SHELL", "VOLUME",  "MAINTAINER"};

struct parser {
	const char *name;
	struct dockerfile *df;
	struct image_error *e;
	bool seen_from;
};

static int fail_at(struct parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(struct parser *p, int line, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return image_fail(p->e, -EINVAL, "%s:%d: %s", p->name, line, what);
}

void dockerfile_free(struct dockerfile *df)
{
	for (size_t i = 0; df->instrs && i < df->n; i++) {
		free(df->instrs[i].text);
		free(df->instrs[i].args);
		dfwords_free(df->instrs[i].json);
		free(df->instrs[i].chown);
	}
	free(df->instrs);
	free(df->name);
	df->instrs = NULL;
	df->name = NULL;
	df->n = 0;
}

/* The strings of a JSON array, or NULL when @args is not one (then it is the shell form). */
static char **json_form(const char *args)
{
	struct image_error ignored = {""};
	json_object *o = NULL;
	char **list;
	size_t n;

	if (args[0] != '[' || jsondoc_parse(args, strlen(args), "", &o, &ignored) < 0)
		return NULL;
	n = json_object_is_type(o, json_type_array) ? json_object_array_length(o) : 0;
	list = json_object_is_type(o, json_type_array) ? calloc(n + 1, sizeof(*list)) : NULL;
	for (size_t i = 0; list && i < n; i++) {
		json_object *v = json_object_array_get_idx(o, i);

		if (!json_object_is_type(v, json_type_string) ||
		    !(list[i] = strdup(json_object_get_string(v)))) {
			dfwords_free(list);
			list = NULL;
		}
	}
	json_object_put(o);
	return list;
}

static size_t count(char **list)
{
	size_t n = 0;

	while (list && list[n])
		n++;
	return n;
}

/* The leading --flags of @in->args: only COPY and ADD take one, --chown. */
static int take_flags(struct parser *p, struct df_instr *in)
{
	char *a = in->args;

	while (strncmp(a, "--", 2) == 0) {
		size_t n = strcspn(a, " \t");
		char flag[64];

		snprintf(flag, sizeof(flag), "%.*s", (int)(n < 60 ? n : 60), a);
		if ((in->kind == DF_COPY || in->kind == DF_ADD) &&
		    strncmp(flag, "--chown=", 8) == 0 && flag[8]) {
			free(in->chown);
			in->chown = strndup(a + 8, n - 8);
			if (!in->chown)
				return image_fail(p->e, -ENOMEM, "out of memory");
		} else if (strncmp(flag, "--chown", 7) == 0 &&
			   (in->kind == DF_COPY || in->kind == DF_ADD)) {
			return fail_at(p, in->line,
				       "%s --chown needs a value: --chown=USER[:GROUP]", in->name);
		} else {
			return fail_at(p, in->line, "%s %s is not supported", in->name,
				       strtok(flag, "="));
		}
		a += n;
		a += strspn(a, " \t");
	}
	memmove(in->args, a, strlen(a) + 1);
	return 0;
}

static int check_from(struct parser *p, const struct df_instr *in)
{
	char **words = NULL;
	int n = dfwords_split(in->args, NULL, &words);
	bool ok = n == 1 || (n == 3 && strcasecmp(words[1], "AS") == 0);

	dfwords_free(words);
	if (p->seen_from)
		return fail_at(p, in->line, "a second FROM: multi-stage builds are not supported");
	return ok ? 0 : fail_at(p, in->line, "FROM takes an image name (and AS NAME)");
}

/* What each kind needs of its arguments, checked now so that errors name the line. */
static int check_args(struct parser *p, struct df_instr *in)
{
	char **words = NULL, **values = NULL;
	int n = 0;

	if (in->kind != DF_FROM && !p->seen_from)
		return fail_at(p, in->line, "%s before FROM", in->name);
	if (!in->args[0] && !in->json)
		return fail_at(p, in->line, "%s needs an argument", in->name);
	switch (in->kind) {
	case DF_FROM:
		return check_from(p, in);
	case DF_COPY:
	case DF_ADD:
		n = in->json ? (int)count(in->json) : dfwords_split(in->args, NULL, &words);
		dfwords_free(words);
		if (n >= 0 && n < 2)
			return fail_at(p, in->line, "%s needs a source and a destination",
				       in->name);
		break;
	case DF_ENV:
	case DF_LABEL:
		n = dfwords_pairs(in->args, NULL, &words, &values);
		dfwords_free(values);
		dfwords_free(words);
		if (n == -EINVAL)
			return fail_at(p, in->line, "%s takes KEY=VALUE pairs, or KEY VALUE",
				       in->name);
		break;
	case DF_EXPOSE:
		n = dfwords_split(in->args, NULL, &words);
		dfwords_free(words);
		break;
	default:
		break;
	}
	if (n == -EINVAL)
		return fail_at(p, in->line, "%s: unterminated quote or malformed ${...}", in->name);
	return n < 0 ? image_fail(p->e, n, "out of memory") : 0;
}

static int lookup(struct parser *p, const char *word, int line, struct df_instr *in)
{
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (strcasecmp(word, known[i].name) == 0) {
			in->kind = known[i].kind;
			in->name = known[i].name;
			return known[i].takes_json;
		}
	for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++)
		if (strcasecmp(word, unsupported[i]) == 0)
			return fail_at(p, line, "%s is not supported by carrel image build",
				       unsupported[i]);
	return fail_at(p, line, "unknown instruction '%.100s'", word);
}

static int add_instr(struct parser *p, const struct df_instr *in)
{
	struct df_instr *grown = realloc(p->df->instrs, (p->df->n + 1) * sizeof(*grown));

	if (!grown)
		return image_fail(p->e, -ENOMEM, "out of memory");
	p->df->instrs = grown;
	grown[p->df->n++] = *in;
	return 0;
}

/* One logical line: KEYWORD [--flags] ARGS. */
static int instruction(struct parser *p, char *line, int line_no)
{
	struct df_instr in = {.line = line_no};
	size_t n = strcspn(line, " \t");
	char keyword[32];
	int takes_json, r;

	snprintf(keyword, sizeof(keyword), "%.*s", (int)(n < 31 ? n : 31), line);
	takes_json = lookup(p, keyword, line_no, &in);
	if (takes_json < 0)
		return takes_json;
	in.text = strdup(line);
	in.args = strdup(line + n + strspn(line + n, " \t"));
	if (!in.text || !in.args) {
		free(in.text);
		free(in.args);
		return image_fail(p->e, -ENOMEM, "out of memory");
	}
	r = take_flags(p, &in);
	if (r >= 0 && takes_json)
		in.json = json_form(in.args);
	if (r >= 0)
		r = check_args(p, &in);
	if (r >= 0)
		r = add_instr(p, &in);
	if (r < 0) {
		free(in.text);
		free(in.args);
		dfwords_free(in.json);
		free(in.chown);
		return r;
	}
	p->seen_from = true;
	return 0;
}

static void trim_end(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* Append the physical line @s to @logical; 1 when it continues on the next line. */
static int append_line(char **logical, size_t *used, char *s)
{
	size_t n;
	bool more;
	char *grown;

	trim_end(s);
	n = strlen(s);
	more = n > 0 && s[n - 1] == '\\';
	if (more)
		s[--n] = '\0';
	grown = realloc(*logical, *used + n + 1);
	if (!grown)
		return -ENOMEM;
	memcpy(grown + *used, s, n + 1);
	*logical = grown;
	*used += n;
	return more;
}

static int parse_lines(struct parser *p, char *text)
{
	autofree char *logical = NULL;
	size_t used = 0;
	int line_no = 0, start = 0, r = 0;
	char *save = NULL;

	for (char *s = text; r >= 0 && s; s = save) {
		const char *lead;

		save = strchr(s, '\n');
		if (save)
			*save++ = '\0';
		line_no++;
		lead = s + strspn(s, " \t\r");
		/* Comments and blank lines, also between the lines of one instruction. */
		if (!*lead || *lead == '#')
			continue;
		if (!logical)
			start = line_no;
		r = append_line(&logical, &used, logical ? s : (char *)lead);
		if (r < 0)
			return image_fail(p->e, r, "out of memory");
		if (r == 0) {
			r = instruction(p, logical, start);
			free(logical);
			logical = NULL;
			used = 0;
		}
	}
	/* A continuation at the very end: the instruction ends with the file. */
	if (r >= 0 && logical)
		r = instruction(p, logical, start);
	return r;
}

int dockerfile_parse(const char *text, size_t len, const char *name, struct dockerfile *ret,
		     struct image_error *e)
{
	struct dockerfile df = {0};
	struct parser p = {.name = name, .df = &df, .e = e};
	autofree char *copy = strndup(text, len);
	int r;

	df.name = strdup(name);
	if (!copy || !df.name) {
		dockerfile_free(&df);
		return image_fail(e, -ENOMEM, "out of memory");
	}
	if (strlen(copy) != len) {
		dockerfile_free(&df);
		return image_fail(e, -EINVAL, "%s: not a text file (it holds a NUL byte)", name);
	}
	r = parse_lines(&p, copy);
	if (r >= 0 && df.n == 0)
		r = image_fail(e, -EINVAL, "%s: no instructions (it needs at least FROM)", name);
	if (r < 0) {
		dockerfile_free(&df);
		return r;
	}
	*ret = df;
	return 0;
}
