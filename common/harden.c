/* common/harden.c: see harden.h.
 *
 * Invariants:
 * 1. Order: bounding set and inheritable/ambient sets first (they need CAP_SETPCAP, which
 *    the filter never touches), then no_new_privs, then the filter (loading one unprivileged
 *    requires no_new_privs).
 * 2. The filter's default is to allow: it lists what is refused, each with EPERM, never a
 *    kill, so a program probing for a feature gets an ordinary error.
 * 3. System calls of another architecture (32-bit entry on a 64-bit kernel, x32) are refused
 *    as a whole: the filter only describes the native one, and a filter that can be bypassed
 *    by switching the syscall ABI is no filter. */
#include <errno.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>

#include "common/cleanup.h"
#include "common/harden.h"
#include "common/session_state.h"

/* Refused whatever their arguments. Why each:
 *   keyctl, add_key, request_key     the kernel keyring is not namespaced
 *   bpf, perf_event_open             kernel attack surface, and they observe the host
 *   userfaultfd                      a classic helper for kernel race exploits
 *   kexec_load, kexec_file_load      replace the running kernel
 *   init_module, finit_module,
 *   delete_module                    load or unload kernel code
 *   open_by_handle_at                opens host files by handle, around every mount
 *   acct, swapon, swapoff, reboot,
 *   syslog, iopl, ioperm,
 *   lookup_dcookie                   host administration, never a login's business */
static const char *const blocked_always[] = {
    "keyctl",       "add_key",         "request_key",
    "bpf",          "perf_event_open", "userfaultfd",
    "kexec_load",   "kexec_file_load", "init_module",
    "finit_module", "delete_module",   "open_by_handle_at",
    "acct",         "swapon",          "swapoff",
    "reboot",       "syslog",          "iopl",
    "ioperm",       "lookup_dcookie",
};

static int drop_bounding_set(uint64_t keep)
{
	for (cap_value_t cap = 0; cap < cap_max_bits(); cap++) {
		if (cap < 64 && (keep & (1ULL << cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	}
	return 0;
}

static int clear_inheritable_and_ambient(void)
{
	cap_t caps = cap_get_proc();
	int r = 0;

	if (!caps)
		return -errno;
	if (cap_clear_flag(caps, CAP_INHERITABLE) < 0 || cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	if (r == 0 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		r = -errno;
	return r;
}

static int block(scmp_filter_ctx ctx, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0; /* not a system call on this architecture */
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
}

/* Terminal injection: TIOCSTI pushes input into a terminal the session shares with whoever
 * gave it (the joining admin's, su's caller's); TIOCLINUX can do the same on a console. The
 * request is an int in the kernel, so only the low 32 bits are compared. */
static int block_tty_injection(scmp_filter_ctx ctx)
{
	int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				 SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI));

	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX));
	return r;
}

/* New user namespaces give an unprivileged user a root that the kernel trusts with many
 * more interfaces. clone3 passes its flags in memory, out of a filter's reach: it gets
 * ENOSYS, on which the C library falls back to clone, whose flags are checked. */
static int block_user_namespaces(scmp_filter_ctx ctx)
{
	int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
				 SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));

	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	return r;
}

static int install_filter(bool allow_userns)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return -ENOMEM;
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(EPERM));
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(blocked_always); i++)
		r = block(ctx, blocked_always[i]);
	if (r == 0)
		r = block_tty_injection(ctx);
	if (r == 0 && !allow_userns)
		r = block_user_namespaces(ctx);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r < 0 ? r : 0;
}

int harden_apply(const struct harden_spec *s)
{
	int r;

	r = drop_bounding_set(s->keep_caps);
	if (r < 0)
		return r;
	r = clear_inheritable_and_ambient();
	if (r < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (!s->seccomp)
		return 0;
	return install_filter(s->allow_userns);
}

void harden_spec_from_record(const struct session_record *r, struct harden_spec *ret)
{
	*ret = (struct harden_spec){
	    .keep_caps = r->capabilities,
	    /* Anything but an explicit "off" (a record from an older writer) filters. */
	    .seccomp = !r->seccomp || strcmp(r->seccomp, "off") != 0,
	    .allow_userns = r->allow_userns,
	};
}
