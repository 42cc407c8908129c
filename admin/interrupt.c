/* admin/interrupt.c: see interrupt.h. */
#include <signal.h>
#include <stddef.h>

#include "admin/interrupt.h"
#include "common/cleanup.h"

volatile sig_atomic_t interrupt_requested;

static void on_signal(int sig)
{
	(void)sig;
	interrupt_requested = 1;
}

void interrupt_catch(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	int signals[] = {SIGINT, SIGTERM, SIGHUP};

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		(void)sigaction(signals[i], &sa, NULL);
}
