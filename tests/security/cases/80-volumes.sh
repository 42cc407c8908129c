# Cases: volume sources the user controls. The policy of carrel-test-race1 (harness.sh) binds
# %h/carrel-test-data on /carrel-test-data: the user may replace that path with a symbolic
# link at any time, also while logins are being set up. The launcher opens a source once,
# with openat2(RESOLVE_NO_SYMLINKS), and mounts that fd (launcher/volumes.c): a link is
# refused with a clear log line, and nothing else is ever mounted.
# shellcheck shell=bash disable=SC2016 # $... in single quotes runs in the login's shell

CASES+=(
	a_volume_source_replaced_by_a_symlink_to_etc_is_refused
	a_volume_source_swapped_with_a_symlink_during_30_logins_is_never_etc
	a_volume_source_linked_to_another_users_home_is_refused
)

RACE_REACHED=carrel-test-reached-a-shell

# What the user can do in their own home, on the host.
as_race_user() {
	as_user_on_host "$RACE_USER" "$@"
}

race_data() {
	echo "$(home_of "$RACE_USER")/carrel-test-data"
}

# The source as the policy expects it: a real directory of the user, with a marker file.
restore_race_data() {
	local data
	data=$(race_data)
	as_race_user rm -rf "$data" "$data.link" &&
		as_race_user mkdir "$data" &&
		as_race_user sh -c "echo carrel-test-real-data >'$data/carrel-test-marker'"
}

# race_login: a login of the user that shows the volume; status as ssh's.
race_login() {
	ssh_as "$RACE_USER" "echo $RACE_REACHED; cat $RACE_TARGET/carrel-test-marker; ls $RACE_TARGET"
}

# expect_refused_login WHAT MARK LINK_TARGET: a login with the source being a link to
# LINK_TARGET fails, says why in the log, and leaves no session and no mount behind.
expect_refused_login() {
	local what=$1 mark=$2 target=$3 out status mounts_before
	mounts_before=$(cat /proc/self/mountinfo)
	out=$(race_login 2>&1)
	status=$?
	echo "$out"
	expect_ne "$what: ssh exit status" "$status" 0
	expect_no_match "$what: what the login ran" "$out" "^$RACE_REACHED\$"
	expect_no_match "$what: what the login showed of $target" "$out" \
		'passwd|shadow|carrel-test-u2-private'
	wait_for_syslog "$mark" "pam_carrel\\(carrel-test-sshd:session\\): cannot sandbox the session of '$RACE_USER'.*volume source '$(race_data)' has a symbolic link in its path" ||
		fail_with_text "$what: no log line names the link; syslog meanwhile:" \
			"$(syslog_since "$mark" | grep -E 'pam_|carrel')"
	wait_until 25 no_sessions_left
	expect_eq "$what: sessions left" "$(our_sessions)" ""
	expect_eq "$what: mounts of the test's namespace" "$(cat /proc/self/mountinfo)" \
		"$mounts_before"
}

a_volume_source_replaced_by_a_symlink_to_etc_is_refused() {
	local data mark out
	data=$(race_data)
	trap restore_race_data EXIT
	# The control: with the real directory the login works and shows it.
	restore_race_data
	out=$(race_login 2>&1)
	expect_match "the volume with the real directory (the control)" "$out" \
		'^carrel-test-real-data$'
	as_race_user rm -rf "$data" && as_race_user ln -s /etc "$data"
	mark=$(syslog_mark)
	expect_refused_login "source linked to /etc" "$mark" /etc
	expect_host_untouched
}

# The user swaps the source and a link to /etc with renameat2(RENAME_EXCHANGE), as fast as
# it goes, while 30 logins are made: the path is always one or the other. Each login gets
# the real directory or is refused; none ever shows /etc.
a_volume_source_swapped_with_a_symlink_during_30_logins_is_never_etc() {
	local data stop swapper out status i real=0 refused=0 mark refusals
	data=$(race_data)
	stop=$(home_of "$RACE_USER")/carrel-test-stop
	trap restore_race_data EXIT
	if ! restore_race_data || ! as_race_user ln -s /etc "$data.link"; then
		fail "cannot prepare $data"
		return
	fi
	mark=$(syslog_mark)
	as_race_user "$(probe_of "$RACE_USER")" race-swap "$data" "$data.link" "$stop" \
		>"$T/race-swap.out" 2>&1 &
	swapper=$!
	for i in $(seq 30); do
		out=$(race_login 2>&1)
		status=$?
		if [ "$status" = 0 ] && printf '%s\n' "$out" | grep -qx carrel-test-real-data; then
			real=$((real + 1))
		elif [ "$status" != 0 ] && ! printf '%s\n' "$out" | grep -qx "$RACE_REACHED"; then
			refused=$((refused + 1))
		else
			fail_with_text "login $i (status $status) showed something else:" "$out"
		fi
		expect_no_match "login $i: what it showed" "$out" 'passwd|shadow|hostname'
	done
	: >"$stop"
	wait "$swapper"
	rm -f "$stop"
	echo "logins: $real got the real directory, $refused were refused; $(cat "$T/race-swap.out")"
	expect_match "the swapper" "$(cat "$T/race-swap.out")" '^race-swap: ok swaps=[1-9][0-9]*$'
	expect_eq "logins that got the real directory or were refused" "$((real + refused))" 30
	refusals=$(syslog_since "$mark" | grep "cannot sandbox the session of '$RACE_USER'")
	expect_eq "refusals logged" "$(printf '%s' "$refusals" | grep -c .)" "$refused"
	expect_eq "refusals logged that name the link as the reason" \
		"$(printf '%s' "$refusals" | grep -c "volume source '$data' has a symbolic link")" \
		"$refused"
	wait_until 25 no_sessions_left
	expect_eq "sessions left" "$(our_sessions)" ""
	expect_host_untouched
}

a_volume_source_linked_to_another_users_home_is_refused() {
	local data mark private
	data=$(race_data)
	private=$(home_of carrel-test-u2)/carrel-test-u2-private
	trap 'restore_race_data; rm -f "'"$private"'"' EXIT
	as_user_on_host carrel-test-u2 sh -c "echo secret >'$private'"
	as_race_user rm -rf "$data" && as_race_user ln -s "$(home_of carrel-test-u2)" "$data"
	mark=$(syslog_mark)
	expect_refused_login "source linked to carrel-test-u2's home" "$mark" \
		"$(home_of carrel-test-u2)"
	expect_host_untouched
}
