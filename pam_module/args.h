/* pam_module/args.h: the module's arguments in the PAM stack. */
#pragma once

#include <security/pam_modules.h>
#include <stdbool.h>

struct module_args {
	const char *config;   /* config=FILE */
	const char *launcher; /* launcher=PATH (absolute) */
	bool open_only;       /* openonly: this line only opens sessions */
	bool close_only;      /* closeonly: this line only closes them */
	bool debug;
};

/* Parse @argv. Returns 0, or -EINVAL after logging the offending argument: a mistyped
 * option must never silently fall back to a default config. */
int args_parse(pam_handle_t *pamh, int argc, const char **argv, struct module_args *ret);
