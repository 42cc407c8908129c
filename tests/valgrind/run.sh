#!/bin/bash
# tests/valgrind/run.sh: the admin tool, build/carrel, under valgrind memcheck, one command
# line at a time: help and usage errors, check-config and policy explain on good and bad
# configs, ps, inspect, events, volume, every image command (import of each fixture form and
# of every hostile fixture, ls, inspect, history, export, build, rm), and a real session
# (run, then ps, inspect, join, diff and stop on it, and gc after it). Each must end with no
# memcheck error and no definite or indirect leak; possible leaks are shown, not counted.
# Root only; one line per command, then "N passed, N failed"; exits 1 when one failed.
#
#   make check-valgrind               builds, then runs this
#   CARREL_BUILD=DIR                  the programs to check (default: build/ of this tree)
#   CARREL_VG_ONLY=REGEX              only the command lines whose name matches
#   CARREL_VG_KEEP=1                  keep the scratch directory: every valgrind log
#
# Only the admin tool is checked (--trace-children=no): the carrel-launch it starts for a
# session, and the static carrel-init, run as they are. Nothing here touches the machine's
# image store: a private one (tmpfs) is mounted over /var/lib/carrel in a mount namespace of
# our own. The session is real (in /run/carrel, its cgroups), so this takes the lock the
# integration suites take, as gc does what it does machine-wide. It adds the user
# carrel-test-vg and removes it again.
#
# Valgrind 3.19 fails the calls it does not know with ENOSYS: native_syscalls.c, preloaded,
# makes those on the real CPU (see there). A RUN step of image build still cannot start its
# sandbox (valgrind has no clone3): builds here are checked without one, and with one that
# fails. The valgrind warning "unhandled amd64-linux syscall: 317" (seccomp) comes from the
# forked child that runs the session's command and is no error: the filter is set with
# prctl() instead, as libseccomp falls back to it.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${CARREL_BUILD:-$REPO/build}
ADMIN=$BUILD/carrel
IMAGE_HELPER=$BUILD/carrel-image
LAUNCHER=$BUILD/carrel-launch
FIXTURES=$REPO/../shared/fixtures/images
VG_USER=carrel-test-vg
LOCK=/run/lock/carrel-test-integration.lock

# ---- outer half: checks, lock, scratch directory, user; then the rest in a namespace ----

outer_cleanup() {
	local status=$?
	if id "$VG_USER" >/dev/null 2>&1; then
		userdel "$VG_USER" >/dev/null 2>&1 || true
	fi
	[ -z "${MADE_STORE_DIR:-}" ] || rmdir /var/lib/carrel 2>/dev/null || true
	if [ -n "${CARREL_VG_KEEP:-}" ]; then
		echo "# kept $T" >&2
	elif [ -n "${T:-}" ]; then
		# No mount of the inner half is visible out here: this removes plain files only.
		rm -rf --one-file-system "$T"
	fi
	exit "$status"
}

outer_half() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP valgrind checks: need root"
		exit 0
	fi
	if ! command -v valgrind >/dev/null; then
		echo "valgrind checks: no valgrind (scripts/install-deps.sh build test)" >&2
		exit 1
	fi
	if [ ! -x "$ADMIN" ] || [ ! -x "$LAUNCHER" ]; then
		echo "valgrind checks: no $ADMIN or $LAUNCHER (make)" >&2
		exit 1
	fi
	exec 9>"$LOCK"
	if ! flock -w 900 9; then
		echo "valgrind checks: another carrel test run still holds $LOCK" >&2
		exit 1
	fi
	T=$(mktemp -d /tmp/carrel-test-vg.XXXXXX)
	MADE_STORE_DIR=""
	trap outer_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	if [ ! -d /var/lib/carrel ]; then
		mkdir -m 0700 /var/lib/carrel
		MADE_STORE_DIR=1
	fi
	"${CC:-cc}" -shared -fPIC -O2 -Wall -Wextra -Werror -o "$T/native_syscalls.so" \
		"$HERE/native_syscalls.c" -ldl
	# A leftover of a run that was killed before its cleanup goes first.
	if id "$VG_USER" >/dev/null 2>&1; then
		userdel "$VG_USER"
	fi
	useradd -M -d /nonexistent -p '*' -s /bin/sh "$VG_USER"
	local status=0
	CARREL_VG_DIR=$T unshare --mount --propagation private bash "$0" "$@" 9>&- || status=$?
	return "$status"
}

