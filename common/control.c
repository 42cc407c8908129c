/* common/control.c: see control.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/control.h"

static int send_byte(int fd, char byte, int send_fd)
{
	char control[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	if (send_fd >= 0) {
		struct cmsghdr *cmsg;

		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &send_fd, sizeof(int));
	}
	while (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* One byte and at most one fd. An fd that comes with anything unexpected is closed. */
static int receive_byte(int fd, char *ret_byte, int *ret_fd)
{
	char control[CMSG_SPACE(sizeof(int))] = {0};
	char byte = 0;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control,
			     .msg_controllen = sizeof(control)};
	struct cmsghdr *cmsg;
	ssize_t n;
	int got = -1;

	do
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
		    cmsg->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&got, CMSG_DATA(cmsg), sizeof(int));
	if (n != 1 || (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
		if (got >= 0)
			(void)close(got);
		return -EPROTO;
	}
	*ret_byte = byte;
	if (ret_fd)
		*ret_fd = got;
	else if (got >= 0)
		(void)close(got);
	return 0;
}

int control_call(int dir_fd, char request, int send_fd, char *ret_reply, int *ret_fd)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	autoclose int fd = -1;
	int r;

	/* Through the directory fd: no path below /run/carrel is looked up twice. */
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/" CONTROL_SOCKET, dir_fd);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return errno == ENOENT ? -ECONNREFUSED : -errno;
	r = send_byte(fd, request, send_fd);
	if (r < 0)
		return r;
	return receive_byte(fd, ret_reply, ret_fd);
}

int control_listen(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	autoclose int fd = -1;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	(void)unlink(path); /* a socket left by nothing: the directory is new and ours */
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0)
		return -errno;
	return take_fd(fd);
}

int control_accept(int listen_fd, char *ret_request, int *ret_fd)
{
	autoclose int conn = -1;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int r;

	conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return -errno;
	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (cred.uid != 0)
		return -EPERM;
	r = receive_byte(conn, ret_request, ret_fd);
	if (r < 0)
		return r;
	return take_fd(conn);
}

int control_reply(int conn_fd, char reply, int send_fd)
{
	return send_byte(conn_fd, reply, send_fd);
}
