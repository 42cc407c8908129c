/* tests/unit/test_proc.c: proc_start_time(), proc_open_verified(), proc_count_threads() and
 * proc_pidfd_alive(), on this process, forked children and a thread. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* every cmocka test takes @state; most here do not need it */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "common/cleanup.h"
#include "common/proc.h"

/* A pid above any pid_max (at most 2^22): never a process. */
#define NO_SUCH_PID 2147483647

/* A forked child that waits until told to go. */
struct child {
	pid_t pid;
	int go_fd; /* closing it lets the child exit */
};

static int setup_child(void **state)
{
	struct child *c = calloc(1, sizeof(*c));
	int ready[2], go[2];
	char byte;

	if (!c || pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		(void)close(go[1]);
		(void)close(ready[0]);
		/* A name like this one is why the stat line is parsed from its last ')'. */
		(void)prctl(PR_SET_NAME, "a) b c) 1 2 3");
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		if (read(go[0], &byte, 1) < 0)
			_exit(3);
		_exit(0);
	}
	(void)close(go[0]);
	(void)close(ready[1]);
	if (read(ready[0], &byte, 1) != 1)
		return -1;
	(void)close(ready[0]);
	c->go_fd = go[1];
	*state = c;
	return 0;
}

/* Let the child exit (if it is still there) and reap it. */
static void child_finish(struct child *c)
{
	if (c->go_fd >= 0)
		(void)close(c->go_fd);
	c->go_fd = -1;
	if (c->pid > 0)
		assert_int_equal(waitpid(c->pid, NULL, 0), c->pid);
	c->pid = 0;
}

static int teardown_child(void **state)
{
	struct child *c = *state;

	if (c->pid > 0) {
		(void)kill(c->pid, SIGKILL);
		(void)waitpid(c->pid, NULL, 0);
	}
	if (c->go_fd >= 0)
		(void)close(c->go_fd);
	free(c);
	return 0;
}

/* Field 22 of /proc/@pid/stat, read independently of proc.c: split after the last ')'. */
static uint64_t stat_field_22(pid_t pid)
{
	char path[64], line[4096], *p, *save = NULL;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	assert_non_null(f);
	n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	p = strrchr(line, ')');
	assert_non_null(p);
	p = strtok_r(p + 1, " ", &save); /* field 3 */
	for (int field = 4; field <= 22; field++)
		p = strtok_r(NULL, " ", &save);
	assert_non_null(p);
	return strtoull(p, NULL, 10);
}

static void start_time_of_self_is_field_22_of_its_stat(void **state)
{
	uint64_t t = 0, again = 0;

	assert_int_equal(proc_start_time(getpid(), &t), 0);
	assert_int_equal(t, stat_field_22(getpid()));
	assert_int_equal(proc_start_time(getpid(), &again), 0);
	assert_int_equal(again, t);
}

static void start_time_of_a_child_survives_a_hostile_name(void **state)
{
	struct child *c = *state;
	uint64_t self = 0, t = 0;

	assert_int_equal(proc_start_time(c->pid, &t), 0);
	assert_int_equal(t, stat_field_22(c->pid));
	assert_int_equal(proc_start_time(getpid(), &self), 0);
	assert_true(t >= self); /* started after us */
}

static void start_time_of_a_missing_process_is_esrch(void **state)
{
	struct child *c = *state;
	pid_t pid = c->pid;
	uint64_t t = 77;

	child_finish(c);
	assert_int_equal(proc_start_time(pid, &t), -ESRCH);
	assert_int_equal(proc_start_time(NO_SUCH_PID, &t), -ESRCH);
	assert_int_equal(t, 77);
}

