/* carrel diff: what a session's writable layer changed, like "docker diff": A added,
 * C changed, D deleted, one path a line. For a running session the layer comes from its init
 * (through the control socket: a tmpfs layer is reachable nowhere else); for a user's
 * persistent root at rest, from the store. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin/commands.h"
#include "admin/images.h"
#include "admin/sessions.h"
#include "common/cleanup.h"
#include "common/control.h"
#include "common/fs.h"
#include "common/image.h"
#include "common/log.h"
#include "common/store.h"
#include "config/config.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: carrel diff ID|USER [--image NAME] [-c FILE]\n"
		"\n"
		"List what the writable layer of a running session changed, or of USER's\n"
		"persistent root on image NAME when no session of theirs runs: A added,\n"
		"C changed, D deleted.\n"
		"\n"
		"  -i, --image NAME    the persistent root's image (needed when no session runs)\n"
		"  -c, --config FILE   where to look the image up (default " CARREL_CONFIG_PATH
		")\n"
		"  -h, --help          show this help\n");
}

struct change {
	char kind;
	char *path;
};

struct diff_walk {
	int lower_fd;         /* the image's root */
	const char *prefix;   /* where this part of the layer is mounted ("" for /) */
	size_t skip;          /* length of the walked directory's path */
	struct change *items; /* collected */
	size_t n;
};

static struct diff_walk *walk; /* nftw has no user data pointer */

static int add_change(char kind, const char *path)
{
	struct change *grown = realloc(walk->items, (walk->n + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	walk->items = grown;
	walk->items[walk->n].kind = kind;
	walk->items[walk->n].path = strdup(path);
	if (!walk->items[walk->n].path)
		return -ENOMEM; /* not counted: the list never holds a NULL path */
	walk->n++;
	return 0;
}

static int visit(const char *fpath, const struct stat *st, int type, struct FTW *ftw)
{
	char path[4096];
	struct stat lower;

	(void)type;
	if (ftw->level == 0)
		return 0; /* the upper directory itself */
	snprintf(path, sizeof(path), "%s%s", walk->prefix, fpath + walk->skip);
	/* overlayfs marks a deletion with a 0:0 character device in the upper layer. */
	if (S_ISCHR(st->st_mode) && st->st_rdev == 0)
		return add_change('D', path);
	return add_change(
	    fstatat(walk->lower_fd, path + 1, &lower, AT_SYMLINK_NOFOLLOW) == 0 ? 'C' : 'A', path);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One upper directory of the layer: "upper" for /, "mnt%2Fvar/upper" for /var. */
static int walk_part(int layer_fd, const char *name, struct diff_walk *w)
{
	char dir[4200], prefix[4096] = "";
	size_t o = 0;
	int r;

	/* Undo store_layer_name(): "mnt%2Fvar" is /var. */
	if (name[0]) {
		for (const char *p = name + 3; *p && o + 1 < sizeof(prefix); p++) {
			int high = p[0] == '%' ? hex_digit(p[1]) : -1;
			int low = high >= 0 ? hex_digit(p[2]) : -1;

			if (low >= 0) {
				prefix[o++] = (char)((high << 4) | low);
				p += 2;
			} else {
				prefix[o++] = *p;
			}
		}
		prefix[o] = '\0';
	}
	snprintf(dir, sizeof(dir), "/proc/self/fd/%d/%s%supper", layer_fd, name,
		 name[0] ? "/" : "");
	w->prefix = prefix;
	w->skip = strlen(dir);
	walk = w;
	/* -1 is nftw's own failure; another value is what visit() returned (-ENOMEM). */
	r = nftw(dir, visit, 32, FTW_PHYS | FTW_MOUNT);
	if (r == -1)
		r = errno == ENOENT ? 0 : -errno;
	walk = NULL;
	w->prefix = NULL; /* @prefix is this frame's */
	return r;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct change *)a)->path, ((const struct change *)b)->path);
}

