/* common/control.h: talking to a running session's init through its control socket,
 * /run/carrel/sessions/<id>/control: a SOCK_SEQPACKET unix socket in the session's 0700 root
 * directory, so only root can reach it; init also checks the peer is root.
 *
 * One request per connection: a byte naming it, with at most one fd passed along
 * (SCM_RIGHTS); one reply byte, with at most one fd back. */
#pragma once

#define CONTROL_SOCKET "control"

enum control_request {
	CONTROL_ATTACH = 'a', /* one more login joins the session: its pidfd is attached */
	CONTROL_UPPER = 'u',  /* send back the session's writable layer (for carrel diff) */
	CONTROL_STATE = 'q',  /* running (CONTROL_OK) or ending (CONTROL_STOPPING)? */
};

enum control_reply {
	CONTROL_OK = 'o',
	CONTROL_STOPPING = 's', /* the session is ending: it takes no more logins */
	CONTROL_REFUSED = 'r',
};

/* The client side: connect to the session whose directory is @dir_fd, send @request with
 * @send_fd (-1 for none), wait for the reply. *@ret_fd (may be NULL) gets an fd sent back,
 * or -1. Returns 0 with the reply byte in *@ret_reply, or -errno (-ECONNREFUSED: no init
 * listens any more). */
int control_call(int dir_fd, char request, int send_fd, char *ret_reply, int *ret_fd);

/* The init side: make the socket at @path and listen. Returns the listening fd or -errno. */
int control_listen(const char *path);

/* Accept one connection from root on @listen_fd and read its request. Returns the connected
 * fd (to answer on) with *@ret_request and *@ret_fd (-1 when none came), or -errno
 * (-EPERM: the peer is not root; it was closed). */
int control_accept(int listen_fd, char *ret_request, int *ret_fd);

/* Send the reply byte and @send_fd (-1: none) on @conn_fd. Returns 0 or -errno. */
int control_reply(int conn_fd, char reply, int send_fd);
