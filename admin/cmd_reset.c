/* carrel reset: discard a user's persistent root, /var/lib/carrel/users/<user>/<image>, so
 * that their next session starts from the image again. Never while a session uses it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin/commands.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/store.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: carrel reset USER [--image NAME]\n"
		"\n"
		"Discard the persistent root of USER (on image NAME, or on every image): what\n"
		"their sessions changed outside their volumes is gone, and the next session\n"
		"starts from the image. Refused while a session uses it.\n"
		"\n"
		"  -i, --image NAME   only the persistent root on this image\n"
		"  -h, --help         show this help\n");
}

/* With the layer's lock held, so no session can start on it meanwhile. */
static int reset_one(int user_fd, const char *user, const char *image)
{
	autoclose int layer_fd = -1, lock_fd = -1;
	int r;

	layer_fd = openat(user_fd, image, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (layer_fd < 0) {
		log_error("'%s' has no persistent root on image '%s'", user, image);
		return -ENOENT;
	}
	lock_fd = store_lock_layer(layer_fd);
	if (lock_fd == -EBUSY) {
		log_error("the persistent root of '%s' on image '%s' is in use by a running "
			  "session: stop it first (carrel stop %s)",
			  user, image, user);
		return -EBUSY;
	}
	if (lock_fd < 0)
		return log_error_errno(lock_fd, "cannot lock the persistent root of '%s'", user);
	r = store_remove_tree(user_fd, image);
	if (r < 0)
		return log_error_errno(r, "cannot remove the persistent root of '%s' on '%s'", user,
				       image);
	printf("%s/%s\n", user, image);
	return 0;
}

static int reset_all(int user_fd, const char *user)
{
	DIR *dir = fs_opendir_at(user_fd, ".");
	struct dirent *de;
	int failed = 0;

	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.' && reset_one(user_fd, user, de->d_name) < 0)
			failed = -EIO;
	closedir(dir);
	return failed;
}

int cmd_reset(int argc, char **argv)
{
	static const struct option options[] = {
	    {"image", required_argument, NULL, 'i'}, {"help", no_argument, NULL, 'h'}, {}};
	autoclose int store_fd = -1, users_fd = -1, user_fd = -1;
	const char *image = NULL, *user;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "i:h", options, NULL)) != -1) {
		if (opt == 'i') {
			image = optarg;
			continue;
		}
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind + 1 != argc || strchr(argv[optind], '/') || (image && strchr(image, '/'))) {
		usage(stderr);
		return EXIT_USAGE;
	}
	user = argv[optind];
	store_fd = store_open(false);
	if (store_fd >= 0)
		users_fd = openat(store_fd, "users", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (users_fd >= 0)
		user_fd = openat(users_fd, user, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (user_fd < 0) {
		log_error("'%s' has no persistent root", user);
		return EXIT_FAIL;
	}
	r = image ? reset_one(user_fd, user, image) : reset_all(user_fd, user);
	return r < 0 ? EXIT_FAIL : EXIT_OK;
}
