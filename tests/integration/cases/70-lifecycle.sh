# Cases: the life of a session (issue 4). Which logins share a session (session = "user"),
# how long it lives (linger, idle_timeout) and how it ends (stop_timeout, SIGKILL); where its
# writable layer lives (rootfs = "disk", "persistent"), carrel diff and carrel reset; the three
# kinds of volumes, carrel volume and mount propagation; the event log.
#
# The logins go through sshd, so a case's settings go into the suite's config through
# with_login_policy (harness.sh), which gives the suite's config back when the case ends.
# /var/lib/carrel is the suite's private store (bind_private_store in harness.sh): every
# path below it that a case looks at from the host is one only this run can see.
# shellcheck shell=bash disable=SC2016 # $... in single quotes runs in the login's shell
# shellcheck disable=SC2153 # CONF, T, ADMIN, ... come from harness.sh

CASES+=(
	two_logins_of_a_user_share_one_session_until_the_last_one_ends
	a_lingering_session_outlives_its_last_login_and_a_new_login_joins_it
	idle_timeout_ends_an_idle_lingering_session_and_a_busy_one_lasts_until_linger
	concurrent_first_logins_of_a_user_make_exactly_one_shared_session
	a_process_ignoring_sigterm_and_sighup_is_killed_once_stop_timeout_is_over
	no_process_survives_its_session_double_fork_setsid_nohup_or_daemon
	a_disk_layer_is_in_the_store_during_the_session_and_gone_after
	a_persistent_root_keeps_what_a_session_wrote_outside_the_home
	a_second_session_on_a_persistent_root_in_use_is_refused_clearly
	carrel_diff_lists_added_changed_and_deleted_paths_of_a_running_session
	carrel_diff_lists_the_changes_of_a_persistent_root_at_rest
	carrel_reset_discards_a_persistent_root_but_not_while_a_session_uses_it
	a_named_volume_is_kept_listed_and_removed_only_when_unused
	an_anonymous_volume_is_empty_in_each_session_and_removed_at_its_end
	carrel_inspect_shows_the_type_of_each_mount
	a_slave_volume_sees_later_host_mounts_and_a_private_one_does_not
	homes_on_autofs_are_mounted_by_the_session_start_and_on_access_inside
	carrel_events_lists_create_attach_join_stop_and_end
	carrel_events_follow_prints_a_new_event_as_it_happens
	every_event_is_kept_when_the_event_log_is_rotated
)

LC_STORE=/var/lib/carrel

# ---- helpers -------------------------------------------------------------------------------

# lc_hold NAME USER [PRELUDE]: hold_login, and a failure with its output when it fails.
lc_hold() {
	local pid
	hold_login "$@" && return 0
	pid=$(cat "$T/held/$1/pid" 2>/dev/null)
	if kill -0 "$pid" 2>/dev/null && [ "$(process_state "$pid")" != Z ]; then
		fail_with_text "the login '$1' of $2 is not ready after 60 s; so far:" "$(held_output "$1")"
	else
		wait "$pid"
		fail_with_text "the login '$1' of $2 failed (ssh exited with status $?):" \
			"$(held_output "$1")"
	fi
	return 1
}

# The session id a held login printed.
lc_session() {
	value_of session "$(held_output "$1")"
}

lc_init() {
	record_value "$1" init_pid
}

