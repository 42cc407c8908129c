/* launcher/init_handoff.h: starting the session's init as its own small program.
 *
 * The sandbox is built by the launcher's clone; that process then execs carrel-init, a small
 * static program, so that what stays in memory for the whole session is init's few pages
 * and not the launcher's (its libraries' relocated data, the parsed config): every idle
 * session costs that. The state init needs, fds included, crosses the exec in a memfd. */
#pragma once

struct init_state;

/* Open the carrel-init program that belongs with this launcher: the file of that name in
 * the launcher's own directory, refused unless it is root-owned and not writable by group
 * or others. Returns an O_PATH fd or -errno. */
int init_handoff_open_program(void);

/* In the clone, once the sandbox is built: keep the fds @s names across the exec, put @s in
 * a memfd and exec @program_fd as "carrel-init ID USER MEMFD". Returns only on failure
 * (-errno), with the process unchanged but for the fds' close-on-exec flags. */
int init_handoff_exec(int program_fd, struct init_state *s);

/* In carrel-init: read the state from @fd and check it. Returns 0 or -EPROTO. */
int init_handoff_receive(int fd, struct init_state *ret);
