/* image/io.h: how the long steps of an import (copying, unpacking) report progress and learn
 * that they must stop. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct image_io {
	void (*progress)(void *data, uint64_t done); /* bytes of the blob handled so far */
	void *data;
	const volatile sig_atomic_t *interrupted; /* set (by a signal handler): stop, -EINTR */
};

static inline bool image_io_stop(const struct image_io *io)
{
	return io && io->interrupted && *io->interrupted;
}

static inline void image_io_progress(const struct image_io *io, uint64_t done)
{
	if (io && io->progress)
		io->progress(io->data, done);
}
