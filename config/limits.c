/* config/limits.c: the "limits" and "user_limits" groups of a settings block.
 *
 * Each key is in one of three states: given a value (in @set), given as "max" (in @unlimited),
 * or not given. A policy's block is merged over the defaults' one key by key (see policy.c),
 * so a policy only has to name the limits it changes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "config/parse.h"

#define MEMORY_MIN (UINT64_C(4) << 20)
#define BYTES_MAX (UINT64_C(1) << 50)
#define PIDS_MIN 8
#define PIDS_MAX 4194304 /* the kernel's PID_MAX_LIMIT on 64-bit */
#define CPU_MAX 4096

enum given {
	GIVEN_BAD, /* reported */
	GIVEN_VALUE,
	GIVEN_MAX,
};

static void limit_error(struct cfg_parser *p, const config_setting_t *s, const char *where,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Report "<where>: key '<key>' in '<block>': ..." at the line of @s, a key of a limits block. */
static void limit_error(struct cfg_parser *p, const config_setting_t *s, const char *where,
			const char *fmt, ...)
{
	char what[sizeof(p->diags->items[0].text)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	cfg_error(p, s, "%s: key '%s' in '%s': %s", where, config_setting_name(s),
		  config_setting_name(config_setting_parent(s)), what);
}

/* cfg_parse_size(), plus zero with or without a unit ("0", "0M"): no swap is a real setting. */
static int parse_size_or_zero(const char *text, uint64_t *ret)
{
	size_t zeros = strspn(text, "0");
	char one[8] = "1";
	uint64_t ignored;
	int r;

	if (zeros == 0 || (text[zeros] >= '0' && text[zeros] <= '9'))
		return cfg_parse_size(text, ret);
	/* only zeros: vet the unit by putting a 1 in front of it */
	if (strlen(text + zeros) >= sizeof(one) - 1)
		return -EINVAL;
	strcat(one, text + zeros);
	r = cfg_parse_size(one, &ignored);
	if (r < 0)
		return r;
	*ret = 0;
	return 0;
}

/* memory and swap: a size string or a number of bytes, from @min (written @min_text) to 1P. */
static enum given parse_bytes(struct cfg_parser *p, const config_setting_t *s, const char *where,
			      uint64_t min, const char *min_text, uint64_t *ret)
{
	char shown[72];
	uint64_t size = 0;
	long long n;
	int r = 0;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		snprintf(shown, sizeof(shown), "\"%.64s\"", config_setting_get_string(s));
		r = parse_size_or_zero(config_setting_get_string(s), &size);
		if (r == -EINVAL) {
			limit_error(p, s, where, "bad size %s (use a number with K, M, G or T)",
				    shown);
			return GIVEN_BAD;
		}
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		n = config_setting_get_int64(s);
		snprintf(shown, sizeof(shown), "%lld", n);
		if (n < 0) {
			limit_error(p, s, where, "at least %s, got %s", min_text, shown);
			return GIVEN_BAD;
		}
		size = (uint64_t)n;
		break;
	default:
		limit_error(p, s, where, "expected a size such as \"2G\", got %s",
			    cfg_type_desc(s));
		return GIVEN_BAD;
	}
	if (r == -ERANGE || size > BYTES_MAX) {
		limit_error(p, s, where, "at most 1024T, got %s", shown);
		return GIVEN_BAD;
	}
	if (size < min) {
		limit_error(p, s, where, "at least %s, got %s", min_text, shown);
		return GIVEN_BAD;
	}
	*ret = size;
	return GIVEN_VALUE;
}

static enum given parse_memory(struct cfg_parser *p, const config_setting_t *s, const char *where,
			       struct cfg_limits *out)
{
	return parse_bytes(p, s, where, MEMORY_MIN, "4M", &out->memory);
}

static enum given parse_swap(struct cfg_parser *p, const config_setting_t *s, const char *where,
			     struct cfg_limits *out)
{
	return parse_bytes(p, s, where, 0, "0", &out->swap);
}

static enum given parse_pids(struct cfg_parser *p, const config_setting_t *s, const char *where,
			     struct cfg_limits *out)
{
	long long n;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		if (strcmp(config_setting_get_string(s), "max") == 0)
			return GIVEN_MAX;
		limit_error(p, s, where, "expected an integer or \"max\", got \"%.60s\"",
			    config_setting_get_string(s));
		return GIVEN_BAD;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		break;
	default:
		limit_error(p, s, where, "expected an integer or \"max\", got %s",
			    cfg_type_desc(s));
		return GIVEN_BAD;
	}
	n = config_setting_get_int64(s);
	if (n < PIDS_MIN) {
		limit_error(p, s, where, "at least %d, got %lld", PIDS_MIN, n);
		return GIVEN_BAD;
	}
	if (n > PIDS_MAX) {
		limit_error(p, s, where, "at most %d, got %lld", PIDS_MAX, n);
		return GIVEN_BAD;
	}
	out->pids = (uint64_t)n;
	return GIVEN_VALUE;
}

