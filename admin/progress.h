/* admin/progress.h: how "carrel image import" shows its progress on stderr. On a terminal:
 * one line per layer, rewritten in place as it goes (layer n/m, step, bytes, rate). Otherwise
 * quiet and line-oriented: one line per layer once it is stored. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "image/import.h"

struct progress {
	struct import_ui ui;
	bool tty;
	bool quiet; /* warnings only */
	bool drawn; /* a line is on the terminal, to be rewritten */
	size_t n, count;
	char digest[24];
	uint64_t size;
	struct timespec started, drawn_at;
};

/* Set @p up for stderr; its ui member is what the import takes. */
void progress_init(struct progress *p, bool quiet);

/* Clear a line left on the terminal (before an error is printed). */
void progress_clear(struct progress *p);
