# tests/integration/harness.sh: the world the integration cases run in. Sourced by run.sh
# inside its private mount namespace, with T (the test directory) and REPO set.
#
# Everything made here is named carrel-test*, lives in $T or only in this mount namespace,
# and harness_teardown undoes it. The machine's own /etc/pam.d, records and sshd are never
# touched: the test pam.d, login records and /dev are bind mounts that only this namespace
# sees. The few host-wide things a login needs are the users (useradd/userdel) and, if
# missing, sshd's privilege separation directory /run/sshd (removed again if we made it).
#
# Other suites (tests/security/, tests/images/) run in the same world through suite.sh and
# may add to it from a harness file of their own, sourced after this one: more TEST_USERS,
# CONF_EXTRA_IMAGES and CONF_EXTRA_POLICIES for the config, and suite_setup / suite_teardown.
#
# shellcheck shell=bash disable=SC2034 # the variables here are read by the cases

BUILD=${CARREL_BUILD:-$REPO/build}
MODULE=$BUILD/pam_carrel.so
LAUNCHER=$BUILD/carrel-launch
ADMIN=$BUILD/carrel
CONF=$T/carrel.conf
IMAGE=$T/images/tiny
SYSLOG=$T/syslog
SSHD_LOG=$T/sshd.log
SSH_KEY=$T/client_key
SESSIONS=/run/carrel/sessions

# user:shell. tiny-nosh has a shell the host has (so sshd lets it in) but the tiny image
# lacks; plain is matched by a "sandbox = false" policy.
TEST_USERS="carrel-test-u1:/bin/bash carrel-test-u2:/bin/bash carrel-test-tiny1:/bin/sh
	carrel-test-tiny-nosh:/bin/bash carrel-test-plain:/bin/bash"

# More of the suite's config (libconfig text): entries of "images", and policies matched
# before the catch-all "carrel-test-*" one (each ending with a comma).
CONF_EXTRA_IMAGES=""
CONF_EXTRA_POLICIES=""

# A suite's own setup, run once the harness is up (users, sshd), and its teardown, run
# first in harness_teardown; both run in the test's mount namespace.
suite_setup() { :; }
suite_teardown() { :; }

SYSLOGD_PID=""
SSHD_PID=""
MADE_RUN_SSHD=""
MADE_STORE_MOUNT_POINT=""
PORT=""
IMAGE_MARKER=""
declare -A HELD_FD=()

# ---- setup ---------------------------------------------------------------------------------

# A /dev of our own, so syslogd can create /dev/log without touching the host's /dev: the
# usual nodes bound from the host, the host's ptys (for script and login), and ptmx.
make_private_dev() {
	local stage=$T/dev node
	mkdir "$stage" &&
		mount -t tmpfs -o mode=0755,size=1m,noexec carrel-test-dev "$stage" || return 1
	for node in null zero full random urandom tty; do
		: >"$stage/$node" && mount --bind "/dev/$node" "$stage/$node" || return 1
	done
	mkdir "$stage/pts" "$stage/shm" &&
		mount --rbind /dev/pts "$stage/pts" &&
		mount --rbind /dev/shm "$stage/shm" || return 1
	ln -s pts/ptmx "$stage/ptmx"
	ln -s /proc/self/fd "$stage/fd" # bash's <(...) needs /dev/fd
	ln -s /proc/self/fd/0 "$stage/stdin"
	ln -s /proc/self/fd/1 "$stage/stdout"
	ln -s /proc/self/fd/2 "$stage/stderr"
	# A move, not a bind: a plain bind would leave the node and pts submounts behind.
	mount --move "$stage" /dev
}

# There is no syslog daemon on the machine (nor on CI): pam_carrel and carrel-launch log to
# /dev/log, so we run one that writes to $SYSLOG.
start_syslogd() {
	busybox syslogd -n -O "$SYSLOG" &
	SYSLOGD_PID=$!
	wait_until 10 test -S /dev/log
}

