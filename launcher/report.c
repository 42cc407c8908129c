/* launcher/report.c: filling the launch report (see launch.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>

#include "launcher/launch.h"

void report_mount(struct launch_report *r, const char *type, const char *source,
		  const char *destination, bool rw)
{
	struct report_mount *m;

	if (r->n_mounts >= REPORT_MAX_MOUNTS)
		return;
	m = &r->mounts[r->n_mounts++];
	snprintf(m->type, sizeof(m->type), "%s", type);
	snprintf(m->source, sizeof(m->source), "%s", source ? source : "");
	snprintf(m->destination, sizeof(m->destination), "%s", destination);
	m->rw = rw;
}

void report_last_propagation(struct launch_report *r, const char *propagation)
{
	if (r->n_mounts > 0)
		snprintf(r->mounts[r->n_mounts - 1].propagation,
			 sizeof(r->mounts[r->n_mounts - 1].propagation), "%s", propagation);
}

int report_fail(struct launch_report *r, int err, const char *fmt, ...)
{
	char text[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (err < 0)
		snprintf(r->error, sizeof(r->error), "%s: %s", text, strerror(-err));
	else
		snprintf(r->error, sizeof(r->error), "%s", text);
	return err < 0 ? err : -EINVAL;
}

int report_refuse(struct launch_report *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -EINVAL;
}

void pause_point(const struct launch_args *a, const char *step)
{
	if (a->pause_at && strcmp(a->pause_at, step) == 0)
		(void)raise(SIGSTOP);
}
