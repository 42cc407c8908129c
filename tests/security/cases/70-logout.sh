# Cases: nothing of a session outlives it. A process that detaches itself (double fork,
# setsid, nohup, SIGHUP and SIGTERM ignored) is still in the session's pid namespace, and
# init ends the whole namespace after the grace period.
# shellcheck shell=bash disable=SC2016 # $... in single quotes runs in the login's shell

CASES+=(
	a_double_fork_daemon_and_background_jobs_end_with_the_session
)

counter_reached() {
	[ "$(cat "$1" 2>/dev/null || echo 0)" -ge "$2" ]
}

# The daemon writes a counter to a file in the home (which the host sees) every 0.2 s.
a_double_fork_daemon_and_background_jobs_end_with_the_session() {
	local probe n marker id pid before after
	probe=$(probe_of carrel-test-u1)
	n=$((10000 + RANDOM)) # the sleeps' arguments tell them apart on the host
	marker=$(home_of carrel-test-u1)/carrel-test-daemon-$n
	hold carrel-test-u1 daemon "$probe daemon $marker;
		nohup sleep 41$n >/dev/null 2>&1 &
		setsid -f sleep 42$n >/dev/null 2>&1 </dev/null; true" || return
	id=$(held_session daemon)
	pid=$(record_value "$id" init_pid)
	expect_match "the daemon started" "$(held_output daemon)" '^daemon: ok pid=[0-9]+$'
	wait_until 10 counter_reached "$marker" 3 ||
		fail "the daemon's counter in $marker did not reach 3"
	expect_match "the user's processes on the host during the session" \
		"$(processes_of carrel-test-u1)" "sleep 41$n"
	expect_match "the user's processes on the host during the session" \
		"$(processes_of carrel-test-u1)" "sleep 42$n"
	release_login daemon
	# The daemon ignores SIGHUP and SIGTERM: the session ends after init's grace period.
	wait_for_session_end "$id" "$pid" || fail "session $id did not end after logout"
	wait_until 10 user_has_no_processes carrel-test-u1
	expect_eq "processes of carrel-test-u1 after the session" "$(processes_of carrel-test-u1)" ""
	# Nothing writes the counter any more: look twice, more than 0.2 s apart.
	before=$(cat "$marker" 2>&1)
	sleep 1
	after=$(cat "$marker" 2>&1)
	expect_eq "the daemon's counter, a second later" "$after" "$before"
	expect_host_untouched
}
