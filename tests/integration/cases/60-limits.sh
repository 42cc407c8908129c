# Cases: resource limits on the machine's real cgroup controllers. A session's cgroup is
# carrel/user-<uid>/<id> in every hierarchy carrel uses, its user's is carrel/user-<uid>; the
# cases find them through the cgroup= lines of the session's record and read the kernel's
# own control files from the host.
#
# The logins go through sshd, so the limits must be in the suite's config: a case that needs
# some calls with_login_settings, which puts a policy of its own for carrel-test-u1 and -u2
# in front of the others, and the suite's config comes back when the case ends.
#
# The fork bomb and the memory hog carry a safety net of their own (ulimit -u, ulimit -v): if
# carrel failed to write the limit, the case fails on the cgroup's values instead of the
# machine running out of pids or memory.
# shellcheck shell=bash disable=SC2016 # $... in single quotes runs in the login's shell
# shellcheck disable=SC2153 # CONF, T, ADMIN, ... come from harness.sh

CASES+=(
	configured_limits_land_in_the_session_and_user_cgroups
	two_sessions_of_a_user_share_the_user_cgroup_until_the_last_ends
	the_builtin_pids_limit_applies_when_the_config_sets_none
	pids_max_in_a_policy_lifts_the_builtin_pids_limit
	a_fork_bomb_stops_at_the_pids_limit_and_the_session_survives_it
	a_memory_hog_is_oom_killed_inside_the_session_and_the_login_survives
	carrel_inspect_shows_limits_and_usage_of_a_held_login
	a_limit_whose_controller_is_not_mounted_is_refused_with_a_clear_message
)

MIB=1048576

# ---- helpers -------------------------------------------------------------------------------

# with_login_settings SETTINGS: until the case ends, logins of carrel-test-u1 and -u2 match
# a policy with SETTINGS (e.g. 'limits = { pids = 64; };') ahead of the suite's own ones.
with_login_settings() {
	local settings
	settings=$(printf '%s' "$1" | tr '\n\t' '  ' | tr -s ' ')
	cp -p "$CONF" "$CONF.suite" || return 1
	trap limits_case_cleanup EXIT
	sed "s|^policies = (\$|&\n  { users = [ \"carrel-test-u1\", \"carrel-test-u2\" ]; $settings },|" \
		"$CONF.suite" >"$CONF" || return 1
	grep -qF "$settings" "$CONF" || { fail "cannot add the case's policy to $CONF"; return 1; }
	expect_eq "check-config of the suite's config with the case's policy" \
		"$("$ADMIN" check-config -c "$CONF" 2>&1)" ok
}

LIMITS_BYSTANDER=""
limits_case_cleanup() {
	if [ -f "$CONF.suite" ]; then
		cat "$CONF.suite" >"$CONF" && rm -f "$CONF.suite"
	fi
	[ -z "$LIMITS_BYSTANDER" ] || kill "$LIMITS_BYSTANDER" 2>/dev/null
}

# shell_login NAME USER: an ssh login whose shell (bash -s) runs what shell_send NAME writes
# to it, line by line, until release_login NAME. Its output is in $T/held/NAME/out, as for
# hold_login, whose held_output and release_login work on it too.
shell_login() {
	local name=$1 user=$2 dir=$T/held/$1 fd
	mkdir -p "$dir" && rm -f "$dir/in" "$dir/out" && mkfifo "$dir/in" || return 1
	(
		for fd in "${HELD_FD[@]}"; do
			eval "exec $fd>&-"
		done
		ssh_as "$user" 'exec bash -s'
	) <"$dir/in" >"$dir/out" 2>"$dir/err" &
	echo $! >"$dir/pid"
	exec {fd}>"$dir/in"
	# shellcheck disable=SC2004 # an associative array (harness.sh)
	HELD_FD[$name]=$fd
}

shell_send() {
	printf '%s\n' "$2" >&"${HELD_FD[$1]}"
}

