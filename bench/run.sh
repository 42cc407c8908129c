#!/bin/bash
# bench/run.sh (make bench): how fast carrel makes and ends a session, what joining costs,
# what an idle session keeps, and how it scales — side by side with what the same work
# costs without carrel, in one run, interleaved, so every ratio compares like with like.
#
#   open+close   a login's session through the real PAM stack (bench/pam_session.c): image
#                "host" and a busybox "dir" image; su -l with and without pam_carrel; the
#                reference bench/raw_session.c (clone, tmpfs, overlay, /proc, the home bound,
#                pivot_root, exec: what the kernel costs); bubblewrap and unshare(1) with a
#                mount script where they exist
#   join         carrel join vs nsenter -a vs bench/raw_join.c (pidfd + one setns)
#   idle         private memory (USS) of every carrel process per idle session, and the
#                host's MemAvailable before and after BENCH_IDLE sessions
#   scale        BENCH_SCALE sessions opened in parallel batches, then all ended: time, and
#                what is left
#
# Root only. Everything runs in a private mount namespace with its own PAM service files;
# the bench user carrel-bench is made and removed here. Environment: BENCH_ITERATIONS
# (default 200), BENCH_IDLE (500), BENCH_SCALE (1000), BENCH_PARALLEL (16).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=$repo/build
iterations=${BENCH_ITERATIONS:-200}
idle=${BENCH_IDLE:-500}
scale=${BENCH_SCALE:-1000}
parallel=${BENCH_PARALLEL:-16}
user=carrel-bench

if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root" >&2
	exit 1
fi
if [ "${CARREL_BENCH_IN_NS:-}" != 1 ]; then
	export CARREL_BENCH_IN_NS=1
	exec unshare --mount --propagation private "$0" "$@"
fi

