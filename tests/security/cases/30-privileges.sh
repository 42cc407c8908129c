# Cases: privileges. The user cannot mount, make namespaces, chroot or make devices; no
# set-user-ID program (the image's, the host's) raises anyone's privileges; root inside
# ("carrel join --root") has the capabilities the policy keeps and no others: by default
# none.
# shellcheck shell=bash disable=SC2016 # $... in single quotes runs in the login's shell

CASES+=(
	mount_unshare_and_chroot_are_refused_to_the_user
	no_device_node_can_be_made_or_opened
	a_setuid_root_binary_of_an_image_runs_with_the_users_ids
	setuid_programs_of_the_host_image_give_no_privileges
	the_login_shell_and_join_root_have_no_capabilities
	a_kept_capability_is_the_only_one_root_inside_has
	join_root_cannot_mount_or_load_modules
)

mount_unshare_and_chroot_are_refused_to_the_user() {
	local probe out
	probe=$(probe_of carrel-test-u1)
	out=$(ssh_as carrel-test-u1 "$KV; kv mount $probe mount tmpfs /tmp;
		kv mount-proc $probe mount proc /tmp; kv cgroup $probe mount-cgroup;
		kv unshare-mnt $probe unshare-mnt; kv userns $probe userns; kv chroot $probe chroot;
		kv util-unshare-m unshare -m true; kv util-unshare-U unshare -U true;
		kv util-unshare-r unshare -r true; kv util-mount mount -t tmpfs carrel-test /tmp" 2>&1)
	echo "$out"
	expect_eq "mount tmpfs" "$(value_of mount "$out")" "mount: EPERM"
	expect_eq "mount proc" "$(value_of mount-proc "$out")" "mount: EPERM"
	expect_eq "mount a cgroup hierarchy" "$(value_of cgroup "$out")" \
		"mount-cgroup: cgroup2=EPERM cgroup=EPERM"
	expect_eq "unshare(CLONE_NEWNS)" "$(value_of unshare-mnt "$out")" "unshare-mnt: EPERM"
	expect_eq "unshare(CLONE_NEWUSER)" "$(value_of userns "$out")" "userns: EPERM"
	expect_eq "chroot" "$(value_of chroot "$out")" "chroot: EPERM"
	expect_match "unshare -m" "$(value_of util-unshare-m "$out")" 'Operation not permitted'
	expect_match "unshare -U" "$(value_of util-unshare-U "$out")" 'Operation not permitted'
	expect_match "unshare -r" "$(value_of util-unshare-r "$out")" 'Operation not permitted'
	expect_match "mount(8)" "$(value_of util-mount "$out")" \
		'must be superuser|Operation not permitted|permission denied'
	# The control: outside a session the same user may make a user namespace.
	out=$(as_user_on_host carrel-test-u1 "$probe" userns 2>&1)
	expect_eq "unshare(CLONE_NEWUSER) by carrel-test-u1 on the host (the control)" "$out" \
		"userns: ok"
	expect_host_untouched
}

# The session's /dev and the image's root are nodev: a device node of the host's root disk
# planted in the image "evil" (0644, so only nodev stands in the way) never opens, and no
# new node can be made, by the user or by root inside.
no_device_node_can_be_made_or_opened() {
	local probe out id
	probe=$(probe_of carrel-test-u1)
	out=$(ssh_as carrel-test-u1 "$KV; kv tmp $probe mknod-block /tmp/carrel-test-disk;
		kv home $probe mknod-block \$HOME/carrel-test-disk" 2>&1)
	echo "$out"
	expect_eq "mknod of a block device in /tmp" "$(value_of tmp "$out")" "mknod-block: EPERM"
	expect_eq "mknod of a block device in the home" "$(value_of home "$out")" "mknod-block: EPERM"
	expect_not "a device node in the home on the host" \
		test -e "$(home_of carrel-test-u1)/carrel-test-disk"
	hold carrel-test-evil1 evil || return
	id=$(held_session evil)
	out=$(carrel join "$id" -- /bin/sh -c "$KV; kv node ls -l /carrel-test-disk;
		kv open /bin/carrel-probe open /carrel-test-disk" 2>&1)
	echo "$out"
	expect_match "the image's node, inside" "$(value_of node "$out")" '^b'
	expect_eq "the image's node, opened by the user" "$(value_of open "$out")" "open: EACCES"
	out=$(carrel join --root "$id" -- /bin/sh -c "$KV;
		kv open /bin/carrel-probe open /carrel-test-disk;
		kv mknod /bin/carrel-probe mknod-block /tmp/carrel-test-disk" 2>&1)
	echo "$out"
	expect_eq "the image's node, opened by root inside" "$(value_of open "$out")" "open: EACCES"
	expect_eq "mknod by root inside" "$(value_of mknod "$out")" "mknod-block: EPERM"
	release evil
	expect_host_untouched
}

# no_new_privs: the image's root overlay is not nosuid, so the set-user-ID bit is there and
# would work; the kernel ignores it for a process that has no_new_privs set.
a_setuid_root_binary_of_an_image_runs_with_the_users_ids() {
	local out uid
	uid=$(id -u carrel-test-evil1)
	out=$(ssh_as carrel-test-evil1 "$KV; kv mode stat -c %a:%U /bin/carrel-probe-suid;
		kv suid /bin/carrel-probe-suid uid" 2>&1)
	echo "$out"
	expect_eq "mode and owner of /bin/carrel-probe-suid inside" "$(value_of mode "$out")" \
		4755:root
	expect_match "ids of the set-user-ID root probe" "$(value_of suid "$out")" \
		"^uid: uid=$uid euid=$uid suid=$uid .* nnp=1 eff=$NO_CAPS prm=$NO_CAPS "
	# The control: without no_new_privs the bit works. The same file, run as the user on
	# the host; through an fd root opened, as the user may not enter the test directory.
	out=$(as_user_on_host carrel-test-evil1 /proc/self/fd/9 uid \
		9<"$EVIL_IMAGE/bin/carrel-probe-suid" 2>&1)
	expect_match "the same binary on the host (the control)" "$out" "^uid: uid=$uid euid=0 "
	expect_host_untouched
}

# su and passwd are set-user-ID root on the host, and the image "host" shows them: they run
# with the user's effective uid, so they can read no password database and become no one.
setuid_programs_of_the_host_image_give_no_privileges() {
	local probe out uid prog
	probe=$(probe_of carrel-test-u1)
	uid=$(id -u carrel-test-u1)
	out=$(ssh_as carrel-test-u1 "$KV; kv su $probe exec-uid /usr/bin/su root;
		kv passwd $probe exec-uid /usr/bin/passwd; kv chage chage -l carrel-test-u1;
		kv mode stat -c %a:%U /usr/bin/su /usr/bin/passwd" 2>&1)
	echo "$out"
	expect_eq "modes of su and passwd inside" "$(value_of mode "$out")" "4755:root 4755:root"
	expect_eq "su root, waiting for a password" "$(value_of su "$out")" \
		"exec-uid: uid=$uid euid=$uid"
	expect_eq "passwd, waiting for a password" "$(value_of passwd "$out")" \
		"exec-uid: uid=$uid euid=$uid"
	expect_match "chage -l (set-group-ID shadow)" "$(value_of chage "$out")" \
		"cannot open /etc/shadow"
	for prog in su passwd; do
		out=$(as_user_on_host carrel-test-u1 "$probe" exec-uid "/usr/bin/$prog" 2>&1)
		expect_eq "$prog by carrel-test-u1 on the host (the control)" "$out" \
			"exec-uid: uid=$uid euid=0"
	done
	expect_host_untouched
}

# expect_no_caps WHAT OUTPUT UID: "probe uid" shows UID, no_new_privs and empty sets.
expect_no_caps() {
	expect_match "$1" "$2" \
		"^uid: uid=$3 euid=$3 .* nnp=1 eff=$NO_CAPS prm=$NO_CAPS inh=$NO_CAPS bnd=$NO_CAPS amb=$NO_CAPS\$"
}

the_login_shell_and_join_root_have_no_capabilities() {
	local probe out id uid
	probe=$(probe_of carrel-test-u1)
	uid=$(id -u carrel-test-u1)
	out=$(ssh_as carrel-test-u1 "$probe uid; grep CapBnd /proc/\$\$/status" 2>&1)
	echo "$out"
	expect_no_caps "the ssh login" "$out" "$uid"
	expect_match "CapBnd of the login shell" "$out" "^CapBnd:[[:space:]]+$NO_CAPS\$"
	hold carrel-test-u1 caps || return
	id=$(held_session caps)
	stage_probe "$id"
	out=$(carrel join "$id" -- "$probe" uid 2>&1)
	expect_no_caps "carrel join" "$out" "$uid"
	out=$(carrel join --root "$id" -- "$SESSION_PROBE" uid 2>&1)
	echo "$out"
	expect_no_caps "carrel join --root" "$out" 0
	release caps
	expect_host_untouched
}

a_kept_capability_is_the_only_one_root_inside_has() {
	local conf id out
	conf=$(case_config chown 'policies = ( { users = [ "carrel-test-u1" ];
		capabilities = [ "cap_chown" ]; } );')
	start_run chown "$conf" carrel-test-u1 || return
	id=$RUN_ID
	stage_probe "$id"
	out=$(carrel join --root "$id" -- /bin/sh -c "$KV; kv uid $SESSION_PROBE uid;
		kv chown chown 12345 $SESSION_PROBE; kv owner stat -c %u $SESSION_PROBE;
		kv mount $SESSION_PROBE mount; kv chroot $SESSION_PROBE chroot" 2>&1)
	echo "$out"
	expect_match "root inside with cap_chown kept" "$(value_of uid "$out")" \
		"^uid: uid=0 euid=0 .* nnp=1 eff=0000000000000001 prm=0000000000000001 inh=$NO_CAPS bnd=0000000000000001 amb=$NO_CAPS\$"
	expect_eq "chown by root inside" "$(value_of owner "$out")" 12345
	expect_eq "mount by root inside" "$(value_of mount "$out")" "mount: EPERM"
	expect_eq "chroot by root inside" "$(value_of chroot "$out")" "chroot: EPERM"
	out=$(carrel join "$id" -- "$(probe_of carrel-test-u1)" uid 2>&1)
	expect_match "the user in that session" "$out" \
		"^uid: uid=$(id -u carrel-test-u1) .* eff=$NO_CAPS prm=$NO_CAPS inh=$NO_CAPS bnd=0000000000000001 "
	out=$(carrel inspect "$id" 2>&1)
	expect_eq "Confinement.Capabilities in carrel inspect" \
		"$(jq -c '.[0].Confinement.Capabilities' <<<"$out" 2>&1)" '["cap_chown"]'
	release_run chown
	expect_host_untouched
}

join_root_cannot_mount_or_load_modules() {
	local id out
	hold carrel-test-u1 rootmount || return
	id=$(held_session rootmount)
	stage_probe "$id"
	out=$(carrel join --root "$id" -- /bin/sh -c "$KV; kv mount $SESSION_PROBE mount tmpfs /mnt;
		kv cgroup $SESSION_PROBE mount-cgroup; kv unshare-mnt $SESSION_PROBE unshare-mnt;
		kv module $SESSION_PROBE module; kv chroot $SESSION_PROBE chroot;
		kv util-mount mount -t tmpfs carrel-test /mnt" 2>&1)
	echo "$out"
	expect_eq "mount tmpfs by root inside" "$(value_of mount "$out")" "mount: EPERM"
	expect_eq "mount a cgroup hierarchy by root inside" "$(value_of cgroup "$out")" \
		"mount-cgroup: cgroup2=EPERM cgroup=EPERM"
	expect_eq "unshare(CLONE_NEWNS) by root inside" "$(value_of unshare-mnt "$out")" \
		"unshare-mnt: EPERM"
	expect_eq "finit_module by root inside" "$(value_of module "$out")" "module: EPERM"
	expect_eq "chroot by root inside" "$(value_of chroot "$out")" "chroot: EPERM"
	expect_match "mount(8) by root inside" "$(value_of util-mount "$out")" \
		'permission denied|Operation not permitted'
	release rootmount
	expect_host_untouched
}
