/* image/users.h: users and groups as an image's own /etc/passwd and /etc/group name them, for
 * USER (who a RUN runs as) and COPY/ADD --chown. The files are read from the image's root
 * (resolved inside it) and parsed here: never through NSS, which would load the image's
 * libraries into carrel. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define USERS_GROUPS_MAX 64

struct image_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[USERS_GROUPS_MAX]; /* supplementary groups (RUN), from /etc/group */
	size_t n_groups;
	char home[256]; /* the passwd entry's home, "" when there is none */
};

enum users_for {
	USERS_FOR_RUN,   /* USER: the group defaults to the user's primary group, or 0 */
	USERS_FOR_CHOWN, /* --chown: the group defaults to the uid's number, as docker does */
};

/* Resolve @spec, "USER[:GROUP]" (names or numbers), against the image whose root is open at
 * @root_fd (-1: an image with no files yet, where only numbers resolve). Returns 0 or -errno:
 * -ENOENT for a name the image does not have, -EINVAL for a malformed spec, with @why (of
 * @why_size) saying which. */
int users_resolve(int root_fd, const char *spec, enum users_for what, struct image_user *ret,
		  char *why, size_t why_size);
