/* common/proc.h: processes addressed safely. A pid alone is never trusted: it is paired with
 * the process start time (field 22 of /proc/PID/stat), and held as a pidfd. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* The start time of @pid in clock ticks after boot. Returns 0 or -errno (-ESRCH: no such
 * process, -EPROTO: unparsable stat). Reads the /proc of the caller's mount namespace. */
int proc_start_time(pid_t pid, uint64_t *ret);

/* Open a pidfd (O_CLOEXEC) for @pid and verify, after opening, that it is still the process
 * that started at @start_time. Returns the pidfd or -errno: -ESRCH when the process is gone
 * or the pid now belongs to another process. */
int proc_open_verified(pid_t pid, uint64_t start_time);

/* The number of threads of the calling process (entries of /proc/self/task). */
int proc_count_threads(void);

/* Is the process behind @pidfd still running? 1 yes, 0 it has exited, -errno. */
int proc_pidfd_alive(int pidfd);
