# Case: the soak. SOAK_CYCLES (1,000) sessions made and ended through the real PAM stack by
# bench/pam_session.c (built into the test directory: a process per login, as sshd forks
# one per connection, that runs pam_open_session, a command inside, pam_close_session),
# for carrel-test-l01 with session = "login". Alongside, as many logins of carrel-test-l02
# attach to and leave one shared session (session = "user") that a held login keeps: its
# init is the long-lived process whose open fds and memory are counted.
#
# After a warm-up, a baseline; then at every quarter, once the sessions of the quarter are
# over, nothing may have grown:
#   exactly: the init's open fds, the lines of this namespace's mountinfo, the cgroup
#     directories below carrel/ in every hierarchy, the entries below /run/carrel (but the
#     event log, which grows by design and is rotated at 1 MiB), the entries of the store;
#   within a tolerance (the kernel frees lazily, per-CPU caches): the init's VmRSS, the
#     kernel's objects of mounts and namespaces (active objects of the slab caches
#     mnt_cache, pid_namespace, nsproxy), the memory cgroups the kernel still has (live and
#     dying, /proc/cgroups), unreclaimable slab memory (SUnreclaim) and MemAvailable of
#     /proc/meminfo.
# shellcheck shell=bash disable=SC2016
# shellcheck disable=SC2153 # T, ADMIN, ... come from harness.sh

CASES+=(
	soak_sessions_through_pam_leave_no_growth
)

SOAK_SERVICE=carrel-test-soak

# Tolerances. The slab counts move by whole slabs (23 pid namespaces, 21 mounts, 56 nsproxies
# a slab) kept per CPU: they swing by a hundred or two with nothing leaking. A leak of one
# mount namespace per session is tens of mounts, a pid namespace and an nsproxy per cycle:
# a thousand objects and more over the run. Memory cgroups: the kernel keeps a removed one
# ("dying") while pages are still charged to it, a few per hundred sessions here.
SOAK_TOLERANCE_MNT_CACHE=500
SOAK_TOLERANCE_PID_NAMESPACE=200
SOAK_TOLERANCE_NSPROXY=200
SOAK_TOLERANCE_SUNRECLAIM_KB=$((16 * 1024))
SOAK_TOLERANCE_MEMAVAILABLE_KB=$((128 * 1024))
SOAK_TOLERANCE_INIT_RSS_KB=64
SOAK_TOLERANCE_MEMCGS=$((SOAK_CYCLES / 10 + 20))

soak_build() {
	command -v gcc >/dev/null || skip_case "gcc is not installed (it builds bench/pam_session.c)"
	[ -f /usr/include/security/pam_appl.h ] ||
		skip_case "no PAM headers (libpam0g-dev) to build bench/pam_session.c"
	gcc -O2 -Wall -Wextra -o "$T/pam_session" "$REPO/bench/pam_session.c" -lpam 2>&1 || {
		fail "cannot build $REPO/bench/pam_session.c"
		return 1
	}
	mkdir -p "$T/soak-pam.d" && session_stack >"$T/soak-pam.d/$SOAK_SERVICE"
}

slab_active() {
	awk -v c="$1" '$1 == c { print $2 }' /proc/slabinfo
}

meminfo_kb() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

