# Cases: ssh and sftp logins through sshd (PAM service carrel-test-sshd).
# shellcheck shell=bash disable=SC2016 # $... in single quotes runs in the login's shell

CASES+=(
	ssh_command_login_lands_in_a_session
	writes_to_the_image_vanish_and_writes_to_the_home_stay
	a_session_leaves_nothing_behind_after_logout
	a_login_killed_with_sigkill_leaves_nothing_behind
	interactive_pty_login_works_and_is_in_the_hosts_wtmp
	log_lines_from_inside_a_session_reach_the_hosts_syslog
	sftp_puts_and_gets_a_file_in_the_home
	tiny_dir_image_is_the_root_and_stays_unchanged
	two_concurrent_logins_get_two_sessions
	sessions_of_two_users_do_not_see_each_other
	unsandboxed_user_gets_an_ordinary_login
)

ssh_command_login_lands_in_a_session() {
	local out procs
	out=$(ssh_as carrel-test-u1 "$PROBE; echo 'procs:'; ps -eo pid=,args=" 2>&1)
	echo "$out"
	expect_match "mount namespace of the login" "$(value_of mnt "$out")" '^mnt:\[[0-9]+\]$'
	expect_ne "mount namespace" "$(value_of mnt "$out")" "$HOST_MNT_NS"
	expect_ne "pid namespace" "$(value_of pid "$out")" "$HOST_PID_NS"
	expect_ne "uts namespace" "$(value_of uts "$out")" "$HOST_UTS_NS"
	expect_ne "ipc namespace" "$(value_of ipc "$out")" "$HOST_IPC_NS"
	expect_ne "cgroup namespace" "$(value_of cgroup "$out")" "$HOST_CGROUP_NS"
	expect_eq "PID 1 inside" "$(value_of init "$out")" carrel-init
	expect_eq "host name" "$(value_of hostname "$out")" carrel-test-u1-carrel
	expect_match "CARREL_SESSION" "$(value_of session "$out")" '^[0-9a-f]{12}$'
	expect_ne "login shell's pid" "$(value_of shellpid "$out")" 1
	expect_eq "user" "$(value_of user "$out")" carrel-test-u1
	# Inside: init, the session's sshd child, the shell and ps; never the host's processes.
	procs=$(printf '%s\n' "$out" | sed -n '/^procs:$/,$p' | tail -n +2)
	if [ "$(printf '%s\n' "$procs" | wc -l)" -gt 10 ]; then
		fail_with_text "more processes inside than one login has:" "$procs"
	fi
	expect_match "PID 1 in ps" "$procs" '^ *1 '
	expect_no_match "host processes inside" "$procs" "sshd_config|syslogd|carrel-test-sshd -D"
}

# The root is an overlay over the image: what a login writes there dies with the session.
# The user may only write /var/tmp of the image; root writes /usr through nsenter into the
# session. The home is a bind mount: what is written there stays.
writes_to_the_image_vanish_and_writes_to_the_home_stay() {
	local rand id pid home out status
	rand=$(random_hex 6)
	home=$(home_of carrel-test-u1)
	hold_login writer carrel-test-u1 \
		"echo image > /var/tmp/carrel-test-$rand && echo wrote-var-tmp;
		 echo home-$rand > ~/carrel-test-home-$rand && echo wrote-home" ||
		{ fail_with_text "login failed:" "$(held_output writer)"; return; }
	out=$(held_output writer)
	id=$(value_of session "$out")
	pid=$(record_value "$id" init_pid)
	expect_match "the login wrote to /var/tmp of the image" "$out" '^wrote-var-tmp$'
	expect_match "the login wrote to its home" "$out" '^wrote-home$'
	out=$(nsenter -t "$pid" -m -- sh -c "echo usr > /usr/carrel-test-$rand && cat /usr/carrel-test-$rand" 2>&1)
	expect_eq "root writing /usr inside the session" "$out" usr
	expect_not "/usr/carrel-test-$rand on the host during the session" test -e "/usr/carrel-test-$rand"
	expect_not "/var/tmp/carrel-test-$rand on the host during the session" test -e "/var/tmp/carrel-test-$rand"
	release_login writer
	status=$?
	expect_eq "ssh exit status" "$status" 0
	wait_for_session_end "$id" "$pid" || fail "session $id did not end"
	expect_not "/usr/carrel-test-$rand on the host after logout" test -e "/usr/carrel-test-$rand"
	expect_not "/var/tmp/carrel-test-$rand on the host after logout" test -e "/var/tmp/carrel-test-$rand"
	expect_eq "home file on the host" "$(cat "$home/carrel-test-home-$rand" 2>&1)" "home-$rand"
	expect_eq "owner of the home file" "$(stat -c %U "$home/carrel-test-home-$rand" 2>&1)" carrel-test-u1
	# A later session starts from the image again.
	out=$(ssh_as carrel-test-u1 "ls /usr/carrel-test-$rand /var/tmp/carrel-test-$rand 2>&1; true")
	expect_no_match "a new session sees the old session's writes" "$out" "^/(usr|var/tmp)/carrel-test-$rand\$"
}

