# tests/security/harness.sh: what the escape suite adds to the integration harness. Sourced
# by tests/integration/suite.sh after tests/integration/harness.sh and before the cases.
#
# - The probe (build/tests/security/probe) in the homes of the test users that log in on the
#   image "host", owned by root and 0755, at $(probe_of USER): the home is bound into their
#   sessions at the same path. Root inside may not enter a home: stage_probe copies it into
#   a session's /tmp for "carrel join --root".
# - The image "evil", what a hostile image could hold: busybox, the probe as
#   /bin/carrel-probe, a set-user-ID root copy /bin/carrel-probe-suid, and a block device node
#   /carrel-test-disk (0644) of the host's root disk. carrel-test-evil1 logs into it.
# - carrel-test-race1, whose policy also binds %h/carrel-test-data on /carrel-test-data: a
#   volume source below a directory the user owns, for the symlink and race cases.
# - Canaries: a host-only file in a world-readable directory of the host's /tmp (a session's
#   /tmp is its own), and a snapshot of host-wide state (the canary, host name,
#   core_pattern, release_agent files, the mounts) that every case compares with
#   expect_host_untouched at its end.
#
# shellcheck shell=bash disable=SC2034 # the variables here are read by the cases

PROBE_BIN=$BUILD/tests/security/probe
EVIL_IMAGE=$T/images/evil
# Where stage_probe puts the probe inside a session.
SESSION_PROBE=/tmp/carrel-test-probe
RACE_USER=carrel-test-race1
RACE_TARGET=/carrel-test-data
# An empty capability set, as /proc/PID/status and "probe uid" show it.
NO_CAPS=0000000000000000

