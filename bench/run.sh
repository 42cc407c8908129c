#!/bin/bash
# bench/run.sh (make bench): how fast carrel makes and ends a session, what joining costs,
# what an idle session keeps, and how it scales — side by side with what the same work
# costs without carrel, in one run, interleaved, so every ratio compares like with like.
#
#   open+close   a login's session through the real PAM stack (bench/pam_session.c): image
#                "host" and a busybox "dir" image, and the same PAM work with pam_permit
#                alone (the login side without carrel); su -l with and without pam_carrel;
#                the reference bench/raw_session.c (clone, tmpfs, overlay, /proc, the home bound,
#                pivot_root, exec: what the kernel costs); bubblewrap, unshare(1) with a
#                mount script, crun (an OCI bundle on a copy of the dir image) and podman
#                (the tiny image fixture) where they run here
#   join         carrel join vs nsenter -a vs bench/raw_join.c (pidfd + one setns)
#   idle         private (USS) and proportional (PSS) memory of every carrel process per
#                idle session, and the host's MemAvailable before and after BENCH_IDLE
#                sessions
#   scale        BENCH_SCALE sessions opened in parallel batches, then all ended: time, and
#                what is left
#
# Root only. Everything runs in a private mount namespace with its own PAM service files;
# the bench user carrel-bench is made and removed here, crun's and podman's state live in
# the bench's temporary directory. First installs what it compares with
# (scripts/install-deps.sh bench) unless BENCH_INSTALL=0. Environment: BENCH_ITERATIONS
# (default 200), BENCH_ROUNDS (10), BENCH_PODMAN_ITERATIONS (BENCH_ITERATIONS / 10),
# BENCH_IDLE (500), BENCH_SCALE (1000), BENCH_PARALLEL (16), BENCH_FIXTURES (the image
# fixtures, default ../shared/fixtures/images beside the repository).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=$repo/build
iterations=${BENCH_ITERATIONS:-200}
rounds=${BENCH_ROUNDS:-10}
podman_iterations=${BENCH_PODMAN_ITERATIONS:-$((iterations / 10))}
idle=${BENCH_IDLE:-500}
scale=${BENCH_SCALE:-1000}
parallel=${BENCH_PARALLEL:-16}
fixtures=${BENCH_FIXTURES:-$repo/../shared/fixtures/images}
user=carrel-bench
export LC_ALL=C

if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root" >&2
	exit 1
fi
if [ "${CARREL_BENCH_IN_NS:-}" != 1 ]; then
	if [ "${BENCH_INSTALL:-1}" != 0 ]; then
		"$repo/scripts/install-deps.sh" bench ||
			echo "bench: not every tool to compare with could be installed; their rows are skipped" >&2
	fi
	export CARREL_BENCH_IN_NS=1
	exec unshare --mount --propagation private "$0" "$@"
fi

T=$(mktemp -d /tmp/carrel-bench.XXXXXX)
chmod 0755 "$T"
made_user=no
holder_pid=
# What podman makes outside its --root and --runroot (the blob cache of its image loader,
# crun's state directory), removed at the end only if the bench made it.
new_dirs=()
for d in /var/lib/containers /run/crun; do [ -e "$d" ] || new_dirs+=("$d"); done
cleanup() {
	set +e
	if [ -n "$holder_pid" ]; then kill "$holder_pid" 2>/dev/null; fi
	# what crun or podman may have left mounted under $T (in this namespace only)
	awk -v t="$T/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m"; done
	# the cgroups crun and podman (conmon) were put in, when they outlive them
	find /sys/fs/cgroup/*/carrel-bench-crun /sys/fs/cgroup/*/carrel-bench-podman -depth \
		-type d -exec rmdir {} + 2>/dev/null
	for d in "${new_dirs[@]}"; do rm -rf "$d"; done
	if [ "$made_user" = yes ]; then userdel -r "$user" >/dev/null 2>&1; fi
	rm -rf "$T"
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*" >&2; }

# Notes on rows skipped or run differently, printed under the section's table.
note() { echo "$*" >>"$T/notes"; }
flush_notes() {
	[ -s "$T/notes" ] || return 0
	echo
	sed 's/^/note: /' "$T/notes"
	: >"$T/notes"
}

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
	uid=$(id -u "$user")
	gid=$(id -g "$user")
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
	# the same PAM work without carrel: what the login side costs by itself
	echo "session required pam_permit.so" >"$T/pam.d/bench-pam"
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
			printf "| %-46s | %9.2f | %9.2f | %7s | %5d |\n", name, med / 1e6, p99 / 1e6, ratio, NR
		}'
}

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ratio A B: A / B to two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }

