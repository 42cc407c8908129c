/* image/plan.c: see plan.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "image/error.h"
#include "image/jsondoc.h"
#include "image/plan.h"
#include "image/platform.h"

void plan_free(struct import_plan *p)
{
	free(p->manifest);
	free(p->manifest_desc.media_type);
	free(p->config);
	free(p->config_desc.media_type);
	for (size_t i = 0; i < p->n_layers; i++)
		free(p->layers[i].blob.media_type);
	free(p->layers);
	memset(p, 0, sizeof(*p));
	p->src_fd = -1;
}

struct plan_layer *plan_add_layer(struct import_plan *p)
{
	struct plan_layer *grown = realloc(p->layers, (p->n_layers + 1) * sizeof(*grown));

	if (!grown)
		return NULL;
	p->layers = grown;
	memset(&grown[p->n_layers], 0, sizeof(*grown));
	return &grown[p->n_layers++];
}

static int check_diff_ids(struct import_plan *p, json_object *config, struct image_error *e)
{
	json_object *rootfs = jsondoc_get(config, "rootfs", json_type_object);
	json_object *ids = jsondoc_get(rootfs, "diff_ids", json_type_array);
	const char *type = jsondoc_string(rootfs, "type");
	const char *parent = NULL;

	if (!rootfs || !ids || !type || strcmp(type, "layers") != 0)
		return image_fail(e, -EPROTO, "config: no rootfs of type \"layers\" with diff_ids");
	if (json_object_array_length(ids) != p->n_layers)
		return image_fail(e, -EPROTO,
				  "layer count mismatch: the config lists %zu diff_ids, the "
				  "manifest %zu layers",
				  json_object_array_length(ids), p->n_layers);
	for (size_t i = 0; i < p->n_layers; i++) {
		const char *id = json_object_get_string(json_object_array_get_idx(ids, i));
		struct plan_layer *l = &p->layers[i];

		if (!json_object_is_type(json_object_array_get_idx(ids, i), json_type_string) ||
		    !image_digest_valid(id))
			return image_fail(e, -EPROTO, "config: diff_id %zu is malformed ('%.80s')",
					  i + 1, id ? id : "");
		memcpy(l->diff_id, id, sizeof(l->diff_id));
		if (digest_chain(parent, l->diff_id, l->chain_id) < 0)
			return image_fail(e, -ENOMEM, "out of memory");
		parent = l->chain_id;
	}
	return 0;
}

static int check_platform(struct import_plan *p, json_object *config, const struct platform *want,
			  struct image_error *e)
{
	const char *os = jsondoc_string(config, "os"),
		   *arch = jsondoc_string(config, "architecture");
	const char *variant = jsondoc_string(config, "variant");
	char text[100];

	if (!os || !arch)
		return image_fail(e, -EPROTO, "config: no \"os\" and \"architecture\"");
	snprintf(p->platform, sizeof(p->platform), "%s/%s%s%s", os, arch,
		 variant && variant[0] ? "/" : "", variant ? variant : "");
	if (want && !platform_matches(want, os, arch, variant))
		return image_fail(e, -EPROTO, "the image is for %s, not %s", p->platform,
				  platform_format(want, text, sizeof(text)));
	return 0;
}

int plan_check_config(struct import_plan *p, const struct platform *want, struct image_error *e)
{
	json_object *config = NULL;
	const char *created;
	int r;

	r = jsondoc_parse(p->config, p->config_len, "config", &config, e);
	if (r < 0)
		return r;
	if (!json_object_is_type(config, json_type_object))
		r = image_fail(e, -EPROTO, "config: not a JSON object");
	if (r >= 0)
		r = check_diff_ids(p, config, e);
	if (r >= 0)
		r = check_platform(p, config, want, e);
	created = jsondoc_string(config, "created");
	snprintf(p->created, sizeof(p->created), "%s", created ? created : "");
	json_object_put(config);
	return r;
}
