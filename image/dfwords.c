/* image/dfwords.c: see dfwords.h. A small lexer in the manner of docker's shell_lexer: one pass
 * over the text, a word buffer, and expansion as the characters come. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "image/dfwords.h"

struct buf {
	char *s;
	size_t n, size;
};

struct lex {
	const char *p;
	char *const *env;
	struct buf word;
	bool quoted; /* the word had quotes: "" is a word */
};

static int put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->size) {
		size_t size = (b->n + n + 1) * 2;
		char *grown = realloc(b->s, size);

		if (!grown)
			return -ENOMEM;
		b->s = grown;
		b->size = size;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
	return 0;
}

static int put_char(struct buf *b, char c)
{
	return put(b, &c, 1);
}

const char *dfwords_lookup(char *const *env, const char *key)
{
	size_t n = strlen(key);
	const char *found = NULL;

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], key, n) == 0 && env[i][n] == '=')
			found = env[i] + n + 1;
	return found;
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* The WORD of ${NAME:-WORD}: up to the matching '}', itself expanded. */
static int modifier_word(struct lex *l, char **ret)
{
	autofree char *raw = NULL;
	const char *start = l->p;
	int depth = 0;

	for (; *l->p && (*l->p != '}' || depth > 0); l->p++)
		depth += *l->p == '{' ? 1 : *l->p == '}' ? -1 : 0;
	if (*l->p != '}')
		return -EINVAL;
	raw = strndup(start, (size_t)(l->p - start));
	l->p++;
	if (!raw)
		return -ENOMEM;
	return dfwords_expand(raw, l->env, ret);
}

/* ${NAME}, ${NAME:-WORD}, ${NAME:+WORD}; l->p is past "${". */
static int expand_braced(struct lex *l)
{
	autofree char *word = NULL;
	const char *start = l->p, *value;
	char name[256], op = 0;
	size_t n;
	int r;

	while (is_name_char(*l->p))
		l->p++;
	n = (size_t)(l->p - start);
	if (n == 0 || n >= sizeof(name))
		return -EINVAL;
	memcpy(name, start, n);
	name[n] = '\0';
	if (l->p[0] == ':' && (l->p[1] == '-' || l->p[1] == '+')) {
		op = l->p[1];
		l->p += 2;
		r = modifier_word(l, &word);
		if (r < 0)
			return r;
	} else if (*l->p++ != '}') {
		return -EINVAL;
	}
	value = dfwords_lookup(l->env, name);
	if (op == '-' && (!value || !value[0]))
		value = word;
	else if (op == '+')
		value = value && value[0] ? word : "";
	return value ? put(&l->word, value, strlen(value)) : 0;
}

/* At a '$': a variable, or a '$' of its own. */
static int expand(struct lex *l)
{
	const char *start, *value;
	char name[256];
	size_t n;

	l->p++;
	if (*l->p == '{') {
		l->p++;
		return expand_braced(l);
	}
	if (!is_name_char(*l->p))
		return put_char(&l->word, '$');
	for (start = l->p; is_name_char(*l->p); l->p++)
		;
	n = (size_t)(l->p - start);
	if (n >= sizeof(name))
		return -EINVAL;
	memcpy(name, start, n);
	name[n] = '\0';
	value = dfwords_lookup(l->env, name);
	return value ? put(&l->word, value, strlen(value)) : 0;
}

static int single_quoted(struct lex *l)
{
	const char *end = strchr(++l->p, '\'');
	int r;

	if (!end)
		return -EINVAL;
	r = put(&l->word, l->p, (size_t)(end - l->p));
	l->p = end + 1;
	l->quoted = true;
	return r;
}

static int double_quoted(struct lex *l)
{
	int r = 0;

	l->p++;
	l->quoted = true;
	while (r >= 0 && *l->p != '"') {
		if (!*l->p)
			return -EINVAL;
		if (*l->p == '\\' && l->p[1] && strchr("\"\\$", l->p[1])) {
			r = put_char(&l->word, l->p[1]);
			l->p += 2;
		} else if (*l->p == '$') {
			r = expand(l);
		} else {
			r = put_char(&l->word, *l->p++);
		}
	}
	l->p++;
	return r;
}

/* One word from l->p: up to white space when @split, else to the end. */
static int word(struct lex *l, bool split)
{
	int r = 0;

	l->word.n = 0;
	if (l->word.s)
		l->word.s[0] = '\0';
	l->quoted = false;
	while (r >= 0 && *l->p && !(split && isspace((unsigned char)*l->p))) {
		if (*l->p == '\'')
			r = single_quoted(l);
		else if (*l->p == '"')
			r = double_quoted(l);
		else if (*l->p == '\\' && l->p[1]) {
			r = put_char(&l->word, l->p[1]);
			l->p += 2;
		} else if (*l->p == '$')
			r = expand(l);
		else
			r = put_char(&l->word, *l->p++);
	}
	return r;
}

