/* image/build.c: see build.h. image_build() reads as its list of steps: the Dockerfile, the
 * context, the store (locked, staging made), FROM, every other instruction (buildstep.c),
 * then the image, written and moved into the store in one rename. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/image_store.h"
#include "common/store.h"
#include "image/blob.h"
#include "image/build_int.h"
#include "image/buildconf.h"
#include "image/dfwords.h"
#include "image/digest.h"
#include "image/error.h"
#include "image/mediatype.h"

#define DOCKERFILE_MAX (1024 * 1024)
#define LOCK_POLL_NSEC (100 * 1000 * 1000)

void build_warn(void *data, const char *text)
{
	struct build *b = data;

	if (b->req->ui && b->req->ui->warning)
		b->req->ui->warning(b->req->ui->data, text);
}

static bool stopped(const struct build *b)
{
	return b->req->interrupted && *b->req->interrupted;
}

/* ---- before the steps ---- */

static int read_dockerfile(struct build *b)
{
	autofree char *path = NULL, *text = NULL;
	autoclose int fd = -1;
	struct stat st;
	size_t len = 0;
	int r;

	if (b->req->dockerfile)
		path = strdup(b->req->dockerfile);
	else if (asprintf(&path, "%s/Dockerfile", b->req->context) < 0)
		path = NULL;
	if (!path)
		return image_fail(b->e, -ENOMEM, "out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return image_fail(b->e, -errno, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return image_fail(b->e, -EINVAL, "'%s' is not a file", path);
	r = fs_read_small(fd, DOCKERFILE_MAX, &text, &len);
	if (r < 0)
		return image_fail(b->e, r, "cannot read '%s': %s", path, strerror(-r));
	return dockerfile_parse(text, len, path, &b->df, b->e);
}

static int open_context(struct build *b)
{
	b->context_fd = open(b->req->context, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (b->context_fd < 0)
		return image_fail(b->e, -errno, "cannot open the build context '%s': %s",
				  b->req->context, strerror(errno));
	b->context_path = realpath(b->req->context, NULL);
	return 0;
}

/* The store's lock, waiting for it as long as it takes, unless interrupted. */
static int lock_store(struct build *b)
{
	const struct build_ui *ui = b->req->ui;
	bool told = false;

	for (;;) {
		const struct timespec pause = {0, LOCK_POLL_NSEC};

		b->lock_fd = image_store_lock(b->store_fd, false);
		if (b->lock_fd != -EBUSY)
			break;
		if (!told && ui && ui->waiting)
			ui->waiting(ui->data);
		told = true;
		if (stopped(b))
			return image_fail(b->e, -EINTR, "interrupted");
		(void)nanosleep(&pause, NULL);
	}
	if (b->lock_fd < 0)
		return image_fail(b->e, b->lock_fd, "cannot lock the image store: %s",
				  strerror(-b->lock_fd));
	return 0;
}

/* An image of the name a session uses cannot be replaced: say so before building. */
static int check_name(struct build *b)
{
	int fd = image_hold(b->store_fd, b->req->name, true);

	if (fd == -EBUSY)
		return image_fail(b->e, -EBUSY,
				  "image '%s' is in use by a session: it cannot be replaced (stop "
				  "the session, or build under another name)",
				  b->req->name);
	if (fd >= 0)
		(void)close(fd);
	return 0;
}

static int take_store(struct build *b)
{
	int r;

	b->store_fd = store_open(true);
	if (b->store_fd < 0)
		return image_fail(b->e, b->store_fd, "cannot open %s: %s", STORE_DIR,
				  strerror(-b->store_fd));
	r = image_store_prepare(b->store_fd);
	if (r < 0)
		return image_fail(b->e, r, "cannot prepare %s: %s", STORE_DIR, strerror(-r));
	r = lock_store(b);
	if (r < 0)
		return r;
	/* We hold the lock: whatever tmp/ has is left over from an import or build that died. */
	(void)image_store_clean_tmp(b->store_fd, 0, NULL, NULL);
	r = check_name(b);
	if (r < 0)
		return r;
	r = stage_make_named(b->store_fd, "build", &b->stage);
	if (r < 0)
		return image_fail(b->e, r, "cannot make a staging directory: %s", strerror(-r));
	b->staged = true;
	return 0;
}

/* ---- FROM ---- */

static int load_base(struct build *b, const char *from, struct image_record **ret)
{
	char name[IMAGE_NAME_MAX + 1];
	int r;

	if (image_digest_valid(from))
		r = image_find_digest(b->store_fd, from, name);
	else
		r = image_name_valid(from) ? 0 : -ENOENT;
	if (r >= 0)
		r = image_load(b->store_fd, image_digest_valid(from) ? name : from, ret);
	if (r == -ENOENT || r == -EINVAL)
		return image_fail(b->e, -ENOENT,
				  "no image '%s' in the store (carrel image import %s SOURCE)",
				  from, from);
	return r < 0 ? image_fail(b->e, r, "cannot read image '%s': %s", from, strerror(-r)) : 0;
}

static int base_config(struct build *b, const struct image_record *base)
{
	autoclose int dir_fd = image_dir_open(b->store_fd, base->name), fd = -1;
	autofree char *text = NULL;
	size_t len = 0;
	int r;

	fd = dir_fd < 0 ? dir_fd
			: openat(dir_fd, IMAGE_CONFIG_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	r = fd < 0 ? (dir_fd < 0 ? dir_fd : -errno)
		   : fs_read_small(fd, IMAGE_RECORD_MAX, &text, &len);
	if (r >= 0)
		r = buildconf_parse(text, len, &b->config);
	if (r < 0)
		return image_fail(b->e, r, "cannot read the config of image '%s': %s", base->name,
				  strerror(-r));
	memcpy(b->id, base->config.digest, sizeof(b->id));
	/* A Dockerfile of FROM alone gives the base's config, byte for byte. */
	b->base_config = take_ptr(text);
	b->base_config_len = len;
	return 0;
}

/* The base's layers, as an OCI manifest names them (a Docker media type is the same blob). */
static int base_layers(struct build *b, const struct image_record *base)
{
	for (size_t i = 0; i < base->n_layers; i++) {
		struct image_layer l = base->layers[i];
		enum compression c = COMPRESSION_NONE;
		int r;

		(void)media_kind(l.blob.media_type, &c);
		l.blob.media_type = (char *)media_layer_type(c);
		r = build_add_layer(b, &l);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The ids of the base's own steps, where it was built here too. */
static int base_step_ids(struct build *b, const struct image_record *base)
{
	size_t n = buildconf_history_len(b->config);

	b->step_ids = calloc(n + 1, sizeof(*b->step_ids));
	if (!b->step_ids)
		return image_fail(b->e, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *id = base && base->n_step_ids == n ? base->step_ids[i] : "";

		b->step_ids[i] = strdup(id);
		if (!b->step_ids[i])
			return image_fail(b->e, -ENOMEM, "out of memory");
		b->n_step_ids++;
	}
	return 0;
}

static int from(struct build *b, const struct df_instr *in)
{
	struct image_record *base __attribute__((cleanup(image_record_freep))) = NULL;
	autofree char *text = NULL;
	char **words = NULL;
	size_t len;
	int r;

	r = dfwords_split(in->args, NULL, &words);
	if (r < 1) {
		dfwords_free(words);
		return image_fail(b->e, -EINVAL, "%s:%d: FROM: malformed", b->df.name, in->line);
	}
	if (strcasecmp(words[0], "scratch") == 0) {
		r = buildconf_scratch(&b->config);
		if (r >= 0)
			r = buildconf_text(b->config, &text, &len, b->id);
		r = r < 0 ? image_fail(b->e, r, "out of memory") : 0;
	} else {
		r = load_base(b, words[0], &base);
		assert(r < 0 || base);
		if (r >= 0)
			r = base_config(b, base);
		if (r >= 0)
			r = base_layers(b, base);
	}
	dfwords_free(words);
	if (r >= 0)
		r = base_step_ids(b, base);
	if (r < 0)
		return image_fail_context(b->e, r, "%s:%d: FROM", b->df.name, in->line);
	return 0;
}

static int steps(struct build *b)
{
	const struct build_ui *ui = b->req->ui;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < b->df.n; i++) {
		const struct df_instr *in = &b->df.instrs[i];

		if (stopped(b))
			return image_fail(b->e, -EINTR, "interrupted");
		if (ui && ui->step)
			ui->step(ui->data, i + 1, b->df.n, in->text);
		r = in->kind == DF_FROM ? from(b, in) : build_step(b, in);
		if (in->kind != DF_FROM) {
			free(b->base_config);
			b->base_config = NULL;
		}
		if (r >= 0 && in->kind == DF_FROM && ui && ui->done)
			ui->done(ui->data, b->id);
	}
	return r;
}

/* ---- the image ---- */

static json_object *descriptor(const char *type, const char *digest, uint64_t size)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "mediaType", json_object_new_string(type));
	json_object_object_add(o, "digest", json_object_new_string(digest));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)size));
	return o;
}

