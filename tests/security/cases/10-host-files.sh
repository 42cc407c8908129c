# Cases: the host's files seen from a session. What only the host has is not there, root's
# files stay root's, and no /proc link, open fd or cwd leads out of the session's root.
# shellcheck shell=bash disable=SC2016 # $... in single quotes runs in the login's shell

CASES+=(
	a_host_only_file_is_neither_present_nor_readable
	proc_root_and_cwd_links_of_every_visible_process_stay_inside
	no_fd_or_cwd_of_a_login_or_a_join_leads_to_the_host
)

a_host_only_file_is_neither_present_nor_readable() {
	local probe out
	probe=$(probe_of carrel-test-u1)
	out=$(ssh_as carrel-test-u1 "$KV; kv canary $probe open $CANARY; kv cat cat $CANARY;
		kv listing ls $CANARY_DIR; kv shadow $probe open /etc/shadow" 2>&1)
	echo "$out"
	expect_eq "the host's canary $CANARY, opened inside" "$(value_of canary "$out")" "open: ENOENT"
	expect_match "the canary, read inside" "$(value_of cat "$out")" 'No such file or directory'
	expect_match "its directory, listed inside" "$(value_of listing "$out")" \
		'No such file or directory'
	expect_eq "/etc/shadow of the host image, opened inside" "$(value_of shadow "$out")" \
		"open: EACCES"
	# The control: the same user reads the canary on the host. Only the session hides it.
	out=$(as_user_on_host carrel-test-u1 "$probe" open "$CANARY" 2>&1)
	expect_eq "the canary, opened by carrel-test-u1 on the host" "$out" "open: ok"
	expect_host_untouched
}

# /proc/PID/root and /proc/PID/cwd of a process are its root and cwd, whatever namespace the
# reader is in: one of the host's would be a way out. Inside, every process is the
# session's; init's are closed to the user, and the session's root is all anyone has.
proc_root_and_cwd_links_of_every_visible_process_stay_inside() {
	local probe home out id links bad
	probe=$(probe_of carrel-test-u1)
	home=$(home_of carrel-test-u1)
	# shellcheck disable=SC2034 # d and n are the login's
	out=$(ssh_as carrel-test-u1 "$KV"'
		for d in /proc/[0-9]*; do
			n=${d#/proc/}
			kv "root-$n" readlink "$d/root"
			kv "cwd-$n" readlink "$d/cwd"
			kv "canary-$n" '"$probe open \"\$d/root$CANARY\""'
		done
		kv init-root '"$probe"' open /proc/1/root/' 2>&1)
	echo "$out"
	expect_match "processes looked at" "$out" '^root-1='
	expect_no_match "the canary through /proc/PID/root" "$out" '^canary-[0-9]+=open: ok'
	expect_eq "init's root, opened by the user" "$(value_of init-root "$out")" "open: EACCES"
	links=$(printf '%s\n' "$out" | grep -E '^(root|cwd)-[0-9]+=')
	# Empty: readlink refused (EACCES), as for init and sshd's non-dumpable child.
	bad=$(printf '%s\n' "$links" | grep -vE "=(|/|$home)\$")
	[ -z "$bad" ] || fail_with_text "root or cwd links that lead elsewhere:" "$bad"
	# Root inside: init is not dumpable, and has nothing but the session's root anyway.
	hold carrel-test-u1 procroot || return
	id=$(held_session procroot)
	stage_probe "$id"
	out=$(carrel join --root "$id" -- /bin/sh -c "$KV; kv init-root $SESSION_PROBE open /proc/1/root/;
		kv canary $SESSION_PROBE open /proc/1/root$CANARY; kv self readlink /proc/self/root" 2>&1)
	echo "$out"
	expect_match "init's root, opened by root inside" "$(value_of init-root "$out")" \
		'^open: (EACCES|EPERM)$'
	expect_match "the canary through init's root" "$(value_of canary "$out")" \
		'^open: (EACCES|EPERM|ENOENT)$'
	expect_eq "root's own root" "$(value_of self "$out")" /
	release procroot
	expect_host_untouched
}

# expect_fds_inside WHAT OUTPUT CWD: "probe fds" saw stdio only, nothing outside, and CWD.
expect_fds_inside() {
	local what=$1 out=$2 cwd=$3
	expect_eq "$what: open fds" "$(printf '%s\n' "$out" | sed -n 's/^fd \([0-9]*\) .*/\1/p' |
		tr '\n' ' ')" "0 1 2 "
	expect_match "$what: summary" "$out" '^fds: [0-9]+ open, 0 outside$'
	expect_no_match "$what: fds or cwd outside" "$out" '^(fd [0-9]+|cwd) .* outside$'
	expect_eq "$what: cwd" "$(sed -n 's/^cwd //p' <<<"$out")" "$cwd inside"
	expect_eq "$what: root" "$(sed -n 's/^root //p' <<<"$out")" /
}

# What sshd hands the shell, and what "carrel join" hands its command, when the admin who
# runs it has a host directory and a host file open and sits in a host-only directory.
no_fd_or_cwd_of_a_login_or_a_join_leads_to_the_host() {
	local probe home out id
	probe=$(probe_of carrel-test-u1)
	home=$(home_of carrel-test-u1)
	out=$(ssh_as carrel-test-u1 "$probe fds" 2>&1)
	echo "$out"
	expect_fds_inside "ssh login" "$out" "$home"
	hold carrel-test-u1 fds || return
	id=$(held_session fds)
	stage_probe "$id"
	out=$(cd "$CANARY_DIR" && carrel join "$id" -- "$probe" fds 5<"$CANARY_DIR" 6<"$CANARY" 2>&1)
	echo "$out"
	expect_fds_inside "carrel join" "$out" "$home"
	out=$(cd "$CANARY_DIR" &&
		carrel join --root "$id" -- "$SESSION_PROBE" fds 5<"$CANARY_DIR" 6<"$CANARY" 2>&1)
	echo "$out"
	expect_fds_inside "carrel join --root" "$out" /root
	release fds
	expect_host_untouched
}
