# Cases: other processes. A session's pid namespace shows its own processes only: the host's
# and other sessions' cannot be seen, signalled or traced, even when they are the user's own.
# shellcheck shell=bash disable=SC2016 # $... in single quotes runs in the login's shell

CASES+=(
	a_host_process_of_the_user_is_invisible_and_cannot_be_signalled_or_traced
	another_users_session_its_processes_and_tmp_files_are_invisible
)

# expect_alive WHAT PID: the process runs, neither stopped, traced nor a zombie.
expect_alive() {
	local state
	state=$(process_state "$2")
	[ "$state" = S ] || [ "$state" = R ] || fail "$1 (pid $2): state '$state', expected running"
}

is_sleeping() {
	[ "$(process_state "$1")" = S ]
}

# The target is the user's own process on the host, so only the session can stop the user
# from reaching it: on the host the same user traces it (the control, last).
a_host_process_of_the_user_is_invisible_and_cannot_be_signalled_or_traced() {
	local probe out sleeper
	probe=$(probe_of carrel-test-u1)
	# setpriv execs sleep: $! is the sleep itself.
	setpriv --reuid carrel-test-u1 --regid carrel-test-u1 --init-groups sleep 3600 &
	sleeper=$!
	# shellcheck disable=SC2064 # expanded now: $sleeper is local
	trap "kill $sleeper 2>/dev/null" EXIT
	wait_until 10 is_sleeping "$sleeper"
	out=$(ssh_as carrel-test-u1 "$KV; kv proc ls -d /proc/$sleeper; kv kill $probe kill $sleeper;
		kv ptrace $probe ptrace $sleeper; kv ps ps -eo pid=,user=,args=" 2>&1)
	echo "$out"
	expect_match "/proc/$sleeper inside" "$(value_of proc "$out")" 'No such file or directory'
	expect_eq "kill $sleeper from inside" "$(value_of kill "$out")" "kill: ESRCH"
	expect_eq "ptrace $sleeper from inside" "$(value_of ptrace "$out")" "ptrace: ESRCH"
	expect_no_match "processes inside" "$(value_of ps "$out")" 'sleep 3600|sshd -D|syslogd'
	expect_alive "the user's sleep on the host" "$sleeper"
	out=$(as_user_on_host carrel-test-u1 "$probe" ptrace "$sleeper" 2>&1)
	expect_eq "ptrace $sleeper by carrel-test-u1 on the host (the control)" "$out" "ptrace: ok"
	expect_alive "the user's sleep on the host after the control" "$sleeper"
	expect_host_untouched
}

another_users_session_its_processes_and_tmp_files_are_invisible() {
	local probe rand out id2 pids pid script file
	probe=$(probe_of carrel-test-u1)
	rand=$(random_hex 6)
	file=/tmp/carrel-test-u2-$rand
	hold carrel-test-u2 u2 "echo u2-$rand >$file; sleep 3600 >/dev/null 2>&1 & true" || return
	id2=$(held_session u2)
	# Their host pids: what carrel-test-u1 would aim at, had it a way to learn them.
	pids=$(ps -o pid= -u carrel-test-u2 | tr -d ' ' | tr '\n' ' ')
	[ -n "$pids" ] || fail "no process of carrel-test-u2 on the host"
	script="$KV; kv file ls $file; kv users ps -eo user=; kv uids ps -eo uid="
	for pid in $pids; do
		script="$script; kv kill-$pid $probe kill $pid; kv ptrace-$pid $probe ptrace $pid"
	done
	out=$(ssh_as carrel-test-u1 "$script" 2>&1)
	echo "$out"
	expect_match "$file of carrel-test-u2, inside carrel-test-u1's session" \
		"$(value_of file "$out")" 'No such file or directory'
	expect_no_match "users of the processes inside" "$(value_of users "$out")" carrel-test-u2
	expect_no_match "uids of the processes inside" "$(value_of uids "$out")" \
		"(^| )$(id -u carrel-test-u2)( |\$)"
	for pid in $pids; do
		expect_eq "kill $pid (carrel-test-u2's)" "$(value_of "kill-$pid" "$out")" "kill: ESRCH"
		expect_eq "ptrace $pid (carrel-test-u2's)" "$(value_of "ptrace-$pid" "$out")" \
			"ptrace: ESRCH"
		expect_alive "carrel-test-u2's process" "$pid"
	done
	out=$(carrel join "$id2" -- cat "$file" 2>&1)
	expect_eq "$file in carrel-test-u2's own session" "$out" "u2-$rand"
	release u2
	expect_match "carrel-test-u2's login after the attacks" "$(held_output u2)" '^released$'
	expect_host_untouched
}
