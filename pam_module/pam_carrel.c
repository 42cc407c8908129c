/* pam_carrel.so: PAM session module that puts each login of a matched user into its own
 * sandbox. It decides and hands off: the launcher builds the session; this module only moves
 * the PAM caller into it (so the shell it forks is born inside) and back out at close.
 *
 * The module never prints (the caller may have connected stdio to the user), never exits,
 * and logs only with pam_syslog(). Failure to sandbox is PAM_SESSION_ERR: with "session
 * required" (the documented setup) the login is refused. */
#define PAM_SM_SESSION
#include <errno.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "common/decide.h"
#include "common/entry.h"
#include "common/identity.h"
#include "config/config.h"
#include "config/policy.h"
#include "pam_module/args.h"

#define DATA_NAME "pam_carrel_session"
#define EXPORT __attribute__((visibility("default")))

#define pam_debug(args, pamh, ...)                                                                 \
	do {                                                                                       \
		if ((args)->debug)                                                                 \
			pam_syslog((pamh), LOG_DEBUG, __VA_ARGS__);                                \
	} while (0)

/* Who, through what, from where. Items PAM does not have are "". */
struct login_items {
	const char *user, *service, *rhost, *tty;
};

static const char *item(pam_handle_t *pamh, int type)
{
	const void *value = NULL;

	if (pam_get_item(pamh, type, &value) != PAM_SUCCESS || !value)
		return "";
	return value;
}

static void get_items(pam_handle_t *pamh, struct login_items *ret)
{
	ret->user = item(pamh, PAM_USER);
	ret->service = item(pamh, PAM_SERVICE);
	ret->rhost = item(pamh, PAM_RHOST);
	ret->tty = item(pamh, PAM_TTY);
}

/* The pam data cleanup also runs in children the caller forks (pam_end with
 * PAM_DATA_SILENT): it only releases fds, never ends the session. */
static void release_entry(pam_handle_t *pamh, void *data, int error_status)
{
	struct session_entry *e = data;

	(void)pamh;
	(void)error_status;
	entry_release(e);
	free(e);
}

static int start_session(pam_handle_t *pamh, const struct module_args *args,
			 const struct login_items *li, struct session_entry **ret)
{
	struct handoff_request req = {
	    .launcher = args->launcher,
	    .config = args->config,
	    .user = li->user,
	    .service = li->service[0] ? li->service : NULL,
	    .tty = li->tty[0] ? li->tty : NULL,
	    .rhost = li->rhost[0] ? li->rhost : NULL,
	    .syslog = true,
	    .debug = args->debug,
	};
	struct session_entry *e = calloc(1, sizeof(*e));
	char why[512];
	int r;

	if (!e)
		return -ENOMEM;
	r = entry_open(&req, e, why, sizeof(why));
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR,
			   "cannot sandbox the session of '%s' (service %s, rhost '%s'): %s",
			   li->user, li->service, li->rhost, why);
		free(e);
		return r;
	}
	*ret = e;
	return 0;
}

/* Keep the session with the PAM handle and tell the session's programs its id, and the
 * environment of its image (sshd, login and su hand the PAM environment to the shell). */
static int publish(pam_handle_t *pamh, struct session_entry *e)
{
	char env[64];

	for (size_t i = 0; e->env && e->env[i]; i++)
		if (pam_putenv(pamh, e->env[i]) != PAM_SUCCESS)
			return -ENOMEM;
	snprintf(env, sizeof(env), "CARREL_SESSION=%s", e->id);
	if (pam_putenv(pamh, env) != PAM_SUCCESS)
		return -ENOMEM;
	/* Last: once stored, @e belongs to the PAM handle. */
	if (pam_set_data(pamh, DATA_NAME, e, release_entry) != PAM_SUCCESS)
		return -ENOMEM;
	return 0;
}

EXPORT int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct module_args args;
	struct login_items li;
	struct decision d;
	struct session_entry *e = NULL;
	const void *existing = NULL;
	char why[512];
	int r;

	(void)flags;
	if (args_parse(pamh, argc, argv, &args) < 0)
		return PAM_SESSION_ERR;
	if (args.close_only)
		return PAM_IGNORE;
	get_items(pamh, &li);
	if (!li.user[0]) {
		pam_syslog(pamh, LOG_ERR, "no user name: cannot decide on a sandbox");
		return PAM_SESSION_ERR;
	}
	if (pam_get_data(pamh, DATA_NAME, &existing) == PAM_SUCCESS && existing) {
		pam_syslog(pamh, LOG_WARNING, "a session is already open on this handle, ignoring");
		return PAM_IGNORE;
	}
	r = decide(args.config, li.user, li.service[0] ? li.service : NULL,
		   li.rhost[0] ? li.rhost : NULL, &d, why, sizeof(why));
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR, "cannot decide on a sandbox for '%s' (service %s): %s",
			   li.user, li.service, why);
		return PAM_SESSION_ERR;
	}
	if (!d.profile->sandbox) {
		pam_debug(&args, pamh, "user '%s' (service %s, rhost '%s') is not sandboxed",
			  li.user, li.service, li.rhost);
		decision_free(&d);
		return PAM_IGNORE;
	}
	r = start_session(pamh, &args, &li, &e);
	if (r >= 0 && publish(pamh, e) < 0) {
		pam_syslog(pamh, LOG_ERR, "cannot keep the session of '%s'", li.user);
		(void)entry_close(e);
		free(e);
		r = -ENOMEM;
	}
	if (r >= 0)
		pam_syslog(pamh, LOG_INFO,
			   "session %s opened for '%s' (service %s, rhost '%s', tty '%s'): image "
			   "'%s', init pid %d",
			   e->id, li.user, li.service, li.rhost, li.tty, e->image,
			   (int)e->init_pid);
	decision_free(&d);
	return r < 0 ? PAM_SESSION_ERR : PAM_SUCCESS;
}

EXPORT int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct module_args args;
	struct login_items li;
	const void *data = NULL;
	struct session_entry *e;
	char id[SESSION_ID_LEN + 1];
	int r;

	(void)flags;
	if (args_parse(pamh, argc, argv, &args) < 0)
		return PAM_SESSION_ERR;
	if (args.open_only)
		return PAM_IGNORE;
	if (pam_get_data(pamh, DATA_NAME, &data) != PAM_SUCCESS || !data)
		return PAM_IGNORE; /* this login was not sandboxed */
	e = (struct session_entry *)data;
	get_items(pamh, &li);
	memcpy(id, e->id, sizeof(id));
	r = entry_close(e);
	/* Dropping the data frees it (release_entry); the session itself is already told. */
	(void)pam_set_data(pamh, DATA_NAME, NULL, NULL);
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR, "session %s of '%s': cannot leave it cleanly: %s", id,
			   li.user, strerror(-r));
		return PAM_SESSION_ERR;
	}
	pam_syslog(pamh, LOG_INFO, "session %s closed for '%s' (service %s, rhost '%s')", id,
		   li.user, li.service, li.rhost);
	return PAM_SUCCESS;
}
