/* carrel-init: the session's init, PID 1 of its pid namespace (see init.h). Started only by
 * carrel-launch, which hands it its state in a memfd; see init_handoff.h. A small static
 * program, so an idle session costs a few pages. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/log.h"
#include "launcher/init.h"
#include "launcher/init_handoff.h"

int main(int argc, char **argv)
{
	static struct init_state s; /* static: a few KiB, not on the small stack */
	char *end = NULL;
	long arg = -1;
	int fd;

	log_init("carrel-launch");
	log_use_syslog();
	if (argc == 4) {
		errno = 0;
		arg = strtol(argv[3], &end, 10);
		if (errno || end == argv[3] || *end || arg > INT_MAX)
			arg = -1;
	}
	if (arg < 0 || getpid() != 1) {
		fprintf(stderr, "carrel-init: started by carrel-launch only\n");
		return 2;
	}
	fd = (int)arg;
	if (init_handoff_receive(fd, &s) < 0) {
		log_error("carrel-init: no usable state handed over");
		return 1;
	}
	(void)close(fd);
	init_run(&s);
}
