/* bench/raw_join.c: the reference for joining a running session: pidfd_open, one setns(2)
 * into all its namespaces, fork, exec the command, wait. What "carrel join" does without
 * the record lookup, cgroup entry, confinement and user switch.
 *
 *   raw_join ITERATIONS PID COMMAND...   one line per iteration: nanoseconds */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ALL_NS (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | CLONE_NEWNET)

int main(int argc, char **argv)
{
	int iterations;

	if (argc < 4) {
		fprintf(stderr, "usage: raw_join ITERATIONS PID COMMAND...\n");
		return 2;
	}
	iterations = atoi(argv[1]);
	for (int i = 0; i < iterations; i++) {
		struct timespec a, b;
		int status;
		pid_t pid;

		clock_gettime(CLOCK_MONOTONIC, &a);
		pid = fork(); /* a joiner of its own each time, as a separate program would be */
		if (pid == 0) {
			int pidfd = pidfd_open(atoi(argv[2]), 0);

			if (pidfd < 0 || setns(pidfd, ALL_NS) < 0)
				_exit(126);
			if (fork() == 0) {
				execvp(argv[3], argv + 3);
				_exit(127);
			}
			wait(&status);
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "raw_join: iteration %d failed\n", i);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL +
					 (b.tv_nsec - a.tv_nsec));
	}
	return 0;
}