static void open_verified_accepts_the_right_start_time(void **state)
{
	struct child *c = *state;
	uint64_t t = 0;
	autoclose int pidfd = -1;

	assert_int_equal(proc_start_time(c->pid, &t), 0);
	pidfd = proc_open_verified(c->pid, t);
	assert_true(pidfd >= 0);
	assert_true(fcntl(pidfd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(proc_pidfd_alive(pidfd), 1);
}

static void open_verified_refuses_a_wrong_start_time(void **state)
{
	struct child *c = *state;
	uint64_t t = 0;

	assert_int_equal(proc_start_time(c->pid, &t), 0);
	assert_int_equal(proc_open_verified(c->pid, t + 1), -ESRCH);
	assert_int_equal(proc_open_verified(c->pid, t - 1), -ESRCH);
	assert_int_equal(proc_open_verified(c->pid, 0), -ESRCH);
}

static void open_verified_refuses_a_reaped_child(void **state)
{
	struct child *c = *state;
	pid_t pid = c->pid;
	uint64_t t = 0;

	assert_int_equal(proc_start_time(pid, &t), 0);
	child_finish(c);
	assert_int_equal(proc_open_verified(pid, t), -ESRCH);
}

static void open_verified_refuses_pids_that_are_not_processes(void **state)
{
	assert_int_equal(proc_open_verified(0, 0), -ESRCH);
	assert_int_equal(proc_open_verified(-1, 0), -ESRCH);
	assert_int_equal(proc_open_verified(NO_SUCH_PID, 0), -ESRCH);
}

static void pidfd_alive_turns_false_when_the_child_exits(void **state)
{
	struct child *c = *state;
	uint64_t t = 0;
	autoclose int pidfd = -1;
	siginfo_t info;

	assert_int_equal(proc_start_time(c->pid, &t), 0);
	pidfd = proc_open_verified(c->pid, t);
	assert_true(pidfd >= 0);
	assert_int_equal(proc_pidfd_alive(pidfd), 1);
	(void)close(c->go_fd);
	c->go_fd = -1;
	/* wait for the exit but leave the zombie: the pidfd must say so before any reaping */
	assert_int_equal(waitid(P_PID, (id_t)c->pid, &info, WEXITED | WNOWAIT), 0);
	assert_int_equal(proc_pidfd_alive(pidfd), 0);
	child_finish(c);
	assert_int_equal(proc_pidfd_alive(pidfd), 0);
}

static void count_threads_is_one_for_this_test(void **state)
{
	assert_int_equal(proc_count_threads(), 1);
}

static void *wait_for_close(void *arg)
{
	char byte;

	(void)!read(*(int *)arg, &byte, 1);
	return NULL;
}

static void count_threads_counts_a_running_thread(void **state)
{
	struct timespec tick = {0, 1000 * 1000};
	pthread_t thread;
	int pipe_fds[2];
	int n = 0;

	assert_int_equal(pipe2(pipe_fds, O_CLOEXEC), 0);
	assert_int_equal(pthread_create(&thread, NULL, wait_for_close, &pipe_fds[0]), 0);
	assert_int_equal(proc_count_threads(), 2);
	(void)close(pipe_fds[1]);
	assert_int_equal(pthread_join(thread, NULL), 0);
	(void)close(pipe_fds[0]);
	/* the kernel drops the task of a joined thread a moment after glibc returns */
	for (int i = 0; i < 1000 && (n = proc_count_threads()) != 1; i++)
		nanosleep(&tick, NULL);
	assert_int_equal(n, 1);
}

#define CHILD_TEST(t) cmocka_unit_test_setup_teardown(t, setup_child, teardown_child)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(start_time_of_self_is_field_22_of_its_stat),
	    CHILD_TEST(start_time_of_a_child_survives_a_hostile_name),
	    CHILD_TEST(start_time_of_a_missing_process_is_esrch),
	    CHILD_TEST(open_verified_accepts_the_right_start_time),
	    CHILD_TEST(open_verified_refuses_a_wrong_start_time),
	    CHILD_TEST(open_verified_refuses_a_reaped_child),
	    cmocka_unit_test(open_verified_refuses_pids_that_are_not_processes),
	    CHILD_TEST(pidfd_alive_turns_false_when_the_child_exits),
	    cmocka_unit_test(count_threads_is_one_for_this_test),
	    cmocka_unit_test(count_threads_counts_a_running_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