# time_loop N OUT COMMAND...: run COMMAND N times, one line of nanoseconds each. The clock
# is bash's own (EPOCHREALTIME, microseconds): reading it forks nothing.
time_loop() {
	local n=$1 out=$2 a b i
	shift 2
	: >"$out"
	for ((i = 0; i < n; i++)); do
		a=${EPOCHREALTIME/./}
		"$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; return 1; }
		b=${EPOCHREALTIME/./}
		echo $(((b - a) * 1000)) >>"$out"
	done
}
export -f time_loop

# Where cgroup v2 is mounted beside v1 hierarchies (a "hybrid" layout), its mount point.
v2_beside_v1=$(findmnt -rn -t cgroup2 -o TARGET | grep -vx /sys/fs/cgroup | head -n 1 || true)

# without_v2 COMMAND...: COMMAND in a mount namespace of its own without that cgroup v2
# mount. crun refuses a hybrid layout whose v2 hierarchy holds a controller; hidden, it
# uses the v1 hierarchies alone.
without_v2() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare --mount --propagation private bash -c 'umount -l "$1" && shift && "$@"' \
		without_v2 "$v2_beside_v1" "$@"
}

# probe WRAP COMMAND...: does COMMAND run here, as it is or without_v2? Sets the array
# named WRAP to what to put in front of it; the reason it fails is in $T/probe.err.
probe() {
	local -n wrap=$1
	shift
	wrap=()
	"$@" >/dev/null 2>"$T/probe.err" && return 0
	[ -n "$v2_beside_v1" ] || return 1
	cp "$T/probe.err" "$T/probe.direct.err"
	without_v2 "$@" >/dev/null 2>"$T/probe.err" || return 1
	# shellcheck disable=SC2034 # a nameref: the caller's array
	wrap=(without_v2)
}

first_error() { grep -v '^$' "$T/probe.err" | tail -n 1 | cut -c1-160; }

