/* launcher/caps.h: the launcher is not setuid; it runs because its caller is root. */
#pragma once

#include <stddef.h>

/* Check that the calling process has every capability the launcher needs in its effective
 * set. Returns 0, or -EPERM with the missing ones named in @missing ("cap_sys_admin,
 * cap_sys_chroot"), or -errno. */
int caps_check(char *missing, size_t size);
