# Cases: what a session is made of, checked through "carrel run" (the same launcher, policy
# and join as a login) with a config of the case's own (case_config, run_in: harness.sh);
# and the admin's checks before enabling the module.
# shellcheck shell=bash

CASES+=(
	network_none_gives_a_namespace_with_only_loopback_up
	a_separate_host_filesystem_is_visible_but_never_written_through
	a_readonly_volume_can_be_read_but_not_written
	a_volume_source_behind_a_symlink_is_refused
	a_volume_source_of_another_user_is_refused
	a_dir_image_below_a_directory_others_can_change_is_refused
	the_launcher_refuses_to_run_without_its_capabilities
	check_config_prints_every_problem_with_file_and_line
	check_config_refuses_a_group_writable_config
	policy_explain_names_the_policy_and_the_settings
	policy_explain_shows_limits_and_confinement
)

network_none_gives_a_namespace_with_only_loopback_up() {
	local conf out host_net
	conf=$(case_config net 'policies = ( { users = [ "carrel-test-u1" ]; network = "none"; } );')
	host_net=$(readlink /proc/self/ns/net)
	out=$(run_in "$conf" carrel-test-u1 /bin/sh -c \
		'readlink /proc/self/ns/net; ls /sys/class/net; cat /sys/class/net/lo/flags' 2>&1)
	echo "$out"
	expect_ne "network namespace" "$(sed -n 1p <<<"$out")" "$host_net"
	expect_eq "interfaces" "$(sed -n '2,$p' <<<"$out" | grep -v '^0x')" lo
	# IFF_UP is bit 0 of the flags.
	expect_eq "lo is up" "$(($(grep '^0x' <<<"$out") & 1))" 1
}

# A second real filesystem of the host (a separate /var, /srv, ...): a bind mount on /mnt
# of this namespace stands for one, as mountinfo shows it the same way.
a_separate_host_filesystem_is_visible_but_never_written_through() {
	local fs=$T/fs-mnt out
	mkdir -p "$fs/writable"
	echo carrel-test-host-fs >"$fs/marker"
	chown carrel-test-u1 "$fs/writable"
	mount --bind "$fs" /mnt || { fail "cannot bind $fs on /mnt"; return; }
	trap 'umount /mnt' EXIT
	out=$(run_in "$CONF" carrel-test-u1 /bin/sh -c \
		'cat /mnt/marker; echo inside >/mnt/writable/new && cat /mnt/writable/new' 2>&1)
	echo "$out"
	expect_eq "what the session sees and writes on /mnt" "$out" \
		"carrel-test-host-fs
inside"
	expect_not "the write went through to the host" test -e "$fs/writable/new"
}