shell_has_line() {
	grep -Eq -- "$2" "$T/held/$1/out" 2>/dev/null
}

shell_has_line_or_gone() {
	shell_has_line "$1" "$2" || ! kill -0 "$(cat "$T/held/$1/pid")" 2>/dev/null
}

# shell_wait NAME REGEX SECONDS: until the login prints a line matching REGEX (or ends).
shell_wait() {
	wait_until "$3" shell_has_line_or_gone "$1" "$2"
	shell_has_line "$1" "$2" && return 0
	fail_with_text "the login '$1' printed no line matching /$2/ within $3 s; it printed:" \
		"$(held_output "$1")"
}

# shell_session NAME: prints the id of the login's session (and waits for it).
shell_session() {
	shell_send "$1" 'echo "session=$CARREL_SESSION"'
	shell_wait "$1" '^session=' 60 || return 1
	value_of session "$(cat "$T/held/$1/out")"
}

# session_cgroup ID FILE: the session's cgroup directory, from its record, that has the
# control file FILE (pids.max: the one of the hierarchy providing pids).
session_cgroup() {
	local cg
	for cg in $(record_value "$1" cgroup); do
		[ -e "$cg/$2" ] && echo "$cg" && return 0
	done
	return 1
}

# session_cgroups_or_fail ID: sets CG_MEMORY, CG_PIDS, CG_CPU, CG_CPUACCT from the record.
session_cgroups_or_fail() {
	CG_MEMORY=$(session_cgroup "$1" memory.limit_in_bytes)
	CG_PIDS=$(session_cgroup "$1" pids.max)
	CG_CPU=$(session_cgroup "$1" cpu.cfs_quota_us)
	CG_CPUACCT=$(session_cgroup "$1" cpuacct.usage)
	if [ -z "$CG_MEMORY" ] || [ -z "$CG_PIDS" ] || [ -z "$CG_CPU" ] || [ -z "$CG_CPUACCT" ]; then
		fail_with_text "the record of session '$1' lacks the cgroup of a v1 controller (memory, pids, cpu, cpuacct); it lists:" \
			"$(record_value "$1" cgroup)"
		return 1
	fi
}

# cg_value DIR FILE: a control file's first line, or "(missing)".
cg_value() {
	head -n 1 "$1/$2" 2>/dev/null || echo "(missing)"
}

# cg_key DIR FILE KEY: the number after KEY in a flat keyed file (memory.oom_control).
cg_key() {
	sed -n "s/^$3 //p" "$1/$2" 2>/dev/null
}

# The session's held login: hold_login NAME carrel-test-u1, sets ID and INIT_PID.
hold_limited_login() {
	if ! hold_login "$1" "${2:-carrel-test-u1}"; then
		fail_with_text "login failed:" "$(held_output "$1")"
		return 1
	fi
	ID=$(value_of session "$(held_output "$1")")
	INIT_PID=$(record_value "$ID" init_pid)
	expect_match "CARREL_SESSION" "$ID" '^[0-9a-f]{12}$' || return 1
}

end_limited_login() {
	release_login "$1"
	wait_for_session_end "$2" "$3" || fail "session $2 did not end after logout"
}

