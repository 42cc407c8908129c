/* carrel inspect: everything about sessions, as JSON in the spirit of "docker inspect". */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin/commands.h"
#include "admin/sessions.h"
#include "common/cgroup.h"
#include "common/cleanup.h"
#include "config/capnames.h"
#include "common/log.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: carrel inspect ID|USER...\n"
		"\n"
		"Print a JSON array with one object per session: who, what, where from, its\n"
		"init, its layers, mounts, namespaces and cgroups, and the policy that matched.\n"
		"\n"
		"  -h, --help   show this help\n");
}

static void add_str(json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, json_object_new_string(value ? value : ""));
}

/* "mnt:[4026532241]" for each namespace of the session's init, read now. */
static json_object *namespaces(const struct session_record *r)
{
	static const char *const types[] = {"mnt", "pid", "uts", "ipc", "cgroup", "net"};
	json_object *o = json_object_new_object();

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		char path[64], target[PATH_MAX];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)r->init_pid, types[i]);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		add_str(o, types[i], target);
	}
	return o;
}

static json_object *mounts(const struct session_record *r)
{
	json_object *array = json_object_new_array();

	for (size_t i = 0; i < r->n_mounts; i++) {
		const struct session_mount *m = &r->mounts[i];
		json_object *o = json_object_new_object();

		add_str(o, "Type", m->type);
		add_str(o, "Source", m->source);
		add_str(o, "Destination", m->destination);
		json_object_object_add(o, "RW", json_object_new_boolean(m->rw));
		add_str(o, "Propagation", m->propagation);
		json_object_array_add(array, o);
	}
	return array;
}

static json_object *graph_driver(const struct session_record *r)
{
	json_object *o = json_object_new_object(), *data = json_object_new_object();

	add_str(data, "LowerDir", r->lower_dir);
	add_str(data, "UpperDir", r->upper_dir);
	add_str(data, "WorkDir", r->work_dir);
	add_str(data, "MergedDir", r->merged_dir);
	add_str(o, "Name", "overlay");
	json_object_object_add(o, "Data", data);
	return o;
}

/* An image of type "oci": which stored image, and what the session took from its config. */
static json_object *stored_image(const struct session_record *r)
{
	json_object *o = json_object_new_object(), *env = json_object_new_array();

	add_str(o, "Name", r->stored_image);
	add_str(o, "Id", r->image_id);
	for (size_t i = 0; i < r->n_env; i++)
		json_object_array_add(env, json_object_new_string(r->env[i]));
	json_object_object_add(o, "Env", env);
	add_str(o, "WorkingDir", r->workdir);
	return o;
}

static json_object *state(const struct session_record *r)
{
	json_object *o = json_object_new_object();
	char started[64];

	add_str(o, "Status", "running");
	json_object_object_add(o, "Pid", json_object_new_int(r->init_pid));
	add_str(o, "StartedAt", sessions_format_time(r->created_usec, started, sizeof(started)));
	return o;
}

/* A limit is a number, or null when none is set. */
static void add_limit(json_object *o, const char *key, const struct cfg_limits *l, unsigned bit,
		      uint64_t value)
{
	json_object_object_add(o, key,
			       (l->set & bit) ? json_object_new_int64((int64_t)value) : NULL);
}

static json_object *limits(const struct cfg_limits *l)
{
	json_object *o = json_object_new_object();

	add_limit(o, "Memory", l, CFG_LIMIT_MEMORY, l->memory);
	add_limit(o, "Swap", l, CFG_LIMIT_SWAP, l->swap);
	add_limit(o, "Pids", l, CFG_LIMIT_PIDS, l->pids);
	json_object_object_add(o, "Cpus",
			       (l->set & CFG_LIMIT_CPU)
				   ? json_object_new_double((double)l->cpu_milli / 1000.0)
				   : NULL);
	return o;
}