# Entries below /run/carrel that sessions of the soak users could leave: everything but the
# event log and other users' session directories.
soak_run_entries() {
	local d n
	n=$(find /run/carrel -mindepth 1 -maxdepth 1 ! -name 'events*' ! -name sessions | wc -l)
	n=$((n + $(find /run/carrel/users -mindepth 1 2>/dev/null | wc -l)))
	for d in /run/carrel/sessions/*/; do
		[ -d "$d" ] || continue
		if [ ! -f "$d/session" ] || grep -qE '^user=carrel-test-l0[12]$' "$d/session"; then
			n=$((n + $(find "$d" | wc -l)))
		fi
	done
	echo "$n"
}

# soak_value KEY: one measure.
soak_value() {
	case $1 in
	init_fds) find "/proc/$SOAK_INIT/fd" -mindepth 1 2>/dev/null | wc -l ;;
	init_rss_kb) sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$SOAK_INIT/status" ;;
	mounts) wc -l </proc/self/mountinfo ;;
	cgroups) find /sys/fs/cgroup -mindepth 2 -maxdepth 5 -type d -path '*/carrel*' 2>/dev/null | wc -l ;;
	run_entries) soak_run_entries ;;
	store_entries) find /var/lib/carrel -mindepth 1 | wc -l ;;
	mnt_cache | pid_namespace | nsproxy) slab_active "$1" ;;
	sunreclaim_kb) meminfo_kb SUnreclaim ;;
	memcgs) awk '$1 == "memory" { print $3 }' /proc/cgroups ;;
	memavailable_kb) meminfo_kb MemAvailable ;;
	esac
}

SOAK_EXACT="init_fds mounts cgroups run_entries store_entries"
SOAK_BOUNDED="init_rss_kb mnt_cache pid_namespace nsproxy sunreclaim_kb memcgs"

# soak_within KEY BASE: the measure is at most BASE plus its tolerance (MemAvailable: at
# least BASE minus it); exact ones equal BASE.
soak_within() {
	local now
	now=$(soak_value "$1")
	[ -n "$now" ] || return 1
	case $1 in
	init_rss_kb) [ "$now" -le $(($2 + SOAK_TOLERANCE_INIT_RSS_KB)) ] ;;
	mnt_cache) [ "$now" -le $(($2 + SOAK_TOLERANCE_MNT_CACHE)) ] ;;
	pid_namespace) [ "$now" -le $(($2 + SOAK_TOLERANCE_PID_NAMESPACE)) ] ;;
	nsproxy) [ "$now" -le $(($2 + SOAK_TOLERANCE_NSPROXY)) ] ;;
	sunreclaim_kb) [ "$now" -le $(($2 + SOAK_TOLERANCE_SUNRECLAIM_KB)) ] ;;
	memcgs) [ "$now" -le $(($2 + SOAK_TOLERANCE_MEMCGS)) ] ;;
	memavailable_kb) [ "$now" -ge $(($2 - SOAK_TOLERANCE_MEMAVAILABLE_KB)) ] ;;
	*) [ "$now" = "$2" ] ;;
	esac
}

