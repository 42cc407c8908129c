/* launcher/record.h: the session record, written once the session's init is ready. */
#pragma once

struct launch_ctx;

/* Write /run/carrel/sessions/<id>/session from the launch state and init's report.
 * Returns 0 or -errno. */
int record_write(struct launch_ctx *c);