# Empty private copies of the login records (same owner and mode), so that logins during
# the tests never reach the host's and "last" here shows only ours.
bind_private_login_records() {
	local f copy
	mkdir -p "$T/records"
	for f in /var/log/wtmp /var/log/btmp /var/log/lastlog /run/utmp; do
		[ -e "$f" ] || continue
		copy=$T/records/${f##*/}
		: >"$copy" && chown --reference="$f" "$copy" && chmod --reference="$f" "$copy" &&
			mount --bind "$copy" "$f" || return 1
	done
}

# The session part of every test stack. pam_loginuid sits between the two pam_carrel lines
# on purpose: it uses /proc/self, which no longer resolves once the caller has joined the
# session, so it only works if the closeonly/openonly split keeps it on the host side.
session_stack() {
	local args="config=$CONF launcher=$LAUNCHER${CARREL_TEST_PAM_DEBUG:+ debug}"
	cat <<-EOF
		session required $MODULE closeonly $args
		session required pam_loginuid.so
		session optional pam_unix.so
		session required $MODULE openonly $args
	EOF
}

# A copy of the host's /etc/pam.d plus our stacks, bound over /etc/pam.d in this namespace.
install_test_pam_stacks() {
	local dir=$T/pam.d
	mkdir "$dir" && cp -a /etc/pam.d/. "$dir/" || return 1
	{
		echo "# carrel integration tests: sshd started as $T/carrel-test-sshd"
		echo "@include common-auth"
		echo "account required pam_nologin.so"
		echo "@include common-account"
		session_stack
		echo "@include common-password"
	} >"$dir/carrel-test-sshd"
	{
		echo "# carrel integration tests: su -l, run by root"
		echo "auth sufficient pam_rootok.so"
		echo "@include common-auth"
		echo "@include common-account"
		session_stack
	} >"$dir/su-l"
	{
		echo "# carrel integration tests: runuser -l"
		echo "auth sufficient pam_rootok.so"
		session_stack
	} >"$dir/runuser-l"
	{
		echo "# carrel integration tests: login -f, run by root on a pty"
		echo "auth requisite pam_nologin.so"
		echo "@include common-auth"
		echo "@include common-account"
		session_stack
		echo "@include common-password"
	} >"$dir/login"
	mount --bind "$dir" /etc/pam.d
}

write_carrel_config() {
	cat >"$CONF" <<-EOF
		# carrel.conf of the integration tests
		images = {
		  tiny = { type = "dir"; path = "$IMAGE"; };
		  $CONF_EXTRA_IMAGES
		};
		defaults = {
		  hostname = "%u-carrel";
		};
		policies = (
		  { users = [ "carrel-test-plain" ]; sandbox = false; },
		  { users = [ "carrel-test-tiny*" ]; image = "tiny"; },
		  $CONF_EXTRA_POLICIES
		  { users = [ "carrel-test-*" ]; }
		);
	EOF
	chown root:root "$CONF" && chmod 0644 "$CONF"
}

# build_busybox_image DIR: a minimal "dir" image: static busybox and its applets, root
# alone in passwd and group (carrel must add the user itself).
build_busybox_image() {
	local applet d
	for d in bin etc root home tmp proc dev sys run var/log; do
		mkdir -p "$1/$d" || return 1
	done
	cp /bin/busybox "$1/bin/busybox" || return 1
	for applet in $(busybox --list); do
		[ "$applet" = busybox ] || ln -s busybox "$1/bin/$applet"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$1/etc/passwd"
	echo "root:x:0:" >"$1/etc/group"
}

# The image "tiny": busybox, and a marker file only this image has.
build_tiny_image() {
	IMAGE_MARKER=carrel-test-image-$(random_hex 8)
	build_busybox_image "$IMAGE" || return 1
	echo "$IMAGE_MARKER" >"$IMAGE/etc/carrel-image-marker"
	# carrel refuses an image that is not root's or that others may write.
	chown -R root:root "$T/images" && chmod -R go-w "$T/images"
}

# Only our fixed names: a leftover from a run that was killed before its cleanup.
remove_test_user() {
	id "$1" >/dev/null 2>&1 || return 0
	userdel -r "$1" >/dev/null 2>&1 || userdel -r -f "$1"
}

create_test_users() {
	local spec user shell home
	ssh-keygen -q -t ed25519 -N '' -C carrel-test -f "$SSH_KEY" || return 1
	for spec in $TEST_USERS; do
		user=${spec%%:*} shell=${spec#*:}
		remove_test_user "$user"
		# -p '*': no usable password, but not a locked account either.
		useradd -m -p '*' -s "$shell" "$user" || return 1
		home=$(getent passwd "$user" | cut -d: -f6)
		install -d -m 0700 -o "$user" -g "$user" "$home/.ssh" &&
			install -m 0600 -o "$user" -g "$user" "$SSH_KEY.pub" \
				"$home/.ssh/authorized_keys" || return 1
	done
}

random_hex() {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

port_is_free() {
	[ -z "$(ss -Hltn "sport = :$1")" ]
}

write_sshd_config() {
	cat >"$T/sshd_config" <<-EOF
		# sshd of the carrel integration tests (PAM service carrel-test-sshd)
		ListenAddress 127.0.0.1
		Port $PORT
		HostKey $T/ssh_host_ed25519_key
		PidFile $T/sshd.pid
		UsePAM yes
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		AuthorizedKeysFile .ssh/authorized_keys
		PermitRootLogin no
		AllowUsers carrel-test-*
		UseDNS no
		PrintMotd no
		X11Forwarding no
		LogLevel VERBOSE
		Subsystem sftp /usr/lib/openssh/sftp-server
	EOF
}

# sshd through a symlink named carrel-test-sshd: OpenSSH 9.2 names its PAM service after
# the program, so it uses our stack and never the machine's /etc/pam.d/sshd.
start_sshd() {
	ssh-keygen -q -t ed25519 -N '' -f "$T/ssh_host_ed25519_key" || return 1
	ln -s /usr/sbin/sshd "$T/carrel-test-sshd"
	if [ ! -d /run/sshd ]; then
		mkdir -m 0755 /run/sshd && MADE_RUN_SSHD=1
	fi
	for _ in 1 2 3 4 5; do
		PORT=$((20000 + RANDOM % 40000))
		port_is_free "$PORT" || continue
		write_sshd_config
		"$T/carrel-test-sshd" -t -f "$T/sshd_config" || return 1
		"$T/carrel-test-sshd" -D -f "$T/sshd_config" -E "$SSHD_LOG" &
		SSHD_PID=$!
		# Listening, or gone (the port was taken after all): try another one.
		wait_until 20 sshd_listening_or_gone
		grep -q "Server listening on 127.0.0.1 port $PORT" "$SSHD_LOG" && return 0
		stop_sshd
	done
	echo "sshd did not start; its log:" >&2
	cat "$SSHD_LOG" >&2
	return 1
}

sshd_listening_or_gone() {
	grep -q "Server listening on 127.0.0.1 port $PORT" "$SSHD_LOG" 2>/dev/null ||
		! kill -0 "$SSHD_PID" 2>/dev/null
}

harness_setup() {
	if [ ! -f "$MODULE" ] || [ ! -x "$LAUNCHER" ]; then
		echo "missing $MODULE or $LAUNCHER: run 'make build/pam_carrel.so build/carrel-launch'"
		return 1
	fi
	make_private_dev || { echo "cannot make a private /dev"; return 1; }
	start_syslogd || { echo "syslogd did not create /dev/log"; return 1; }
	bind_private_login_records || { echo "cannot bind private login records"; return 1; }
	install_test_pam_stacks || { echo "cannot install the test PAM stacks"; return 1; }
	build_tiny_image || { echo "cannot build the tiny image"; return 1; }
	write_carrel_config || { echo "cannot write $CONF"; return 1; }
	create_test_users || { echo "cannot create the test users"; return 1; }
	start_sshd || { echo "cannot start sshd"; return 1; }
	bind_private_store || { echo "cannot bind a private store over /var/lib/carrel"; return 1; }
	share_mounts_like_a_systemd_host || { echo "cannot make the mounts shared"; return 1; }
	HOST_MNT_NS=$(readlink /proc/self/ns/mnt)
	HOST_PID_NS=$(readlink /proc/self/ns/pid)
	HOST_UTS_NS=$(readlink /proc/self/ns/uts)
	HOST_IPC_NS=$(readlink /proc/self/ns/ipc)
	HOST_CGROUP_NS=$(readlink /proc/self/ns/cgroup)
	suite_setup || { echo "the setup of the $SUITE_NAME suite failed"; return 1; }
}

# carrel's store (disk layers, persistent roots, volumes): an empty directory of ours bound
# over /var/lib/carrel, so whatever the cases make there stays out of the machine's store and
# goes with the namespace. $PRIVATE_STORE is the same directory seen from outside.
PRIVATE_STORE=$T/var-lib-carrel
bind_private_store() {
	if [ ! -d /var/lib/carrel ]; then
		mkdir -m 0700 /var/lib/carrel && MADE_STORE_MOUNT_POINT=1 || return 1
	fi
	mkdir -m 0700 "$PRIVATE_STORE" && mount --bind "$PRIVATE_STORE" /var/lib/carrel
}

# systemd makes every mount shared; this VM leaves them private. Sessions must make their
# mount tree private before mounting anything, or their mounts show up on the host: with
# shared mounts here (new peer groups, cut off from the host's by the private unshare), a
# leak becomes visible in this namespace's mountinfo instead of going unnoticed.
share_mounts_like_a_systemd_host() {
	mount --make-rshared /
}

# ---- teardown ------------------------------------------------------------------------------

stop_sshd() {
	[ -n "$SSHD_PID" ] || return 0
	kill "$SSHD_PID" 2>/dev/null
	wait "$SSHD_PID" 2>/dev/null
	SSHD_PID=""
}

# Sessions made from our config that are still running: end them through their init (a
# process this run started, checked by name), then wait for their cleanup.
end_leftover_sessions() {
	local id pid
	wait_until 20 no_sessions_left && return 0
	for id in $(our_sessions); do
		pid=$(record_value "$id" init_pid)
		echo "# teardown: session $id still running, sending SIGTERM to its init $pid" >&2
		is_carrel_init "$pid" && kill -TERM "$pid"
	done
	wait_until 20 no_sessions_left ||
		echo "# teardown: sessions left running: $(our_sessions)" >&2
}

harness_teardown() {
	local spec
	suite_teardown
	stop_sshd
	end_leftover_sessions
	if mountpoint -q /var/lib/carrel && [ /var/lib/carrel -ef "$PRIVATE_STORE" ]; then
		umount /var/lib/carrel
	fi
	[ -z "$MADE_STORE_MOUNT_POINT" ] || rmdir /var/lib/carrel
	for spec in $TEST_USERS; do
		remove_test_user "${spec%%:*}" ||
			echo "# teardown: cannot remove user ${spec%%:*}" >&2
	done
	[ -z "$MADE_RUN_SSHD" ] || rmdir /run/sshd
	if [ -n "$SYSLOGD_PID" ]; then
		kill "$SYSLOGD_PID" 2>/dev/null
		wait "$SYSLOGD_PID" 2>/dev/null
	fi
	# The mounts go away with this mount namespace; run.sh's outer half removes $T.
}

# ---- logging in ----------------------------------------------------------------------------

SSH_OPTS=(-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o BatchMode=yes -o IdentitiesOnly=yes -o LogLevel=ERROR -o ConnectTimeout=20
	-i "$SSH_KEY")

# ssh_as [ssh options] USER [COMMAND]: log in over loopback. Bounded, never hangs the suite.
ssh_as() {
	local opts=()
	while [ "${1#-}" != "$1" ]; do
		opts+=("$1")
		shift
	done
	local user=$1
	shift
	timeout -k 5 120 ssh "${SSH_OPTS[@]}" -p "$PORT" "${opts[@]}" "$user@127.0.0.1" "$@"
}

sftp_as() {
	local user=$1
	shift
	timeout -k 5 120 sftp "${SSH_OPTS[@]}" -P "$PORT" "$@" "$user@127.0.0.1"
}

# What a login reports about where it runs, as key=value lines (works in busybox too).
# shellcheck disable=SC2016 # expanded by the login's shell
PROBE='echo "mnt=$(readlink /proc/self/ns/mnt)"
echo "pid=$(readlink /proc/self/ns/pid)"
echo "uts=$(readlink /proc/self/ns/uts)"
echo "ipc=$(readlink /proc/self/ns/ipc)"
echo "cgroup=$(readlink /proc/self/ns/cgroup)"
echo "init=$(cat /proc/1/comm)"
echo "hostname=$(hostname)"
echo "session=${CARREL_SESSION-unset}"
echo "shellpid=$$"
echo "user=$(id -un)"
echo "loginuid=$(cat /proc/self/loginuid)"
echo "nprocs=$(ls /proc | grep -c "^[0-9]")"'

# Terminal output as lines of text: no carriage returns or escape sequences.
plain_text() {
	sed -e 's/\r//g' -e 's/\x1b\][^\x07]*\x07//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g'
}

# value_of KEY TEXT: the value of the first KEY=... line.
value_of() {
	printf '%s\n' "$2" | sed -n "s/^$1=//p" | head -n 1 | tr -d '\r'
}

# hold_login NAME USER [PRELUDE]: an ssh login in the background that runs PRELUDE, prints
# its session id and "ready", then waits for release_login NAME (EOF on its stdin). Returns
# once it is ready (0) or has failed (1). Its output is in $T/held/NAME/out.
hold_login() {
	local name=$1 user=$2 prelude=${3:-true} dir=$T/held/$1 fd
	mkdir -p "$dir" && rm -f "$dir/in" && mkfifo "$dir/in" || return 1
	(
		# Not the other held logins' fifos: they would never see EOF while this one runs.
		for fd in "${HELD_FD[@]}"; do
			eval "exec $fd>&-"
		done
		ssh_as "$user" "$prelude; $PROBE; echo ready; read -r _; echo released"
	) <"$dir/in" >"$dir/out" 2>"$dir/err" &
	echo $! >"$dir/pid"
	exec {fd}>"$dir/in"
	HELD_FD[$name]=$fd
	wait_until 60 login_ready_or_gone "$name"
	grep -q '^ready$' "$dir/out"
}

login_ready_or_gone() {
	grep -q '^ready$' "$T/held/$1/out" || ! kill -0 "$(cat "$T/held/$1/pid")" 2>/dev/null
}

held_output() {
	cat "$T/held/$1/out" "$T/held/$1/err" 2>/dev/null
}

# release_login NAME: let the held login finish; returns ssh's exit status.
release_login() {
	local fd=${HELD_FD[$1]:-}
	[ -n "$fd" ] && eval "exec $fd>&-"
	unset "HELD_FD[$1]"
	wait "$(cat "$T/held/$1/pid")"
}

# login_on_console USER LINES DONE: "login -f USER" on a pseudo-terminal that script(1)
# drives. LINES go in only once the shell prompts, so login cannot swallow them while it
# sets the terminal up; then "exit", and the terminal is let go once a line of it matches
# the regex DONE. Prints what the terminal showed, as plain text. Returns 1 (having printed
# the terminal so far) when no shell prompted within 30 s.
login_on_console() {
	local user=$1 lines=$2 done=$3 dir fd pid status=0
	dir=$(mktemp -d "$T/console.XXXXXX") && mkfifo "$dir/in" || return 1
	TERM=dumb timeout -k 5 90 script -qfec "login -f $user" /dev/null \
		<"$dir/in" >"$dir/out" 2>&1 &
	pid=$!
	exec {fd}>"$dir/in"
	if wait_until 30 shell_prompted "$dir/out"; then
		printf '%s\n' "$lines" 'exit' >&$fd
		wait_until 30 grep -Eq -- "$done" "$dir/out"
	else
		status=1
	fi
	exec {fd}>&-
	wait "$pid"
	plain_text <"$dir/out"
	return "$status"
}

# The last thing on the terminal is a prompt ("...$ " or "...# ").
shell_prompted() {
	[ "$(tail -c 2 "$1" 2>/dev/null)" = '$ ' ] || [ "$(tail -c 2 "$1" 2>/dev/null)" = '# ' ]
}

# ---- the admin tool and configs of a case's own --------------------------------------------

# The admin tool, bounded: a hanging join must fail its case, not hang the suite.
carrel() {
	timeout -k 5 60 "$ADMIN" "$@"
}

# case_config NAME TEXT: a root-owned config for this case; prints its path.
case_config() {
	local path=$T/case-$1.conf
	printf '%s\n' "$2" >"$path"
	chmod 0644 "$path"
	echo "$path"
}

# run_in CONFIG USER COMMAND...: a "carrel run" session; output and status as the command's.
run_in() {
	local config=$1 user=$2
	shift 2
	timeout -k 5 60 "$ADMIN" run --launcher "$LAUNCHER" -c "$config" --user "$user" -- "$@"
}

# The record files of the running sessions made from CONFIG.
sessions_of_config() {
	grep -lxF "config=$1" "$SESSIONS"/*/session 2>/dev/null
	return 0
}

# ---- a case's own login settings, and its cleanup ------------------------------------------

# on_case_exit COMMAND: eval COMMAND when the case ends (its subshell exits), the last one
# registered first. A case that sets its own EXIT trap replaces these.
CASE_EXIT_ACTIONS=()
on_case_exit() {
	CASE_EXIT_ACTIONS=("$1" "${CASE_EXIT_ACTIONS[@]}")
	trap run_case_exit_actions EXIT
}

run_case_exit_actions() {
	local action
	for action in "${CASE_EXIT_ACTIONS[@]}"; do
		eval "$action"
	done
}

# with_login_policy "USER..." SETTINGS: until the case ends, logins of the USERs match a
# policy with SETTINGS (libconfig, e.g. 'session = "user"; linger = "5s";') ahead of every
# other one in the suite's config, which sshd's logins use. Several calls stack up, the
# last first; the suite's config comes back when the case ends.
with_login_policy() {
	local user list="" settings line out
	for user in $1; do
		list="$list${list:+, }\"$user\""
	done
	settings=$(printf '%s' "$2" | tr '\n\t' '  ' | tr -s ' ')
	if [ ! -f "$CONF.case" ]; then
		cp -p "$CONF" "$CONF.case" || return 1
		on_case_exit 'cat "$CONF.case" >"$CONF" && rm -f "$CONF.case"'
	fi
	out=$(while IFS= read -r line; do
		printf '%s\n' "$line"
		[ "$line" != "policies = (" ] || printf '  { users = [ %s ]; %s },\n' "$list" "$settings"
	done <"$CONF")
	printf '%s\n' "$out" >"$CONF" || return 1
	out=$("$ADMIN" check-config -c "$CONF" 2>&1)
	[ "$out" = ok ] && return 0
	fail_with_text "check-config of the suite's config with the case's policy for $1:" "$out"
}

# ---- sessions on the host ------------------------------------------------------------------

# record_value ID KEY: a value from the session's record (every line for repeated keys).
record_value() {
	sed -n "s/^$2=//p" "$SESSIONS/$1/session" 2>/dev/null
}

# The ids of running sessions made from our config.
our_sessions() {
	local f
	for f in "$SESSIONS"/*/session; do
		[ -f "$f" ] && grep -qxF "config=$CONF" "$f" && basename "$(dirname "$f")"
	done
	return 0
}

no_sessions_left() {
	[ -z "$(our_sessions)" ]
}

# A live carrel-init: a zombie is over (on this VM PID 1 reaps orphans only now and then).
is_carrel_init() {
	[ -n "$1" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = carrel-init ] &&
		[ "$(process_state "$1")" != Z ]
}

# The state letter of a process (R, S, Z, ...), empty when it does not exist.
process_state() {
	sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null
}

# session_is_over ID INIT_PID: its record is gone and so is its init.
session_is_over() {
	[ ! -e "$SESSIONS/$1" ] && ! is_carrel_init "$2"
}

# Init gets SIGTERM at logout and removes its state once the session's processes are gone.
wait_for_session_end() {
	wait_until 25 session_is_over "$1" "$2"
}

home_of() {
	getent passwd "$1" | cut -d: -f6
}

processes_of() {
	ps -o pid=,args= -u "$1" 2>/dev/null
}

# For wait_until: the test is run anew on each try (a "$(...)" argument would not be).
user_has_no_processes() {
	[ -z "$(processes_of "$1")" ]
}

# ---- syslog --------------------------------------------------------------------------------

syslog_mark() {
	stat -c %s "$SYSLOG"
}

# syslog_since MARK: the lines logged after syslog_mark gave MARK.
syslog_since() {
	tail -c +"$(($1 + 1))" "$SYSLOG"
}

syslog_has_since() {
	syslog_since "$1" | grep -Eq -- "$2"
}

# wait_for_syslog MARK REGEX: syslog is asynchronous, give it a moment.
wait_for_syslog() {
	wait_until 10 syslog_has_since "$1" "$2"
}

# More evidence for a failed case: what carrel, PAM and sshd logged meanwhile.
case_failure_hook() {
	local lines
	[ -n "${CASE_SYSLOG_MARK:-}" ] || return 0
	lines=$(syslog_since "$CASE_SYSLOG_MARK" | grep -E 'pam_|carrel|sshd' | tail -n 25)
	[ -n "$lines" ] || return 0
	echo "syslog during the case (pam/carrel/sshd lines):"
	printf '%s\n' "$lines" | sed 's/^/  /'
}

case_start_hook() {
	CASE_SYSLOG_MARK=$(syslog_mark)
}

# Every case should leave no session behind; the ones that test it fail on their own, the
# others get a warning here so that the next case starts clean.
case_end_hook() {
	wait_until 25 no_sessions_left ||
		echo "warning: sessions still running after $1: $(our_sessions | tr '\n' ' ')"
}
