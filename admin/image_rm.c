/* carrel image rm: remove images, refused while a running session uses one, then reclaim the
 * layers and blobs no image names any more.
 *
 * Two checks, for two audiences: the session records say which session uses the image (the
 * message an admin needs), and the image's record lock, which every session holds shared
 * for its whole life, closes the race with a session starting meanwhile. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin/commands.h"
#include "admin/image_cmds.h"
#include "admin/images.h"
#include "admin/sessions.h"
#include "common/cleanup.h"
#include "common/image_store.h"
#include "common/log.h"
#include "common/store.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: carrel image rm NAME...\n"
		"\n"
		"Remove images from the store, and the layers and blobs that no other image\n"
		"uses. An image a running session uses is not removed: stop the session first.\n"
		"\n"
		"  -h, --help   show this help\n");
}

static bool uses(const struct session_record *s, const struct image_record *r)
{
	return (s->stored_image && strcmp(s->stored_image, r->name) == 0) ||
	       (s->image_id && strcmp(s->image_id, r->config.digest) == 0);
}

/* The first running session on @r, for the message. */
static int in_use(const struct image_record *r)
{
	struct session_list l;
	int found = 0;

	if (sessions_load(&l) < 0)
		return log_error("cannot read the sessions: not removing image '%s'", r->name),
		       -EIO;
	for (size_t i = 0; i < l.n && !found; i++) {
		if (!uses(l.items[i], r))
			continue;
		log_error(
		    "image '%s' is in use by session %s of '%s' (stop it first: carrel stop %s)",
		    r->name, l.items[i]->id, l.items[i]->user, l.items[i]->id);
		found = 1;
	}
	sessions_free(&l);
	return found ? -EBUSY : 0;
}

static int remove_one(int store_fd, const char *name)
{
	struct image_record *r __attribute__((cleanup(image_record_freep))) = NULL;
	autoclose int hold_fd = -1, images_fd = -1;
	int rr;

	rr = images_load(store_fd, name, &r);
	if (rr >= 0)
		rr = in_use(r);
	if (rr < 0)
		return rr;
	hold_fd = image_hold(store_fd, name, true);
	if (hold_fd == -EBUSY)
		return log_error("image '%s' is in use by a session that is starting", name),
		       -EBUSY;
	if (hold_fd < 0)
		return log_error_errno(hold_fd, "cannot lock image '%s'", name);
	images_fd = image_store_subdir(store_fd, "images");
	rr = images_fd < 0 ? images_fd : image_store_discard(store_fd, images_fd, name);
	if (rr < 0)
		return log_error_errno(rr, "cannot remove image '%s'", name);
	printf("removed image '%s' %s\n", name, r->config.digest);
	return 0;
}

static void told(const char *what, const char *digest, int result, void *data)
{
	int *failed = data;

	if (result < 0) {
		log_error_errno(result, "cannot delete %s %s", what, digest);
		(*failed)++;
		return;
	}
	printf("deleted %s %s\n", what, digest);
}

int image_cmd_rm(int argc, char **argv)
{
	static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {}};
	autoclose int store_fd = -1, lock_fd = -1;
	int opt, failed = 0, r;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	store_fd = images_open_store();
	if (store_fd == -ENOENT)
		return log_error("no image '%s' (the store is empty)", argv[optind]), EXIT_FAIL;
	lock_fd = store_fd < 0 ? store_fd : image_store_lock(store_fd, true);
	if (lock_fd < 0)
		return store_fd < 0
			   ? EXIT_FAIL
			   : (log_error_errno(lock_fd, "cannot lock the image store"), EXIT_FAIL);
	for (int i = optind; i < argc; i++)
		failed += remove_one(store_fd, argv[i]) < 0;
	r = image_store_reclaim(store_fd, told, &failed);
	if (r < 0)
		failed += log_error_errno(r, "cannot reclaim unused layers") < 0;
	return failed ? EXIT_FAIL : EXIT_OK;
}