# lc_live_sessions USER: the ids of USER's sessions whose init runs, one a line.
lc_live_sessions() {
	local f id
	for f in "$SESSIONS"/*/session; do
		[ -f "$f" ] && grep -qxF "user=$1" "$f" || continue
		id=$(basename "$(dirname "$f")")
		is_carrel_init "$(record_value "$id" init_pid)" && echo "$id"
	done
	return 0
}

lc_no_live_sessions() {
	[ -z "$(lc_live_sessions "$1")" ]
}

# lc_end ID PID [SECONDS]: wait for the session to be over, or fail.
lc_end() {
	wait_until "${3:-25}" session_is_over "$1" "$2" && return 0
	fail "session $1 (init $2) is not over after ${3:-25} s"
}

# lc_stop_automount PID DIR: end the automounter started as PID (it unmounts DIR and what it
# mounted below); if it does not, kill it and unmount them, and remove its fifo in /run.
lc_stop_automount() {
	kill "$1" 2>/dev/null
	if ! wait_until 10 lc_gone "$1"; then
		kill -9 "$1" 2>/dev/null
		umount -R -l "$2" 2>/dev/null
		rm -f "/run/autofs.fifo-$(echo "${2#/}" | tr / -)"
	fi
	wait "$1" 2>/dev/null
	return 0
}

lc_gone() {
	! kill -0 "$1" 2>/dev/null
}

# lc_mounted PATH: is something mounted on PATH here? From mountinfo, as a stat(2) of an autofs
# map's entry would mount it.
lc_mounted() {
	awk -v p="$1" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# The user's lock of session = "user" logins is a file per uid in /run/carrel/users that
# carrel keeps; the test users come and go, so their files go with the case.
lc_forget_user_locks() {
	local user
	for user in "$@"; do
		on_case_exit "rm -f /run/carrel/users/$(id -u "$user").lock"
	done
}

need_jq_here() {
	command -v jq >/dev/null || skip_case "jq is not installed (apt-get install jq)"
}

# lc_events ID: the session's events, one JSON object a line, as "carrel events --json".
lc_events() {
	"$ADMIN" events --json 2>&1 | jq -c --arg id "$1" 'select(.Id == $id)' 2>&1
}

# lc_event_summary ID: "Event User Service RHost Detail" a line, for comparing.
lc_event_summary() {
	lc_events "$1" | jq -r '[.Event, .User, .Service, .RHost, .Detail] | join(" ")' 2>&1
}

# lc_end_reason ID: the detail of its "end" event.
lc_end_reason() {
	lc_events "$1" | jq -r 'select(.Event == "end") | .Detail' 2>&1
}

# lc_has_end_event ID: init writes the end event as it goes: wait for it with this.
lc_has_end_event() {
	[ -n "$(lc_end_reason "$1")" ]
}

# Host processes whose command line has TEXT, "PID ARGS" a line.
lc_processes_with() {
	ps -eww -o pid=,args= | grep -F -- "$1" | grep -vF -e "grep -F" -e "ps -eww"
	return 0
}

lc_has_process_with() {
	[ -n "$(lc_processes_with "$1")" ]
}

lc_no_process_with() {
	[ -z "$(lc_processes_with "$1")" ]
}

# lc_root_script PATH TEXT: a script the user may run but not change (root's, 0755).
lc_root_script() {
	printf '%s\n' "$2" >"$1" && chown root:root "$1" && chmod 0755 "$1"
	on_case_exit "rm -f '$1'"
}

# ---- session scope -------------------------------------------------------------------------

two_logins_of_a_user_share_one_session_until_the_last_one_ends() {
	local rand id_a id_b pid out
	rand=$(random_hex 6)
	with_login_policy carrel-test-u1 'session = "user";' || return
	lc_forget_user_locks carrel-test-u1
	lc_hold first carrel-test-u1 ": carrel-test-mark-first-$rand
		echo shared-$rand >/tmp/carrel-test-shared-$rand" || return
	id_a=$(lc_session first)
	pid=$(lc_init "$id_a")
	expect_match "first login's CARREL_SESSION" "$id_a" '^[0-9a-f]{12}$'
	expect_eq "scope in the record" "$(record_value "$id_a" scope)" user
	lc_hold second carrel-test-u1 "echo \"file=\$(cat /tmp/carrel-test-shared-$rand)\"
		echo procs:; ps -eww -o pid=,args=; echo :procs" ||
		{ release_login first; return; }
	out=$(held_output second)
	echo "$out"
	id_b=$(value_of session "$out")
	expect_eq "the second login's CARREL_SESSION" "$id_b" "$id_a"
	expect_eq "the second login's mount namespace" "$(value_of mnt "$out")" \
		"$(value_of mnt "$(held_output first)")"
	expect_eq "the first login's /tmp file seen by the second" "$(value_of file "$out")" \
		"shared-$rand"
	expect_match "the first login's shell among the second's processes" \
		"$(sed -n '/^procs:$/,/^:procs$/p' <<<"$out")" "carrel-test-mark-first-$rand"
	expect_eq "running sessions of carrel-test-u1" "$(lc_live_sessions carrel-test-u1)" "$id_a"
	release_login first
	expect_eq "ssh exit status of the first login" "$?" 0
	# The second login is still attached: the session runs on, whole.
	expect "the session's record after the first logout" test -f "$SESSIONS/$id_a/session"
	expect "the session's init $pid after the first logout" is_carrel_init "$pid"
	expect_eq "the shared /tmp after the first logout (carrel join)" \
		"$(carrel join "$id_a" -- cat "/tmp/carrel-test-shared-$rand" 2>&1)" "shared-$rand"
	release_login second
	lc_end "$id_a" "$pid"
	wait_until 10 lc_has_end_event "$id_a"
	expect_eq "why it ended" "$(lc_end_reason "$id_a")" "last login gone"
	wait_until 10 user_has_no_processes carrel-test-u1
	expect_eq "processes of carrel-test-u1" "$(processes_of carrel-test-u1)" ""
}

a_lingering_session_outlives_its_last_login_and_a_new_login_joins_it() {
	local rand id pid out
	need_jq_here
	rand=$(random_hex 6)
	with_login_policy carrel-test-u1 'session = "user"; linger = "5s";' || return
	lc_forget_user_locks carrel-test-u1
	# What the user leaves running: a sleep named after the case.
	out=$(ssh_as carrel-test-u1 "echo \"session=\$CARREL_SESSION\"
		echo left-$rand >/tmp/carrel-test-linger-$rand
		(exec -a carrel-test-linger-$rand sleep 3600) </dev/null >/dev/null 2>&1 &" 2>&1)
	echo "$out"
	id=$(value_of session "$out")
	pid=$(lc_init "$id")
	expect_match "CARREL_SESSION" "$id" '^[0-9a-f]{12}$' || return
	# Within its linger time (5 s), the session is there without any login.
	expect "the record after the last logout" test -f "$SESSIONS/$id/session"
	expect "init $pid after the last logout" is_carrel_init "$pid"
	out=$(ssh_as carrel-test-u1 'echo "session=$CARREL_SESSION"
		echo "file=$(cat /tmp/carrel-test-linger-'"$rand"')"
		echo "left=$(ps -eww -o args= | grep -c "^carrel-test-linger-'"$rand"'")"' 2>&1)
	echo "$out"
	expect_eq "the next login's CARREL_SESSION" "$(value_of session "$out")" "$id"
	expect_eq "the file left in /tmp" "$(value_of file "$out")" "left-$rand"
	expect_eq "the process left running" "$(value_of left "$out")" 1
	# Then it ends by itself, and takes what was left running with it.
	lc_end "$id" "$pid" 35
	wait_until 10 lc_has_end_event "$id"
	expect_eq "why it ended" "$(lc_end_reason "$id")" "linger over"
	expect_eq "events of the session" "$(lc_events "$id" | jq -r .Event | tr '\n' ' ')" \
		"create attach end "
	wait_until 10 lc_no_process_with "carrel-test-linger-$rand"
	expect_eq "the process left running, after the end" \
		"$(lc_processes_with "carrel-test-linger-$rand")" ""
}

# Two users with the same settings: one leaves nothing running, the other a CPU loop.
idle_timeout_ends_an_idle_lingering_session_and_a_busy_one_lasts_until_linger() {
	local rand out idle busy idle_pid busy_pid
	need_jq_here
	rand=$(random_hex 6)
	with_login_policy "carrel-test-u1 carrel-test-u2" \
		'session = "user"; linger = "8s"; idle_timeout = "2s"; stop_timeout = "2s";' || return
	lc_forget_user_locks carrel-test-u1 carrel-test-u2
	out=$(ssh_as carrel-test-u1 'echo "session=$CARREL_SESSION"' 2>&1)
	idle=$(value_of session "$out")
	out=$(ssh_as carrel-test-u2 "echo \"session=\$CARREL_SESSION\"
		(exec -a carrel-test-busy-$rand sh -c 'while :; do :; done') </dev/null >/dev/null 2>&1 &" 2>&1)
	busy=$(value_of session "$out")
	expect_match "the idle session" "$idle" '^[0-9a-f]{12}$' || return
	expect_match "the busy session" "$busy" '^[0-9a-f]{12}$' || return
	idle_pid=$(lc_init "$idle")
	busy_pid=$(lc_init "$busy")
	lc_end "$idle" "$idle_pid" 35
	lc_end "$busy" "$busy_pid" 45
	wait_until 10 lc_has_end_event "$idle"
	wait_until 10 lc_has_end_event "$busy"
	expect_eq "why the idle session ended" "$(lc_end_reason "$idle")" idle
	expect_eq "why the busy session ended" "$(lc_end_reason "$busy")" "linger over"
	wait_until 10 lc_no_process_with "carrel-test-busy-$rand"
	expect_eq "the CPU loop after the end" "$(lc_processes_with "carrel-test-busy-$rand")" ""
}

# Eight first logins at once: the per-user lock lets one make the session, the others join
# it. The linger keeps the session however the logins interleave; the case stops it.
concurrent_first_logins_of_a_user_make_exactly_one_shared_session() {
	local i dir=$T/concurrent-$$ ids id pid failed=0
	need_jq_here
	with_login_policy carrel-test-u1 'session = "user"; linger = "60s";' || return
	lc_forget_user_locks carrel-test-u1
	expect_eq "sessions of carrel-test-u1 before" "$(lc_live_sessions carrel-test-u1)" ""
	mkdir -p "$dir"
	for i in 1 2 3 4 5 6 7 8; do
		ssh_as carrel-test-u1 'echo "session=$CARREL_SESSION"' >"$dir/$i" 2>&1 &
	done
	wait
	for i in 1 2 3 4 5 6 7 8; do
		if ! grep -Eq '^session=[0-9a-f]{12}$' "$dir/$i"; then
			fail_with_text "login $i printed no session:" "$(cat "$dir/$i")"
			failed=1
		fi
	done
	ids=$(cat "$dir"/* | sed -n 's/^session=//p' | sort -u)
	expect_eq "distinct sessions of the eight logins" "$(wc -l <<<"$ids")" 1
	expect_eq "running sessions of carrel-test-u1" "$(lc_live_sessions carrel-test-u1)" "$ids"
	for id in $(lc_live_sessions carrel-test-u1); do
		pid=$(lc_init "$id")
		[ "$failed" = 1 ] || expect_eq "events of session $id" \
			"$(lc_events "$id" | jq -r .Event | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" \
			"attach=7 create=1 "
		carrel stop "$id" >/dev/null 2>&1
		lc_end "$id" "$pid"
	done
}

# ---- teardown ------------------------------------------------------------------------------

# A login leaves a process behind that traps SIGTERM and SIGHUP and goes on; with
# stop_timeout = "2s" the SIGKILL must come, and the session end.
a_process_ignoring_sigterm_and_sighup_is_killed_once_stop_timeout_is_over() {
	local rand home script log out id pid
	rand=$(random_hex 6)
	home=$(home_of carrel-test-u1)
	script=$home/carrel-test-stubborn-$rand
	log=$home/carrel-test-stubborn-$rand.log
	lc_root_script "$script" '#!/bin/bash
trap "echo TERM >>\"$1\"; got=1" TERM
trap "echo HUP >>\"$1\"; got=1" HUP
got=0
echo started >>"$1"
while :; do
	sleep 0.1
	if [ "$got" = 1 ]; then echo alive-after-the-signal >>"$1"; got=2; fi
done'
	on_case_exit "rm -f '$log'"
	with_login_policy carrel-test-u1 'stop_timeout = "2s";' || return
	out=$(ssh_as carrel-test-u1 "echo \"session=\$CARREL_SESSION\"
		setsid $script $log </dev/null >/dev/null 2>&1 &
		while ! grep -q started $log 2>/dev/null; do sleep 0.1; done; echo running" 2>&1)
	echo "$out"
	id=$(value_of session "$out")
	pid=$(lc_init "$id")
	expect_match "what the login printed" "$out" '^running$' || return
	# A bound of stop_timeout and 6 s more for the session to notice the logout: a safety
	# net, not a measure; but shorter than the default stop_timeout (10 s).
	wait_until 8 lc_no_process_with "$script" ||
		fail_with_text "the stubborn process 8 s after the logout (stop_timeout 2 s):" \
			"$(lc_processes_with "$script")"
	lc_end "$id" "$pid"
	out=$(cat "$log" 2>&1)
	echo "$out"
	expect_match "the process got SIGTERM" "$out" '^TERM$'
	expect_match "the process got SIGHUP" "$out" '^HUP$'
	expect_match "the process outlived them" "$out" '^alive-after-the-signal$'
}

# What a user might start to outlive the login: a double fork, setsid, nohup, and a daemon
# that ignores SIGTERM and SIGHUP in a session of its own. None of it survives the session.
no_process_survives_its_session_double_fork_setsid_nohup_or_daemon() {
	local rand home script id pid kind ignored
	rand=$(random_hex 6)
	home=$(home_of carrel-test-u1)
	script=$home/carrel-test-escapes-$rand
	lc_root_script "$script" '#!/bin/bash
m=carrel-test-escape-'"$rand"'
( ( exec -a $m-doublefork sleep 3600 ) & ) </dev/null >/dev/null 2>&1
setsid bash -c "exec -a $m-setsid sleep 3600" </dev/null >/dev/null 2>&1 &
nohup bash -c "exec -a $m-nohup sleep 3600" </dev/null >/dev/null 2>&1 &
setsid bash -c "trap \"\" TERM HUP; ( exec -a $m-daemon sleep 3600 ) &" </dev/null >/dev/null 2>&1
exit 0'
	with_login_policy carrel-test-u1 'stop_timeout = "1s";' || return
	hold_login escapes carrel-test-u1 "$script" ||
		{ fail_with_text "login failed:" "$(held_output escapes)"; return; }
	id=$(lc_session escapes)
	pid=$(lc_init "$id")
	for kind in doublefork setsid nohup daemon; do
		wait_until 10 lc_has_process_with "carrel-test-escape-$rand-$kind" ||
			fail "the $kind process never ran"
	done
	# SigIgn has bit 0 for SIGHUP and bit 14 for SIGTERM.
	ignored=$(sed -n 's/^SigIgn:[[:space:]]*//p' "/proc/$(lc_processes_with \
		"carrel-test-escape-$rand-daemon" | awk '{print $1; exit}')/status" 2>/dev/null)
	expect_eq "the daemon ignores SIGHUP and SIGTERM (SigIgn ${ignored:-unknown})" \
		"$(((0x${ignored:-0} & 0x4001) == 0x4001))" 1
	release_login escapes
	lc_end "$id" "$pid"
	wait_until 10 lc_no_process_with "carrel-test-escape-$rand"
	expect_eq "processes left of the session" "$(lc_processes_with "carrel-test-escape-$rand")" ""
	wait_until 10 user_has_no_processes carrel-test-u1
	expect_eq "processes of carrel-test-u1" "$(processes_of carrel-test-u1)" ""
}

