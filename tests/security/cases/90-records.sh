# Cases: recycled PIDs. A session is addressed by the pid of its init, checked through a
# pidfd against the start time in its record (common/proc.c proc_open_verified). A record
# whose pid now belongs to another process, or whose start time does not match, must never
# be joined, stopped or described with another process's namespaces: the stale record is
# made here by copying a live one, with its lock held (a "live" record for
# common/session_state.c session_is_alive).
# shellcheck shell=bash disable=SC2016 # $... in single quotes runs in the login's shell

CASES+=(
	a_record_whose_start_time_does_not_match_is_never_joined_or_stopped
	a_record_naming_a_process_of_the_test_is_never_joined_or_signalled
)

# fake_record SOURCE_ID SED_EXPRESSION: a copy of the record of session SOURCE_ID under the
# id FAKE_ID, changed by SED_EXPRESSION, root's and 0700 like a real one, its lock held by
# this case until it ends, and its (empty) cgroups: what a session that crashed leaves, once
# its init's pid is used again. The case removes it with remove_fake_record FAKE_ID.
fake_record() {
	local dir=$SESSIONS/$FAKE_ID cg
	mkdir -m 0700 "$dir" || return 1
	sed -e "s/$1/$FAKE_ID/g" -e "$2" "$SESSIONS/$1/session" >"$dir/session" &&
		chmod 0600 "$dir/session" && : >"$dir/lock" && chmod 0600 "$dir/lock" || return 1
	exec {FAKE_LOCK_FD}<"$dir/lock"
	flock -n "$FAKE_LOCK_FD" || return 1
	while read -r cg; do
		case $cg in
		*/carrel/*/"$FAKE_ID") mkdir "$cg" || return 1 ;;
		esac
	done < <(sed -n 's/^cgroup=//p' "$dir/session")
}

remove_fake_record() {
	local cg
	while read -r cg; do
		case $cg in
		*/carrel/*/"$1") rmdir "$cg" 2>/dev/null ;;
		esac
	done < <(sed -n 's/^cgroup=//p' "$SESSIONS/$1/session" 2>/dev/null)
	rm -f "$SESSIONS/$1/session" "$SESSIONS/$1/lock"
	rmdir "$SESSIONS/$1" 2>/dev/null
}

# expect_fake_refused WHAT: join, inspect and stop of FAKE_ID neither run, show nor signal
# anything; prints what each said.
expect_fake_refused() {
	local what=$1 out status
	out=$(carrel join "$FAKE_ID" -- /bin/sh -c 'echo carrel-test-joined' 2>&1)
	status=$?
	echo "join: $out"
	expect_ne "$what: exit status of carrel join" "$status" 0
	expect_no_match "$what: what carrel join ran" "$out" '^carrel-test-joined$'
	out=$(carrel inspect "$FAKE_ID" 2>/dev/null)
	echo "inspect: $out"
	expect_eq "$what: objects carrel inspect shows for it" \
		"$(jq --arg id "$FAKE_ID" '[.[]? | select(.Id == $id)] | length' <<<"${out:-[]}" 2>&1)" 0
	expect_no_match "$what: the host's namespaces in what carrel inspect shows" "$out" \
		"${HOST_MNT_NS//[^0-9]/}|${HOST_PID_NS//[^0-9]/}"
	out=$(carrel ps 2>&1)
	echo "ps: $out"
	out=$(carrel stop --wait 5 "$FAKE_ID" 2>&1)
	echo "stop: $out (status $?)"
}

a_record_whose_start_time_does_not_match_is_never_joined_or_stopped() {
	local id pid start
	hold carrel-test-u1 real || return
	id=$(held_session real)
	pid=$(record_value "$id" init_pid)
	start=$(record_value "$id" init_start)
	FAKE_ID=$(random_hex 6)
	# shellcheck disable=SC2064 # expanded now: the variables are local
	trap "remove_fake_record $FAKE_ID" EXIT
	fake_record "$id" "s/^init_start=.*/init_start=$((start + 1))/" ||
		{ fail "cannot make a stale record"; return; }
	expect_fake_refused "init_start + 1"
	expect "the real session's init ($pid) after carrel stop of the stale record" \
		is_carrel_init "$pid"
	expect "the real session's record" test -f "$SESSIONS/$id/session"
	expect "the real session's login" kill -0 "$(cat "$T/held/real/pid")"
	# Before the real session ends: it removes its user's cgroup only once that is empty.
	remove_fake_record "$FAKE_ID"
	release real
	expect_match "the real login, released" "$(held_output real)" '^released$'
	expect_host_untouched
}

# The record's pid is a process the test started on the host (the pid was recycled); the
# recorded start time is the real init's.
a_record_naming_a_process_of_the_test_is_never_joined_or_signalled() {
	local id sleeper
	# Before the login: the sleep must not hold the held login's fifo open.
	sleep 3600 &
	sleeper=$!
	FAKE_ID=$(random_hex 6)
	# shellcheck disable=SC2064 # expanded now: the variables are local
	trap "kill $sleeper 2>/dev/null; remove_fake_record $FAKE_ID" EXIT
	hold carrel-test-u1 real || return
	id=$(held_session real)
	fake_record "$id" "s/^init_pid=.*/init_pid=$sleeper/" ||
		{ fail "cannot make a stale record"; return; }
	expect_fake_refused "init_pid of a sleep"
	expect_eq "state of the sleep after carrel stop of the record naming it" \
		"$(process_state "$sleeper")" S
	remove_fake_record "$FAKE_ID"
	release real
	expect_host_untouched
}
