/* launcher/sandbox.c: see sandbox.h. The order matters:
 * - the mount tree goes private before anything is mounted, so nothing leaks to the host;
 * - /etc is updated while it is still the overlay's own, before any volume could have been
 *   bound over a file in it;
 * - the shell is checked after the volumes, which may be where it lives. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "config/policy.h"
#include "launcher/apifs.h"
#include "launcher/devfs.h"
#include "launcher/hostlinks.h"
#include "launcher/launch.h"
#include "common/mounts.h"
#include "launcher/net.h"
#include "launcher/rootfs.h"
#include "launcher/sandbox.h"
#include "launcher/userdb.h"
#include "launcher/volumes.h"

static int set_up_namespaces(struct launch_ctx *c)
{
	const char *hostname = c->profile->hostname;
	int r;

	r = mounts_make_slave();
	if (r < 0)
		return report_fail(c->report, r,
				   "cannot cut the session's mounts off from the host");
	if (sethostname(hostname, strlen(hostname)) < 0)
		return report_fail(c->report, -errno, "cannot set the host name '%s'", hostname);
	if (c->profile->network == CFG_NETWORK_NONE) {
		r = net_loopback_up();
		if (r < 0)
			return report_fail(c->report, r, "cannot bring up the loopback interface");
	}
	return 0;
}

int sandbox_build(struct launch_ctx *c)
{
	autoclose int root_fd = -1;
	int r;

	umask(022);
	r = set_up_namespaces(c);
	if (r < 0)
		return r;
	root_fd = rootfs_build(c);
	if (root_fd < 0)
		return root_fd;
	r = userdb_sync(c, root_fd);
	if (r >= 0)
		r = devfs_build(c, root_fd);
	if (r >= 0)
		r = apifs_build(c, root_fd);
	if (r >= 0)
		r = hostlinks_bind(c, root_fd);
	if (r >= 0)
		r = volumes_bind(c, root_fd);
	if (r >= 0)
		r = userdb_check_shell(c, root_fd);
	if (r < 0)
		return r;
	r = mounts_pivot(root_fd);
	if (r < 0)
		return report_fail(c->report, r, "cannot switch to the session's root");
	return 0;
}