# ---- the writable layer --------------------------------------------------------------------

a_disk_layer_is_in_the_store_during_the_session_and_gone_after() {
	local rand id pid layer out
	rand=$(random_hex 6)
	with_login_policy carrel-test-u1 'rootfs = "disk";' || return
	lc_hold disk carrel-test-u1 "echo disk-$rand >/var/tmp/carrel-test-disk-$rand" || return
	id=$(lc_session disk)
	pid=$(lc_init "$id")
	layer=$LC_STORE/sessions/$id/layer
	expect_eq "rootfs in the record" "$(record_value "$id" rootfs)" disk
	expect_eq "upper_dir in the record" "$(record_value "$id" upper_dir)" "$layer/upper"
	expect "the layer directory $layer during the session" test -d "$layer/upper"
	expect_eq "the file in the layer on disk" \
		"$(cat "$layer/upper/var/tmp/carrel-test-disk-$rand" 2>&1)" "disk-$rand"
	expect_not "the file on the host's /var/tmp" test -e "/var/tmp/carrel-test-disk-$rand"
	out=$(stat -c '%U %a' "$LC_STORE/sessions/$id" 2>&1)
	expect_eq "owner and mode of $LC_STORE/sessions/$id" "$out" "root 700"
	out=$(carrel diff "$id" 2>&1)
	expect_match "carrel diff of the disk layer" "$out" "^A /var/tmp/carrel-test-disk-$rand\$"
	release_login disk
	lc_end "$id" "$pid"
	expect_not "$LC_STORE/sessions/$id after the session" test -e "$LC_STORE/sessions/$id"
	expect_eq "what is left in $LC_STORE/sessions" "$(ls -A "$LC_STORE/sessions" 2>&1)" ""
}