static char *manifest_text(const struct build *b, size_t config_size)
{
	json_object *m = json_object_new_object(), *layers = json_object_new_array();
	const char *text;
	char *copy;

	json_object_object_add(m, "schemaVersion", json_object_new_int(2));
	json_object_object_add(m, "mediaType", json_object_new_string(MEDIA_OCI_MANIFEST));
	json_object_object_add(m, "config", descriptor(MEDIA_OCI_CONFIG, b->id, config_size));
	for (size_t i = 0; i < b->n_layers; i++)
		json_object_array_add(layers,
				      descriptor(b->layers[i].blob.media_type,
						 b->layers[i].blob.digest, b->layers[i].blob.size));
	json_object_object_add(m, "layers", layers);
	text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	copy = text ? strdup(text) : NULL;
	json_object_put(m);
	return copy;
}

static int fill_record(const struct build *b, struct image_record *r, const char *manifest,
		       size_t config_size)
{
	json_object *created = NULL;
	char platform[100], now[32];
	time_t t = time(NULL);
	struct tm tm;
	int e = 0;

	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	snprintf(r->name, sizeof(r->name), "%s", b->req->name);
	r->config = (struct image_descriptor){.size = config_size};
	memcpy(r->config.digest, b->id, sizeof(r->config.digest));
	r->manifest = (struct image_descriptor){.size = strlen(manifest)};
	e |= digest_buffer(manifest, strlen(manifest), r->manifest.digest) < 0;
	e |= image_record_set(&r->manifest.media_type, MEDIA_OCI_MANIFEST) < 0;
	e |= image_record_set(&r->config.media_type, MEDIA_OCI_CONFIG) < 0;
	for (size_t i = 0; i < b->n_layers; i++)
		e |= image_record_add_layer(r, &b->layers[i]) < 0;
	(void)json_object_object_get_ex(b->config, "created", &created);
	e |= image_record_set(&r->platform,
			      buildconf_platform(b->config, platform, sizeof(platform))) < 0;
	e |= image_record_set(&r->created, json_object_get_string(created)) < 0;
	e |= image_record_set(&r->imported, now) < 0;
	e |= image_record_set(&r->source_type, "build") < 0;
	e |= image_record_set(&r->source_path,
			      b->context_path ? b->context_path : b->req->context) < 0;
	e |= image_record_set(&r->source_ref, b->df.name) < 0;
	for (size_t i = 0; i < b->n_step_ids; i++)
		e |= image_record_add_step_id(r, b->step_ids[i]) < 0;
	return e ? -ENOMEM : 0;
}