static int list_add(char ***list, size_t *n, const char *s)
{
	char **grown = realloc(*list, (*n + 2) * sizeof(**list));

	if (!grown)
		return -ENOMEM;
	*list = grown;
	grown[*n] = strdup(s ? s : "");
	if (!grown[*n])
		return -ENOMEM;
	grown[++*n] = NULL;
	return 0;
}

void dfwords_free(char **words)
{
	for (size_t i = 0; words && words[i]; i++)
		free(words[i]);
	free(words);
}

int dfwords_split(const char *text, char *const *env, char ***ret)
{
	struct lex l = {.p = text, .env = env};
	char **words = calloc(1, sizeof(*words));
	size_t n = 0;
	int r = words ? 0 : -ENOMEM;

	while (r >= 0) {
		while (isspace((unsigned char)*l.p))
			l.p++;
		if (!*l.p)
			break;
		r = word(&l, true);
		if (r >= 0 && (l.word.n > 0 || l.quoted))
			r = list_add(&words, &n, l.word.s);
	}
	free(l.word.s);
	if (r < 0) {
		dfwords_free(words);
		return r;
	}
	*ret = words;
	return (int)n;
}

int dfwords_expand(const char *text, char *const *env, char **ret)
{
	struct lex l = {.p = text, .env = env};
	int r = word(&l, false);

	if (r < 0) {
		free(l.word.s);
		return r;
	}
	*ret = l.word.s ? l.word.s : strdup("");
	return *ret ? 0 : -ENOMEM;
}

/* The raw words of @text (quotes kept, nothing expanded): where KEY=VALUE pairs split. */
static int raw_words(const char *text, char ***ret)
{
	char **words = calloc(1, sizeof(*words));
	size_t n = 0;
	int r = words ? 0 : -ENOMEM;

	for (const char *p = text; r >= 0;) {
		const char *start;
		char quote = 0;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		for (start = p; *p && (quote || !isspace((unsigned char)*p)); p++) {
			if (*p == '\\' && p[1] && quote != '\'')
				p++;
			else if (!quote && (*p == '"' || *p == '\''))
				quote = *p;
			else if (quote && *p == quote)
				quote = 0;
		}
		if (quote) {
			r = -EINVAL;
			break;
		}
		{
			autofree char *w = strndup(start, (size_t)(p - start));

			r = w ? list_add(&words, &n, w) : -ENOMEM;
		}
	}
	if (r < 0) {
		dfwords_free(words);
		return r;
	}
	*ret = words;
	return (int)n;
}

static int add_pair(char ***keys, char ***values, size_t *n, const char *key, const char *raw,
		    char *const *env)
{
	autofree char *value = NULL, *name = NULL;
	size_t n_values = *n;
	int r;

	/* LABEL "com.example.vendor"=ACME: the key is a word too. */
	r = dfwords_expand(key, env, &name);
	if (r >= 0 && !name[0])
		r = -EINVAL;
	if (r >= 0)
		r = dfwords_expand(raw, env, &value);
	if (r >= 0)
		r = list_add(values, &n_values, value);
	if (r >= 0)
		r = list_add(keys, n, name);
	return r;
}

static int pairs_of(char **words, int n_words, char *const *env, char ***keys, char ***values)
{
	size_t n = 0;
	int r = 0;

	/* "KEY VALUE...": the older form, for one pair. */
	if (n_words >= 1 && !strchr(words[0], '='))
		return n_words < 2 ? -EINVAL : -EAGAIN; /* the caller takes the rest of the line */
	for (int i = 0; r >= 0 && i < n_words; i++) {
		char *eq = strchr(words[i], '=');

		if (!eq)
			return -EINVAL;
		*eq = '\0';
		r = add_pair(keys, values, &n, words[i], eq + 1, env);
	}
	return r < 0 ? r : (int)n;
}

int dfwords_pairs(const char *text, char *const *env, char ***ret_keys, char ***ret_values)
{
	char **words = NULL, **keys = calloc(1, sizeof(*keys)),
	     **values = calloc(1, sizeof(*values));
	int n, r;

	n = keys && values ? raw_words(text, &words) : -ENOMEM;
	r = n < 0 ? n : n == 0 ? -EINVAL : pairs_of(words, n, env, &keys, &values);
	if (r == -EAGAIN) {
		/* The key is the first word, the value everything after it. */
		const char *rest = text + strspn(text, " \t");
		size_t n_pairs = 0;

		rest += strcspn(rest, " \t");
		rest += strspn(rest, " \t");
		r = add_pair(&keys, &values, &n_pairs, words[0], rest, env);
		r = r < 0 ? r : 1;
	}
	dfwords_free(words);
	if (r < 0) {
		dfwords_free(keys);
		dfwords_free(values);
		return r;
	}
	*ret_keys = keys;
	*ret_values = values;
	return r;
}
