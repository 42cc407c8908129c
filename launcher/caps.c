/* launcher/caps.c: see caps.h. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/capability.h>

#include "common/cleanup.h"
#include "launcher/caps.h"

/* What building a session takes: namespaces, mounts and pivot_root (sys_admin, sys_chroot),
 * state under /run/carrel and files in the writable layer (dac_override, chown, fowner),
 * loopback in a new network namespace (net_admin), signalling the session (kill). */
static const cap_value_t needed[] = {
    CAP_SYS_ADMIN, CAP_SYS_CHROOT, CAP_DAC_OVERRIDE, CAP_CHOWN, CAP_FOWNER, CAP_NET_ADMIN, CAP_KILL,
};

int caps_check(char *missing, size_t size)
{
	cap_t caps = cap_get_proc();
	bool lacking = false;

	if (!caps)
		return -errno;
	missing[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(needed); i++) {
		cap_flag_value_t value = CAP_CLEAR;
		char *name;

		if (cap_get_flag(caps, needed[i], CAP_EFFECTIVE, &value) == 0 && value == CAP_SET)
			continue;
		name = cap_to_name(needed[i]);
		if (lacking)
			strncat(missing, ",", size - strlen(missing) - 1);
		strncat(missing, name ? name : "?", size - strlen(missing) - 1);
		cap_free(name);
		lacking = true;
	}
	cap_free(caps);
	return lacking ? -EPERM : 0;
}