/* The config, the manifest and the record into the staging. */
static int stage_image(struct build *b, struct image_record **ret)
{
	struct image_record *rec __attribute__((cleanup(image_record_freep))) =
	    calloc(1, sizeof(*rec));
	autofree char *config = NULL, *manifest = NULL, *record = NULL;
	char id[IMAGE_DIGEST_LEN + 1];
	size_t len = 0;
	int r;

	if (b->base_config) {
		config = take_ptr(b->base_config);
		len = b->base_config_len;
		r = rec ? digest_buffer(config, len, id) : -ENOMEM;
	} else {
		r = rec ? buildconf_text(b->config, &config, &len, id) : -ENOMEM;
	}
	if (r >= 0 && strcmp(id, b->id) != 0)
		r = -EIO; /* the id follows every change of the config: this is a bug */
	manifest = r >= 0 ? manifest_text(b, len) : NULL;
	r = r < 0 ? r : manifest ? fill_record(b, rec, manifest, len) : -ENOMEM;
	if (r >= 0)
		r = blob_stage_bytes(b->stage.blobs_fd, rec->manifest.digest, manifest,
				     strlen(manifest));
	if (r >= 0)
		r = blob_stage_bytes(b->stage.blobs_fd, b->id, config, len);
	if (r >= 0)
		r = blob_write(b->stage.image_fd, IMAGE_CONFIG_FILE, config, len);
	if (r >= 0)
		r = image_record_format(rec, &record);
	if (r >= 0)
		r = blob_write(b->stage.image_fd, IMAGE_RECORD_FILE, record, strlen(record));
	if (r < 0)
		return image_fail(b->e, r, "cannot stage the image: %s", strerror(-r));
	*ret = take_ptr(rec);
	return 0;
}