/* What the session uses now, from its cgroups; null where no controller reports it. */
static json_object *usage_now(const struct session_record *r)
{
	json_object *o = json_object_new_object();
	struct cgroup_layout layout;
	struct cgroup_usage u = {-1, -1, -1};
	char name[CGROUP_NAME_MAX];

	cgroup_session_name(r->uid, r->id, name);
	if (cgroup_layout_detect(&layout) == 0)
		cgroup_read_usage(&layout, name, &u);
	json_object_object_add(o, "Memory",
			       u.memory_bytes >= 0 ? json_object_new_int64(u.memory_bytes) : NULL);
	json_object_object_add(o, "Pids", u.pids >= 0 ? json_object_new_int64(u.pids) : NULL);
	json_object_object_add(o, "CpuUsec",
			       u.cpu_usec >= 0 ? json_object_new_int64(u.cpu_usec) : NULL);
	return o;
}

static json_object *confinement(const struct session_record *r)
{
	json_object *o = json_object_new_object();
	char caps[1024];

	json_object *list = json_object_new_array();

	if (cfg_capabilities_format(r->capabilities, caps, sizeof(caps)) == 0)
		for (char *save = NULL, *p = strtok_r(caps, ",", &save); p;
		     p = strtok_r(NULL, ",", &save))
			json_object_array_add(list, json_object_new_string(p));
	json_object_object_add(o, "Capabilities", list);
	add_str(o, "Seccomp", r->seccomp);
	json_object_object_add(o, "AllowUserns", json_object_new_boolean(r->allow_userns));
	json_object_object_add(o, "NoNewPrivileges", json_object_new_boolean(true));
	return o;
}

static json_object *describe(const struct session_record *r)
{
	json_object *o = json_object_new_object(), *cgroups = json_object_new_array();

	add_str(o, "Id", r->id);
	add_str(o, "User", r->user);
	json_object_object_add(o, "Uid", json_object_new_int64(r->uid));
	json_object_object_add(o, "Gid", json_object_new_int64(r->gid));
	add_str(o, "Service", r->service);
	add_str(o, "Tty", r->tty);
	add_str(o, "RHost", r->rhost);
	add_str(o, "Image", r->image);
	add_str(o, "ImageType", r->image_type);
	if (r->image_id && r->image_id[0])
		json_object_object_add(o, "StoredImage", stored_image(r));
	add_str(o, "Hostname", r->hostname);
	add_str(o, "Network", r->network);
	add_str(o, "RootFs", r->rootfs);
	json_object_object_add(o, "RootFsSize", json_object_new_int64((int64_t)r->rootfs_size));
	add_str(o, "Policy", r->policy);
	add_str(o, "Config", r->config);
	json_object_object_add(o, "State", state(r));
	json_object_object_add(o, "GraphDriver", graph_driver(r));
	json_object_object_add(o, "Mounts", mounts(r));
	json_object_object_add(o, "Namespaces", namespaces(r));
	for (size_t i = 0; i < r->n_cgroups; i++)
		json_object_array_add(cgroups, json_object_new_string(r->cgroups[i]));
	json_object_object_add(o, "Cgroups", cgroups);
	json_object_object_add(o, "Limits", limits(&r->limits));
	json_object_object_add(o, "UserLimits", limits(&r->user_limits));
	json_object_object_add(o, "Usage", usage_now(r));
	json_object_object_add(o, "Confinement", confinement(r));
	return o;
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {}};
	struct session_list list;
	json_object *array;
	int opt, r, status = EXIT_OK;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return EXIT_OK;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	r = sessions_load(&list);
	if (r < 0)
		return log_error_errno(r, "cannot read the sessions"), EXIT_FAIL;
	array = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		const struct session_record *rec;
		char why[512];

		if (sessions_find(&list, argv[i], &rec, why, sizeof(why)) < 0) {
			log_error("%s", why);
			status = EXIT_FAIL;
			continue;
		}
		json_object_array_add(array, describe(rec));
	}
	puts(json_object_to_json_string_ext(array, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(array);
	sessions_free(&list);
	return status;
}