a_session_leaves_nothing_behind_after_logout() {
	local mounts_before mounts_after id pid cgroups cg status
	mounts_before=$(cat /proc/self/mountinfo)
	hold_login held carrel-test-u1 || { fail_with_text "login failed:" "$(held_output held)"; return; }
	id=$(value_of session "$(held_output held)")
	expect "session directory $SESSIONS/$id exists during the login" test -d "$SESSIONS/$id"
	pid=$(record_value "$id" init_pid)
	expect "the record's init (pid '$pid') runs as carrel-init" is_carrel_init "$pid"
	cgroups=$(record_value "$id" cgroup)
	[ -n "$cgroups" ] || fail "the record of $id lists no cgroup:" "$(indent "$(cat "$SESSIONS/$id/session" 2>&1)")"
	for cg in $cgroups; do
		expect_match "cgroup path" "$cg" "^/sys/fs/cgroup/.*/carrel/user-$(id -u carrel-test-u1)/$id\$"
		expect "cgroup $cg exists during the login" test -d "$cg"
	done
	release_login held
	status=$?
	expect_eq "ssh exit status" "$status" 0
	wait_for_session_end "$id" "$pid" ||
		fail "session $id not over 25 s after logout (record or init $pid still there)"
	expect_not "session directory $SESSIONS/$id after logout" test -e "$SESSIONS/$id"
	expect_not "init $pid after logout" is_carrel_init "$pid"
	for cg in $cgroups /sys/fs/cgroup/*/carrel/*/"$id"; do
		expect_not "cgroup $cg after logout" test -e "$cg"
	done
	expect_eq "sessions of this test's config in $SESSIONS" "$(our_sessions)" ""
	wait_until 10 user_has_no_processes carrel-test-u1
	expect_eq "processes of carrel-test-u1 after logout" "$(processes_of carrel-test-u1)" ""
	mounts_after=$(cat /proc/self/mountinfo)
	[ "$mounts_before" = "$mounts_after" ] ||
		fail "the mounts of the test's namespace changed:" \
			"$(indent "$(diff <(echo "$mounts_before") <(echo "$mounts_after"))")"
}

# The session's init watches the process that opened it: when that one dies without a
# close_session (SIGKILL), the session must end and clean up all the same.
a_login_killed_with_sigkill_leaves_nothing_behind() {
	local id pid monitor cgroups cg
	hold_login doomed carrel-test-u1 || { fail_with_text "login failed:" "$(held_output doomed)"; return; }
	id=$(value_of session "$(held_output doomed)")
	pid=$(record_value "$id" init_pid)
	cgroups=$(record_value "$id" cgroup)
	# The connection's "[priv]" monitor called open_session: the only child of our sshd.
	monitor=$(ps -o pid= --ppid "$SSHD_PID" | tr -d ' ')
	if [ -z "$monitor" ] || [ "$(wc -w <<<"$monitor")" != 1 ]; then
		fail "cannot tell the login's sshd monitor among the children of sshd $SSHD_PID: '$monitor'"
		release_login doomed
		return
	fi
	kill -KILL "$monitor"
	wait_for_session_end "$id" "$pid" ||
		fail "session $id not over 25 s after its login process was killed"
	release_login doomed
	expect_not "session directory $SESSIONS/$id" test -e "$SESSIONS/$id"
	for cg in $cgroups; do
		expect_not "cgroup $cg" test -e "$cg"
	done
	wait_until 10 user_has_no_processes carrel-test-u1
	expect_eq "processes of carrel-test-u1" "$(processes_of carrel-test-u1)" ""
}

