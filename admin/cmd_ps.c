/* carrel ps: the running sessions, as a table or as JSON. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "admin/commands.h"
#include "admin/sessions.h"
#include "common/log.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: carrel ps [--json]\n"
		     "\n"
		     "List the running sessions: ID USER SERVICE TTY RHOST IMAGE PID CREATED.\n"
		     "\n"
		     "  -j, --json   print a JSON array instead of a table\n"
		     "  -h, --help   show this help\n");
}

static const char *or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

enum { COL_ID, COL_USER, COL_SERVICE, COL_TTY, COL_RHOST, COL_IMAGE, COL_PID, COL_CREATED, N_COLS };

static const char *const headers[N_COLS] = {"ID",    "USER",  "SERVICE", "TTY",
					    "RHOST", "IMAGE", "PID",     "CREATED"};

static void row_cells(const struct session_record *r, char pid[16], char age[48],
		      const char *cells[N_COLS])
{
	snprintf(pid, 16, "%d", (int)r->init_pid);
	sessions_format_age(r->created_usec, age, 48);
	cells[COL_ID] = r->id;
	cells[COL_USER] = r->user;
	cells[COL_SERVICE] = or_dash(r->service);
	cells[COL_TTY] = or_dash(r->tty);
	cells[COL_RHOST] = or_dash(r->rhost);
	cells[COL_IMAGE] = or_dash(r->image);
	cells[COL_PID] = pid;
	cells[COL_CREATED] = age;
}

static void print_row(const char *const cells[N_COLS], const size_t width[N_COLS])
{
	for (int c = 0; c + 1 < N_COLS; c++)
		printf("%-*s   ", (int)width[c], cells[c]);
	printf("%s\n", cells[N_COLS - 1]);
}

static void print_table(const struct session_list *l)
{
	size_t width[N_COLS];

	for (int c = 0; c < N_COLS; c++)
		width[c] = strlen(headers[c]);
	for (size_t i = 0; i < l->n; i++) {
		const char *cells[N_COLS];
		char pid[16], age[48];

		row_cells(l->items[i], pid, age, cells);
		for (int c = 0; c < N_COLS; c++)
			if (strlen(cells[c]) > width[c])
				width[c] = strlen(cells[c]);
	}
	print_row(headers, width);
	for (size_t i = 0; i < l->n; i++) {
		const char *cells[N_COLS];
		char pid[16], age[48];

		row_cells(l->items[i], pid, age, cells);
		print_row(cells, width);
	}
}

static void print_json(const struct session_list *l)
{
	json_object *array = json_object_new_array();

	for (size_t i = 0; i < l->n; i++) {
		const struct session_record *r = l->items[i];
		json_object *o = json_object_new_object();
		char created[64];

		json_object_object_add(o, "Id", json_object_new_string(r->id));
		json_object_object_add(o, "User", json_object_new_string(r->user));
		json_object_object_add(o, "Service", json_object_new_string(r->service));
		json_object_object_add(o, "Tty", json_object_new_string(r->tty));
		json_object_object_add(o, "RHost", json_object_new_string(r->rhost));
		json_object_object_add(o, "Image", json_object_new_string(r->image));
		json_object_object_add(o, "Pid", json_object_new_int(r->init_pid));
		json_object_object_add(o, "Created",
				       json_object_new_string(sessions_format_time(
					   r->created_usec, created, sizeof(created))));
		json_object_array_add(array, o);
	}
	puts(json_object_to_json_string_ext(array, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(array);
}

int cmd_ps(int argc, char **argv)
{
	static const struct option options[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	struct session_list list;
	bool json = false;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "jh", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	r = sessions_load(&list);
	if (r < 0)
		return log_error_errno(r, "cannot read the sessions"), EXIT_FAIL;
	if (json)
		print_json(&list);
	else
		print_table(&list);
	sessions_free(&list);
	return EXIT_OK;
}
