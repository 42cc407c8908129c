# Cases: the seccomp filter (common/harden.c). What it refuses, from a login and from a
# join; that it is what refuses them (each attack works on the host, and keyctl works once
# the policy turns the filter off); the allow_userns opening; and that the PAM callers,
# which carry the filter after open_session, still close their sessions cleanly.
# shellcheck shell=bash disable=SC2016 # $... in single quotes runs in the login's shell

CASES+=(
	the_keyring_is_out_of_reach
	the_filter_refuses_kernel_attack_surface_from_a_login_and_a_join
	allow_userns_lets_unshare_u_work_and_keeps_the_rest_of_the_filter
	with_seccomp_off_keyctl_reaches_the_kernel
	pam_callers_close_cleanly_behind_the_filter
)

the_keyring_is_out_of_reach() {
	local probe out id
	probe=$(probe_of carrel-test-u1)
	out=$(ssh_as carrel-test-u1 "$probe keyctl" 2>&1)
	expect_eq "keyctl from the ssh login" "$out" "keyctl: EPERM"
	hold carrel-test-u1 keys || return
	id=$(held_session keys)
	stage_probe "$id"
	out=$(carrel join "$id" -- "$probe" keyctl 2>&1)
	expect_eq "keyctl from carrel join" "$out" "keyctl: EPERM"
	out=$(carrel join --root "$id" -- "$SESSION_PROBE" keyctl 2>&1)
	expect_eq "keyctl from carrel join --root" "$out" "keyctl: EPERM"
	release keys
	# The control: on the host the call reaches the kernel, which has no such keyring.
	out=$(as_user_on_host carrel-test-u1 "$probe" keyctl 2>&1)
	expect_eq "keyctl by carrel-test-u1 on the host (the control)" "$out" "keyctl: ENOKEY"
	expect_host_untouched
}

# attack -> what the filter answers. bpf and open_by_handle_at are refused to an
# unprivileged user by the kernel too: "reach=" tells that the filter refused them first.
declare -A FILTERED=(
	[bpf]="bpf: EPERM reach=EPERM"
	[perf]="perf: EPERM"
	[userfaultfd]="userfaultfd: EPERM"
	[open-by-handle]="open-by-handle: EPERM reach=EPERM"
	[int80]="int80: EPERM"
	[clone3]="clone3: ENOSYS"
	[userns]="userns: EPERM"
	[clone-userns]="clone-userns: EPERM"
	[keyctl]="keyctl: EPERM"
)

the_filter_refuses_kernel_attack_surface_from_a_login_and_a_join() {
	local probe out join control attack script="$KV" id
	probe=$(probe_of carrel-test-u1)
	for attack in "${!FILTERED[@]}"; do
		script="$script; kv $attack $probe $attack"
	done
	out=$(ssh_as carrel-test-u1 "$script" 2>&1)
	echo "$out"
	hold carrel-test-u1 filter || return
	id=$(held_session filter)
	join=$(carrel join "$id" -- /bin/sh -c "$script" 2>&1)
	echo "$join"
	release filter
	for attack in "${!FILTERED[@]}"; do
		expect_eq "$attack from the ssh login" "$(value_of "$attack" "$out")" \
			"${FILTERED[$attack]}"
		expect_eq "$attack from carrel join" "$(value_of "$attack" "$join")" \
			"${FILTERED[$attack]}"
		# The control: the same user on the host gets another answer.
		control=$(as_user_on_host carrel-test-u1 "$probe" "$attack" 2>&1)
		echo "on the host: $control"
		if [ "$attack" = int80 ] && [ "${control#int80: ok}" = "$control" ]; then
			echo "no 32-bit system call entry on this kernel ($control): int80 proves nothing" >&2
			continue
		fi
		expect_ne "$attack by carrel-test-u1 on the host (the control)" "$control" \
			"${FILTERED[$attack]}"
	done
	expect_host_untouched
}

