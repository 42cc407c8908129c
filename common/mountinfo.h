/* common/mountinfo.h: reading /proc/self/mountinfo. */
#pragma once

/* One line; strings point into a buffer valid only during the callback, escapes undone. */
struct mountinfo_entry {
	int id;
	int parent_id;
	const char *root; /* the directory of the filesystem shown at the mount point */
	const char *mount_point;
	const char *options; /* per-mount options: "rw,nosuid,..." */
	const char *fstype;
	const char *source;
	const char *super_options;
};

/* Call @fn for every mount, in file order (parents before their children). A non-zero
 * return from @fn stops the walk and is returned. Otherwise 0, or -errno when the file cannot
 * be read. Malformed lines are skipped. */
int mountinfo_foreach(int (*fn)(const struct mountinfo_entry *e, void *data), void *data);