a_readonly_volume_can_be_read_but_not_written() {
	local conf out shared=$T/shared-ro
	mkdir -p "$shared"
	echo carrel-test-shared >"$shared/file"
	chmod 0777 "$shared"
	conf=$(case_config ro "policies = ( { users = [ \"carrel-test-u1\" ];
		volumes = ( { source = \"$shared\"; target = \"/shared\"; readonly = true; } ); } );")
	out=$(run_in "$conf" carrel-test-u1 /bin/sh -c \
		'cat /shared/file; touch /shared/new 2>&1; findmnt -no OPTIONS /shared' 2>&1)
	echo "$out"
	expect_match "content" "$out" '^carrel-test-shared$'
	expect_match "a write fails" "$out" 'Read-only file system'
	expect_match "mount options" "$out" '^ro,nosuid,nodev'
	expect_not "the write reached the host" test -e "$shared/new"
}

# The source is a symlink to /etc, as a user could make of a path they own: refused, and
# nothing of /etc is mounted anywhere.
a_volume_source_behind_a_symlink_is_refused() {
	local conf out status mark links=$T/links
	mkdir -p "$links"
	ln -sfn /etc "$links/data"
	conf=$(case_config symlink "policies = ( { users = [ \"carrel-test-u1\" ];
		volumes = ( { source = \"$links/data\"; target = \"/data\"; } ); } );")
	mark=$(syslog_mark)
	out=$(run_in "$conf" carrel-test-u1 /bin/sh -c 'echo carrel-test-reached; ls /data' 2>&1)
	status=$?
	echo "$out"
	expect_ne "exit status" "$status" 0
	expect_no_match "what ran" "$out" '^carrel-test-reached$'
	expect_match "the error" "$out" "volume source '$links/data' has a symbolic link in its path"
	wait_for_syslog "$mark" "carrel-launch.*volume source '$links/data' has a symbolic link" ||
		fail_with_text "no launcher log line; syslog:" "$(syslog_since "$mark")"
	expect_eq "sessions left" "$(sessions_of_config "$conf")" ""
}

# Whoever can rename a directory above a "dir" image can swap the whole tree under it.
a_dir_image_below_a_directory_others_can_change_is_refused() {
	local conf out status open=$T/open-to-all
	mkdir -p "$open"
	chmod 0777 "$open"
	cp -a "$IMAGE" "$open/tiny"
	conf=$(case_config open-image "images = { open = { type = \"dir\"; path = \"$open/tiny\"; }; };
		policies = ( { users = [ \"carrel-test-tiny1\" ]; image = \"open\"; } );")
	out=$("$ADMIN" check-config -c "$conf" 2>&1)
	status=$?
	echo "$out"
	expect_eq "check-config's exit status" "$status" 1
	expect_match "check-config's reason" "$out" \
		"image directory '$open/tiny' is in '$open', which is writable by others \\(mode 0777\\)"
	out=$(run_in "$conf" carrel-test-tiny1 /bin/sh -c 'echo carrel-test-reached' 2>&1)
	status=$?
	echo "$out"
	expect_ne "the session's exit status" "$status" 0
	expect_no_match "what ran" "$out" '^carrel-test-reached$'
	expect_match "the session's error" "$out" "is in '$open', which is writable by others"
	chmod 1777 "$open"
	out=$(run_in "$conf" carrel-test-tiny1 /bin/sh -c 'echo carrel-test-reached' 2>&1)
	expect_match "a sticky directory, as /tmp, is fine" "$out" '^carrel-test-reached$'
	rm -rf "$open"
}

a_volume_source_of_another_user_is_refused() {
	local conf out status
	conf=$(case_config foreign "policies = ( { users = [ \"carrel-test-u1\" ];
		volumes = ( { source = \"$(home_of carrel-test-u2)\"; target = \"/other\"; } ); } );")
	out=$(run_in "$conf" carrel-test-u1 /bin/sh -c 'echo carrel-test-reached' 2>&1)
	status=$?
	echo "$out"
	expect_ne "exit status" "$status" 0
	expect_no_match "what ran" "$out" '^carrel-test-reached$'
	expect_match "the error" "$out" \
		"volume source '$(home_of carrel-test-u2)' belongs to uid $(id -u carrel-test-u2), neither root nor 'carrel-test-u1'"
}

# Not setuid: without root's capabilities it says so, and does nothing.
the_launcher_refuses_to_run_without_its_capabilities() {
	local out status before
	before=$(ls "$SESSIONS")
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$LAUNCHER" -c "$CONF" --user carrel-test-u1 2>/dev/null)
	status=$?
	expect_eq "exit status as nobody" "$status" 1
	expect_match "answer as nobody" "$out" \
		'^error missing capabilities cap_sys_admin,.*must be run by root.*not setuid'
	out=$(setpriv --bounding-set -sys_admin "$LAUNCHER" -c "$CONF" --user carrel-test-u1 \
		2>/dev/null)
	expect_match "answer as root without cap_sys_admin" "$out" \
		'^error missing capabilities cap_sys_admin:'
	expect_eq "session directories" "$(ls "$SESSIONS")" "$before"
}

check_config_prints_every_problem_with_file_and_line() {
	local conf out status
	conf=$(case_config check 'images = { lab = { type = "dir"; path = "/nonexistent/carrel-test"; }; };
defaults = { network = "bridge"; };
policies = ( { users = [ "x" ]; imgae = "lab"; } );')
	out=$("$ADMIN" check-config -c "$conf" 2>&1)
	status=$?
	echo "$out"
	expect_eq "exit status for a broken config" "$status" 1
	expect_match "the bad value" "$out" "^$conf:2: .*'network'.*bridge"
	expect_match "the unknown key" "$out" "^$conf:3: .*unknown key 'imgae'"
	out=$("$ADMIN" check-config -c "$CONF" 2>&1)
	expect_eq "the suite's own config" "$out" ok
	conf=$(case_config missing-image 'images = { lab = { type = "dir"; path = "/nonexistent/carrel-test"; }; };')
	out=$("$ADMIN" check-config -c "$conf" 2>&1)
	status=$?
	expect_eq "exit status for a missing image directory" "$status" 1
	expect_match "the missing image" "$out" \
		"^$conf:1: image 'lab': image directory '/nonexistent/carrel-test' does not exist"
}

check_config_refuses_a_group_writable_config() {
	local conf out status
	conf=$(case_config writable 'policies = ( { users = [ "carrel-test-u1" ]; } );')
	chmod 0664 "$conf"
	out=$("$ADMIN" check-config -c "$conf" 2>&1)
	status=$?
	expect_eq "exit status" "$status" 1
	expect_match "the reason" "$out" "'$conf' is writable by its group"
	out=$(run_in "$conf" carrel-test-u1 /bin/true 2>&1)
	expect_match "a session from it is refused" "$out" "writable by its group"
}

policy_explain_names_the_policy_and_the_settings() {
	local out
	out=$("$ADMIN" policy explain -c "$CONF" --user carrel-test-tiny1 --service sshd \
		--rhost 192.0.2.1 2>&1)
	echo "$out"
	expect_match "policy" "$out" "^policy: +#2 \\($(basename "$CONF"):[0-9]+\\)$"
	expect_match "image" "$out" "^image: +tiny \\(dir $IMAGE\\)$"
	expect_match "hostname" "$out" '^hostname: +carrel-test-tiny1-carrel$'
	expect_match "home volume" "$out" \
		"^volumes: +$(home_of carrel-test-tiny1) -> $(home_of carrel-test-tiny1) \\(read-write\\)$"
	out=$("$ADMIN" policy explain -c "$CONF" --user carrel-test-plain 2>&1)
	expect_match "unsandboxed user" "$out" '^sandbox: +no'
	out=$("$ADMIN" policy explain -c "$CONF" --user carrel-test-nobody-such 2>&1)
	expect_match "unknown user" "$out" "unknown user 'carrel-test-nobody-such'"
}

policy_explain_shows_limits_and_confinement() {
	local conf out
	conf=$(case_config explain-limits '
defaults = {
  limits = { pids = "max"; cpu = 1.5; memory = "2G"; swap = "0"; };
  user_limits = { memory = "4G"; };
};
policies = ( {
  users = [ "carrel-test-u1" ];
  limits = { memory = "512M"; };
  capabilities = [ "net_bind_service", "chown" ];
  seccomp = "off";
  allow_userns = true;
} );')
	out=$("$ADMIN" policy explain -c "$conf" --user carrel-test-u1 2>&1)
	echo "$out"
	expect_match "the policy's memory over the defaults' other limits" "$out" \
		'^limits: +memory 512M, swap none, pids max, cpu 1.5$'
	expect_match "the user's limits" "$out" '^per user: +memory 4G$'
	expect_match "capabilities kept" "$out" '^caps: +cap_chown,cap_net_bind_service$'
	expect_match "seccomp" "$out" '^seccomp: +off, user namespaces allowed$'
	out=$("$ADMIN" policy explain -c "$CONF" --user carrel-test-tiny1 2>&1)
	expect_match "built-in limits" "$out" '^limits: +pids 4096$'
	expect_match "no capabilities" "$out" '^caps: +none$'
	expect_match "built-in seccomp" "$out" '^seccomp: +default, user namespaces refused$'
}