soak_l01_over() {
	local f
	for f in "$SESSIONS"/*/session; do
		[ -f "$f" ] && grep -qx user=carrel-test-l01 "$f" && return 1
	done
	return 0
}

# soak_loops N: N cycles of l01 (create/teardown) and N of l02 (attach/leave), side by side.
soak_loops() {
	local n=$1 create attach s1 s2
	"$T/pam_session" "$n" "$T/soak-pam.d" "$SOAK_SERVICE" carrel-test-l01 /bin/true \
		>"$T/soak-create.ns" 2>"$T/soak-create.err" &
	create=$!
	"$T/pam_session" "$n" "$T/soak-pam.d" "$SOAK_SERVICE" carrel-test-l02 /bin/true \
		>"$T/soak-attach.ns" 2>"$T/soak-attach.err" &
	attach=$!
	wait "$create"
	s1=$?
	wait "$attach"
	s2=$?
	[ "$s1" = 0 ] || fail_with_text "pam_session of carrel-test-l01 failed ($s1):" "$(cat "$T/soak-create.err")"
	[ "$s2" = 0 ] || fail_with_text "pam_session of carrel-test-l02 failed ($s2):" "$(cat "$T/soak-attach.err")"
	expect_eq "cycles of carrel-test-l01" "$(wc -l <"$T/soak-create.ns")" "$n" &&
		expect_eq "cycles of carrel-test-l02" "$(wc -l <"$T/soak-attach.ns")" "$n"
}

# Mean milliseconds of the cycles in FILE (nanoseconds a line).
mean_ms() {
	awk '{ s += $1; n++ } END { if (n) printf "%.1f", s / n / 1e6; else print "-" }' "$1"
}

soak_sessions_through_pam_leave_no_growth() {
	local fifo=$T/soak-hold holder fd key quarter chunk done_cycles=0 start line
	declare -A base=()
	soak_build || return
	with_login_policy carrel-test-l01 'session = "login";' &&
		with_login_policy carrel-test-l02 'session = "user";' || return
	# The long-lived shared session of carrel-test-l02: a login whose command reads its
	# stdin, a fifo this case holds open.
	rm -f "$fifo" && mkfifo "$fifo"
	"$T/pam_session" 1 "$T/soak-pam.d" "$SOAK_SERVICE" carrel-test-l02 /bin/sh -c 'read -r _; exit 0' \
		<"$fifo" >"$T/soak-hold.out" 2>&1 &
	holder=$!
	exec {fd}>"$fifo"
	on_case_exit "exec $fd>&-; wait $holder"
	wait_until 30 soak_holder_in >/dev/null ||
		{ fail "the held login of carrel-test-l02 has no session after 30 s"; return; }
	SOAK_ID=$(soak_holder_in)
	SOAK_INIT=$(record_value "$SOAK_ID" init_pid)
	note "long-lived process: init $SOAK_INIT of the shared session $SOAK_ID of carrel-test-l02"
	# Warm-up: the first sessions fill caches that later ones reuse.
	soak_loops 20 || return
	wait_until 30 soak_l01_over
	for key in $SOAK_EXACT; do
		wait_until 10 soak_settled "$key"
		base[$key]=$(soak_value "$key")
	done
	for key in $SOAK_BOUNDED memavailable_kb; do
		base[$key]=$(soak_value "$key")
	done
	note "baseline: $(for key in $SOAK_EXACT $SOAK_BOUNDED memavailable_kb; do printf '%s=%s ' "$key" "${base[$key]}"; done)"
	chunk=$(((SOAK_CYCLES + 3) / 4))
	start=$SECONDS
	for quarter in 1 2 3 4; do
		[ "$done_cycles" -lt "$SOAK_CYCLES" ] || break
		[ $((done_cycles + chunk)) -le "$SOAK_CYCLES" ] || chunk=$((SOAK_CYCLES - done_cycles))
		soak_loops "$chunk" || break
		done_cycles=$((done_cycles + chunk))
		wait_until 30 soak_l01_over || fail "sessions of carrel-test-l01 still running after quarter $quarter"
		line="after $done_cycles cycles ($((SECONDS - start)) s; a cycle $(mean_ms "$T/soak-create.ns") ms, an attach $(mean_ms "$T/soak-attach.ns") ms):"
		for key in $SOAK_EXACT $SOAK_BOUNDED memavailable_kb; do
			# The kernel and init catch up on their own time: wait (bounded) for each.
			wait_until 15 soak_within "$key" "${base[$key]}" ||
				fail "$key grew after $done_cycles cycles: ${base[$key]} -> $(soak_value "$key")"
			line+=" $key=$(soak_value "$key")"
		done
		note "$line"
	done
	expect "the shared session's init $SOAK_INIT at the end" is_carrel_init "$SOAK_INIT"
	expect_eq "cycles made" "$done_cycles" "$SOAK_CYCLES"
	note "$done_cycles cycles of each kind in $((SECONDS - start)) s"
	exec {fd}>&-
	wait "$holder"
	expect_eq "exit status of the held login" "$?" 0
	wait_for_session_end "$SOAK_ID" "$SOAK_INIT" || fail "session $SOAK_ID did not end"
}

soak_settled() {
	local a b
	a=$(soak_value "$1")
	sleep 0.2
	b=$(soak_value "$1")
	[ "$a" = "$b" ]
}

# The id of carrel-test-l02's running session (printed), if any.
soak_holder_in() {
	local f id
	for f in "$SESSIONS"/*/session; do
		[ -f "$f" ] && grep -qx user=carrel-test-l02 "$f" || continue
		id=$(basename "$(dirname "$f")")
		is_carrel_init "$(record_value "$id" init_pid)" && echo "$id" && return 0
	done
	return 1
}
