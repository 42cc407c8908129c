# Cases: the admin tool build/carrel (ps, inspect, join, run, stop) against real sessions.
# Each case is skipped, visibly, while build/carrel does not exist.
# shellcheck shell=bash

CASES+=(
	carrel_ps_lists_the_session_only_while_it_runs
	carrel_ps_json_describes_the_session
	carrel_join_runs_in_the_login_mount_namespace_as_the_user
	carrel_inspect_prints_the_session_as_json
	carrel_run_starts_a_session_with_the_configured_host_name
	carrel_stop_ends_a_running_session
)

need_admin_tool() {
	[ -x "$ADMIN" ] || skip_case "$ADMIN does not exist (make build/carrel)"
}

need_jq() {
	command -v jq >/dev/null || skip_case "jq is not installed (apt-get install jq)"
}

# hold_session NAME: a held login of carrel-test-u1; sets ID, INIT_PID and LOGIN_MNT.
hold_session() {
	if ! hold_login "$1" carrel-test-u1; then
		fail_with_text "login failed:" "$(held_output "$1")"
		return 1
	fi
	ID=$(value_of session "$(held_output "$1")")
	LOGIN_MNT=$(value_of mnt "$(held_output "$1")")
	INIT_PID=$(record_value "$ID" init_pid)
	expect_match "CARREL_SESSION" "$ID" '^[0-9a-f]{12}$'
}

end_held_session() {
	release_login "$1"
	wait_for_session_end "$ID" "$INIT_PID" || fail "session $ID did not end after logout"
}

carrel_ps_lists_the_session_only_while_it_runs() {
	local out
	need_admin_tool
	hold_session ps || return
	out=$(carrel ps 2>&1)
	echo "$out"
	expect_match "ps header" "$(head -n 1 <<<"$out")" \
		'^ID +USER +SERVICE +TTY +RHOST +IMAGE +PID +CREATED *$'
	expect_match "ps row of the login" "$out" \
		"^$ID +carrel-test-u1 +carrel-test-sshd +ssh +127\\.0\\.0\\.1 +host +$INIT_PID "
	end_held_session ps
	out=$(carrel ps 2>&1)
	expect_no_match "ps after logout" "$out" "^$ID "
}

carrel_ps_json_describes_the_session() {
	local out row
	need_admin_tool
	need_jq
	hold_session psjson || return
	out=$(carrel ps --json 2>&1)
	echo "$out"
	expect "ps --json prints a JSON array" jq -e 'type == "array"' <<<"$out" >/dev/null
	row=$(jq -c --arg id "$ID" '.[] | select(.Id == $id)' <<<"$out" 2>&1)
	expect_match "the login's object" "$row" '.'
	expect_eq "User" "$(jq -r .User <<<"$row" 2>&1)" carrel-test-u1
	expect_eq "Service" "$(jq -r .Service <<<"$row" 2>&1)" carrel-test-sshd
	expect_eq "Pid" "$(jq -r .Pid <<<"$row" 2>&1)" "$INIT_PID"
	end_held_session psjson
	out=$(carrel ps --json 2>&1)
	expect_eq "the login's object after logout" \
		"$(jq -c --arg id "$ID" '[.[] | select(.Id == $id)]' <<<"$out" 2>&1)" "[]"
}

carrel_join_runs_in_the_login_mount_namespace_as_the_user() {
	local out status
	need_admin_tool
	hold_session join || return
	out=$(carrel join "$ID" -- readlink /proc/self/ns/mnt 2>&1)
	expect_eq "mount namespace of 'carrel join $ID'" "$out" "$LOGIN_MNT"
	out=$(carrel join "$ID" -- cat /proc/self/mountinfo 2>&1)
	expect_match "root of 'carrel join' is the session's overlay" "$out" '^[0-9]+ [0-9]+ [0-9:]+ / / .* - overlay '
	out=$(carrel join "$ID" -- id -un 2>&1)
	expect_eq "user of 'carrel join'" "$out" carrel-test-u1
	out=$(carrel join --root "$ID" -- id -un 2>&1)
	expect_eq "user of 'carrel join --root'" "$out" root
	out=$(carrel join --root "$ID" -- readlink /proc/self/ns/mnt 2>&1)
	expect_eq "mount namespace of 'carrel join --root'" "$out" "$LOGIN_MNT"
	join_keeps_the_groups_of_the_login
	out=$(carrel join carrel-test-u1 -- hostname 2>&1)
	status=$?
	expect_eq "'carrel join carrel-test-u1' exit status" "$status" 0
	expect_eq "host name seen by 'carrel join carrel-test-u1'" "$out" carrel-test-u1-carrel
	end_held_session join
}

