/* admin/interrupt.h: the long image commands (import, build) stop cleanly, leaving no half
 * image, on SIGINT, SIGTERM or SIGHUP. */
#pragma once

#include <signal.h>

/* Set by the first of those signals; the command's loops look at it. */
extern volatile sig_atomic_t interrupt_requested;

/* Catch the three without SA_RESTART, so that a blocked read (a pipe as the source) or a
 * wait for a build's sandbox returns, and the command sees interrupt_requested. */
void interrupt_catch(void);
