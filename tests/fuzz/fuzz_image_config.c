/* tests/fuzz/fuzz_image_config.c: an image config document (JSON) checked against a plan of
 * two layers, as every import checks the config it is given: rootfs, diff_ids, platform,
 * created. Any bytes: refused or accepted, never a crash or an out-of-bounds read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/error.h"
#include "image/jsondoc.h"
#include "image/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_plan p = {.src_fd = -1};
	struct image_error e;
	json_object *doc = NULL;

	if (jsondoc_parse((const char *)data, size, "config", &doc, &e) == 0)
		json_object_put(doc);
	p.config = malloc(size + 1);
	if (!p.config)
		return 0;
	memcpy(p.config, data, size);
	p.config[size] = '\0';
	p.config_len = size;
	if (plan_add_layer(&p) && plan_add_layer(&p))
		(void)plan_check_config(&p, NULL, &e);
	plan_free(&p);
	return 0;
}