static int commit(struct build *b, struct build_result *ret)
{
	struct image_record *old __attribute__((cleanup(image_record_freep))) = NULL;
	autoclose int hold_fd = -1;
	int r;

	if (stopped(b))
		return image_fail(b->e, -EINTR, "interrupted");
	r = stage_image(b, &ret->record);
	if (r < 0)
		return r;
	/* The one of the same name: held, so that no session can start on it meanwhile. */
	if (image_load(b->store_fd, b->req->name, &old) >= 0) {
		hold_fd = image_hold(b->store_fd, b->req->name, true);
		if (hold_fd == -EBUSY)
			return check_name(b);
		memcpy(ret->old_id, old->config.digest, sizeof(ret->old_id));
	}
	r = stage_commit_replace(&b->stage, b->req->name);
	if (r < 0)
		return image_fail(b->e, r, "cannot move the image into the store: %s",
				  strerror(-r));
	ret->replaced = r > 0;
	/* The layers the replaced image alone had. */
	if (ret->replaced)
		(void)image_store_reclaim(b->store_fd, NULL, NULL);
	ret->new_layers = b->new_layers;
	return 0;
}

/* ---- the whole ---- */

static void finish(struct build *b)
{
	if (b->staged)
		stage_discard(&b->stage);
	dockerfile_free(&b->df);
	json_object_put(b->config);
	free(b->base_config);
	for (size_t i = 0; i < b->n_layers; i++) {
		free(b->layers[i].blob.media_type);
		(void)close(b->layer_fds[i]);
	}
	free(b->layers);
	free(b->layer_fds);
	dfwords_free(b->step_ids);
	free(b->context_path);
	if (b->context_fd >= 0)
		(void)close(b->context_fd);
	if (b->lock_fd >= 0)
		(void)close(b->lock_fd);
	if (b->store_fd >= 0)
		(void)close(b->store_fd);
}

int image_build(const struct build_request *req, struct build_result *ret, struct image_error *e)
{
	struct build b = {.req = req,
			  .e = e,
			  .store_fd = -1,
			  .lock_fd = -1,
			  .context_fd = -1,
			  .io = {.interrupted = req->interrupted}};
	struct build_result result = {0};
	int r;

	if (!image_name_valid(req->name))
		return image_fail_bad_name(e, req->name);
	r = read_dockerfile(&b);
	if (r >= 0)
		r = open_context(&b);
	if (r >= 0)
		r = take_store(&b);
	if (r >= 0)
		r = steps(&b);
	if (r >= 0)
		r = commit(&b, &result);
	result.run_status = b.run_status;
	finish(&b);
	if (r < 0) {
		image_record_free(result.record);
		ret->run_status = result.run_status;
		return r;
	}
	*ret = result;
	return 0;
}
