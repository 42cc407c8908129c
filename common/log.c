/* common/log.c: see log.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "common/log.h"

static const char *program_name = "carrel";
static bool to_syslog;
static bool verbose;

void log_init(const char *program)
{
	program_name = program;
}

void log_use_syslog(void)
{
	openlog(program_name, LOG_PID, LOG_AUTHPRIV);
	to_syslog = true;
}

void log_set_verbose(bool on)
{
	verbose = on;
}

static void log_va(int priority, const char *suffix, const char *fmt, va_list ap)
{
	char text[1024];

	if (priority == LOG_DEBUG && !verbose)
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	if (to_syslog)
		syslog(priority, "%s%s", text, suffix);
	else
		fprintf(stderr, "%s: %s%s\n", program_name, text, suffix);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(priority, "", fmt, ap);
	va_end(ap);
}

int log_error_errno(int r, const char *fmt, ...)
{
	char suffix[128];
	va_list ap;

	snprintf(suffix, sizeof(suffix), ": %s", strerror(r < 0 ? -r : r));
	va_start(ap, fmt);
	log_va(LOG_ERR, suffix, fmt, ap);
	va_end(ap);
	return r;
}
