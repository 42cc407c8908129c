/* tests/fuzz/fuzz_record.c: a session record's text → parse → format → parse again. The
 * records are root's own, but a corrupt one (a crash mid-write, a full disk) must only ever
 * be refused. What parses must survive a round trip unchanged. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/session_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct session_record *r = NULL, *again = NULL;
	char *text = malloc(size + 1), *formatted = NULL, *reformatted = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (session_record_parse(text, &r) == 0 && session_record_format(r, &formatted) == 0 &&
	    session_record_parse(formatted, &again) == 0 &&
	    session_record_format(again, &reformatted) == 0 && strcmp(formatted, reformatted) != 0)
		abort(); /* the format is not stable under a round trip */
	free(reformatted);
	free(formatted);
	session_record_free(again);
	session_record_free(r);
	free(text);
	return 0;
}
