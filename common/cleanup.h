/* common/cleanup.h: scope-bound ownership of heap memory and fds (GNU C cleanup attribute). */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static inline void free_ptr(void *p)
{
	free(*(void **)p);
}

static inline void close_fd(const int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		(void)close(*fd); /* never retried on EINTR: the fd is gone either way */
		errno = saved;
	}
}

#define autofree __attribute__((cleanup(free_ptr)))
#define autoclose __attribute__((cleanup(close_fd)))
#define take_ptr(p)                                                                                \
	({                                                                                         \
		__typeof__(p) p_taken_ = (p);                                                      \
		(p) = NULL;                                                                        \
		p_taken_;                                                                          \
	})
#define take_fd(fd)                                                                                \
	({                                                                                         \
		int fd_taken_ = (fd);                                                              \
		(fd) = -1;                                                                         \
		fd_taken_;                                                                         \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
