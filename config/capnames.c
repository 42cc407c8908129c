/* config/capnames.c: the one table of Linux capability names. The numbers come from the
 * kernel's own header, never typed by hand. */
#include <assert.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "config/capnames.h"

#define PREFIX "cap_"

static const char *const cap_names[] = {
    [CAP_CHOWN] = "cap_chown",
    [CAP_DAC_OVERRIDE] = "cap_dac_override",
    [CAP_DAC_READ_SEARCH] = "cap_dac_read_search",
    [CAP_FOWNER] = "cap_fowner",
    [CAP_FSETID] = "cap_fsetid",
    [CAP_KILL] = "cap_kill",
    [CAP_SETGID] = "cap_setgid",
    [CAP_SETUID] = "cap_setuid",
    [CAP_SETPCAP] = "cap_setpcap",
    [CAP_LINUX_IMMUTABLE] = "cap_linux_immutable",
    [CAP_NET_BIND_SERVICE] = "cap_net_bind_service",
    [CAP_NET_BROADCAST] = "cap_net_broadcast",
    [CAP_NET_ADMIN] = "cap_net_admin",
    [CAP_NET_RAW] = "cap_net_raw",
    [CAP_IPC_LOCK] = "cap_ipc_lock",
    [CAP_IPC_OWNER] = "cap_ipc_owner",
    [CAP_SYS_MODULE] = "cap_sys_module",
    [CAP_SYS_RAWIO] = "cap_sys_rawio",
    [CAP_SYS_CHROOT] = "cap_sys_chroot",
    [CAP_SYS_PTRACE] = "cap_sys_ptrace",
    [CAP_SYS_PACCT] = "cap_sys_pacct",
    [CAP_SYS_ADMIN] = "cap_sys_admin",
    [CAP_SYS_BOOT] = "cap_sys_boot",
    [CAP_SYS_NICE] = "cap_sys_nice",
    [CAP_SYS_RESOURCE] = "cap_sys_resource",
    [CAP_SYS_TIME] = "cap_sys_time",
    [CAP_SYS_TTY_CONFIG] = "cap_sys_tty_config",
    [CAP_MKNOD] = "cap_mknod",
    [CAP_LEASE] = "cap_lease",
    [CAP_AUDIT_WRITE] = "cap_audit_write",
    [CAP_AUDIT_CONTROL] = "cap_audit_control",
    [CAP_SETFCAP] = "cap_setfcap",
    [CAP_MAC_OVERRIDE] = "cap_mac_override",
    [CAP_MAC_ADMIN] = "cap_mac_admin",
    [CAP_SYSLOG] = "cap_syslog",
    [CAP_WAKE_ALARM] = "cap_wake_alarm",
    [CAP_BLOCK_SUSPEND] = "cap_block_suspend",
    [CAP_AUDIT_READ] = "cap_audit_read",
    [CAP_PERFMON] = "cap_perfmon",
    [CAP_BPF] = "cap_bpf",
    [CAP_CHECKPOINT_RESTORE] = "cap_checkpoint_restore",
};

/* Every bit of a uint64_t mask must be able to hold a capability. */
_Static_assert(ARRAY_SIZE(cap_names) <= 64, "capability numbers must fit a uint64_t mask");

const char *cfg_capability_name(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[cap]; /* NULL for a hole, should a kernel header ever leave one */
}

int cfg_capability_from_name(const char *name)
{
	assert(name);

	if (strncasecmp(name, PREFIX, strlen(PREFIX)) == 0)
		name += strlen(PREFIX);
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (cap_names[i] && strcasecmp(cap_names[i] + strlen(PREFIX), name) == 0)
			return (int)i;
	return -EINVAL;
}

/* Write the name of capability @cap, or its number, at @out (NULL: only count). Returns the
 * length written. */
static size_t put_one(int cap, char *out)
{
	const char *name = cfg_capability_name(cap);
	char num[12];

	if (!name) {
		snprintf(num, sizeof(num), "%d", cap);
		name = num;
	}
	if (out) {
		/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): put_list() ends the list */
		memcpy(out, name, strlen(name));
	}
	return strlen(name);
}

/* Write the list at @out (NULL: only count). Returns its length, without the NUL. */
static size_t put_list(uint64_t mask, char *out)
{
	size_t len = 0;

	for (int cap = 0; cap < 64; cap++) {
		if (!(mask & (UINT64_C(1) << cap)))
			continue;
		if (len > 0) {
			if (out)
				out[len] = ',';
			len++;
		}
		len += put_one(cap, out ? out + len : NULL);
	}
	return len;
}

int cfg_capabilities_format(uint64_t mask, char *buf, size_t size)
{
	size_t len = put_list(mask, NULL);

	assert(buf || size == 0);

	if (len >= size) {
		if (size > 0)
			buf[0] = '\0';
		return -ENOBUFS;
	}
	(void)put_list(mask, buf);
	buf[len] = '\0';
	return 0;
}
