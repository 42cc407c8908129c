# Cases: the machine's settings. /proc/sys and /proc/sysrq-trigger are read-only inside,
# /sys is read-only, no cgroup hierarchy can be mounted (so no release_agent can be set),
# and the host name changes only in the session's own UTS namespace: for the user, and for
# root inside.
# shellcheck shell=bash disable=SC2016 # $... in single quotes runs in the login's shell

CASES+=(
	host_kernel_settings_cannot_be_written_by_the_user
	host_kernel_settings_cannot_be_written_by_root_inside
	the_host_name_changes_only_inside_and_only_for_root_with_cap_sys_admin
)

# settings_attack PROBE: a shell script that tries every write, as "kv" lines.
settings_attack() {
	local probe=$1
	cat <<-EOF
		$KV
		kv hostname $probe write /proc/sys/kernel/hostname carrel-test-pwned
		kv core_pattern $probe write /proc/sys/kernel/core_pattern '|/tmp/carrel-test-pwned'
		kv sysrq $probe write /proc/sysrq-trigger h
		kv release_agent $probe write /sys/fs/cgroup/release_agent /tmp/carrel-test-pwned
		kv cgroup $probe mount-cgroup
		kv writable find /sys/fs/cgroup /sys/kernel -maxdepth 2 -writable
		kv procsys find /proc/sys -maxdepth 2 -writable
	EOF
}

expect_settings_refused() {
	local who=$1 out=$2
	expect_match "$who: /proc/sys/kernel/hostname" "$(value_of hostname "$out")" \
		'^write: (EACCES|EROFS|EPERM)$'
	expect_match "$who: /proc/sys/kernel/core_pattern" "$(value_of core_pattern "$out")" \
		'^write: (EACCES|EROFS|EPERM)$'
	if [ -e /proc/sysrq-trigger ]; then
		expect_match "$who: /proc/sysrq-trigger" "$(value_of sysrq "$out")" \
			'^write: (EACCES|EROFS|EPERM)$'
	else
		echo "this kernel has no /proc/sysrq-trigger: not checked" >&2
	fi
	expect_match "$who: /sys/fs/cgroup/release_agent" "$(value_of release_agent "$out")" \
		'^write: (EACCES|EROFS|EPERM|ENOENT)$'
	expect_eq "$who: mounting a cgroup hierarchy" "$(value_of cgroup "$out")" \
		"mount-cgroup: cgroup2=EPERM cgroup=EPERM"
	expect_eq "$who: writable files below /sys/fs/cgroup and /sys/kernel" \
		"$(value_of writable "$out")" ""
	expect_eq "$who: writable files below /proc/sys" "$(value_of procsys "$out")" ""
}

host_kernel_settings_cannot_be_written_by_the_user() {
	local out
	out=$(ssh_as carrel-test-u1 "$(settings_attack "$(probe_of carrel-test-u1)")" 2>&1)
	echo "$out"
	expect_settings_refused "the user" "$out"
	expect_host_untouched
}

# Root inside owns /proc/sys by uid: without the read-only mounts it could write
# core_pattern, which is the host's. The mounts, not missing capabilities, are the defence.
host_kernel_settings_cannot_be_written_by_root_inside() {
	local id out
	hold carrel-test-u1 settings || return
	id=$(held_session settings)
	stage_probe "$id"
	out=$(carrel join --root "$id" -- /bin/sh -c "$(settings_attack "$SESSION_PROBE")" 2>&1)
	echo "$out"
	expect_settings_refused "root inside" "$out"
	release settings
	expect_host_untouched
}

# sethostname needs CAP_SYS_ADMIN: the user and root inside (by default) are refused; root
# with cap_sys_admin kept renames the session, and only the session.
the_host_name_changes_only_inside_and_only_for_root_with_cap_sys_admin() {
	local out id conf host
	host=$(hostname)
	out=$(ssh_as carrel-test-u1 "$KV; kv probe $(probe_of carrel-test-u1) sethostname carrel-test-pwned;
		kv util hostname carrel-test-pwned; kv now hostname" 2>&1)
	echo "$out"
	expect_eq "sethostname by the user" "$(value_of probe "$out")" "sethostname: EPERM"
	expect_eq "host name of the session after hostname(1)" "$(value_of now "$out")" \
		carrel-test-u1-carrel
	hold carrel-test-u1 hostname || return
	id=$(held_session hostname)
	stage_probe "$id"
	out=$(carrel join --root "$id" -- "$SESSION_PROBE" sethostname carrel-test-pwned 2>&1)
	expect_eq "sethostname by root inside" "$out" "sethostname: EPERM"
	release hostname
	expect_eq "the host's name" "$(hostname)" "$host"
	conf=$(case_config sysadmin 'policies = ( { users = [ "carrel-test-u1" ];
		capabilities = [ "cap_sys_admin" ]; } );')
	start_run sysadmin "$conf" carrel-test-u1 || return
	id=$RUN_ID
	stage_probe "$id"
	out=$(carrel join --root "$id" -- /bin/sh -c "$KV;
		kv probe $SESSION_PROBE sethostname carrel-test-renamed; kv now hostname" 2>&1)
	echo "$out"
	expect_eq "sethostname by root inside with cap_sys_admin" "$(value_of probe "$out")" \
		"sethostname: ok"
	expect_eq "the session's name" "$(value_of now "$out")" carrel-test-renamed
	expect_eq "the host's name" "$(hostname)" "$host"
	release_run sysadmin
	expect_host_untouched
}
