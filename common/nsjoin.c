/* common/nsjoin.c: see nsjoin.h. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/nsjoin.h"
#include "common/proc.h"

/* The order to go back in: the mount namespace last, so the others are opened by fd from
 * anywhere; pid only changes what our future children get. */
static const struct {
	const char *name;
	int type;
} ns_types[NSJOIN_N_TYPES] = {
    {"net", CLONE_NEWNET}, {"uts", CLONE_NEWUTS},       {"ipc", CLONE_NEWIPC},
    {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP}, {"mnt", CLONE_NEWNS},
};

int nsjoin_save_host(struct nsjoin_host *ret)
{
	struct nsjoin_host h = {.cwd_fd = -1};
	int r = 0;

	for (size_t i = 0; i < NSJOIN_N_TYPES; i++)
		h.ns_fd[i] = -1;
	for (size_t i = 0; i < NSJOIN_N_TYPES && r == 0; i++) {
		char path[64] = "/proc/self/ns/";

		strcat(path, ns_types[i].name);
		h.ns_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (h.ns_fd[i] < 0)
			r = -errno;
	}
	if (r == 0) {
		h.cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		h.cwd_path = getcwd(NULL, 0);
		if (h.cwd_fd < 0 || !h.cwd_path)
			r = errno ? -errno : -ENOMEM;
	}
	if (r < 0) {
		nsjoin_host_close(&h);
		return r;
	}
	*ret = h;
	return 0;
}

int nsjoin_check_single_threaded(void)
{
	int n = proc_count_threads();

	if (n < 0)
		return n;
	return n == 1 ? 0 : -EBUSY;
}

int nsjoin_enter(int pidfd, const char *cwd_path)
{
	assert(pidfd >= 0);

	if (setns(pidfd, NSJOIN_TYPES) < 0)
		return -errno;
	/* A host path resolved inside the session: the same place when the session has it
	 * (a bound home), never a host directory. */
	if (!cwd_path || chdir(cwd_path) < 0) {
		if (chdir("/") < 0)
			return -errno;
	}
	return 0;
}

int nsjoin_return(const struct nsjoin_host *h)
{
	int first = 0;

	for (size_t i = 0; i < NSJOIN_N_TYPES; i++) {
		if (setns(h->ns_fd[i], ns_types[i].type) < 0 && first == 0)
			first = -errno;
	}
	if (fchdir(h->cwd_fd) < 0 && first == 0)
		first = -errno;
	return first;
}

void nsjoin_host_close(struct nsjoin_host *h)
{
	for (size_t i = 0; i < NSJOIN_N_TYPES; i++) {
		if (h->ns_fd[i] >= 0)
			(void)close(h->ns_fd[i]);
		h->ns_fd[i] = -1;
	}
	if (h->cwd_fd >= 0)
		(void)close(h->cwd_fd);
	h->cwd_fd = -1;
	free(h->cwd_path);
	h->cwd_path = NULL;
}
