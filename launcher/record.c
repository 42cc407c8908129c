/* launcher/record.c: see record.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cgroup.h"
#include "common/cleanup.h"
#include "common/identity.h"
#include "common/proc.h"
#include "common/session_state.h"
#include "config/config.h"
#include "config/policy.h"
#include "launcher/launch.h"
#include "launcher/record.h"

static int dup_into(char **field, const char *value)
{
	*field = strdup(value ? value : "");
	return *field ? 0 : -ENOMEM;
}

static int fill_identity(struct session_record *r, const struct launch_ctx *c)
{
	char policy[200];
	int e = 0;

	memcpy(r->id, c->id, sizeof(r->id));
	r->uid = c->who->uid;
	r->gid = c->who->gid;
	e |= session_record_set_gids(r, c->who->gids, c->who->n_groups);
	r->rootfs_size = c->profile->rootfs_size;
	e |= dup_into(&r->user, c->who->user);
	e |= dup_into(&r->home, c->who->home);
	e |= dup_into(&r->shell, c->who->shell);
	e |= dup_into(&r->service, c->args->service);
	e |= dup_into(&r->tty, c->args->tty);
	e |= dup_into(&r->rhost, c->args->rhost);
	e |= dup_into(&r->image, c->profile->image->name);
	e |= dup_into(&r->image_type, cfg_image_type_name(c->profile->image->type));
	e |= dup_into(&r->policy, policy_describe(c->cfg, c->profile, policy, sizeof(policy)));
	e |= dup_into(&r->config, c->args->config);
	e |= dup_into(&r->hostname, c->profile->hostname);
	e |= dup_into(&r->network, cfg_network_name(c->profile->network));
	e |= dup_into(&r->rootfs, cfg_rootfs_name(c->profile->rootfs));
	e |= dup_into(&r->seccomp, cfg_seccomp_name(c->profile->seccomp));
	e |= dup_into(&r->scope, cfg_session_scope_name(c->profile->session));
	r->capabilities = c->profile->capabilities;
	r->allow_userns = c->profile->allow_userns;
	r->limits = c->profile->limits;
	r->user_limits = c->profile->user_limits;
	return e ? -ENOMEM : 0;
}

/* A stored image: which one, and what a login takes from its config. */
static int fill_image(struct session_record *r, const struct launch_ctx *c)
{
	const struct image_record *img = c->oci_image;
	int e = 0;

	e |= dup_into(&r->stored_image, img ? img->name : "");
	e |= dup_into(&r->image_id, img ? img->config.digest : "");
	e |= dup_into(&r->workdir, img ? c->oci_exec.workdir : "");
	for (size_t i = 0; img && i < c->oci_exec.n_env && !e; i++)
		e |= session_record_add_env(r, c->oci_exec.env[i]);
	return e ? -ENOMEM : 0;
}

static int fill_sandbox(struct session_record *r, const struct launch_ctx *c)
{
	const struct launch_report *rep = c->report;
	int e = 0;

	e |= dup_into(&r->lower_dir, rep->lower_dir);
	e |= dup_into(&r->upper_dir, rep->upper_dir);
	e |= dup_into(&r->work_dir, rep->work_dir);
	e |= dup_into(&r->merged_dir, rep->merged_dir);
	if (e)
		return -ENOMEM;
	for (size_t i = 0; i < rep->n_mounts; i++) {
		const struct report_mount *m = &rep->mounts[i];
		int rr = session_record_add_mount(r, m->type, m->source, m->destination, m->rw,
						  m->propagation[0] ? m->propagation : "private");

		if (rr < 0)
			return rr;
	}
	for (size_t i = 0; i < c->cgroups.n; i++) {
		char path[512];
		int rr = cgroup_session_path(&c->cgroups, i, c->cgroup_name, path, sizeof(path));

		if (rr >= 0)
			rr = session_record_add_cgroup(r, path);
		if (rr < 0)
			return rr;
	}
	return 0;
}

int record_write(struct launch_ctx *c)
{
	struct session_record *r __attribute__((cleanup(session_record_freep))) = NULL;
	struct timespec now;
	int rr;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	rr = fill_identity(r, c);
	if (rr >= 0)
		rr = fill_image(r, c);
	if (rr >= 0)
		rr = fill_sandbox(r, c);
	if (rr < 0)
		return rr;
	r->init_pid = c->init_pid;
	rr = proc_start_time(c->init_pid, &r->init_start);
	if (rr < 0)
		return rr;
	clock_gettime(CLOCK_REALTIME, &now);
	r->created_usec = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
	return session_record_write(c->session_dir_fd, r);
}