/* A number of CPUs, int or float, kept in thousandths: the nearest one, halves rounded up. */
static enum given parse_cpu(struct cfg_parser *p, const config_setting_t *s, const char *where,
			    struct cfg_limits *out)
{
	char shown[40];
	uint64_t milli;
	double v;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(shown, sizeof(shown), "%lld", config_setting_get_int64(s));
		v = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		snprintf(shown, sizeof(shown), "%.10g", v);
		break;
	default:
		limit_error(p, s, where, "expected a number of CPUs such as 1.5, got %s",
			    cfg_type_desc(s));
		return GIVEN_BAD;
	}
	if (!(v > 0)) {
		limit_error(p, s, where, "must be more than 0, got %s", shown);
		return GIVEN_BAD;
	}
	if (v > CPU_MAX) {
		limit_error(p, s, where, "at most %d, got %s", CPU_MAX, shown);
		return GIVEN_BAD;
	}
	milli = (uint64_t)(v * 1000 + 0.5); /* v is in (0, 4096]: no overflow, no libm */
	/* The kernel refuses a CFS quota under 1 ms of its 100 ms period: 0.01 CPU. */
	if (milli < 10) {
		limit_error(p, s, where, "at least 0.01, got %s", shown);
		return GIVEN_BAD;
	}
	out->cpu_milli = milli;
	return GIVEN_VALUE;
}

static const struct {
	const char *key;
	enum cfg_limit bit;
	enum given (*parse)(struct cfg_parser *p, const config_setting_t *s, const char *where,
			    struct cfg_limits *out);
} limit_keys[] = {
    {"memory", CFG_LIMIT_MEMORY, parse_memory},
    {"swap", CFG_LIMIT_SWAP, parse_swap},
    {"pids", CFG_LIMIT_PIDS, parse_pids},
    {"cpu", CFG_LIMIT_CPU, parse_cpu},
};

static void parse_key(struct cfg_parser *p, const config_setting_t *s, const char *where,
		      struct cfg_limits *out)
{
	const char *key = config_setting_name(s);

	for (size_t i = 0; i < ARRAY_SIZE(limit_keys); i++) {
		if (strcmp(limit_keys[i].key, key) != 0)
			continue;
		switch (limit_keys[i].parse(p, s, where, out)) {
		case GIVEN_VALUE:
			out->set |= limit_keys[i].bit;
			break;
		case GIVEN_MAX:
			out->unlimited |= limit_keys[i].bit;
			break;
		case GIVEN_BAD:
			break;
		}
		return;
	}
	cfg_error(p, s, "%s: unknown key '%s' in '%s' (known: memory, swap, pids, cpu)", where, key,
		  config_setting_name(config_setting_parent(s)));
}

/* A swap allowance means nothing without the memory limit it adds to. A policy may rely on
 * the memory limit of the defaults' block of the same name. */
static void check_swap(struct cfg_parser *p, const config_setting_t *s, const char *where,
		       const struct cfg_limits *inherited)
{
	const config_setting_t *swap = config_setting_get_member(s, "swap");
	const char *block = config_setting_name(s);

	if (!swap || config_setting_get_member(s, "memory"))
		return;
	if (!inherited)
		cfg_error(p, swap, "%s: 'swap' needs 'memory' in the same '%s' block", where,
			  block);
	else if (!(inherited->set & CFG_LIMIT_MEMORY))
		cfg_error(
		    p, swap,
		    "%s: 'swap' needs 'memory' in the same '%s' block or in the defaults' one",
		    where, block);
}

void cfg_parse_limits(struct cfg_parser *p, const config_setting_t *s, const char *where,
		      struct cfg_settings *out)
{
	const char *block = config_setting_name(s);
	bool is_user = strcmp(block, "user_limits") == 0;
	struct cfg_limits *limits = is_user ? &out->user_limits : &out->limits;
	const struct cfg_limits *inherited = NULL; /* none for the defaults themselves */

	if (out != &p->cfg->defaults)
		inherited = is_user ? &p->cfg->defaults.user_limits : &p->cfg->defaults.limits;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_type_error(p, s, block, where, "a group such as { memory = \"2G\"; }");
		return;
	}
	for (int i = 0; i < config_setting_length(s); i++)
		parse_key(p, config_setting_get_elem(s, (unsigned)i), where, limits);
	check_swap(p, s, where, inherited);
}
