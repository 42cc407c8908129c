/* carrel volume: the named volumes of users, /var/lib/carrel/volumes/<user>/<name>/_data.
 * They are made by the first session that names them and kept until removed here. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/commands.h"
#include "admin/sessions.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/store.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: carrel volume ls [USER]\n"
		"       carrel volume rm USER NAME\n"
		"\n"
		"List the named volumes (of USER), or remove one. A volume in use by a running\n"
		"session is not removed.\n"
		"\n"
		"  -h, --help   show this help\n");
}

/* The sessions whose mounts include @data (a volume's _data), as "id id ..." into @buf. */
static size_t users_of(const struct session_list *l, const char *data, char *buf, size_t size)
{
	size_t n = 0, used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++)
		for (size_t m = 0; m < l->items[i]->n_mounts; m++) {
			if (strcmp(l->items[i]->mounts[m].source, data) != 0)
				continue;
			if (used < size)
				used += (size_t)snprintf(buf + used, size - used, "%s%s",
							 n ? " " : "", l->items[i]->id);
			n++;
			break;
		}
	return n;
}

static void list_user(const struct session_list *l, int volumes_fd, const char *user)
{
	DIR *dir = fs_opendir_at(volumes_fd, user);
	struct dirent *de;

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char data[600], sessions[300];

		if (de->d_name[0] == '.')
			continue;
		snprintf(data, sizeof(data), STORE_DIR "/volumes/%s/%s/_data", user, de->d_name);
		users_of(l, data, sessions, sizeof(sessions));
		printf("%-16s %-20s %-14s %s\n", user, de->d_name, sessions[0] ? sessions : "-",
		       data);
	}
	closedir(dir);
}

static int list(const char *only_user)
{
	struct session_list sessions;
	autoclose int store_fd = store_open(false), volumes_fd = -1;
	struct dirent *de;
	DIR *dir;
	int r;

	printf("%-16s %-20s %-14s %s\n", "USER", "NAME", "IN USE BY", "PATH");
	if (store_fd < 0)
		return EXIT_OK;
	volumes_fd = openat(store_fd, "volumes", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (volumes_fd < 0)
		return EXIT_OK;
	r = sessions_load(&sessions);
	if (r < 0)
		return log_error_errno(r, "cannot read the sessions"), EXIT_FAIL;
	if (only_user) {
		list_user(&sessions, volumes_fd, only_user);
	} else if ((dir = fs_opendir_at(volumes_fd, "."))) {
		while ((de = readdir(dir)))
			if (de->d_name[0] != '.')
				list_user(&sessions, volumes_fd, de->d_name);
		closedir(dir);
	}
	sessions_free(&sessions);
	return EXIT_OK;
}

static int remove_volume(const char *user, const char *name)
{
	struct session_list sessions;
	char data[600], in_use[300];
	autoclose int store_fd = store_open(false), volumes_fd = -1, user_fd = -1;
	int r;

	if (strchr(user, '/') || strchr(name, '/') || name[0] == '.' || user[0] == '.') {
		log_error("bad user or volume name '%s' '%s'", user, name);
		return EXIT_USAGE;
	}
	snprintf(data, sizeof(data), STORE_DIR "/volumes/%s/%s/_data", user, name);
	r = sessions_load(&sessions);
	if (r < 0)
		return log_error_errno(r, "cannot read the sessions"), EXIT_FAIL;
	r = (int)users_of(&sessions, data, in_use, sizeof(in_use));
	sessions_free(&sessions);
	if (r > 0) {
		log_error("volume '%s' of '%s' is in use by session %s: stop it first", name, user,
			  in_use);
		return EXIT_FAIL;
	}
	if (store_fd >= 0)
		volumes_fd =
		    openat(store_fd, "volumes", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (volumes_fd >= 0)
		user_fd = openat(volumes_fd, user, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (user_fd < 0 || faccessat(user_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		log_error("'%s' has no volume '%s' (see 'carrel volume ls %s')", user, name, user);
		return EXIT_FAIL;
	}
	r = store_remove_tree(user_fd, name);
	if (r < 0)
		return log_error_errno(r, "cannot remove volume '%s' of '%s'", name, user),
		       EXIT_FAIL;
	printf("%s/%s\n", user, name);
	return EXIT_OK;
}

int cmd_volume(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc >= 2 && strcmp(argv[1], "ls") == 0 && argc <= 3)
		return list(argc == 3 ? argv[2] : NULL);
	if (argc == 4 && strcmp(argv[1], "rm") == 0)
		return remove_volume(argv[2], argv[3]);
	usage(stderr);
	return EXIT_USAGE;
}
