/* image/dockerfile.h: a Dockerfile read into instructions, for "carrel image build".
 *
 * Lines: '#' starts a comment line (also between continued lines); a backslash at the end of
 * a line continues the instruction on the next one (joined without the newline, as docker
 * does); blank lines are skipped. The keyword is case-insensitive. Known: FROM, RUN, COPY,
 * ADD, ENV, WORKDIR, USER, LABEL, CMD, ENTRYPOINT, EXPOSE. Everything else is an error that
 * names the file and line: an unknown keyword, another Dockerfile instruction this builder
 * does not implement (ARG, SHELL, VOLUME, ...), a flag other than COPY/ADD --chown, a second
 * FROM (multi-stage builds), an instruction before FROM, a missing argument, an unterminated
 * quote. Variables are expanded later, by the build, with the Env each instruction sees. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct image_error;

enum df_kind {
	DF_FROM,
	DF_RUN,
	DF_COPY,
	DF_ADD,
	DF_ENV,
	DF_WORKDIR,
	DF_USER,
	DF_LABEL,
	DF_CMD,
	DF_ENTRYPOINT,
	DF_EXPOSE,
};

struct df_instr {
	enum df_kind kind;
	int line;         /* where it starts, from 1 */
	const char *name; /* "RUN": the keyword, upper case (static) */
	char *text;       /* the instruction as written, continuation lines joined */
	char *args;       /* what follows the keyword and its flags, trimmed */
	char **json;      /* the exec (JSON array) form's strings, NULL-terminated, or NULL */
	char *chown;      /* COPY/ADD --chown=, or NULL */
};

struct dockerfile {
	char *name; /* as errors name it: the path given */
	struct df_instr *instrs;
	size_t n;
};

/* Parse @len bytes of @text, the Dockerfile @name. Returns 0 or -EINVAL with @e saying
 * "NAME:LINE: what is wrong" (or -ENOMEM). */
int dockerfile_parse(const char *text, size_t len, const char *name, struct dockerfile *ret,
		     struct image_error *e);

void dockerfile_free(struct dockerfile *df);
