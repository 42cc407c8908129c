# Cases: what must refuse a login, and the PAM stack ordering that must not break one.
# shellcheck shell=bash

CASES+=(
	broken_config_refuses_the_login_with_a_clear_log_line
	shell_missing_from_the_image_refuses_the_login_with_a_clear_log_line
	modules_between_closeonly_and_openonly_stay_on_the_host
)

REACHED=carrel-test-reached-a-shell

# The config is read at every login: swap a broken one in for one login, and put the good
# one back whatever happens (the subshell's EXIT trap also runs on a failed check's abort).
broken_config_refuses_the_login_with_a_clear_log_line() {
	local out status mark line
	mark=$(syslog_mark)
	cp -p "$CONF" "$T/carrel.conf.good"
	trap 'mv -f "$T/carrel.conf.good" "$CONF"' EXIT
	{
		cat "$T/carrel.conf.good"
		echo "carrel_test_unknown_key = 1;"
	} >"$CONF.new"
	line=$(wc -l <"$CONF.new")
	mv -f "$CONF.new" "$CONF"
	out=$(ssh_as carrel-test-u1 "echo $REACHED; $PROBE" 2>&1)
	status=$?
	mv -f "$T/carrel.conf.good" "$CONF"
	trap - EXIT
	echo "$out"
	expect_ne "ssh exit status" "$status" 0
	expect_no_match "what the login ran" "$out" "^$REACHED\$"
	wait_for_syslog "$mark" "pam_carrel\(carrel-test-sshd:session\): .*config '$CONF' line $line: .*carrel_test_unknown_key" ||
		fail_with_text "no pam_carrel line names $CONF and line $line; syslog meanwhile:" \
			"$(syslog_since "$mark" | grep -E 'pam_|carrel')"
}

# sshd lets a user in only when the shell exists on the host: tiny-nosh has /bin/bash,
# which the host has and the tiny image does not.
shell_missing_from_the_image_refuses_the_login_with_a_clear_log_line() {
	local out status mark
	mark=$(syslog_mark)
	out=$(ssh_as carrel-test-tiny-nosh "echo $REACHED; $PROBE" 2>&1)
	status=$?
	echo "$out"
	expect_ne "ssh exit status" "$status" 0
	expect_no_match "what the login ran" "$out" "^$REACHED\$"
	wait_for_syslog "$mark" "carrel.*login shell '/bin/bash' of user 'carrel-test-tiny-nosh' .*image 'tiny'" ||
		fail_with_text "no log line names the missing shell; syslog meanwhile:" \
			"$(syslog_since "$mark" | grep -E 'pam_|carrel')"
	expect_eq "sessions left by the refused login" "$(our_sessions)" ""
}

# pam_loginuid sits between "closeonly" and "openonly": it must run on the host both at
# open (the shell inside inherits the login uid it set) and at close, with no PAM error.
modules_between_closeonly_and_openonly_stay_on_the_host() {
	local out mark sshd_mark id uid
	mark=$(syslog_mark)
	sshd_mark=$(stat -c %s "$SSHD_LOG")
	uid=$(id -u carrel-test-u1)
	out=$(ssh_as carrel-test-u1 "$PROBE" 2>&1)
	echo "$out"
	id=$(value_of session "$out")
	expect_match "CARREL_SESSION" "$id" '^[0-9a-f]{12}$' || return
	expect_eq "login uid inside (set by pam_loginuid)" "$(value_of loginuid "$out")" "$uid"
	wait_for_syslog "$mark" "session $id closed for 'carrel-test-u1'" ||
		fail "no log line says session $id was closed"
	wait_for_syslog "$mark" "session $id ended" ||
		fail "no log line says session $id ended"
	expect_no_match "PAM and carrel errors in syslog" "$(syslog_since "$mark")" \
		'authpriv\.(err|crit|alert|emerg|warn)|pam_loginuid|cannot leave'
	expect_no_match "PAM errors in sshd's log" "$(tail -c +"$((sshd_mark + 1))" "$SSHD_LOG")" \
		'PAM|pam_'
}