# ---- inner half: the command lines ----

# How memcheck's reports of an error begin.
MEMCHECK_ERRORS='Invalid |Conditional jump|Use of uninitialised|Syscall param|Mismatched free'
MEMCHECK_ERRORS+='|Source and destination overlap|Argument .* of function'
PASSED=0
FAILED=0
FAILED_NAMES=""
SESSION_PID=""

# vg NAME EXPECTED ARGS...: run "carrel ARGS" under valgrind; EXPECTED is the exit status
# wanted ("0", "1", "0|1", or "any"). One line: ok or FAIL, the exit status and what
# memcheck found, summed over the process and the children it forked (not exec'd). They all
# write to one log, opened once: a child that joined a session's mount namespace could not
# open one of its own.
vg() {
	local name=$1 expected=$2 dir status=0 program=$ADMIN
	shift 2
	if [ -n "${CARREL_VG_ONLY:-}" ] && ! [[ $name =~ $CARREL_VG_ONLY ]]; then
		return 0
	fi
	# carrel runs these in carrel-image (admin/cmd_image.c): check that program itself.
	if [ "${1:-}" = image ] && [[ ${2:-} =~ ^(import|build|export)$ ]]; then
		program=$IMAGE_HELPER
		shift
	fi
	dir=$T/logs/$name
	mkdir -p "$dir"
	valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no \
		--trace-children=no --log-file="$dir/vg.log" "$program" "$@" \
		>"$dir/out" 2>&1 </dev/null || status=$?
	verdict "$name" "$expected" "$status" "$dir"
}

# verdict NAME EXPECTED STATUS DIR: judge the valgrind log DIR/vg.log, print one line.
verdict() {
	local name=$1 expected=$2 status=$3 dir=$4 log=$4/vg.log bad=""
	local errors definite indirect possible
	[ -f "$log" ] || : >"$log"
	grep -q "ERROR SUMMARY:" "$log" || bad="no valgrind summary"
	errors=$(sum_field "ERROR SUMMARY: ([0-9,]+) errors" "$log")
	definite=$(sum_field "definitely lost: ([0-9,]+) bytes" "$log")
	indirect=$(sum_field "indirectly lost: ([0-9,]+) bytes" "$log")
	possible=$(sum_field "possibly lost: ([0-9,]+) bytes" "$log")
	[ "$errors" = 0 ] || bad="memcheck errors"
	# A process that exec'd has no summary: an error before the exec is still in the log.
	if grep -qE "^==[0-9]+== ($MEMCHECK_ERRORS)" "$log"; then
		bad="memcheck errors"
	fi
	if [ "$status" = 99 ]; then
		bad="memcheck errors"
	elif [ "$expected" != any ] && ! [[ $status =~ ^($expected)$ ]]; then
		bad="${bad:+$bad, }exit $status, not $expected"
	fi
	if [ -z "$bad" ]; then
		PASSED=$((PASSED + 1))
		printf 'ok    %-34s exit %-3s %s errors, lost %s B definitely, %s B indirectly, %s B possibly\n' \
			"$name" "$status" "$errors" "$definite" "$indirect" "$possible"
		return 0
	fi
	FAILED=$((FAILED + 1))
	FAILED_NAMES="$FAILED_NAMES $name"
	printf 'FAIL  %-34s exit %-3s %s errors, lost %s B definitely, %s B indirectly: %s\n' \
		"$name" "$status" "$errors" "$definite" "$indirect" "$bad"
	sed 's/^/    | /' "$dir/out" | head -20
	grep -E '^==[0-9]+== ' "$log" |
		grep -vE '^==[0-9]+== (Memcheck|Copyright|Using Valgrind|Command|Parent PID|$)' |
		sed 's/^/    | /' | head -60
}

