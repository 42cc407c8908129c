/* image/dfwords.h: the words of a Dockerfile instruction, as docker reads them for COPY, ADD,
 * ENV, LABEL, WORKDIR, USER and EXPOSE: white space separates words, '...' quotes literally,
 * "..." quotes with $ expansion and \" \\ \$ escapes, a backslash outside quotes escapes the
 * next character, and $NAME, ${NAME}, ${NAME:-WORD} and ${NAME:+WORD} expand from the
 * environment the instruction sees (the image's Env so far). Pure string functions.
 *
 * Errors: -EINVAL (an unterminated quote, a malformed ${...}), -ENOMEM. */
#pragma once

/* Split @text into words, expanded from @env ("KEY=VALUE", NULL-terminated, may be NULL; the
 * last entry of a key wins). *@ret is NULL-terminated; free it with dfwords_free(). Returns
 * the number of words or -errno. */
int dfwords_split(const char *text, char *const *env, char ***ret);

/* @text as one word: quotes and escapes processed, variables expanded, white space kept. */
int dfwords_expand(const char *text, char *const *env, char **ret);

/* The KEY=VALUE pairs of an ENV or LABEL instruction: "k=v k2=\"v 2\"" (each value expanded
 * with @env as it was before the instruction), or the older "KEY VALUE..." form (the rest of
 * the line is the value). *@ret_keys and *@ret_values are NULL-terminated and parallel.
 * Returns the number of pairs or -errno: -EINVAL also for an empty key or a key alone. */
int dfwords_pairs(const char *text, char *const *env, char ***ret_keys, char ***ret_values);

/* The value of @key in @env, or NULL. */
const char *dfwords_lookup(char *const *env, const char *key);

void dfwords_free(char **words);