# A file outside the home, written by one session, is there in the next; the layer lives in
# the store between them.
a_persistent_root_keeps_what_a_session_wrote_outside_the_home() {
	local rand out id root=$LC_STORE/users/carrel-test-u1/host
	rand=$(random_hex 6)
	with_login_policy carrel-test-u1 'rootfs = "persistent";' || return
	on_case_exit "carrel reset carrel-test-u1 >/dev/null 2>&1"
	out=$(ssh_as carrel-test-u1 "echo \"session=\$CARREL_SESSION\"
		echo kept-$rand >/var/tmp/carrel-test-kept-$rand && echo wrote" 2>&1)
	echo "$out"
	id=$(value_of session "$out")
	expect_match "the first login" "$out" '^wrote$' || return
	wait_until 25 lc_no_live_sessions carrel-test-u1
	expect_eq "the file in the persistent root at rest" \
		"$(cat "$root/upper/var/tmp/carrel-test-kept-$rand" 2>&1)" "kept-$rand"
	expect_eq "owner and mode of $root" "$(stat -c '%U %a' "$root" 2>&1)" "root 700"
	expect_not "the file on the host's /var/tmp" test -e "/var/tmp/carrel-test-kept-$rand"
	out=$(ssh_as carrel-test-u1 "echo \"session=\$CARREL_SESSION\"
		echo \"kept=\$(cat /var/tmp/carrel-test-kept-$rand)\"" 2>&1)
	echo "$out"
	expect_ne "the second login's session" "$(value_of session "$out")" "$id"
	expect_eq "the file in the next session" "$(value_of kept "$out")" "kept-$rand"
	wait_until 25 lc_no_live_sessions carrel-test-u1
}

a_second_session_on_a_persistent_root_in_use_is_refused_clearly() {
	local id pid out status mark message
	with_login_policy carrel-test-u1 'rootfs = "persistent";' || return
	on_case_exit "carrel reset carrel-test-u1 >/dev/null 2>&1"
	lc_hold owner carrel-test-u1 || return
	id=$(lc_session owner)
	pid=$(lc_init "$id")
	message="the persistent root of 'carrel-test-u1' on image 'host' is in use by another session"
	mark=$(syslog_mark)
	out=$(ssh_as carrel-test-u1 'echo carrel-test-reached' 2>&1)
	status=$?
	echo "$out"
	expect_ne "exit status of the second ssh login" "$status" 0
	expect_no_match "what the second ssh login ran" "$out" '^carrel-test-reached$'
	wait_for_syslog "$mark" "carrel-launch.*$message" ||
		fail_with_text "the refusal is not in syslog; it has:" "$(syslog_since "$mark")"
	out=$(run_in "$CONF" carrel-test-u1 /bin/echo carrel-test-reached 2>&1)
	status=$?
	echo "$out"
	expect_ne "exit status of carrel run" "$status" 0
	expect_match "what carrel run says" "$out" "$message"
	expect_eq "running sessions of carrel-test-u1" "$(lc_live_sessions carrel-test-u1)" "$id"
	release_login owner
	lc_end "$id" "$pid"
	# Once it is free, the next session gets it.
	out=$(ssh_as carrel-test-u1 'echo carrel-test-reached' 2>&1)
	expect_eq "a login after the first session ended" "$out" carrel-test-reached
}

# diff_edits: what the cases below change as root in the tiny image: add, change, delete.
DIFF_EDITS='echo added >/root/carrel-test-added
echo changed >>/etc/carrel-image-marker
rm /bin/vi
mkdir /srv && echo deep >/srv/carrel-test-deep'

# expect_diff WHAT OUTPUT: the lines the edits make, and none for what was not touched.
expect_diff() {
	local line
	for line in 'A /root/carrel-test-added' 'C /root' 'C /etc/carrel-image-marker' 'C /etc' \
		'D /bin/vi' 'C /bin' 'A /srv' 'A /srv/carrel-test-deep'; do
		expect_match "$1: '$line'" "$2" "^$line\$"
	done
	expect_no_match "$1: untouched paths" "$2" '^[ACD] /bin/(busybox|sh|ls)$|^[ACD] /etc/carrel-image-marker/'
	expect_no_match "$1: lines that are not A, C or D" "$2" '^([^ACD]|[ACD][^ ]|[ACD] [^/])'
	[ "$(printf '%s\n' "$2" | cut -c 3- | LC_ALL=C sort -c 2>&1)" = "" ] ||
		fail_with_text "$1: not sorted by path" "$2"
}

carrel_diff_lists_added_changed_and_deleted_paths_of_a_running_session() {
	local id pid out status
	lc_hold diff carrel-test-tiny1 || return
	id=$(lc_session diff)
	pid=$(lc_init "$id")
	expect_eq "rootfs in the record" "$(record_value "$id" rootfs)" tmpfs
	out=$(carrel join --root "$id" -- /bin/sh -c "$DIFF_EDITS" 2>&1)
	expect_eq "the edits as root inside" "$out" ""
	out=$(carrel diff "$id" 2>&1)
	status=$?
	echo "$out"
	expect_eq "exit status of carrel diff $id" "$status" 0
	expect_diff "carrel diff $id" "$out"
	expect_eq "carrel diff by user name" "$(carrel diff carrel-test-tiny1 2>&1)" "$out"
	release_login diff
	lc_end "$id" "$pid"
	out=$(carrel diff "$id" 2>&1)
	expect_ne "carrel diff of a session that is over" "$?" 0
}

carrel_diff_lists_the_changes_of_a_persistent_root_at_rest() {
	local id pid out status
	with_login_policy carrel-test-tiny1 'image = "tiny"; rootfs = "persistent";' || return
	on_case_exit "carrel reset carrel-test-tiny1 >/dev/null 2>&1"
	lc_hold diff carrel-test-tiny1 || return
	id=$(lc_session diff)
	pid=$(lc_init "$id")
	out=$(carrel join --root "$id" -- /bin/sh -c "$DIFF_EDITS" 2>&1)
	expect_eq "the edits as root inside" "$out" ""
	release_login diff
	lc_end "$id" "$pid"
	out=$(carrel diff carrel-test-tiny1 --image tiny -c "$CONF" 2>&1)
	status=$?
	echo "$out"
	expect_eq "exit status of carrel diff --image tiny" "$status" 0
	expect_diff "carrel diff carrel-test-tiny1 --image tiny" "$out"
	out=$(carrel diff carrel-test-tiny1 -c "$CONF" 2>&1)
	expect_ne "carrel diff of a user with no session and no --image" "$?" 0
	expect_match "what it says" "$out" "no running session is 'carrel-test-tiny1'.*--image"
}

carrel_reset_discards_a_persistent_root_but_not_while_a_session_uses_it() {
	local rand id pid out status root=$LC_STORE/users/carrel-test-u1/host
	rand=$(random_hex 6)
	with_login_policy carrel-test-u1 'rootfs = "persistent";' || return
	on_case_exit "carrel reset carrel-test-u1 >/dev/null 2>&1"
	out=$(ssh_as carrel-test-u1 "echo reset-$rand >/var/tmp/carrel-test-reset-$rand && echo wrote" 2>&1)
	expect_eq "the first login" "$out" wrote || return
	wait_until 25 lc_no_live_sessions carrel-test-u1
	lc_hold user carrel-test-u1 || return
	id=$(lc_session user)
	pid=$(lc_init "$id")
	out=$(carrel reset carrel-test-u1 2>&1)
	status=$?
	echo "$out"
	expect_eq "exit status of carrel reset while a session runs" "$status" 1
	expect_match "what it says" "$out" \
		"persistent root of 'carrel-test-u1' on image 'host' is in use by a running session"
	out=$(carrel reset carrel-test-u1 --image host 2>&1)
	expect_eq "exit status of carrel reset --image host while a session runs" "$?" 1
	expect_eq "the root's file after the refusals" \
		"$(cat "$root/upper/var/tmp/carrel-test-reset-$rand" 2>&1)" "reset-$rand"
	expect_eq "the file in the session after the refusals" \
		"$(carrel join "$id" -- cat "/var/tmp/carrel-test-reset-$rand" 2>&1)" "reset-$rand"
	release_login user
	lc_end "$id" "$pid"
	out=$(carrel reset carrel-test-u1 2>&1)
	status=$?
	expect_eq "exit status of carrel reset" "$status" 0
	expect_eq "what carrel reset prints" "$out" carrel-test-u1/host
	expect_not "$root after the reset" test -e "$root"
	out=$(ssh_as carrel-test-u1 "cat /var/tmp/carrel-test-reset-$rand 2>&1; echo \"exists=\$?\"" 2>&1)
	expect_eq "the next session sees the image again" "$(value_of exists "$out")" 1
	wait_until 25 lc_no_live_sessions carrel-test-u1
	out=$(carrel reset carrel-test-u1 --image tiny 2>&1)
	expect_eq "exit status of carrel reset of a root that does not exist" "$?" 1
	expect_match "what it says" "$out" "'carrel-test-u1' has no persistent root on image 'tiny'"
}

# ---- volumes -------------------------------------------------------------------------------

# lc_volume_row USER NAME: the row of "carrel volume ls" for it, columns single-spaced.
lc_volume_row() {
	carrel volume ls 2>&1 | awk -v u="$1" -v n="$2" '$1 == u && $2 == n' | tr -s ' '
}

a_named_volume_is_kept_listed_and_removed_only_when_unused() {
	local rand id pid out status vol=carrel-test-vol data
	rand=$(random_hex 6)
	data=$LC_STORE/volumes/carrel-test-u1/$vol/_data
	with_login_policy carrel-test-u1 "volumes = ( { source = \"%h\"; target = \"%h\"; },
		{ name = \"$vol\"; target = \"/vol\"; } );" || return
	on_case_exit "carrel volume rm carrel-test-u1 $vol >/dev/null 2>&1"
	lc_hold first carrel-test-u1 "echo vol-$rand >/vol/carrel-test-file" || return
	id=$(lc_session first)
	pid=$(lc_init "$id")
	expect_eq "owner and mode of $data" "$(stat -c '%U %G %a' "$data" 2>&1)" \
		"carrel-test-u1 carrel-test-u1 700"
	expect_eq "the file on the host" "$(cat "$data/carrel-test-file" 2>&1)" "vol-$rand"
	expect_eq "owner of the file" "$(stat -c %U "$data/carrel-test-file" 2>&1)" carrel-test-u1
	out=$(carrel volume ls 2>&1)
	echo "$out"
	expect_match "carrel volume ls header" "$(head -n 1 <<<"$out")" '^USER +NAME +IN USE BY +PATH$'
	expect_eq "carrel volume ls while in use" "$(lc_volume_row carrel-test-u1 $vol)" \
		"carrel-test-u1 $vol $id $data"
	expect_eq "carrel volume ls carrel-test-u1" \
		"$(carrel volume ls carrel-test-u1 2>&1 | tail -n +2 | tr -s ' ')" \
		"carrel-test-u1 $vol $id $data"
	out=$(carrel volume rm carrel-test-u1 $vol 2>&1)
	status=$?
	echo "$out"
	expect_eq "exit status of carrel volume rm while in use" "$status" 1
	expect_match "what it says" "$out" "volume '$vol' of 'carrel-test-u1' is in use by session $id"
	expect "the volume after the refusal" test -f "$data/carrel-test-file"
	release_login first
	lc_end "$id" "$pid"
	expect_eq "carrel volume ls after the session" "$(lc_volume_row carrel-test-u1 $vol)" \
		"carrel-test-u1 $vol - $data"
	out=$(ssh_as carrel-test-u1 'echo "file=$(cat /vol/carrel-test-file)"' 2>&1)
	expect_eq "the next session's volume" "$(value_of file "$out")" "vol-$rand"
	wait_until 25 lc_no_live_sessions carrel-test-u1
	out=$(carrel volume rm carrel-test-u1 $vol 2>&1)
	status=$?
	expect_eq "exit status of carrel volume rm" "$status" 0
	expect_eq "what carrel volume rm prints" "$out" "carrel-test-u1/$vol"
	expect_not "$LC_STORE/volumes/carrel-test-u1/$vol after carrel volume rm" \
		test -e "$LC_STORE/volumes/carrel-test-u1/$vol"
	expect_eq "carrel volume ls after carrel volume rm" "$(lc_volume_row carrel-test-u1 $vol)" ""
	out=$(carrel volume rm carrel-test-u1 $vol 2>&1)
	expect_eq "exit status of removing it again" "$?" 1
}

an_anonymous_volume_is_empty_in_each_session_and_removed_at_its_end() {
	local rand id pid data out
	rand=$(random_hex 6)
	with_login_policy carrel-test-u1 'volumes = ( { source = "%h"; target = "%h"; },
		{ target = "/scratch"; } );' || return
	lc_hold first carrel-test-u1 "echo \"before=\$(ls -A /scratch | wc -l)\"
		echo anon-$rand >/scratch/carrel-test-file" || return
	id=$(lc_session first)
	pid=$(lc_init "$id")
	out=$(held_output first)
	expect_eq "entries in /scratch of the first session" "$(value_of before "$out")" 0
	# The second volume of the list: index 1.
	data=$LC_STORE/sessions/$id/volumes/1/_data
	expect_eq "owner and mode of $data" "$(stat -c '%U %a' "$data" 2>&1)" "carrel-test-u1 700"
	expect_eq "the file on the host" "$(cat "$data/carrel-test-file" 2>&1)" "anon-$rand"
	release_login first
	lc_end "$id" "$pid"
	expect_not "$LC_STORE/sessions/$id after the session" test -e "$LC_STORE/sessions/$id"
	out=$(ssh_as carrel-test-u1 'echo "session=$CARREL_SESSION"; echo "entries=$(ls -A /scratch | wc -l)"' 2>&1)
	echo "$out"
	expect_eq "entries in /scratch of the next session" "$(value_of entries "$out")" 0
	wait_until 25 lc_no_live_sessions carrel-test-u1
	id=$(value_of session "$out")
	expect_not "$LC_STORE/sessions/$id after the next session" test -e "$LC_STORE/sessions/$id"
}

carrel_inspect_shows_the_type_of_each_mount() {
	local id pid out home shared=$T/inspect-ro
	need_jq_here
	home=$(home_of carrel-test-u1)
	mkdir -p "$shared"
	with_login_policy carrel-test-u1 "volumes = ( { source = \"%h\"; target = \"%h\"; },
		{ name = \"carrel-test-inspect\"; target = \"/vol\"; },
		{ target = \"/scratch\"; },
		{ source = \"$shared\"; target = \"/shared\"; readonly = true; propagation = \"slave\"; } );" ||
		return
	on_case_exit "carrel volume rm carrel-test-u1 carrel-test-inspect >/dev/null 2>&1"
	lc_hold inspect carrel-test-u1 || return
	id=$(lc_session inspect)
	pid=$(lc_init "$id")
	out=$(carrel inspect "$id" 2>&1 | jq -r '.[0].Mounts[]
		| select(.Destination == "'"$home"'" or .Destination == "/vol"
			or .Destination == "/scratch" or .Destination == "/shared")
		| [.Destination, .Type, .Source, (.RW | tostring), .Propagation] | join(" ")' 2>&1)
	echo "$out"
	expect_eq "the volumes in carrel inspect" "$out" \
		"$home bind $home true private
/vol named $LC_STORE/volumes/carrel-test-u1/carrel-test-inspect/_data true private
/scratch anonymous $LC_STORE/sessions/$id/volumes/2/_data true private
/shared bind $shared false slave"
	release_login inspect
	lc_end "$id" "$pid"
}

# The test namespace's mounts are shared (share_mounts_like_a_systemd_host), as on a systemd
# host: what the host mounts below a volume's source later is propagated to a "slave" volume
# and must not be to a "private" one; nothing mounted inside comes out either way.
a_slave_volume_sees_later_host_mounts_and_a_private_one_does_not() {
	local id pid kind src=$T/propagation out
	mkdir -p "$src/slave/later" "$src/private/later" "$src/slave/inside"
	with_login_policy carrel-test-u1 "volumes = ( { source = \"%h\"; target = \"%h\"; },
		{ source = \"$src/slave\"; target = \"/prop-slave\"; propagation = \"slave\"; },
		{ source = \"$src/private\"; target = \"/prop-private\"; } );" || return
	lc_hold prop carrel-test-u1 || return
	id=$(lc_session prop)
	pid=$(lc_init "$id")
	for kind in slave private; do
		mount -t tmpfs -o size=1m "carrel-test-$kind" "$src/$kind/later" &&
			echo "mounted-$kind" >"$src/$kind/later/marker" &&
			on_case_exit "umount '$src/$kind/later'" ||
			fail "cannot mount a tmpfs on $src/$kind/later"
	done
	out=$(carrel join "$id" -- cat /prop-slave/later/marker 2>&1)
	expect_eq "the host's later mount in the slave volume" "$out" mounted-slave
	out=$(carrel join "$id" -- /bin/sh -c 'ls -A /prop-private/later | wc -l' 2>&1)
	expect_eq "entries of the private volume's later directory" "$out" 0
	# Root inside has no CAP_SYS_ADMIN: the host's root mounts in the session's namespace.
	out=$(nsenter -t "$pid" -m -- /bin/sh -c \
		'mount -t tmpfs carrel-test-inside /prop-slave/inside && echo mounted' 2>&1)
	expect_eq "a mount in the session's slave volume" "$out" mounted
	expect_not "the session's mount on the host" mountpoint -q "$src/slave/inside"
	expect_no_match "the host's mounts" "$(cat /proc/self/mountinfo)" ' carrel-test-inside '
	release_login prop
	lc_end "$id" "$pid"
}

# A real automounter (autofs's automount, its own master map, in the suite's mount namespace)
# with an indirect map of two "homes". A volume whose source is one of them: the launcher's
# open of the source triggers the mount before the session binds it. A slave volume of the
# map's directory: an access inside the session triggers the automounter, which mounts in the
# host's namespace, and the mount reaches the session by propagation.
homes_on_autofs_are_mounted_by_the_session_start_and_on_access_inside() {
	local dir=$T/autofs pid id init out
	command -v automount >/dev/null || skip_case "automount is not installed (apt-get install autofs)"
	grep -qw autofs /proc/filesystems || skip_case "this kernel has no autofs"
	mkdir -p "$dir/homes" "$dir/src/one" "$dir/src/two" || return
	echo one >"$dir/src/one/marker" && echo two >"$dir/src/two/marker" || return
	printf '%s\n' "one -fstype=bind :$dir/src/one" "two -fstype=bind :$dir/src/two" >"$dir/map"
	echo "$dir/homes $dir/map --timeout=0" >"$dir/master"
	# setsid: autofs lets its own process group see the map's directory without triggering
	# mounts; -C: a host may run its own automount as well.
	setsid automount -f -C "$dir/master" >"$dir/automount.log" 2>&1 &
	pid=$!
	on_case_exit "lc_stop_automount $pid '$dir/homes'"
	wait_until 10 mountpoint -q "$dir/homes" || {
		fail_with_text "automount did not mount $dir/homes:" "$(cat "$dir/automount.log")"
		return
	}
	expect_not "$dir/homes/one mounted before the session" lc_mounted "$dir/homes/one"
	with_login_policy carrel-test-u1 "volumes = ( { source = \"%h\"; target = \"%h\"; },
		{ source = \"$dir/homes/one\"; target = \"/auto-one\"; },
		{ source = \"$dir/homes\"; target = \"/auto\"; propagation = \"slave\"; } );" ||
		return
	lc_hold autofs carrel-test-u1 || return
	id=$(lc_session autofs)
	init=$(lc_init "$id")
	expect_eq "the home mounted when the session started" "$(carrel join "$id" -- \
		cat /auto-one/marker 2>&1)" one
	expect_not "$dir/homes/two mounted before an access" lc_mounted "$dir/homes/two"
	out=$(carrel join "$id" -- cat /auto/two/marker 2>&1)
	expect_eq "a home mounted on access inside the session" "$out" two
	expect "$dir/homes/two mounted on the host after the access inside" \
		lc_mounted "$dir/homes/two"
	release_login autofs
	lc_end "$id" "$init"
}

# ---- events --------------------------------------------------------------------------------

carrel_events_lists_create_attach_join_stop_and_end() {
	local id pid out json
	need_jq_here
	with_login_policy carrel-test-u1 'session = "user";' || return
	lc_forget_user_locks carrel-test-u1
	lc_hold first carrel-test-u1 || return
	id=$(lc_session first)
	pid=$(lc_init "$id")
	lc_hold second carrel-test-u1 || { release_login first; return; }
	expect_eq "the second login's session" "$(lc_session second)" "$id"
	out=$(carrel join "$id" -- /bin/true 2>&1)
	expect_eq "carrel join $id -- /bin/true" "$out" ""
	out=$(carrel stop "$id" 2>&1)
	expect_eq "exit status of carrel stop" "$?" 0
	lc_end "$id" "$pid"
	release_login first
	release_login second
	wait_until 10 lc_has_end_event "$id"
	out=$(lc_event_summary "$id")
	echo "$out"
	expect_eq "the session's events (Event User Service RHost Detail)" "$out" \
		"create carrel-test-u1 carrel-test-sshd 127.0.0.1 host
attach carrel-test-u1 carrel-test-sshd 127.0.0.1 -
join carrel-test-u1 carrel-join - /bin/true
stop carrel-test-u1 carrel-test-sshd 127.0.0.1 by uid 0
end carrel-test-u1 - - stopped"
	json=$(lc_events "$id" | head -n 1)
	expect_eq "keys of a JSON event" "$(jq -c 'keys_unsorted' <<<"$json" 2>&1)" \
		'["Time","Event","Id","User","Service","RHost","Detail"]'
	expect_match "its time" "$(jq -r .Time <<<"$json" 2>&1)" \
		'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
	# The table has the same events.
	out=$(carrel events 2>&1 | grep -F " $id " | awk '{print $2}' | tr '\n' ' ')
	expect_eq "events of $id in the table" "$out" "create attach join stop end "
}

# "carrel events --follow" prints what is written after it started: it is watching once it
# has an inotify watch (its fdinfo shows one); then a session comes and goes.
carrel_events_follow_prints_a_new_event_as_it_happens() {
	local out=$T/follow-$$ follower id run
	need_jq_here
	"$ADMIN" events --follow --json >"$out" 2>&1 &
	follower=$!
	on_case_exit "kill $follower 2>/dev/null; wait $follower 2>/dev/null"
	wait_until 10 follower_is_watching "$follower" ||
		{ fail "carrel events --follow ($follower) has no inotify watch after 10 s"; return; }
	run=$(run_in "$CONF" carrel-test-u1 /bin/sh -c 'echo "session=$CARREL_SESSION"' 2>&1)
	id=$(value_of session "$run")
	expect_match "the session of carrel run" "$id" '^[0-9a-f]{12}$' || return
	wait_until 10 follower_printed "$out" "$id" end ||
		fail_with_text "carrel events --follow printed no end event of $id; it printed (last lines):" \
			"$(tail -n 5 "$out")"
	expect_eq "the events --follow printed for $id" \
		"$(jq -r --arg id "$id" 'select(.Id == $id) | .Event' "$out" 2>&1 | tr '\n' ' ')" "create end "
	expect "carrel events --follow still runs" kill -0 "$follower"
}

follower_is_watching() {
	grep -qs '^inotify wd:' /proc/"$1"/fdinfo/*
}

follower_printed() {
	jq -e --arg id "$2" --arg ev "$3" 'select(.Id == $id and .Event == $ev)' "$1" >/dev/null 2>&1
}

# The log moves to events.1 past 1 MiB. A session's init opens the log when the session starts
# and writes its "end" through that fd: a rotation in between must lose no event, neither the
# end of a session that was running across it nor those written after it. The case fills a
# log of its own: /run/carrel is a tmpfs of this case while it runs (records and all: only
# this run's sessions are in it), so the machine's log is never touched.
every_event_is_kept_when_the_event_log_is_rotated() {
	local long long_pid short out
	need_jq_here
	mount -t tmpfs -o mode=0755,size=16m carrel-test-run /run/carrel ||
		{ fail "cannot mount a tmpfs on /run/carrel"; return; }
	on_case_exit "umount /run/carrel"
	lc_hold long carrel-test-u1 || return
	on_case_exit "carrel stop carrel-test-u1 >/dev/null 2>&1"
	long=$(lc_session long)
	long_pid=$(lc_init "$long")
	# Past the cap, with lines of the log's own format (tab separated).
	awk 'BEGIN { for (i = 0; i < 12000; i++)
		printf "2026-01-01T00:00:00Z\tfiller\t000000000000\tcarrel-test-filler\t-\t-\t%060d\n", i }' \
		>>/run/carrel/events
	echo "log before: $(stat -c %s /run/carrel/events) bytes"
	# The next event rotates the log.
	expect_eq "carrel join $long -- /bin/true" "$(carrel join "$long" -- /bin/true 2>&1)" ""
	echo "after the join: $(ls -l /run/carrel/events*)"
	# A session made and ended after the rotation.
	out=$(run_in "$CONF" carrel-test-u2 /bin/sh -c 'echo "session=$CARREL_SESSION"' 2>&1)
	short=$(value_of session "$out")
	expect_match "the short session" "$short" '^[0-9a-f]{12}$'
	wait_until 10 lc_has_end_event "$short"
	# Now the long one ends: its init holds the log's directory, opened before the rotation.
	release_login long
	lc_end "$long" "$long_pid"
	echo "at the end: $(ls -l /run/carrel/events*)"
	expect_eq "events of the short session (carrel events)" \
		"$(lc_events "$short" | jq -r .Event 2>&1 | tr '\n' ' ')" "create end "
	expect_eq "events of the long session, events.1 first (carrel events)" \
		"$(lc_events "$long" | jq -r .Event 2>&1 | tr '\n' ' ')" "create join end "
	out=$(cat /run/carrel/events /run/carrel/events.1 2>/dev/null | grep -c "	filler	")
	expect_eq "filler lines left in events and events.1" "$out" 12000
	expect_eq "the end of $long is in the new log, not the rotated one" \
		"$(grep -c "	end	$long	" /run/carrel/events)" 1
}
