/* pam_module/args.c: see args.h. */
#include <errno.h>
#include <security/pam_ext.h>
#include <string.h>
#include <syslog.h>

#include "config/config.h"
#include "pam_module/args.h"

#ifndef CARREL_LAUNCHER_PATH
#define CARREL_LAUNCHER_PATH "/usr/libexec/carrel/carrel-launch"
#endif

static int take_path(pam_handle_t *pamh, const char *arg, size_t prefix, const char **ret)
{
	const char *value = arg + prefix;

	if (value[0] != '/') {
		pam_syslog(pamh, LOG_ERR, "argument '%s' needs an absolute path", arg);
		return -EINVAL;
	}
	*ret = value;
	return 0;
}

int args_parse(pam_handle_t *pamh, int argc, const char **argv, struct module_args *ret)
{
	struct module_args a = {.config = CARREL_CONFIG_PATH, .launcher = CARREL_LAUNCHER_PATH};
	int r = 0;

	for (int i = 0; i < argc && r == 0; i++) {
		const char *arg = argv[i];

		if (strncmp(arg, "config=", 7) == 0)
			r = take_path(pamh, arg, 7, &a.config);
		else if (strncmp(arg, "launcher=", 9) == 0)
			r = take_path(pamh, arg, 9, &a.launcher);
		else if (strcmp(arg, "openonly") == 0)
			a.open_only = true;
		else if (strcmp(arg, "closeonly") == 0)
			a.close_only = true;
		else if (strcmp(arg, "debug") == 0)
			a.debug = true;
		else {
			pam_syslog(pamh, LOG_ERR,
				   "unknown argument '%s' (known: config= launcher= openonly "
				   "closeonly debug)",
				   arg);
			r = -EINVAL;
		}
	}
	if (r == 0 && a.open_only && a.close_only) {
		pam_syslog(pamh, LOG_ERR, "'openonly' and 'closeonly' exclude each other");
		r = -EINVAL;
	}
	if (r == 0)
		*ret = a;
	return r;
}
