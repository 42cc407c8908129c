/* launcher/init_handoff.c: see init_handoff.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/program.h"
#include "launcher/init.h"
#include "launcher/init_handoff.h"

#define PROGRAM "carrel-init"

int init_handoff_open_program(void)
{
	return program_open_beside_self(PROGRAM);
}

static int set_cloexec(int fd, bool on)
{
	if (fd < 0)
		return 0;
	return fcntl(fd, F_SETFD, on ? FD_CLOEXEC : 0) < 0 ? -errno : 0;
}

/* Set or clear close-on-exec on every fd @s names: cleared for the one exec into carrel-init,
 * set again right after it. */
static int mark_fds(const struct init_state *s, bool cloexec)
{
	const int fds[] = {s->caller_pidfd,      s->lock_fd,    s->state_root_fd,
			   s->host_cgroupns_fd,  s->control_fd, s->layer_fd,
			   s->store_sessions_fd, s->events_fd,  s->layer_lock_fd,
			   s->image_lock_fd};
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fds) && r == 0; i++)
		r = set_cloexec(fds[i], cloexec);
	for (size_t i = 0; i < s->cgroups.n && r == 0; i++) {
		r = set_cloexec(s->cgroups.parent_fd[i], cloexec);
		if (r == 0)
			r = set_cloexec(s->cgroups.top_procs_fd[i], cloexec);
	}
	return r;
}

int init_handoff_exec(int program_fd, struct init_state *s)
{
	static char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	char memfd_text[16];
	char *argv[5];
	int memfd, r;

	s->magic = INIT_STATE_MAGIC;
	s->size = sizeof(*s);
	r = mark_fds(s, false);
	if (r < 0)
		return r;
	memfd = memfd_create(PROGRAM, 0); /* no MFD_CLOEXEC: init reads it */
	if (memfd < 0)
		return -errno;
	if (write(memfd, s, sizeof(*s)) != (ssize_t)sizeof(*s) || lseek(memfd, 0, SEEK_SET) < 0) {
		r = -errno;
		(void)close(memfd);
		return r ? r : -EIO;
	}
	snprintf(memfd_text, sizeof(memfd_text), "%d", memfd);
	argv[0] = PROGRAM;
	argv[1] = s->id;
	argv[2] = s->user;
	argv[3] = memfd_text;
	argv[4] = NULL;
	execveat(program_fd, "", argv, envp, AT_EMPTY_PATH);
	r = -errno;
	(void)close(memfd);
	return r;
}

int init_handoff_receive(int fd, struct init_state *ret)
{
	ssize_t n = pread(fd, ret, sizeof(*ret), 0);

	if (n != (ssize_t)sizeof(*ret) || ret->magic != INIT_STATE_MAGIC ||
	    ret->size != sizeof(*ret))
		return -EPROTO;
	ret->id[sizeof(ret->id) - 1] = '\0';
	ret->user[sizeof(ret->user) - 1] = '\0';
	if (ret->cgroups.n > ARRAY_SIZE(ret->cgroups.parent_fd))
		return -EPROTO;
	return mark_fds(ret, true) < 0 ? -EPROTO : 0;
}
