/* launcher/net.h: the session's own network namespace (network = "none"). */
#pragma once

/* Bring the loopback interface of the caller's network namespace up. 0 or -errno. */
int net_loopback_up(void);