# sshd allocates the pty after the join, in the session's own devpts; it writes the login
# record there too, and the record must reach the host's wtmp (here the test's copy).
interactive_pty_login_works_and_is_in_the_hosts_wtmp() {
	local out wtmp
	# TERM=dumb: no bracketed paste or title escapes around the lines we look for.
	out=$(printf '%s\n' 'tty' 'hostname' 'echo "session=$CARREL_SESSION"' 'exit' |
		TERM=dumb ssh_as -tt carrel-test-u1 2>&1 | plain_text)
	echo "$out"
	expect_match "tty inside" "$out" '^/dev/pts/[0-9]+$'
	expect_match "host name" "$out" '^carrel-test-u1-carrel$'
	expect_match "CARREL_SESSION" "$out" '^session=[0-9a-f]{12}$'
	if [ ! -e /var/log/wtmp ]; then
		echo "this machine has no /var/log/wtmp: the wtmp part is not checked" >&2
		return
	fi
	wtmp=$(last -w -f /var/log/wtmp 2>&1)
	expect_match "host's last shows the sandboxed login" "$wtmp" '^carrel-test-u1 +pts/[0-9]+ +127\.0\.0\.1 '
}

# The session's /dev/log must be the host's syslog socket, or the audit trail of every
# sandboxed login (sshd's own lines after the join included) is lost.
log_lines_from_inside_a_session_reach_the_hosts_syslog() {
	local rand mark out
	rand=$(random_hex 6)
	mark=$(syslog_mark)
	out=$(ssh_as carrel-test-u1 "logger -p authpriv.notice -t carrel-test-inside 'hello $rand' && echo logged; echo \"session=\$CARREL_SESSION\"" 2>&1)
	echo "$out"
	expect_match "logger inside" "$out" '^logged$'
	expect_match "CARREL_SESSION" "$(value_of session "$out")" '^[0-9a-f]{12}$'
	wait_for_syslog "$mark" "carrel-test-inside.*hello $rand" ||
		fail_with_text "the line logged inside is not in the host's syslog; it has:" \
			"$(syslog_since "$mark")"
}

sftp_puts_and_gets_a_file_in_the_home() {
	local rand mark out status name
	rand=$(random_hex 6)
	name=carrel-test-sftp-$rand
	mark=$(syslog_mark)
	echo "sftp $rand" >"$T/$name.up"
	printf 'put %s %s\nget %s %s\n' "$T/$name.up" "$name" "$name" "$T/$name.down" >"$T/$name.batch"
	out=$(sftp_as carrel-test-u1 -b "$T/$name.batch" 2>&1)
	status=$?
	echo "$out"
	expect_eq "sftp exit status" "$status" 0
	expect_eq "file in the home on the host" "$(cat "$(home_of carrel-test-u1)/$name" 2>&1)" "sftp $rand"
	expect_eq "owner of the file" "$(stat -c %U "$(home_of carrel-test-u1)/$name" 2>&1)" carrel-test-u1
	expect_eq "file fetched back" "$(cat "$T/$name.down" 2>&1)" "sftp $rand"
	wait_for_syslog "$mark" "session [0-9a-f]{12} opened for 'carrel-test-u1'" ||
		fail "no sandboxed session was logged for the sftp login"
}

image_fingerprint() {
	(
		cd "$IMAGE" || exit 1
		find . -printf '%p %y %m %U:%G %s %T@ %C@ %l\n' | sort
		find . -type f -exec md5sum {} + | sort
	)
}