T=$(mktemp -d /tmp/carrel-bench.XXXXXX)
chmod 0755 "$T"
made_user=no
holder_pid=
cleanup() {
	[ -n "$holder_pid" ] && kill "$holder_pid" 2>/dev/null
	[ "$made_user" = yes ] && userdel -r "$user" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*" >&2; }

build_helpers() {
	local p
	mkdir -p "$build/bench"
	for p in raw_session raw_join; do
		gcc -O2 -Wall -Wextra -o "$build/bench/$p" "$here/$p.c"
	done
	for p in pam_session hold_sessions; do
		gcc -O2 -Wall -Wextra -o "$build/bench/$p" "$here/$p.c" -lpam
	done
}

make_world() {
	id "$user" >/dev/null 2>&1 || { useradd -m -s /bin/sh "$user"; made_user=yes; }
	home=$(getent passwd "$user" | cut -d: -f6)
	# A busybox "dir" image, root-owned as carrel requires.
	mkdir -p "$T/image/bin" "$T/image/etc" "$T/image/proc" "$T/image/dev" "$T/image/tmp" \
		"$T/image/home" "$T/image/run" "$T/image/sys"
	cp /bin/busybox "$T/image/bin/busybox"
	for a in sh true ls cat; do ln -s busybox "$T/image/bin/$a"; done
	echo "root:x:0:0:root:/root:/bin/sh" >"$T/image/etc/passwd"
	echo "root:x:0:" >"$T/image/etc/group"
	chown -R root:root "$T/image"
	chmod -R go-w "$T/image"
	cat >"$T/carrel.conf" <<CONF
images = { tiny = { type = "dir"; path = "$T/image"; }; };
policies = (
  { users = [ "$user" ]; services = [ "bench-dir" ]; image = "tiny"; },
  { users = [ "$user" ]; }
);
CONF
	chmod 0644 "$T/carrel.conf"
	"$build/carrel" check-config -c "$T/carrel.conf" >/dev/null
	local args="config=$T/carrel.conf launcher=$build/carrel-launch"
	mkdir "$T/pam.d"
	cp -a /etc/pam.d/. "$T/pam.d/"
	echo "session required $build/pam_carrel.so $args" >"$T/pam.d/bench-host"
	echo "session required $build/pam_carrel.so $args" >"$T/pam.d/bench-dir"
	# su -l through the machine's own su-l stack, with and without the module.
	cp /etc/pam.d/su-l "$T/pam.d/su-l.plain"
	{
		echo "session required $build/pam_carrel.so closeonly $args"
		cat /etc/pam.d/su-l
		echo "session required $build/pam_carrel.so openonly $args"
	} >"$T/pam.d/su-l.carrel"
	mount --bind "$T/pam.d" /etc/pam.d
}

# stats NAME FILE [REFERENCE_MEDIAN_NS]: median, p99 (ms) and the ratio of medians.
stats() {
	sort -n "$2" | awk -v name="$1" -v ref="${3:-}" '
		{ v[NR] = $1 }
		END {
			med = v[int((NR + 1) / 2)]; p99 = v[int(NR * 0.99) > 0 ? int(NR * 0.99) : 1]
			ratio = ref ? sprintf("%.2fx", med / ref) : "-"
			printf "| %-44s | %9.2f | %9.2f | %7s | %5d |\n", name, med / 1e6, p99 / 1e6, ratio, NR
		}'
}

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# time_loop N OUT COMMAND...: run COMMAND N times, one line of nanoseconds each.
time_loop() {
	local n=$1 out=$2 a b
	shift 2
	: >"$out"
	for _ in $(seq "$n"); do
		a=$(date +%s%N)
		"$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; return 1; }
		b=$(date +%s%N)
		echo $((b - a)) >>"$out"
	done
}

# One round of every open+close contender, then the next round: drift hits all alike.
open_close() {
	local rounds=10 per=$((iterations / 10)) r bwrap_ok=no
	command -v bwrap >/dev/null && bwrap --ro-bind / / true 2>/dev/null && bwrap_ok=yes
	for f in raw host dir su_plain su_carrel unshare bwrap; do : >"$T/$f.ns"; done
	for r in $(seq "$rounds"); do
		"$build/bench/raw_session" "$per" "$home" /bin/true >>"$T/raw.ns"
		"$build/bench/pam_session" "$per" /etc/pam.d bench-host "$user" /bin/true >>"$T/host.ns"
		"$build/bench/pam_session" "$per" /etc/pam.d bench-dir "$user" /bin/true >>"$T/dir.ns"
		cp /etc/pam.d/su-l.plain /etc/pam.d/su-l
		time_loop "$per" "$T/chunk" su -l "$user" -c true && cat "$T/chunk" >>"$T/su_plain.ns"
		cp /etc/pam.d/su-l.carrel /etc/pam.d/su-l
		time_loop "$per" "$T/chunk" su -l "$user" -c true && cat "$T/chunk" >>"$T/su_carrel.ns"
		time_loop "$per" "$T/chunk" unshare -m -p -u -i -f --mount-proc sh -c \
			"mount -t tmpfs tmpfs /run && mkdir /run/u /run/w /run/m &&
			 mount -t overlay overlay -o lowerdir=/,upperdir=/run/u,workdir=/run/w /run/m &&
			 mount --bind $home /run/m$home && true" && cat "$T/chunk" >>"$T/unshare.ns"
		if [ "$bwrap_ok" = yes ]; then
			time_loop "$per" "$T/chunk" bwrap --unshare-all --share-net --die-with-parent \
				--ro-bind / / --tmpfs /tmp --proc /proc --dev /dev --bind "$home" "$home" \
				true && cat "$T/chunk" >>"$T/bwrap.ns"
		fi
		printf 'round %d/%d\r' "$r" "$rounds" >&2
	done
	local ref
	ref=$(median "$T/raw.ns")
	echo "| open + close (ms) | median | p99 | vs raw | n |"
	echo "|---|---:|---:|---:|---:|"
	stats "raw syscalls (reference)" "$T/raw.ns" "$ref"
	stats "carrel, PAM open+close, image host" "$T/host.ns" "$ref"
	stats "carrel, PAM open+close, dir image" "$T/dir.ns" "$ref"
	stats "unshare(1) + mount script (no pivot, no init)" "$T/unshare.ns" "$ref"
	[ -s "$T/bwrap.ns" ] && stats "bubblewrap $(bwrap --version | cut -d' ' -f2) (no overlay)" \
		"$T/bwrap.ns" "$ref"
	stats "su -l USER -c true, plain" "$T/su_plain.ns" "$ref"
	stats "su -l USER -c true, with pam_carrel" "$T/su_carrel.ns" "$ref"
}

join_latency() {
	local pid id
	"$build/carrel" run --launcher "$build/carrel-launch" -c "$T/carrel.conf" --user "$user" \
		-- sleep 600 >/dev/null 2>&1 &
	holder_pid=$!
	for _ in $(seq 100); do
		id=$("$build/carrel" ps | awk -v u="$user" '$2 == u { print $1; exit }')
		[ -n "$id" ] && break
		sleep 0.1
	done
	pid=$(sed -n 's/^init_pid=//p' "/run/carrel/sessions/$id/session")
	time_loop "$iterations" "$T/join_carrel.ns" "$build/carrel" join "$id" -- /bin/true
	time_loop "$iterations" "$T/join_nsenter.ns" nsenter -t "$pid" -a /bin/true
	"$build/bench/raw_join" "$iterations" "$pid" /bin/true >"$T/join_raw.ns"
	local ref
	ref=$(median "$T/join_raw.ns")
	echo
	echo "| join (ms) | median | p99 | vs raw | n |"
	echo "|---|---:|---:|---:|---:|"
	stats "raw pidfd + setns + fork + exec (reference)" "$T/join_raw.ns" "$ref"
	stats "nsenter -t PID -a true" "$T/join_nsenter.ns" "$ref"
	stats "carrel join ID -- true" "$T/join_carrel.ns" "$ref"
	kill "$holder_pid" 2>/dev/null
	wait "$holder_pid" 2>/dev/null || true
	holder_pid=
}

# Private memory of every carrel process of our user's sessions: their inits (the login
# process is sshd's, su's or login's, not carrel's).
carrel_uss_kib() {
	local total=0 f pid
	for f in /run/carrel/sessions/*/session; do
		grep -qx "user=$user" "$f" 2>/dev/null || continue
		pid=$(sed -n 's/^init_pid=//p' "$f")
		total=$((total + $(awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s + 0 }' \
			"/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
	done
	echo "$total"
}

mem_available_kib() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }

idle_cost() {
	local before after uss n
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
	before=$(mem_available_kib)
	coproc HOLD { "$build/bench/hold_sessions" "$idle" "$parallel" /etc/pam.d bench-host "$user"; }
	holder_pid=$HOLD_PID
	read -r line <&"${HOLD[0]}"
	n=$(echo "$line" | awk '{ print $2 }')
	sleep 2 # let the sessions settle: not a measurement of time
	after=$(mem_available_kib)
	uss=$(carrel_uss_kib)
	echo
	echo "| idle sessions | value |"
	echo "|---|---:|"
	echo "| sessions held open | $n |"
	echo "| private memory (USS) of carrel's processes, per session | $((uss / n)) KiB |"
	echo "| host MemAvailable drop, per session (kernel objects included) | $(((before - after) / n)) KiB |"
	exec {HOLD[1]}>&-
	wait "$holder_pid" || true
	holder_pid=
	wait_clean 120
}

our_records() { grep -lx "user=$user" /run/carrel/sessions/*/session 2>/dev/null | wc -l; }

wait_clean() {
	for _ in $(seq $(($1 * 10))); do
		[ "$(our_records)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

scale_test() {
	local a b c left_records left_cgroups
	a=$(date +%s%N)
	coproc HOLD { "$build/bench/hold_sessions" "$scale" "$parallel" /etc/pam.d bench-host "$user"; }
	holder_pid=$HOLD_PID
	read -r line <&"${HOLD[0]}"
	b=$(date +%s%N)
	exec {HOLD[1]}>&-
	wait "$holder_pid" || true
	holder_pid=
	wait_clean 300 || true
	c=$(date +%s%N)
	left_records=$(our_records)
	left_cgroups=$(find /sys/fs/cgroup/*/carrel -mindepth 2 -maxdepth 2 -type d 2>/dev/null | wc -l)
	echo
	echo "| scale | value |"
	echo "|---|---:|"
	echo "| sessions opened ($parallel at a time) | $(echo "$line" | awk '{ print $2 }') of $scale |"
	echo "| time to open them all | $(((b - a) / 1000000)) ms |"
	echo "| time until all were ended and cleaned | $(((c - b) / 1000000)) ms |"
	echo "| records left | $left_records |"
	echo "| session cgroups left | $left_cgroups |"
}

say "building the helpers"
build_helpers
make_world
say "carrel $("$build/carrel" --version | cut -d' ' -f2), kernel $(uname -r), $(nproc) CPUs, cgroups: $(
	stat -fc %T /sys/fs/cgroup)"
say "open + close, $iterations iterations each, interleaved in 10 rounds"
open_close
say "join, $iterations iterations each"
join_latency
say "$idle idle sessions"
idle_cost
say "$scale sessions"
scale_test