# user_cgroups UID: the directories carrel/user-UID that exist, one per line.
user_cgroups() {
	local d
	for d in /sys/fs/cgroup/*/carrel/user-"$1"; do
		[ -d "$d" ] && echo "$d"
	done
	return 0
}

pids_below() {
	[ "$(cg_value "$1" pids.current)" -lt "$2" ]
}

# pids_add_up PARENT CHILD...: pids.current of PARENT is the sum of its children's.
pids_add_up() {
	local parent=$1 sum=0 child n
	shift
	for child in "$@"; do
		n=$(cg_value "$child" pids.current)
		[[ $n =~ ^[0-9]+$ ]] || return 1
		sum=$((sum + n))
	done
	[ "$(cg_value "$parent" pids.current)" = "$sum" ]
}

no_processes_of() {
	[ -z "$(processes_of "$1")" ]
}

no_user_cgroups() {
	[ -z "$(user_cgroups "$1")" ]
}

# expect_limit WHAT DIR FILE EXPECTED
expect_limit() {
	expect_eq "$1 ($2/$3)" "$(cg_value "$2" "$3")" "$4"
}

# memory_failcnt DIR: how often the memory or the memory + swap limit of a v1 memory cgroup
# was hit. Only a fallback for kernels without the oom_kill counter: with no swap allowed the
# two limits are equal, the kernel charges memory + swap first, and since 6.12 it counts
# failures of the memory counter only, so on this machine both stay 0 through an OOM kill.
memory_failcnt() {
	local n m
	n=$(cat "$1/memory.failcnt" 2>/dev/null) || n=0
	m=$(cat "$1/memory.memsw.failcnt" 2>/dev/null) || m=0
	echo $((n + m))
}

# The cases read v1 control files (memory.limit_in_bytes, cpu.cfs_quota_us, ...): on a host
# without the four v1 hierarchies they are skipped, visibly, rather than failed.
need_v1_controllers() {
	local c
	for c in memory pids cpu cpuacct; do
		[ "$(findmnt -rno FSTYPE "/sys/fs/cgroup/$c" 2>/dev/null)" = cgroup ] ||
			skip_case "no cgroup v1 $c hierarchy at /sys/fs/cgroup/$c (these cases read v1 files)"
	done
}

# ---- cases ---------------------------------------------------------------------------------

configured_limits_land_in_the_session_and_user_cgroups() {
	local uid user_dir cg
	need_v1_controllers
	uid=$(id -u carrel-test-u1)
	with_login_settings 'limits = { memory = "64M"; swap = "16M"; pids = 64; cpu = 0.5; };
		user_limits = { memory = "256M"; pids = 100; cpu = 1.5; };' || return
	hold_limited_login values || return
	session_cgroups_or_fail "$ID" || { end_limited_login values "$ID" "$INIT_PID"; return; }
	cat "$SESSIONS/$ID/session"
	expect_limit "session memory" "$CG_MEMORY" memory.limit_in_bytes $((64 * MIB))
	if [ -e "$CG_MEMORY/memory.memsw.limit_in_bytes" ]; then
		expect_limit "session memory + swap" "$CG_MEMORY" memory.memsw.limit_in_bytes \
			$((80 * MIB))
	else
		echo "no memory.memsw.limit_in_bytes (no swap accounting): not checked" >&2
	fi
	expect_limit "session pids" "$CG_PIDS" pids.max 64
	expect_limit "session cpu quota" "$CG_CPU" cpu.cfs_quota_us 50000
	expect_limit "session cpu period" "$CG_CPU" cpu.cfs_period_us 100000
	# The user's limits on carrel/user-<uid>, the parent of the session in every hierarchy.
	for cg in $(record_value "$ID" cgroup); do
		expect_eq "parent of the session's cgroup $cg" "$(dirname "$cg")" \
			"$(dirname "$(dirname "$cg")")/user-$uid"
	done
	user_dir=$(dirname "$CG_MEMORY")
	expect_limit "user memory" "$user_dir" memory.limit_in_bytes $((256 * MIB))
	if [ -e "$user_dir/memory.memsw.limit_in_bytes" ]; then
		# No swap in user_limits: none on top of the memory limit.
		expect_limit "user memory + swap" "$user_dir" memory.memsw.limit_in_bytes \
			$((256 * MIB))
	fi
	expect_limit "user pids" "$(dirname "$CG_PIDS")" pids.max 100
	expect_limit "user cpu quota" "$(dirname "$CG_CPU")" cpu.cfs_quota_us 150000
	expect_limit "user cpu period" "$(dirname "$CG_CPU")" cpu.cfs_period_us 100000
	# v1 enforces a parent's limits on its children only with use_hierarchy.
	expect_limit "hierarchical memory accounting" "$user_dir" memory.use_hierarchy 1
	end_limited_login values "$ID" "$INIT_PID"
}

two_sessions_of_a_user_share_the_user_cgroup_until_the_last_ends() {
	local uid id_a id_b pid_a pid_b cg cg_a cg_b user_pids dirs
	need_v1_controllers
	uid=$(id -u carrel-test-u1)
	with_login_settings 'limits = { pids = 64; }; user_limits = { pids = 100; memory = "256M"; };' ||
		return
	expect_eq "user cgroups of carrel-test-u1 before the logins" "$(user_cgroups "$uid")" ""
	hold_limited_login first || return
	id_a=$ID pid_a=$INIT_PID
	hold_limited_login second || { end_limited_login first "$id_a" "$pid_a"; return; }
	id_b=$ID pid_b=$INIT_PID
	expect_ne "the two session ids" "$id_a" "$id_b"
	for cg in $(record_value "$id_a" cgroup); do
		cg_b=$(dirname "$cg")/$id_b
		expect "the second session's cgroup $cg_b is a sibling of the first's" test -d "$cg_b"
		expect_eq "the user's cgroup holding $cg" "$(dirname "$cg")" \
			"${cg%/carrel/*}/carrel/user-$uid"
	done
	expect_eq "the second session's cgroups" \
		"$(record_value "$id_b" cgroup | sort)" \
		"$(record_value "$id_a" cgroup | sed "s|/$id_a\$|/$id_b|" | sort)"
	cg_a=$(session_cgroup "$id_a" pids.max)
	cg_b=$(session_cgroup "$id_b" pids.max)
	user_pids=$(dirname "$cg_a")
	expect_limit "pids of the user's two sessions together" "$user_pids" pids.max 100
	expect_limit "pids of the first session" "$cg_a" pids.max 64
	expect_limit "pids of the second session" "$cg_b" pids.max 64
	# The user's count is both sessions' (the held logins are idle: the counts hold still).
	wait_until 10 pids_add_up "$user_pids" "$cg_a" "$cg_b" ||
		fail "pids.current of $user_pids: $(cg_value "$user_pids" pids.current), of the two sessions: $(cg_value "$cg_a" pids.current) + $(cg_value "$cg_b" pids.current)"
	end_limited_login first "$id_a" "$pid_a"
	for cg in $(record_value "$id_b" cgroup); do
		expect "the user's cgroup $(dirname "$cg") while the second session runs" \
			test -d "$(dirname "$cg")"
		expect_not "the first session's cgroup $(dirname "$cg")/$id_a" test -e "$(dirname "$cg")/$id_a"
	done
	expect_limit "the user's pids limit while the second session runs" "$user_pids" pids.max 100
	end_limited_login second "$id_b" "$pid_b"
	dirs=$(user_cgroups "$uid")
	expect_eq "user cgroups of carrel-test-u1 after the last logout" "$dirs" ""
}

the_builtin_pids_limit_applies_when_the_config_sets_none() {
	local limits top
	need_v1_controllers
	hold_limited_login defaults || return
	session_cgroups_or_fail "$ID" || { end_limited_login defaults "$ID" "$INIT_PID"; return; }
	limits=$(grep -E '^(user_)?limit_' "$SESSIONS/$ID/session")
	expect_eq "the limits in the record" "$limits" "limit_pids=4096"
	expect_limit "session pids" "$CG_PIDS" pids.max 4096
	# Nothing else is limited: the values of a fresh cgroup, as the top cgroup has them.
	top=${CG_MEMORY%/carrel/*}
	expect_limit "session memory" "$CG_MEMORY" memory.limit_in_bytes \
		"$(cg_value "$top" memory.limit_in_bytes)"
	expect_limit "session cpu quota" "$CG_CPU" cpu.cfs_quota_us -1
	expect_limit "user pids" "$(dirname "$CG_PIDS")" pids.max max
	expect_limit "user memory" "$(dirname "$CG_MEMORY")" memory.limit_in_bytes \
		"$(cg_value "$top" memory.limit_in_bytes)"
	end_limited_login defaults "$ID" "$INIT_PID"
}

pids_max_in_a_policy_lifts_the_builtin_pids_limit() {
	need_v1_controllers
	with_login_settings 'limits = { pids = "max"; };' || return
	hold_limited_login nopids || return
	session_cgroups_or_fail "$ID" || { end_limited_login nopids "$ID" "$INIT_PID"; return; }
	expect_eq "the limits in the record" "$(grep -E '^(user_)?limit_' "$SESSIONS/$ID/session")" ""
	expect_limit "session pids" "$CG_PIDS" pids.max max
	end_limited_login nopids "$ID" "$INIT_PID"
}

# The bomb: every process forks two more and holds its pid for 2 s, until a deadline 8 s
# ahead, so it ends by itself. ulimit -u is the safety net should pids.max not be there. Its
# stderr (bash's "fork: retry: Resource temporarily unavailable") goes to a file; the pipe to
# cat ends only when every process of the bomb has exited.
BOMB='hold=$(mktemp -u /tmp/carrel-test-bomb.XXXXXX) && mkfifo "$hold"
end=$((EPOCHSECONDS + 8))
bomb() { [ "$EPOCHSECONDS" -lt "$end" ] || exit 0; bomb & bomb & read -t 2 <>"$hold"; exit 0; }
echo bomb-started
( ulimit -u 512; bomb ) </dev/null 2>/tmp/carrel-test-bomb.err | cat
echo bomb-over'

a_fork_bomb_stops_at_the_pids_limit_and_the_session_survives_it() {
	local id pid cur max=0 tries host_fork="" events peak out status cgroups cg uid
	need_v1_controllers
	uid=$(id -u carrel-test-u1)
	with_login_settings 'limits = { pids = 64; };' || return
	shell_login bomb carrel-test-u1 || { fail "cannot start the login"; return; }
	id=$(shell_session bomb)
	expect_match "CARREL_SESSION" "$id" '^[0-9a-f]{12}$' || { release_login bomb; return; }
	pid=$(record_value "$id" init_pid)
	cgroups=$(record_value "$id" cgroup)
	session_cgroups_or_fail "$id" || { release_login bomb; return; }
	expect_limit "pids limit of the session" "$CG_PIDS" pids.max 64
	shell_send bomb "$BOMB"
	shell_wait bomb '^bomb-started$' 30
	# Watch the count from the host until the bomb is over (bounded: the bomb has a deadline,
	# bash gives up a fork after about 15 s, and ssh_as after 120 s).
	tries=1200
	while ! shell_has_line_or_gone bomb '^bomb-over$' && [ "$tries" -gt 0 ]; do
		read -r cur <"$CG_PIDS/pids.current" 2>/dev/null || cur=0
		[ "$cur" -le "$max" ] || max=$cur
		# At the limit: the host still forks.
		if [ "$cur" -ge 64 ] && [ -z "$host_fork" ]; then
			if /bin/true; then host_fork=ok; else host_fork=failed; fi
			echo "the host forked with the session at $cur pids: $host_fork"
		fi
		tries=$((tries - 1))
		sleep 0.1
	done
	shell_wait bomb '^bomb-over$' 1 || { release_login bomb; return; }
	events=$(sed -n 's/^max //p' "$CG_PIDS/pids.events")
	echo "pids.current at most $max seen from the host; pids.events max $events"
	expect_eq "the highest pids.current seen from the host" "$max" 64
	expect_eq "the host forking while the session was at its limit" "$host_fork" ok
	expect_match "forks the pids controller refused (pids.events)" "$events" '^[1-9][0-9]*$'
	if [ -e "$CG_PIDS/pids.peak" ]; then
		peak=$(cg_value "$CG_PIDS" pids.peak)
		expect_eq "pids.peak of the session" "$peak" 64
	fi
	# The session's shell is fine after the bomb: it forks, and the bomb's processes are gone.
	shell_send bomb 'echo "refused=$(grep -c "Resource temporarily unavailable" /tmp/carrel-test-bomb.err)"
		grep -m 1 "Resource temporarily unavailable" /tmp/carrel-test-bomb.err
		echo "after=$(echo forked)"
		echo "procs=$(ls /proc | grep -c "^[0-9]")"'
	shell_wait bomb '^procs=' 30
	out=$(held_output bomb)
	echo "$out"
	expect_match "forks refused inside, with EAGAIN" "$(value_of refused "$out")" '^[1-9][0-9]*$'
	expect_eq "the shell forking after the bomb" "$(value_of after "$out")" forked
	expect_match "processes left in the session after the bomb" "$(value_of procs "$out")" \
		'^([1-9]|1[0-9])$'
	wait_until 10 pids_below "$CG_PIDS" 16 ||
		fail "pids.current of the session is still $(cg_value "$CG_PIDS" pids.current) after the bomb"
	release_login bomb
	status=$?
	expect_eq "ssh exit status" "$status" 0
	wait_for_session_end "$id" "$pid" || fail "session $id did not end after logout"
	for cg in $cgroups; do
		expect_not "cgroup $cg after logout" test -e "$cg"
	done
	expect_eq "user cgroups of carrel-test-u1 after logout" "$(user_cgroups "$uid")" ""
	wait_until 10 no_processes_of carrel-test-u1
	expect_eq "processes of carrel-test-u1 after logout" "$(processes_of carrel-test-u1)" ""
	out=$(ssh_as carrel-test-u1 'echo "new=$(echo login)"' 2>&1)
	expect_eq "a new login after the bomb" "$(value_of new "$out")" login
}

# The hog: GNU tail keeps everything it reads from /dev/zero (no newline ever comes), so its
# memory grows without end. ulimit -v is the safety net should memory.limit_in_bytes not be
# there: tail then fails with "memory exhausted" (status 1) instead of eating the host.
HOG='( ulimit -v 1048576; exec tail /dev/zero ) </dev/null >/dev/null; echo "hog=$?"'

a_memory_hog_is_oom_killed_inside_the_session_and_the_login_survives() {
	local id pid out status oom_before fail_before oom_after fail_after cgroups cg peak
	need_v1_controllers
	with_login_settings 'limits = { memory = "64M"; };' || return
	sleep 300 &
	LIMITS_BYSTANDER=$!
	shell_login hog carrel-test-u1 || { fail "cannot start the login"; return; }
	id=$(shell_session hog)
	expect_match "CARREL_SESSION" "$id" '^[0-9a-f]{12}$' || { release_login hog; return; }
	pid=$(record_value "$id" init_pid)
	cgroups=$(record_value "$id" cgroup)
	session_cgroups_or_fail "$id" || { release_login hog; return; }
	expect_limit "memory limit of the session" "$CG_MEMORY" memory.limit_in_bytes $((64 * MIB))
	oom_before=$(cg_key "$CG_MEMORY" memory.oom_control oom_kill)
	fail_before=$(memory_failcnt "$CG_MEMORY")
	shell_send hog "$HOG"
	shell_wait hog '^hog=' 60 || { release_login hog; return; }
	out=$(held_output hog)
	status=$(value_of hog "$out")
	expect_eq "exit status of the hog (128 + SIGKILL)" "$status" 137
	oom_after=$(cg_key "$CG_MEMORY" memory.oom_control oom_kill)
	fail_after=$(memory_failcnt "$CG_MEMORY")
	echo "memory.oom_control:"
	cat "$CG_MEMORY/memory.oom_control"
	echo "memory.failcnt $(cg_value "$CG_MEMORY" memory.failcnt)," \
		"memory.memsw.failcnt $(cg_value "$CG_MEMORY" memory.memsw.failcnt)," \
		"max_usage_in_bytes $(cg_value "$CG_MEMORY" memory.max_usage_in_bytes)," \
		"memsw.max_usage_in_bytes $(cg_value "$CG_MEMORY" memory.memsw.max_usage_in_bytes)"
	if [ -n "$oom_before" ]; then
		expect "the session's OOM kill counter grew ($oom_before -> $oom_after)" \
			test "${oom_after:-0}" -gt "$oom_before"
	else
		echo "memory.oom_control has no oom_kill counter here: failcnt instead" >&2
		expect "the session's failcnt, memory + memsw, grew ($fail_before -> $fail_after)" \
			test "$fail_after" -gt "$fail_before"
	fi
	# The hog took the session up to its limit, and never past it.
	peak=$(cg_value "$CG_MEMORY" memory.max_usage_in_bytes)
	expect "the session's peak memory $peak reached its limit (within 1 MiB)" \
		test "$peak" -ge $((63 * MIB))
	expect "the session's peak memory $peak stayed within its limit" \
		test "$peak" -le $((64 * MIB))
	echo "the kernel's lines about it:"
	dmesg 2>/dev/null | grep -A 1 -E "oom-kill:.*task_memcg=/carrel/user-[0-9]+/$id" | tail -n 2
	expect "the session's init $pid after the OOM kill" is_carrel_init "$pid"
	expect "the host's process $LIMITS_BYSTANDER after the OOM kill" kill -0 "$LIMITS_BYSTANDER"
	shell_send hog 'echo "after=$(echo forked)"'
	shell_wait hog '^after=' 30
	expect_eq "the login's shell after the OOM kill" "$(value_of after "$(held_output hog)")" forked
	release_login hog
	status=$?
	expect_eq "ssh exit status" "$status" 0
	wait_for_session_end "$id" "$pid" || fail "session $id did not end after logout"
	for cg in $cgroups; do
		expect_not "cgroup $cg after logout" test -e "$cg"
	done
	expect "the host's process $LIMITS_BYSTANDER at the end" kill -0 "$LIMITS_BYSTANDER"
}

carrel_inspect_shows_limits_and_usage_of_a_held_login() {
	local out obj pids_now
	need_v1_controllers
	[ -x "$ADMIN" ] || skip_case "$ADMIN does not exist (make build/carrel)"
	command -v jq >/dev/null || skip_case "jq is not installed (apt-get install jq)"
	with_login_settings 'limits = { memory = "64M"; pids = 64; cpu = 0.5; };
		user_limits = { memory = "256M"; swap = "32M"; pids = 100; cpu = 1.5; };' || return
	hold_limited_login inspect || return
	session_cgroups_or_fail "$ID" || { end_limited_login inspect "$ID" "$INIT_PID"; return; }
	out=$(timeout -k 5 60 "$ADMIN" inspect "$ID" 2>&1)
	pids_now=$(cg_value "$CG_PIDS" pids.current)
	echo "$out"
	obj=$(jq -c '.[0]' <<<"$out" 2>&1)
	expect_eq "Limits" "$(jq -c .Limits <<<"$obj" 2>&1)" \
		'{"Memory":67108864,"Swap":null,"Pids":64,"Cpus":0.5}'
	expect_eq "UserLimits" "$(jq -c .UserLimits <<<"$obj" 2>&1)" \
		'{"Memory":268435456,"Swap":33554432,"Pids":100,"Cpus":1.5}'
	expect "Usage.Pids >= 2 (init and the login's shell)" jq -e '.Usage.Pids >= 2' <<<"$obj"
	expect_eq "Usage.Pids against pids.current of $CG_PIDS" \
		"$(jq -r .Usage.Pids <<<"$obj" 2>&1)" "$pids_now"
	expect "Usage.Memory > 0 and within the limit" \
		jq -e '.Usage.Memory > 0 and .Usage.Memory <= 67108864' <<<"$obj"
	expect "Usage.CpuUsec > 0" jq -e '.Usage.CpuUsec > 0' <<<"$obj"
	end_limited_login inspect "$ID" "$INIT_PID"
}

# This machine cannot unmount a controller for real, but carrel finds its hierarchies in the
# mountinfo of its own mount namespace: a namespace of the case's own without
# /sys/fs/cgroup/pids (or /memory) is, for "carrel run" and the launcher it starts, a host
# without that controller. The kernel's hierarchies stay as they are.
run_without_controller() {
	local controller=$1 config=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the inner sh
	timeout -k 5 60 unshare --mount --propagation private sh -c \
		'umount "/sys/fs/cgroup/$1" && shift && exec "$@"' sh "$controller" \
		"$ADMIN" run --launcher "$LAUNCHER" -c "$config" --user carrel-test-u1 -- "$@"
}

limits_case_config() {
	local path=$T/case-limits-$1.conf
	printf '%s\n' "$2" >"$path"
	chmod 0644 "$path"
	echo "$path"
}

a_limit_whose_controller_is_not_mounted_is_refused_with_a_clear_message() {
	local conf out status uid mark
	need_v1_controllers
	[ -x "$ADMIN" ] || skip_case "$ADMIN does not exist (make build/carrel)"
	uid=$(id -u carrel-test-u1)
	mark=$(syslog_mark)
	conf=$(limits_case_config pids 'policies = ( { users = [ "carrel-test-u1" ]; limits = { pids = 64; }; } );')
	out=$(run_without_controller pids "$conf" /bin/sh -c 'echo carrel-test-reached' 2>&1)
	status=$?
	echo "$out"
	expect_ne "exit status without a pids controller" "$status" 0
	expect_no_match "what ran" "$out" '^carrel-test-reached$'
	expect_match "the error" "$out" \
		"limits\\.pids is set, but this host has no pids cgroup controller .*enable it, or drop the limit"
	wait_for_syslog "$mark" "carrel-launch.*'carrel-test-u1': limits\\.pids is set, but this host has no pids" ||
		fail_with_text "the refusal is not in syslog; it has:" "$(syslog_since "$mark")"
	# The built-in pids limit counts as well: only "max" lets such a host run sessions.
	conf=$(limits_case_config nopids 'policies = ( { users = [ "carrel-test-u1" ]; } );')
	out=$(run_without_controller pids "$conf" /bin/sh -c 'echo carrel-test-reached' 2>&1)
	expect_match "the built-in pids limit without a pids controller" "$out" \
		"limits\\.pids is set, but this host has no pids cgroup controller"
	conf=$(limits_case_config maxpids 'policies = ( { users = [ "carrel-test-u1" ]; limits = { pids = "max"; }; } );')
	out=$(run_without_controller pids "$conf" /bin/sh -c 'echo carrel-test-reached' 2>&1)
	status=$?
	expect_eq "exit status with pids = \"max\" and no pids controller" "$status" 0
	expect_match "what ran with pids = \"max\"" "$out" '^carrel-test-reached$'
	conf=$(limits_case_config memory 'policies = ( { users = [ "carrel-test-u1" ];
		limits = { pids = "max"; }; user_limits = { memory = "256M"; }; } );')
	out=$(run_without_controller memory "$conf" /bin/sh -c 'echo carrel-test-reached' 2>&1)
	status=$?
	echo "$out"
	expect_ne "exit status without a memory controller" "$status" 0
	expect_no_match "what ran" "$out" '^carrel-test-reached$'
	expect_match "the error" "$out" \
		"user_limits\\.memory is set, but this host has no memory cgroup controller"
	# Nothing half-made is left: no record, no cgroup in the hierarchies that were there.
	expect_eq "sessions of the case's configs" \
		"$(grep -l "^config=$T/case-limits-" "$SESSIONS"/*/session 2>/dev/null)" ""
	wait_until 10 no_user_cgroups "$uid"
	expect_eq "user cgroups of carrel-test-u1" "$(user_cgroups "$uid")" ""
}