# crun: an OCI bundle whose rootfs is a copy of the dir image (read-only, as `crun spec`
# makes it: crun has no writable layer of its own), run as the bench user with the home
# bound in, its state in $T.
crun_ok=no
crun_wrap=()
setup_crun() {
	local b=$T/oci
	if ! command -v crun >/dev/null; then
		note "crun: not installed; its row is skipped"
		return 0
	fi
	mkdir -p "$b" "$T/crun-state"
	cp -a "$T/image" "$b/rootfs"
	mkdir -p "$b/rootfs$home"
	(cd "$b" && crun spec)
	jq --arg home "$home" --argjson uid "$uid" --argjson gid "$gid" '
		.process.terminal = false | .process.args = ["true"] |
		.process.user = {uid: $uid, gid: $gid} | .process.cwd = $home |
		.root = {path: "rootfs", readonly: true} | .hostname = "carrel-bench" |
		.linux.cgroupsPath = "carrel-bench-crun" |
		.mounts += [{destination: $home, type: "bind", source: $home,
			     options: ["rbind", "rw"]}]' "$b/config.json" >"$b/config.json.new"
	mv "$b/config.json.new" "$b/config.json"
	crun_run=(crun --root "$T/crun-state" run --bundle "$b" carrel-bench-crun)
	if probe crun_wrap "${crun_run[@]}"; then
		crun_ok=yes
		[ ${#crun_wrap[@]} = 0 ] || note "crun: refuses this machine's cgroup layout" \
			"($(grep -v '^$' "$T/probe.direct.err" | tail -n 1)); it runs without the" \
			"cgroup v2 mount at $v2_beside_v1, in v1 hierarchies only"
	else
		note "crun: fails here ($(first_error)); its row is skipped"
	fi
}

# podman: the tiny image fixture loaded into storage of its own in $T; every run a
# container with its own overlay, no network, the home bound in, removed at the end.
podman_ok=no
podman_wrap=()
setup_podman() {
	local img args
	if ! command -v podman >/dev/null; then
		note "podman: not installed; its row is skipped"
		return 0
	fi
	if [ ! -f "$fixtures/tiny.docker-archive.tar" ]; then
		note "podman: no image fixture $fixtures/tiny.docker-archive.tar; its row is skipped"
		return 0
	fi
	mkdir -p "$T/podman/tmp"
	podman_base=(podman --root "$T/podman/root" --runroot "$T/podman/run"
		--tmpdir "$T/podman/tmp" --storage-driver overlay --cgroup-manager cgroupfs
		--events-backend none)
	img=$("${podman_base[@]}" load -q -i "$fixtures/tiny.docker-archive.tar" 2>"$T/probe.err" |
		sed -n 's/^Loaded image[^:]*: *//p' | head -n 1) || true
	if [ -z "$img" ]; then
		note "podman: could not load the image fixture ($(first_error)); its row is skipped"
		return 0
	fi
	args=(--rm --network none --pull never --cgroup-parent /carrel-bench-podman --user "$uid:$gid" -v "$home:$home" -w "$home"
		"$img" true)
	podman_run=("${podman_base[@]}" run "${args[@]}")
	if probe podman_wrap "${podman_run[@]}"; then
		podman_ok=yes
	elif grep -q setrlimit "$T/probe.err"; then
		# podman raises RLIMIT_NOFILE and RLIMIT_NPROC for the container by default,
		# which needs CAP_SYS_RESOURCE; where the bounding set lacks it, ask for less.
		note "podman: its default limits cannot be set here ($(first_error));" \
			"it runs with --ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
		podman_run=("${podman_base[@]}" run --ulimit nofile=1024:1024
			--ulimit nproc=1024:1024 "${args[@]}")
		probe podman_wrap "${podman_run[@]}" && podman_ok=yes
	fi
	if [ "$podman_ok" = yes ]; then
		[ ${#podman_wrap[@]} = 0 ] || note "podman (through crun) likewise runs without" \
			"the cgroup v2 mount at $v2_beside_v1"
	else
		note "podman: fails here ($(first_error)); its row is skipped"
	fi
}

# One round of every open+close contender, then the next round: drift hits all alike.
open_close() {
	local per=$((iterations / rounds)) per_podman=$((podman_iterations / rounds)) r
	local bwrap_ok=no f ref
	[ "$per" -gt 0 ] || per=1
	[ "$per_podman" -gt 0 ] || per_podman=1
	if command -v bwrap >/dev/null && bwrap --ro-bind / / true 2>/dev/null; then
		bwrap_ok=yes
		bwrap --help 2>&1 | grep -q -- --overlay ||
			note "bubblewrap $(bwrap --version | cut -d' ' -f2) has no overlay options" \
				"(they came in a later release, not reachable here): its row binds / read-only" \
				"with a tmpfs /tmp instead of a writable overlay"
	else
		note "bubblewrap: not installed or does not run here; its row is skipped"
	fi
	setup_crun
	setup_podman
	for f in raw pam host dir su_plain su_carrel unshare bwrap crun podman; do : >"$T/$f.ns"; done
	for r in $(seq "$rounds"); do
		"$build/bench/raw_session" "$per" "$home" /bin/true >>"$T/raw.ns"
		"$build/bench/pam_session" "$per" /etc/pam.d bench-pam "$user" /bin/true >>"$T/pam.ns"
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
		if [ "$crun_ok" = yes ]; then
			"${crun_wrap[@]}" time_loop "$per" "$T/chunk" "${crun_run[@]}" &&
				cat "$T/chunk" >>"$T/crun.ns"
		fi
		if [ "$podman_ok" = yes ]; then
			"${podman_wrap[@]}" time_loop "$per_podman" "$T/chunk" "${podman_run[@]}" &&
				cat "$T/chunk" >>"$T/podman.ns"
		fi
		printf 'round %d/%d\r' "$r" "$rounds" >&2
	done
	ref=$(median "$T/raw.ns")
	echo "| open + close (ms) | median | p99 | vs raw | n |"
	echo "|---|---:|---:|---:|---:|"
	stats "raw syscalls (reference)" "$T/raw.ns" "$ref"
	stats "PAM open+close, pam_permit only (no sandbox)" "$T/pam.ns" "$ref"
	stats "carrel, PAM open+close, image host" "$T/host.ns" "$ref"
	stats "carrel, PAM open+close, dir image" "$T/dir.ns" "$ref"
	stats "unshare(1) + mount script (no pivot, no init)" "$T/unshare.ns" "$ref"
	if [ -s "$T/bwrap.ns" ]; then
		stats "bubblewrap $(bwrap --version | cut -d' ' -f2) (no overlay)" "$T/bwrap.ns" "$ref"
	fi
	if [ -s "$T/crun.ns" ]; then
		stats "crun $(crun --version | sed -n '1s/.* //p'), dir image (read-only, no overlay)" \
			"$T/crun.ns" "$ref"
	fi
	if [ -s "$T/podman.ns" ]; then
		stats "podman $(podman --version | sed 's/.* //') run --rm, tiny image" "$T/podman.ns" "$ref"
	fi
	stats "su -l USER -c true, plain" "$T/su_plain.ns" "$ref"
	stats "su -l USER -c true, with pam_carrel" "$T/su_carrel.ns" "$ref"
	flush_notes
	target_host=$(ratio "$(median "$T/host.ns")" "$ref")
	target_dir=$(ratio "$(median "$T/dir.ns")" "$ref")
}

# Each round: the reference, nsenter, carrel join, against one running session.
join_latency() {
	local pid id per=$((iterations / rounds)) r ref
	[ "$per" -gt 0 ] || per=1
	"$build/carrel" run --launcher "$build/carrel-launch" -c "$T/carrel.conf" --user "$user" \
		-- sleep 600 >/dev/null 2>&1 &
	holder_pid=$!
	for _ in $(seq 100); do
		id=$("$build/carrel" ps | awk -v u="$user" '$2 == u { print $1; exit }')
		[ -n "$id" ] && break
		sleep 0.1
	done
	pid=$(sed -n 's/^init_pid=//p' "/run/carrel/sessions/$id/session")
	for f in join_raw join_nsenter join_carrel; do : >"$T/$f.ns"; done
	for r in $(seq "$rounds"); do
		"$build/bench/raw_join" "$per" "$pid" /bin/true >>"$T/join_raw.ns"
		time_loop "$per" "$T/chunk" nsenter -t "$pid" -a /bin/true &&
			cat "$T/chunk" >>"$T/join_nsenter.ns"
		time_loop "$per" "$T/chunk" "$build/carrel" join "$id" -- /bin/true &&
			cat "$T/chunk" >>"$T/join_carrel.ns"
		printf 'round %d/%d\r' "$r" "$rounds" >&2
	done
	ref=$(median "$T/join_raw.ns")
	echo
	echo "| join (ms) | median | p99 | vs raw | n |"
	echo "|---|---:|---:|---:|---:|"
	stats "raw pidfd + setns + fork + exec (reference)" "$T/join_raw.ns" "$ref"
	stats "nsenter -t PID -a true" "$T/join_nsenter.ns" "$ref"
	stats "carrel join ID -- true" "$T/join_carrel.ns" "$ref"
	target_join=$(ratio "$(median "$T/join_carrel.ns")" "$(median "$T/join_nsenter.ns")")
	kill "$holder_pid" 2>/dev/null || true
	wait "$holder_pid" 2>/dev/null || true
	holder_pid=
}

# Private (USS) and proportional (PSS) memory in KiB of every carrel process of our user's
# sessions: their inits (the login process is sshd's, su's or login's, not carrel's).
carrel_mem_kib() {
	local uss=0 pss=0 f pid u p
	for f in /run/carrel/sessions/*/session; do
		grep -qx "user=$user" "$f" 2>/dev/null || continue
		pid=$(sed -n 's/^init_pid=//p' "$f")
		read -r u p < <(awk '/^Private_(Clean|Dirty):/ { u += $2 } /^Pss:/ { p += $2 }
			END { print u + 0, p + 0 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0 0)
		uss=$((uss + u))
		pss=$((pss + p))
	done
	echo "$uss $pss"
}

mem_available_kib() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }

# hold_idle SERVICE: open BENCH_IDLE sessions of SERVICE and keep them; sets held (how many
# opened) and drop (host MemAvailable before minus after, KiB). Leaves them open: end_idle.
hold_idle() {
	local before after line
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
	before=$(mem_available_kib)
	coproc HOLD {
		"$build/bench/hold_sessions" "$idle" "$parallel" /etc/pam.d "$1" "$user" 2>>"$T/hold.err"
	}
	holder_pid=$HOLD_PID
	read -r line <&"${HOLD[0]}" || line="ready 0 opened"
	held=$(echo "$line" | awk '{ print $2 }')
	sleep 2 # let the sessions settle: not a measurement of time
	after=$(mem_available_kib)
	drop=$((before - after))
}

end_idle() {
	local wfd=${HOLD[1]}
	exec {wfd}>&-
	wait "$holder_pid" || true
	holder_pid=
}

# The same login processes held open without carrel first (pam_permit), then with it.
idle_cost() {
	local uss pss n held drop plain_drop plain_n
	hold_idle bench-pam
	plain_n=$held plain_drop=$drop
	[ "$plain_n" -gt 0 ] || plain_n=1
	end_idle
	hold_idle bench-host
	n=$held
	[ "$n" -gt 0 ] || n=1
	read -r uss pss < <(carrel_mem_kib)
	echo
	echo "| idle sessions | value |"
	echo "|---|---:|"
	echo "| sessions held open | $held of $idle |"
	echo "| private memory (USS) of carrel's processes, per session | $((uss / n)) KiB |"
	echo "| proportional memory (PSS) of carrel's processes, per session | $((pss / n)) KiB |"
	echo "| host MemAvailable drop per session, with carrel (kernel objects included) | $((drop / n)) KiB |"
	echo "| host MemAvailable drop per session, same login processes without carrel | $((plain_drop / plain_n)) KiB |"
	target_uss=$((uss / n))
	end_idle
	wait_clean 120 || note "idle: records of the bench user were left 120 s after the end"
	failure_notes idle
	flush_notes
}

# failure_notes WHAT: what pam_carrel logged while sessions could not be opened or closed,
# the most frequent first (the session ids taken out so that alike lines count together).
failure_notes() {
	[ -s "$T/hold.err" ] || return 0
	sed -E 's/[0-9a-f]{12}/ID/g' "$T/hold.err" | sort | uniq -c | sort -rn | head -n 5 |
		while read -r count line; do note "$1: $count x: $line"; done
	: >"$T/hold.err"
}

our_records() { { grep -lx "user=$user" /run/carrel/sessions/*/session 2>/dev/null || true; } | wc -l; }

wait_clean() {
	for _ in $(seq $(($1 * 10))); do
		[ "$(our_records)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

scale_test() {
	local a b c line opened left_records left_cgroups left_procs wfd
	a=$(date +%s%N)
	coproc HOLD {
		"$build/bench/hold_sessions" "$scale" "$parallel" /etc/pam.d bench-host "$user" 2>>"$T/hold.err"
	}
	holder_pid=$HOLD_PID
	read -r line <&"${HOLD[0]}" || line="ready 0 opened"
	b=$(date +%s%N)
	wfd=${HOLD[1]}
	exec {wfd}>&-
	wait "$holder_pid" || true
	holder_pid=
	wait_clean 300 || true
	c=$(date +%s%N)
	opened=$(echo "$line" | awk '{ print $2 }')
	left_records=$(our_records)
	left_cgroups=$({ find /sys/fs/cgroup/*/carrel/"user-$uid" -mindepth 1 -maxdepth 1 -type d \
		2>/dev/null || true; } | wc -l)
	left_procs=$({ ps -o pid= -u "$user" || true; } | wc -l)
	echo
	echo "| scale | value |"
	echo "|---|---:|"
	echo "| sessions opened ($parallel at a time) | $opened of $scale |"
	echo "| time to open them all | $(((b - a) / 1000000)) ms |"
	echo "| time until all were ended and cleaned | $(((c - b) / 1000000)) ms |"
	echo "| records left | $left_records |"
	echo "| session cgroups left | $left_cgroups |"
	echo "| processes of the bench user left | $left_procs |"
	failure_notes scale
	flush_notes
	target_scale="$opened of $scale opened; left: $left_records records, $left_cgroups cgroups, $left_procs processes"
	[ "$opened" = "$scale" ] && [ "$left_records$left_cgroups$left_procs" = 000 ] &&
		scale_met=yes || scale_met=no
}

met() { awk -v v="$1" -v lim="$2" 'BEGIN { print (v <= lim) ? "met" : "not met" }'; }

targets() {
	echo
	echo "| target | measured | |"
	echo "|---|---:|---|"
	echo "| open+close median within 1.5x of raw, image host | ${target_host}x | $(met "$target_host" 1.5) |"
	echo "| open+close median within 1.5x of raw, dir image | ${target_dir}x | $(met "$target_dir" 1.5) |"
	echo "| carrel join no slower than nsenter (median ratio) | ${target_join}x | $(met "$target_join" 1) |"
	echo "| USS per idle session <= 128 KiB | $target_uss KiB | $(met "$target_uss" 128) |"
	echo "| $scale sessions, nothing left after teardown | $target_scale | $([ "$scale_met" = yes ] && echo met || echo "not met") |"
}

say "building the helpers"
build_helpers
make_world
say "carrel $("$build/carrel" --version | cut -d' ' -f2), kernel $(uname -r), $(nproc) CPUs," \
	"$(awk '/^MemTotal:/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo)," \
	"cgroups: $(stat -fc %T /sys/fs/cgroup)${v2_beside_v1:+ with v2 at $v2_beside_v1}," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "open + close, $iterations iterations each (podman $podman_iterations), interleaved in $rounds rounds"
open_close
say "join, $iterations iterations each, interleaved in $rounds rounds"
join_latency
say "$idle idle sessions"
idle_cost
say "$scale sessions"
scale_test
say "targets"
targets
