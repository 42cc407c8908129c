/* tests/fuzz/fuzz_config.c: config text → parse and validate → resolve a policy for a fixed
 * login, with every expansion. Nothing may crash, leak or read out of bounds, whatever the
 * text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const groups[] = {"alice", "students", "wheel"};
	const struct policy_login login = {
	    .user = "alice",
	    .uid = 1001,
	    .gid = 1001,
	    .home = "/home/alice",
	    .group = "alice",
	    .groups = groups,
	    .n_groups = 3,
	    .service = "sshd",
	    .rhost = "10.1.2.3",
	};
	struct cfg_diags diags;
	struct cfg_diag err;
	struct profile *p = NULL;
	struct cfg *c = NULL;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (cfg_parse_string(text, "fuzz.conf", &c, &diags) == 0) {
		if (policy_resolve(c, &login, &p, &err) == 0)
			profile_free(p);
		cfg_free(c);
	}
	free(text);
	return 0;
}