# A joined process has the groups the login got, even after the host's groups change: it
# must not gain a group the session's own processes do not have.
join_keeps_the_groups_of_the_login() {
	local group=carrel-test-join out gid before
	before=$(id -G carrel-test-u1)
	expect_eq "groups in the record" "$(record_value "$ID" groups | tr , ' ')" "$before"
	groupdel "$group" 2>/dev/null # left by a run that was killed
	if ! groupadd "$group"; then
		fail "cannot make the group $group"
		return
	fi
	on_case_exit "groupdel $group 2>/dev/null"
	gid=$(getent group "$group" | cut -d: -f3)
	if ! usermod -aG "$group" carrel-test-u1; then
		fail "cannot add carrel-test-u1 to $group"
		return
	fi
	out=$(carrel join "$ID" -- id -G 2>&1)
	expect_eq "groups of 'carrel join' after the user got a new group" "$out" "$before"
	expect_no_match "groups of 'carrel join'" " $out " " $gid "
}

carrel_inspect_prints_the_session_as_json() {
	local out
	need_admin_tool
	need_jq
	hold_session inspect || return
	out=$(carrel inspect "$ID" 2>&1)
	echo "$out"
	expect_eq "number of objects" "$(jq length <<<"$out" 2>&1)" 1
	expect_eq "Id" "$(jq -r '.[0].Id' <<<"$out" 2>&1)" "$ID"
	expect_eq "User" "$(jq -r '.[0].User' <<<"$out" 2>&1)" carrel-test-u1
	expect_eq "Image" "$(jq -r '.[0].Image' <<<"$out" 2>&1)" host
	expect_eq "State.Pid" "$(jq -r '.[0].State.Pid' <<<"$out" 2>&1)" "$INIT_PID"
	expect_eq "GraphDriver.Data.MergedDir" "$(jq -r '.[0].GraphDriver.Data.MergedDir' <<<"$out" 2>&1)" \
		"$SESSIONS/$ID/merged"
	expect_eq "the home among Mounts" \
		"$(jq -r --arg home "$(home_of carrel-test-u1)" \
			'.[0].Mounts[] | select(.Destination == $home) | .Source' <<<"$out" 2>&1)" \
		"$(home_of carrel-test-u1)"
	expect_eq "Namespaces.mnt" "$(jq -r '.[0].Namespaces.mnt' <<<"$out" 2>&1)" "$LOGIN_MNT"
	end_held_session inspect
}

carrel_run_starts_a_session_with_the_configured_host_name() {
	local out status
	need_admin_tool
	out=$(carrel run --launcher "$LAUNCHER" -c "$CONF" --user carrel-test-u1 -- hostname 2>&1)
	status=$?
	expect_eq "exit status of 'carrel run'" "$status" 0
	expect_eq "output of 'carrel run ... -- hostname'" "$out" carrel-test-u1-carrel
	wait_until 25 no_sessions_left || fail "a session is left after 'carrel run' ended: $(our_sessions)"
	# A launcher given relative to the current directory, as from a build tree.
	out=$(cd "$(dirname "$LAUNCHER")" && carrel run --launcher ./carrel-launch -c "$CONF" \
		--user carrel-test-u1 -- hostname 2>&1)
	expect_eq "output of 'carrel run --launcher ./carrel-launch'" "$out" carrel-test-u1-carrel
	wait_until 25 no_sessions_left || fail "a session is left after 'carrel run' ended: $(our_sessions)"
	out=$(carrel run --launcher "$LAUNCHER" -c "$CONF" -- hostname 2>&1)
	status=$?
	expect_eq "exit status of 'carrel run' without --user" "$status" 2
	expect_match "what 'carrel run' without --user says" "$out" '--user USER is required'
}

carrel_stop_ends_a_running_session() {
	local out status
	need_admin_tool
	hold_session stop || return
	out=$(carrel stop "$ID" 2>&1)
	status=$?
	expect_eq "exit status of 'carrel stop $ID'" "$status" 0
	# The held login waits for input forever: only the stop can end it.
	wait_until 25 held_login_is_over stop || fail "the ssh login still runs 25 s after 'carrel stop'"
	wait_for_session_end "$ID" "$INIT_PID" || fail "session $ID is not over 25 s after 'carrel stop'"
	release_login stop
	expect_no_match "what the login printed" "$(held_output stop)" '^released$'
}

# Over: ssh has exited (a zombie until release_login reaps it).
held_login_is_over() {
	local state
	state=$(process_state "$(cat "$T/held/$1/pid")")
	[ -z "$state" ] || [ "$state" = Z ]
}