/* Every part of the layer open at @layer_fd against the image at @lower_fd, printed. */
static int diff_layer(int layer_fd, int lower_fd)
{
	struct diff_walk w = {.lower_fd = lower_fd};
	DIR *dir = fs_opendir_at(layer_fd, ".");
	struct dirent *de;
	int r = walk_part(layer_fd, "", &w);

	while (r >= 0 && dir && (de = readdir(dir)))
		if (strncmp(de->d_name, "mnt", 3) == 0)
			r = walk_part(layer_fd, de->d_name, &w);
	if (dir)
		closedir(dir);
	if (w.n)
		qsort(w.items, w.n, sizeof(*w.items), by_path);
	for (size_t i = 0; i < w.n; i++) {
		if (r >= 0)
			printf("%c %s\n", w.items[i].kind, w.items[i].path);
		free(w.items[i].path);
	}
	free(w.items);
	return r;
}

static int open_lower(const char *lower)
{
	int fd;

	/* A stored image: its layers, merged. */
	if (lower && strchr(lower, ':'))
		return images_open_lower_list(lower);
	fd = open(lower && lower[0] ? lower : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* A running session: its init hands over the layer. */
static int diff_session(const struct session_record *r)
{
	autoclose int root_fd = session_state_open_root(false), dir_fd = -1, layer_fd = -1;
	autoclose int lower_fd = -1;
	char reply = 0;
	int rr;

	dir_fd = root_fd < 0 ? root_fd : session_dir_open(root_fd, r->id);
	rr = dir_fd < 0 ? dir_fd : control_call(dir_fd, CONTROL_UPPER, -1, &reply, &layer_fd);
	if (rr < 0 || reply != CONTROL_OK || layer_fd < 0)
		return log_error_errno(rr < 0 ? rr : -EPROTO, "session %s does not give its layer",
				       r->id);
	lower_fd = open_lower(r->lower_dir);
	if (lower_fd < 0)
		return log_error_errno(lower_fd, "cannot open the image '%s'", r->lower_dir);
	return diff_layer(layer_fd, lower_fd);
}

/* A persistent root at rest: the layer from the store, the image from the config. */
static int diff_persistent(const char *user, const char *image, const char *config)
{
	struct cfg *cfg __attribute__((cleanup(cfg_freep))) = NULL;
	const struct cfg_image *img;
	autoclose int store_fd = store_open(false), layer_fd = -1, lower_fd = -1;
	char path[600], why[300];
	int r;

	if (!image) {
		log_error("no running session is '%s'; name the persistent root with --image",
			  user);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "users/%s/%s", user, image);
	layer_fd = store_fd < 0
		       ? -1
		       : openat(store_fd, path, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (layer_fd < 0) {
		log_error("no running session is '%s', nor a persistent root of it on image '%s'",
			  user, image);
		return -ENOENT;
	}
	r = cfg_load(config, &cfg, NULL);
	img = r < 0 ? NULL : cfg_image_find(cfg, image);
	if (!img) {
		log_error("image '%s' is not in '%s'", image, config);
		return -ENOENT;
	}
	if (img->type == CFG_IMAGE_OCI)
		lower_fd = store_fd < 0 ? store_fd : images_open_view(store_fd, img);
	else
		lower_fd = img->type == CFG_IMAGE_HOST
			       ? open_lower("/")
			       : image_open_dir(img->path, why, sizeof(why));
	if (lower_fd < 0)
		return log_error_errno(lower_fd, "cannot open image '%s'", image);
	return diff_layer(layer_fd, lower_fd);
}

int cmd_diff(int argc, char **argv)
{
	static const struct option options[] = {{"image", required_argument, NULL, 'i'},
						{"config", required_argument, NULL, 'c'},
						{"help", no_argument, NULL, 'h'},
						{}};
	const char *image = NULL, *config = CARREL_CONFIG_PATH;
	const struct session_record *rec;
	struct session_list list;
	char why[512];
	int opt, r;

	while ((opt = getopt_long(argc, argv, "i:c:h", options, NULL)) != -1) {
		if (opt == 'i')
			image = optarg;
		else if (opt == 'c')
			config = optarg;
		else {
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? EXIT_OK : EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	r = sessions_load_named(argv[optind], &list);
	if (r < 0)
		return log_error_errno(r, "cannot read the sessions"), EXIT_FAIL;
	if (sessions_find(&list, argv[optind], &rec, why, sizeof(why)) == 0)
		r = diff_session(rec);
	else
		r = diff_persistent(argv[optind], image, config);
	sessions_free(&list);
	return r < 0 ? EXIT_FAIL : EXIT_OK;
}
