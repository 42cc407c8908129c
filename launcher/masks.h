/* launcher/masks.h: the kernel interfaces a session must not reach through its /proc and
 * /sys, even as root inside. */
#pragma once

struct launch_ctx;

/* Under the session's fresh /proc (@proc_fd) and /sys (@sys_fd): make /proc/sys,
 * /proc/sysrq-trigger, /proc/irq, /proc/bus and /proc/fs read-only; hide /proc/kcore,
 * /proc/keys, /proc/timer_list, /proc/sched_debug, /proc/latency_stats, /proc/timer_stats,
 * /proc/acpi, /proc/scsi, /sys/firmware and /sys/devices/virtual/powercap. Entries this kernel
 * does not have are skipped. Returns 0 or -errno (the report says which). */
int masks_apply(struct launch_ctx *c, int proc_fd, int sys_fd);
