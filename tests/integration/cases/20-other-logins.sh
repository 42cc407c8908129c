# Cases: logins that are not ssh: su -l and runuser -l run by root, and login(1) on a pty.
# Each one opens and closes the session in one single-threaded process.
# shellcheck shell=bash

CASES+=(
	su_l_lands_in_a_session
	runuser_l_lands_in_a_session
	console_login_lands_in_a_session
)

# expect_sandboxed_login SERVICE OUTPUT MARK: the probe output of a login through PAM
# service SERVICE shows a carrel session, which is logged and ends after the login.
expect_sandboxed_login() {
	local service=$1 out=$2 mark=$3 id
	id=$(value_of session "$out")
	expect_ne "mount namespace" "$(value_of mnt "$out")" "$HOST_MNT_NS"
	expect_match "mount namespace of the login" "$(value_of mnt "$out")" '^mnt:\[[0-9]+\]$'
	expect_eq "host name" "$(value_of hostname "$out")" carrel-test-u1-carrel
	expect_eq "PID 1 inside" "$(value_of init "$out")" carrel-init
	expect_eq "user" "$(value_of user "$out")" carrel-test-u1
	expect_match "CARREL_SESSION" "$id" '^[0-9a-f]{12}$' || return
	wait_for_syslog "$mark" "session $id opened for 'carrel-test-u1' \(service $service," ||
		fail "no log line says session $id was opened through service $service"
	wait_for_syslog "$mark" "session $id closed for 'carrel-test-u1'" ||
		fail "no log line says session $id was closed"
	wait_until 25 test ! -e "$SESSIONS/$id" || fail "session $id still has a record after logout"
}

su_l_lands_in_a_session() {
	local out mark
	mark=$(syslog_mark)
	out=$(timeout -k 5 60 su -l carrel-test-u1 -c "$PROBE" 2>&1)
	echo "$out"
	expect_sandboxed_login su-l "$out" "$mark"
}

runuser_l_lands_in_a_session() {
	local out mark
	mark=$(syslog_mark)
	out=$(timeout -k 5 60 runuser -l carrel-test-u1 -c "$PROBE" 2>&1)
	echo "$out"
	expect_sandboxed_login runuser-l "$out" "$mark"
}

# login -f on a pseudo-terminal that script(1) drives (login_on_console: harness.sh).
console_login_lands_in_a_session() {
	local out mark
	mark=$(syslog_mark)
	out=$(login_on_console carrel-test-u1 "$PROBE" '^nprocs=') ||
		fail_with_text "no shell prompt within 30 s; the terminal shows:" "$out"
	wait_for_syslog "$mark" "opened for 'carrel-test-u1' \(service login," ||
		fail "login(1) opened no carrel session"
	echo "$out"
	expect_sandboxed_login login "$out" "$mark"
}