allow_userns_lets_unshare_u_work_and_keeps_the_rest_of_the_filter() {
	local probe conf out
	probe=$(probe_of carrel-test-u1)
	conf=$(case_config userns 'policies = ( { users = [ "carrel-test-u1" ];
		allow_userns = true; } );')
	out=$(run_in "$conf" carrel-test-u1 /bin/sh -c "$KV; kv userns $probe userns;
		kv clone-userns $probe clone-userns; kv clone3 $probe clone3;
		kv unshare-U unshare -U id -u; kv keyctl $probe keyctl; kv bpf $probe bpf;
		kv uid $probe uid" 2>&1)
	echo "$out"
	expect_eq "unshare(CLONE_NEWUSER)" "$(value_of userns "$out")" "userns: ok"
	expect_eq "clone(CLONE_NEWUSER)" "$(value_of clone-userns "$out")" "clone-userns: ok"
	expect_eq "clone3(CLONE_NEWUSER)" "$(value_of clone3 "$out")" "clone3: ok"
	expect_eq "unshare -U id -u" "$(value_of unshare-U "$out")" 65534
	expect_eq "keyctl" "$(value_of keyctl "$out")" "keyctl: EPERM"
	expect_eq "bpf" "$(value_of bpf "$out")" "bpf: EPERM reach=EPERM"
	expect_match "capabilities" "$(value_of uid "$out")" "nnp=1 .* bnd=$NO_CAPS "
	expect_host_untouched
}

# The policy turns the filter off, nothing else: no_new_privs and the empty bounding set
# stay, and keyctl, which only the filter refused, now reaches the kernel.
with_seccomp_off_keyctl_reaches_the_kernel() {
	local probe conf out
	probe=$(probe_of carrel-test-u1)
	conf=$(case_config noseccomp 'policies = ( { users = [ "carrel-test-u1" ];
		seccomp = "off"; } );')
	out=$(run_in "$conf" carrel-test-u1 /bin/sh -c "$KV; kv keyctl $probe keyctl;
		kv uid $probe uid; kv mount $probe mount" 2>&1)
	echo "$out"
	expect_eq "keyctl with seccomp off" "$(value_of keyctl "$out")" "keyctl: ENOKEY"
	expect_match "capabilities" "$(value_of uid "$out")" "nnp=1 .* bnd=$NO_CAPS "
	expect_eq "mount" "$(value_of mount "$out")" "mount: EPERM"
	expect_host_untouched
}

# expect_clean_close WHAT OUTPUT STATUS MARK: the login ran under the filter and ended with
# status 0; its session was closed through PAM, without an error, and is over.
expect_clean_close() {
	local what=$1 out=$2 status=$3 mark=$4 id
	echo "$what: $out"
	expect_eq "$what: exit status" "$status" 0
	expect_match "$what: keyctl in the login" "$out" '^keyctl: EPERM$'
	id=$(value_of session "$out")
	expect_match "$what: CARREL_SESSION" "$id" '^[0-9a-f]{12}$' || return
	wait_for_syslog "$mark" "session $id closed for 'carrel-test-u1'" ||
		fail "$what: no log line says session $id was closed"
	wait_for_syslog "$mark" "session $id ended" || fail "$what: session $id did not end"
	expect_no_match "$what: errors logged" "$(syslog_since "$mark")" \
		'authpriv\.(err|crit|alert|emerg|warn)|cannot leave|PAM'
	expect_not "$what: the record of $id" test -e "$SESSIONS/$id"
	wait_until 10 user_has_no_processes carrel-test-u1
	expect_eq "$what: processes of carrel-test-u1 left" "$(processes_of carrel-test-u1)" ""
}

pam_callers_close_cleanly_behind_the_filter() {
	local probe lines out status mark
	probe=$(probe_of carrel-test-u1)
	lines="$probe keyctl; echo session=\$CARREL_SESSION"
	mark=$(syslog_mark)
	out=$(ssh_as carrel-test-u1 "$lines" 2>&1)
	status=$?
	expect_clean_close sshd "$out" "$status" "$mark"
	mark=$(syslog_mark)
	out=$(timeout -k 5 60 su -l carrel-test-u1 -c "$lines" 2>&1)
	status=$?
	expect_clean_close "su -l" "$out" "$status" "$mark"
	mark=$(syslog_mark)
	out=$(timeout -k 5 60 runuser -l carrel-test-u1 -c "$lines" 2>&1)
	status=$?
	expect_clean_close "runuser -l" "$out" "$status" "$mark"
	mark=$(syslog_mark)
	out=$(login_on_console carrel-test-u1 "$lines" '^session=[0-9a-f]')
	status=$?
	expect_clean_close login "$out" "$status" "$mark"
	expect_host_untouched
}