tiny_dir_image_is_the_root_and_stays_unchanged() {
	local before after out id home
	home=$(home_of carrel-test-tiny1)
	before=$(image_fingerprint)
	out=$(ssh_as carrel-test-tiny1 "$PROBE"'
		echo "marker=$(cat /etc/carrel-image-marker)"
		echo "passwd=$(grep "^carrel-test-tiny1:" /etc/passwd)"
		if test -e /usr/sbin/sshd; then echo hostfs=visible; else echo hostfs=hidden; fi
		echo home > ~/carrel-test-tiny-home && echo wrote-home' 2>&1)
	echo "$out"
	id=$(value_of session "$out")
	expect_eq "image marker inside" "$(value_of marker "$out")" "$IMAGE_MARKER"
	expect_eq "id -un inside" "$(value_of user "$out")" carrel-test-tiny1
	expect_match "passwd entry inside" "$(value_of passwd "$out")" "^carrel-test-tiny1:x:[0-9]+:[0-9]+:.*:$home:/bin/sh\$"
	expect_eq "host files inside" "$(value_of hostfs "$out")" hidden
	expect_eq "host name" "$(value_of hostname "$out")" carrel-test-tiny1-carrel
	expect_eq "PID 1 inside" "$(value_of init "$out")" carrel-init
	expect_match "CARREL_SESSION" "$id" '^[0-9a-f]{12}$'
	expect_match "home written" "$out" '^wrote-home$'
	expect_eq "home file on the host" "$(cat "$home/carrel-test-tiny-home" 2>&1)" home
	[ -n "$id" ] && wait_for_session_end "$id" "$(record_value "$id" init_pid)"
	wait_until 25 no_sessions_left
	after=$(image_fingerprint)
	[ "$before" = "$after" ] ||
		fail "the image directory changed:" "$(indent "$(diff <(echo "$before") <(echo "$after"))")"
	expect_not "the user's entry in the image's own passwd" grep -q carrel-test-tiny1 "$IMAGE/etc/passwd"
}

two_concurrent_logins_get_two_sessions() {
	local id_a id_b pid_a pid_b mnt_a mnt_b
	hold_login first carrel-test-u1 || fail_with_text "first login failed:" "$(held_output first)"
	hold_login second carrel-test-u1 || fail_with_text "second login failed:" "$(held_output second)"
	id_a=$(value_of session "$(held_output first)")
	id_b=$(value_of session "$(held_output second)")
	mnt_a=$(value_of mnt "$(held_output first)")
	mnt_b=$(value_of mnt "$(held_output second)")
	expect_match "first session id" "$id_a" '^[0-9a-f]{12}$'
	expect_match "second session id" "$id_b" '^[0-9a-f]{12}$'
	expect_ne "session ids of the two logins" "$id_a" "$id_b"
	expect_ne "mount namespaces of the two logins" "$mnt_a" "$mnt_b"
	expect "record of the first session" test -f "$SESSIONS/$id_a/session"
	expect "record of the second session" test -f "$SESSIONS/$id_b/session"
	pid_a=$(record_value "$id_a" init_pid)
	pid_b=$(record_value "$id_b" init_pid)
	release_login first
	release_login second
	wait_for_session_end "$id_a" "$pid_a" || fail "session $id_a did not end"
	wait_for_session_end "$id_b" "$pid_b" || fail "session $id_b did not end"
}

sessions_of_two_users_do_not_see_each_other() {
	local rand out id pid
	rand=$(random_hex 6)
	hold_login u1 carrel-test-u1 "echo u1 > /var/tmp/carrel-test-$rand" ||
		{ fail_with_text "login of carrel-test-u1 failed:" "$(held_output u1)"; return; }
	id=$(value_of session "$(held_output u1)")
	pid=$(record_value "$id" init_pid)
	out=$(ssh_as carrel-test-u2 "$PROBE"'
		echo "users=$(ps -eo user= | sort -u | tr "\n" " ")"
		ls /var/tmp/carrel-test-'"$rand"' 2>&1' 2>&1)
	echo "$out"
	expect_eq "host name of carrel-test-u2" "$(value_of hostname "$out")" carrel-test-u2-carrel
	expect_ne "session of carrel-test-u2" "$(value_of session "$out")" "$id"
	expect_ne "mount namespace of carrel-test-u2" "$(value_of mnt "$out")" \
		"$(value_of mnt "$(held_output u1)")"
	expect_no_match "users whose processes carrel-test-u2 sees" "$(value_of users "$out")" \
		'carrel-test-u1'
	expect_no_match "carrel-test-u1's file seen by carrel-test-u2" "$out" \
		"^/var/tmp/carrel-test-$rand\$"
	release_login u1
	wait_for_session_end "$id" "$pid" || fail "session $id did not end"
}

unsandboxed_user_gets_an_ordinary_login() {
	local out mark
	mark=$(syslog_mark)
	out=$(ssh_as carrel-test-plain "$PROBE" 2>&1)
	echo "$out"
	expect_eq "user" "$(value_of user "$out")" carrel-test-plain
	expect_eq "mount namespace" "$(value_of mnt "$out")" "$HOST_MNT_NS"
	expect_eq "pid namespace" "$(value_of pid "$out")" "$HOST_PID_NS"
	expect_eq "host name" "$(value_of hostname "$out")" "$(hostname)"
	expect_eq "CARREL_SESSION" "$(value_of session "$out")" unset
	expect_not "a session logged for carrel-test-plain" \
		syslog_has_since "$mark" "opened for 'carrel-test-plain'"
}