TEST_USERS="$TEST_USERS carrel-test-evil1:/bin/sh $RACE_USER:/bin/bash"
CONF_EXTRA_IMAGES="evil = { type = \"dir\"; path = \"$EVIL_IMAGE\"; };"
CONF_EXTRA_POLICIES="{ users = [ \"carrel-test-evil*\" ]; image = \"evil\"; },
		  { users = [ \"$RACE_USER\" ]; volumes = ( { source = \"%h\"; target = \"%h\"; },
		      { source = \"%h/carrel-test-data\"; target = \"$RACE_TARGET\"; } ); },"

CANARY_DIR=""
CANARY=""
HOST_STATE=""

# In a login's shell (busybox sh too): "kv KEY COMMAND..." prints KEY=what COMMAND printed
# (stdout and stderr, on one line), for value_of.
# shellcheck disable=SC2016 # expanded by the login's shell
KV='kv() { k=$1; shift; printf "%s=%s\n" "$k" "$("$@" 2>&1 | tr "\n" " " | sed "s/ *\$//")"; }'

# ---- setup ---------------------------------------------------------------------------------

# The major:minor of the disk under the host's /, or /dev/loop0's when / is not on one.
root_block_device() {
	local dev
	dev=$(findmnt -no MAJ:MIN -T / 2>/dev/null | head -n 1 | tr -d ' ')
	case $dev in
	'' | 0:*) echo 7:0 ;;
	*) echo "$dev" ;;
	esac
}

build_evil_image() {
	local dev
	dev=$(root_block_device)
	build_busybox_image "$EVIL_IMAGE" || return 1
	# chown first: it clears the set-user-ID bit.
	chown -R root:root "$EVIL_IMAGE" && chmod -R go-w "$EVIL_IMAGE" || return 1
	install -m 0755 "$PROBE_BIN" "$EVIL_IMAGE/bin/carrel-probe" &&
		install -m 4755 "$PROBE_BIN" "$EVIL_IMAGE/bin/carrel-probe-suid" &&
		mknod -m 0644 "$EVIL_IMAGE/carrel-test-disk" b "${dev%:*}" "${dev#*:}"
}

probe_of() {
	echo "$(home_of "$1")/carrel-test-probe"
}

install_probes() {
	local user
	for user in carrel-test-u1 carrel-test-u2 "$RACE_USER"; do
		install -o root -g root -m 0755 "$PROBE_BIN" "$(probe_of "$user")" || return 1
	done
}

make_canaries() {
	CANARY_DIR=$(mktemp -d /tmp/carrel-test-canary.XXXXXX) && chmod 0755 "$CANARY_DIR" &&
		CANARY=$CANARY_DIR/canary &&
		echo "carrel-test-canary-$(random_hex 8)" >"$CANARY" && chmod 0644 "$CANARY"
}

# Host-wide state no session may change, one "what: value" line each.
host_state() {
	local f
	echo "canary: $(stat -c '%s %Y %a %U:%G' "$CANARY" 2>&1) $(md5sum <"$CANARY" 2>&1)"
	echo "hostname: $(hostname)"
	echo "core_pattern: $(cat /proc/sys/kernel/core_pattern)"
	for f in /sys/fs/cgroup/release_agent /sys/fs/cgroup/*/release_agent; do
		[ -f "$f" ] && echo "$f: $(cat "$f")"
	done
	# Mount point and type of every mount of the test's namespace, which is the host's
	# as far as the sessions are concerned.
	cut -d' ' -f5 /proc/self/mountinfo | sort | sed 's/^/mount: /'
}

suite_setup() {
	if [ ! -x "$PROBE_BIN" ] || [ ! -x "$ADMIN" ]; then
		echo "missing $PROBE_BIN or $ADMIN: run 'make check-security'"
		return 1
	fi
	build_evil_image || { echo "cannot build the image evil"; return 1; }
	install_probes || { echo "cannot put the probe in the test users' homes"; return 1; }
	make_canaries || { echo "cannot make the canaries"; return 1; }
	HOST_STATE=$(host_state)
}

suite_teardown() {
	[ -z "$CANARY_DIR" ] || rm -rf "$CANARY_DIR"
}

# ---- in the cases --------------------------------------------------------------------------

# The host-wide state is what it was when the suite started.
expect_host_untouched() {
	local now
	now=$(host_state)
	[ "$now" = "$HOST_STATE" ] ||
		fail "the host changed:" "$(indent "$(diff <(echo "$HOST_STATE") <(echo "$now"))")"
}

# held_session NAME: the session id of the held login NAME (hold_login).
held_session() {
	value_of session "$(held_output "$1")"
}

# hold USER NAME [PRELUDE]: hold_login, or fail the case with the login's output.
hold() {
	hold_login "$2" "$1" "${3:-true}" && return 0
	fail_with_text "the login of $1 failed:" "$(held_output "$2")"
	return 1
}

# release NAME: end the held login NAME and wait for its session to be over.
release() {
	local id pid
	id=$(held_session "$1")
	pid=$(record_value "$id" init_pid)
	release_login "$1"
	wait_for_session_end "$id" "$pid" || fail "session $id did not end after its logout"
}

# stage_probe ID: the probe at $SESSION_PROBE inside session ID, root's and 0755, for root
# inside ("carrel join --root"), who may not enter the user's home.
stage_probe() {
	carrel join --root "$1" -- /bin/sh -c \
		"cat >$SESSION_PROBE && chmod 0755 $SESSION_PROBE" <"$PROBE_BIN" ||
		fail "cannot copy the probe into session $1"
}

# start_run NAME CONFIG USER: a "carrel run" session of CONFIG for USER, held open in the
# background until release_run NAME; sets RUN_ID to its session id. Fails the case (and
# returns 1) when it does not start.
start_run() {
	local dir=$T/run/$1 fd
	RUN_ID=""
	mkdir -p "$dir" && rm -f "$dir/in" && mkfifo "$dir/in" || return 1
	# shellcheck disable=SC2016 # expanded by the session's shell
	run_in "$2" "$3" /bin/sh -c 'echo "session=$CARREL_SESSION"; read -r _' \
		<"$dir/in" >"$dir/out" 2>&1 &
	echo $! >"$dir/pid"
	exec {fd}>"$dir/in"
	echo "$fd" >"$dir/fd"
	wait_until 30 grep -q '^session=' "$dir/out"
	RUN_ID=$(value_of session "$(cat "$dir/out")")
	[ -n "$RUN_ID" ] && return 0
	fail_with_text "carrel run -c $2 did not start:" "$(cat "$dir/out")"
	return 1
}

# release_run NAME: let the command of start_run NAME end, and its session with it.
release_run() {
	local dir=$T/run/$1 id pid
	id=$(value_of session "$(cat "$dir/out")")
	pid=$(record_value "$id" init_pid)
	eval "exec $(cat "$dir/fd")>&-"
	wait "$(cat "$dir/pid")"
	wait_for_session_end "$id" "$pid" || fail "session $id did not end after carrel run"
}

# as_user_on_host USER COMMAND...: COMMAND as USER, outside any session: what the same
# attack does without carrel, to show a case can tell.
as_user_on_host() {
	local user=$1
	shift
	setpriv --reuid "$user" --regid "$user" --init-groups -- "$@"
}