# sum_field REGEX FILE: the sum of the number in what REGEX matches, over every process.
sum_field() {
	local total=0 n
	while read -r n; do
		total=$((total + ${n//,/}))
	done < <(grep -oE "$1" "$2" | grep -oE '[0-9,]+')
	echo "$total"
}

have_fixtures() {
	[ -d "$FIXTURES/tiny" ] && [ -f "$FIXTURES/evil/EXPECTED.tsv" ]
}

skip() {
	printf 'skip  %-34s %s\n' "$1" "$2"
}

write_configs() {
	local c=$T/conf
	mkdir -m 0755 "$c"
	cat >"$c/good.conf" <<-EOF
		images = {
		  tiny = { type = "oci"; name = "carrel-test-vg-tiny"; };
		};
		defaults = { hostname = "%u-vg"; limits = { pids = 256; memory = "1G"; }; };
		policies = (
		  { name = "vg"; users = [ "$VG_USER" ]; image = "tiny"; volumes = (); },
		  { groups = [ "root" ]; sandbox = false; }
		);
	EOF
	# every setting, and a dir image that does not exist: check-config reports it
	cp "$REPO/tests/fuzz/corpus/config/full.conf" "$c/full.conf"
	cp "$REPO/packaging/carrel.conf" "$c/packaging.conf"
	printf 'images = {\n  tiny = { type = "dir"; path = "/nonexistent";\n' >"$c/syntax.conf"
	cat >"$c/semantic.conf" <<-EOF
		images = { a = { type = "floppy"; }; b = { type = "oci"; }; };
		defaults = { image = "nowhere"; network = "moon"; rootfs_size = "lots";
		             limits = { cpu = -1; pids = "x"; }; capabilities = [ "CAP_FLY" ];
		             volumes = ( { source = "relative"; target = "also-relative"; } ); };
		unknown = 1;
		policies = ( { users = [ ]; rhosts = [ "10.0.0.0/99" ]; image = "a"; } );
	EOF
	cp "$c/good.conf" "$c/writable.conf"
	chmod 0644 "$c"/*.conf
	chmod 0666 "$c/writable.conf"
}

stop_session() {
	if [ -n "$SESSION_PID" ]; then
		"$ADMIN" stop "$VG_USER" >/dev/null 2>&1 || true
		wait "$SESSION_PID" 2>/dev/null || true
		SESSION_PID=""
	fi
}

inner_cleanup() {
	local status=$?
	stop_session
	umount /var/lib/carrel 2>/dev/null || true
	exit "$status"
}

# The command lines that need no store, no fixture and no session.
plain_paths() {
	local c=$T/conf cmd
	vg help 0 --help
	vg version 0 --version
	vg no-command 2
	vg unknown-command 2 nosuch
	vg unknown-option 2 --nosuch
	for cmd in ps inspect join stop run check-config policy diff reset volume gc events image; do
		vg "help-$cmd" 0 "$cmd" --help
	done
	for cmd in import build ls inspect history rm export; do
		vg "help-image-$cmd" 0 image "$cmd" --help
	done
	vg image-unknown 2 image nosuch
	vg check-config-full 1 check-config -c "$c/full.conf"
	vg check-config-packaging 0 check-config --config "$c/packaging.conf"
	vg check-config-syntax 1 check-config -c "$c/syntax.conf"
	vg check-config-semantic 1 check-config -c "$c/semantic.conf"
	vg check-config-writable 1 check-config -c "$c/writable.conf"
	vg check-config-missing 1 check-config -c "$c/missing.conf"
	vg policy-root-sshd 0 policy explain --config "$c/full.conf" --user root --service sshd
	vg policy-rhost 0 policy explain -c "$c/full.conf" -u "$VG_USER" -s sshd -r 10.1.2.3
	vg policy-unknown-user 1 policy explain -c "$c/full.conf" --user carrel-test-nobody
	vg policy-bad-config 1 policy explain -c "$c/syntax.conf" --user root
	vg policy-usage 2 policy explain -c "$c/full.conf"
	vg ps 0 ps
	vg ps-json 0 ps --json
	vg inspect-nosuch 1 inspect carrel-test-nobody
	vg join-nosuch 1 join carrel-test-nobody -- /bin/true
	vg stop-nosuch 1 stop carrel-test-nobody
	vg stop-bad-wait 2 stop --wait 10s carrel-test-nobody
	vg diff-nosuch 1 diff carrel-test-nobody
	vg reset-nothing any reset "$VG_USER"
	vg volume-ls 0 volume ls
	vg volume-ls-user 0 volume ls "$VG_USER"
	vg volume-rm-nosuch 1 volume rm "$VG_USER" nosuch
	vg events 0 events
	vg events-json 0 events --json
	vg events-usage 2 events extra
}

# events --follow until a SIGINT: valgrind still checks for leaks as the process dies.
follow_events() {
	local dir=$T/logs/events-follow status=0
	if [ -n "${CARREL_VG_ONLY:-}" ] && ! [[ events-follow =~ $CARREL_VG_ONLY ]]; then
		return 0
	fi
	mkdir -p "$dir"
	timeout -s INT 3 valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no \
		--log-file="$dir/vg.log" "$ADMIN" events --follow >"$dir/out" 2>&1 </dev/null ||
		status=$?
	# Stopped by timeout's SIGINT, even with no session since boot (it makes the log then).
	verdict events-follow 124 "$status" "$dir"
}

image_paths() {
	local f e=$FIXTURES/evil
	vg image-ls-empty 0 image ls
	vg image-import-oci 0 image import -q carrel-test-vg-tiny "$FIXTURES/tiny:latest"
	vg image-import-progress 0 image import carrel-test-vg-docker \
		"$FIXTURES/tiny.docker-archive.tar"
	vg image-import-oci-archive 0 image import -q carrel-test-vg-ociarch \
		"$FIXTURES/tiny.oci-archive.tar"
	vg image-import-zstd 0 image import -q carrel-test-vg-zstd "$FIXTURES/tiny-zstd"
	vg image-import-uncompressed 0 image import -q carrel-test-vg-raw \
		"$FIXTURES/tiny-uncompressed"
	vg image-import-exists 1 image import -q carrel-test-vg-zstd "$FIXTURES/tiny:v1"
	vg image-import-bad-name 1 image import -q ../bad "$FIXTURES/tiny"
	vg image-import-bad-platform 1 image import -q --platform plan9/mips carrel-test-vg-p \
		"$FIXTURES/tiny"
	vg image-import-missing 1 image import -q carrel-test-vg-none /nonexistent
	# Every hostile fixture: refused or neutralised, and either way no leak.
	while IFS=$'\t' read -r f _; do
		vg "image-import-evil-$f" "0|1" image import -q carrel-test-vg-evil "$e/$f"
		"$ADMIN" image rm carrel-test-vg-evil >/dev/null 2>&1 || true
	done < <(tail -n +2 "$e/EXPECTED.tsv")
	vg image-ls 0 image ls
	vg image-ls-json 0 image ls --json
	vg image-inspect 0 image inspect carrel-test-vg-tiny carrel-test-vg-docker
	vg image-inspect-nosuch 1 image inspect carrel-test-vg-tiny nosuch
	vg image-history 0 image history carrel-test-vg-tiny
	vg image-history-json 0 image history --no-trunc --json carrel-test-vg-tiny
	vg image-export 0 image export carrel-test-vg-tiny "$T/export" --tag vg
	vg image-export-not-empty 1 image export carrel-test-vg-tiny "$T/export"
	vg image-import-exported 0 image import -q carrel-test-vg-again "$T/export:vg"
	vg image-rm 0 image rm carrel-test-vg-docker carrel-test-vg-ociarch carrel-test-vg-again
	vg image-rm-nosuch 1 image rm nosuch
	vg check-config-oci 0 check-config -c "$T/conf/good.conf"
	build_paths
}

build_paths() {
	local ctx=$T/context
	mkdir -p "$ctx/sub"
	echo hello >"$ctx/hello.txt"
	echo deeper >"$ctx/sub/deeper.txt"
	cat >"$ctx/Dockerfile" <<-'EOF'
		FROM carrel-test-vg-tiny
		ENV WHO=valgrind
		ENV GREETING="hello ${WHO}" PATH=/usr/local/bin:/usr/bin:/bin
		LABEL org.example.checked-by="$WHO"
		COPY hello.txt /opt/app/
		COPY sub /opt/app/sub
		ADD hello.txt /opt/added.txt
		WORKDIR /opt/app
		USER root
		CMD ["/bin/sh", "-c", "cat hello.txt"]
	EOF
	# shellcheck disable=SC2016 # $PATH is the Dockerfile's, expanded in the build
	printf 'FROM carrel-test-vg-tiny\nRUN echo "$PATH" >/opt/path\n' >"$ctx/Dockerfile.run"
	printf 'FROM scratch\nCOPY hello.txt /\n' >"$ctx/Dockerfile.scratch"
	printf 'FROM carrel-test-vg-tiny\nFROBNICATE all\n' >"$ctx/Dockerfile.bad"
	vg image-build 0 image build -t carrel-test-vg-built "$ctx"
	vg image-build-cached 0 image build -q -t carrel-test-vg-built "$ctx"
	vg image-build-no-cache 0 image build --no-cache --network none -t carrel-test-vg-built "$ctx"
	vg image-build-scratch 0 image build -q -t carrel-test-vg-scratch \
		-f "$ctx/Dockerfile.scratch" "$ctx"
	vg image-build-run "0|1" image build -q -t carrel-test-vg-run -f "$ctx/Dockerfile.run" "$ctx"
	vg image-build-bad 1 image build -q -t carrel-test-vg-bad -f "$ctx/Dockerfile.bad" "$ctx"
	vg image-build-no-base 1 image build -q -t carrel-test-vg-bad -f /dev/null "$ctx"
	vg image-history-built 0 image history carrel-test-vg-built
	vg image-rm-built 0 image rm carrel-test-vg-built carrel-test-vg-scratch
}

# A session on the stored image, its own carrel run under valgrind, and the commands on it.
session_paths() {
	local conf=$T/conf/good.conf dir=$T/logs/run-session status=0
	vg run-true 0 run --user "$VG_USER" -c "$conf" --launcher "$LAUNCHER" -- /bin/true
	vg run-false 1 run -u "$VG_USER" -c "$conf" --launcher "$LAUNCHER" -- /bin/false
	vg run-no-user 1 run -u carrel-test-nobody -c "$conf" --launcher "$LAUNCHER" -- /bin/true
	if [ -n "${CARREL_VG_ONLY:-}" ] && ! [[ run-session =~ $CARREL_VG_ONLY ]] &&
		! [[ session- =~ $CARREL_VG_ONLY ]]; then
		return 0
	fi
	mkdir -p "$dir"
	valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no \
		--log-file="$dir/vg.log" "$ADMIN" run -u "$VG_USER" -c "$conf" \
		--launcher "$LAUNCHER" -s sshd -r 127.0.0.1 -- /bin/sleep 300 \
		>"$dir/out" 2>&1 </dev/null &
	SESSION_PID=$!
	local tries=300
	until "$ADMIN" ps 2>/dev/null | grep -q " $VG_USER "; do
		tries=$((tries - 1))
		if [ "$tries" = 0 ] || ! kill -0 "$SESSION_PID" 2>/dev/null; then
			wait "$SESSION_PID" || status=$?
			SESSION_PID=""
			verdict run-session 0 "$status" "$dir"
			return 0
		fi
		sleep 0.1
	done
	vg session-ps 0 ps
	vg session-ps-json 0 ps --json
	vg session-inspect 0 inspect "$VG_USER"
	vg session-join 0 join "$VG_USER" -- /bin/true
	vg session-join-root 0 join "$VG_USER" --root -- /bin/touch /etc/carrel-test-vg
	vg session-join-fails 3 join "$VG_USER" -- /bin/sh -c "exit 3"
	vg session-diff 0 diff "$VG_USER"
	vg session-image-rm-in-use 1 image rm carrel-test-vg-tiny
	vg session-reset-in-use any reset "$VG_USER"
	vg session-volume-ls 0 volume ls
	vg session-events 0 events --json
	vg session-stop 0 stop --wait 30 "$VG_USER"
	wait "$SESSION_PID" || status=$?
	SESSION_PID=""
	# The command was ended by the stop: SIGHUP or SIGTERM, as a shell reports them.
	verdict run-session "129|143" "$status" "$dir"
	vg gc 0 gc
	vg gc-quiet 0 gc --quiet
}

inner_half() {
	T=$CARREL_VG_DIR
	export LD_PRELOAD=$T/native_syscalls.so
	trap inner_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	mount -t tmpfs -o mode=0700,size=512m carrel-test-vg-store /var/lib/carrel
	write_configs
	echo "# carrel valgrind checks of $ADMIN, in $T"
	plain_paths
	if have_fixtures; then
		image_paths
		session_paths
	else
		skip "image-* session-*" "no image fixtures at $FIXTURES"
	fi
	# After the session: it made /run/carrel, where the event log is.
	follow_events
	echo "valgrind: $PASSED passed, $FAILED failed"
	if [ "$FAILED" != 0 ]; then
		echo "# failed:$FAILED_NAMES"
		return 1
	fi
}

if [ -z "${CARREL_VG_DIR:-}" ]; then
	outer_half "$@"
else
	inner_half "$@"
fi
