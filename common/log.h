/* common/log.h: messages from programs (carrel, carrel-launch): stderr, or syslog(3) after
 * log_use_syslog(). The PAM module never uses this: it logs with pam_syslog() only. */
#pragma once

#include <stdbool.h>
#include <syslog.h>

/* Program name for stderr messages ("carrel: ..."), and syslog identity. */
void log_init(const char *program);

/* Send messages to syslog (LOG_AUTHPRIV, with the pid) instead of stderr. */
void log_use_syslog(void);

/* Show LOG_DEBUG messages. */
void log_set_verbose(bool on);

void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Log "<message>: <strerror(-r)>" at LOG_ERR and return @r (a negative errno), so that
 * "return log_error_errno(r, ...);" reads naturally. */
int log_error_errno(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
