/* admin/progress.c: see progress.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin/progress.h"
#include "admin/units.h"
#include "common/image_record.h"

#define REDRAW_NSEC (100 * 1000 * 1000)

static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

void progress_clear(struct progress *p)
{
	if (p->drawn)
		fputs("\r\033[K", stderr);
	p->drawn = false;
}

static void waiting(void *data)
{
	struct progress *p = data;

	if (!p->quiet)
		fputs("waiting for another import or removal to finish\n", stderr);
}

static void layer_begin(void *data, size_t n, size_t count, const char *digest, uint64_t size)
{
	struct progress *p = data;
	char hex[13];

	p->n = n;
	p->count = count;
	p->size = size;
	snprintf(p->digest, sizeof(p->digest), "sha256:%s", image_digest_short(digest, hex));
	clock_gettime(CLOCK_MONOTONIC, &p->started);
	p->drawn_at = (struct timespec){0, 0};
}

static void layer_progress(void *data, const char *step, uint64_t done, uint64_t total)
{
	struct progress *p = data;
	char a[32], b[32], rate[32];
	double elapsed = since(&p->started);
	struct timespec now;

	if (!p->tty || p->quiet)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done < total &&
	    (now.tv_sec - p->drawn_at.tv_sec) * 1000000000L + (now.tv_nsec - p->drawn_at.tv_nsec) <
		REDRAW_NSEC)
		return;
	p->drawn_at = now;
	units_size_iec(elapsed > 0 ? (double)done / elapsed : 0, rate, sizeof(rate));
	fprintf(stderr, "\r\033[Klayer %zu/%zu %s  %-9s %s / %s  %s/s", p->n, p->count, p->digest,
		step, units_size_iec((double)done, a, sizeof(a)),
		units_size_iec((double)total, b, sizeof(b)), rate);
	fflush(stderr);
	p->drawn = true;
}

static void layer_end(void *data, size_t n, size_t count, const char *digest, uint64_t size,
		      bool reused)
{
	struct progress *p = data;
	char hex[13], text[32];

	if (p->quiet)
		return;
	progress_clear(p);
	fprintf(stderr, "layer %zu/%zu sha256:%s %s%s\n", n, count, image_digest_short(digest, hex),
		units_size_iec((double)size, text, sizeof(text)),
		reused ? " (already stored)" : "");
}

static void warning(void *data, const char *text)
{
	struct progress *p = data;

	progress_clear(p);
	fprintf(stderr, "carrel: warning: %s\n", text);
}

void progress_init(struct progress *p, bool quiet)
{
	memset(p, 0, sizeof(*p));
	p->tty = isatty(STDERR_FILENO);
	p->quiet = quiet;
	p->ui = (struct import_ui){
	    .waiting = waiting,
	    .layer_begin = layer_begin,
	    .layer_progress = layer_progress,
	    .layer_end = layer_end,
	    .warning = warning,
	    .data = p,
	};
}
