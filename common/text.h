/* common/text.h: small string helpers shared by several modules. */
#pragma once

#include <stdbool.h>

/* Is @word one of the @sep-separated items of @list ("rw,nosuid" or "alice,bob")? */
bool text_list_contains(const char *list, char sep, const char *word);
