/* config/capnames.h: Linux capability names, so that the config, the launcher and the admin
 * tool print and parse capability lists the same way. Names are the lowercase "cap_chown" form
 * of <linux/capability.h>; capability numbers are bit positions in a uint64_t mask. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* "cap_chown" for CAP_CHOWN, ...; NULL for a number this table does not know. */
const char *cfg_capability_name(int cap);

/* The number of capability @name, written with or without the "cap_" prefix, in any case
 * ("cap_net_bind_service", "NET_BIND_SERVICE", "chown"). Returns it, or -EINVAL when unknown. */
int cfg_capability_from_name(const char *name);

/* Write the capabilities in @mask (bit 1 << CAP_x each) as "cap_chown,cap_net_bind_service",
 * lowest number first, into @buf; "" for none. A bit without a name is written as its decimal
 * number. Returns 0, or -ENOBUFS when @size is too small (then @buf is "" if @size > 0). */
int cfg_capabilities_format(uint64_t mask, char *buf, size_t size);
