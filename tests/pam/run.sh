#!/bin/bash
# PAM-level tests of pam_carrel.so: the real Linux-PAM stack through tests/pam/pam_harness,
# with service files written here (pam_start_confdir), never /etc/pam.d.
# The symbol and dlopen checks run as any user; the session cases need root (the launcher
# builds namespaces and the config must be root-owned) and are skipped otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${CARREL_BUILD:-$repo/build}
harness=$build/tests/pam/pam_harness
module=$build/pam_carrel.so
launcher=$build/carrel-launch
user=carrel-test-pam
session_err="Cannot make/remove an entry for the specified session"

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; shift; printf '    %s\n' "$@"; }
check() { # check NAME CONDITION-COMMAND... ; evidence in $evidence
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "${evidence:-}"; fi
}

exported_symbols_are_exactly_the_session_entry_points() {
	evidence=$(nm -D --defined-only "$module" | awk '{print $3}' | sort | tr '\n' ' ')
	[ "$evidence" = "pam_sm_close_session pam_sm_open_session " ]
}

module_loads_with_every_symbol_resolved() {
	evidence=$("$harness" --dlopen "$module")
	[ "$evidence" = "dlopen: ok" ]
}

check "exported symbols are exactly the two session entry points" \
	exported_symbols_are_exactly_the_session_entry_points
check "the module loads with dlopen(RTLD_NOW)" module_loads_with_every_symbol_resolved

if [ "$(id -u)" != 0 ]; then
	echo "SKIP PAM session tests: need root"
	echo "PAM tests: $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
fi

T=$(mktemp -d /tmp/carrel-test-pam.XXXXXX)
created_user=no
cleanup() {
	[ "$created_user" = yes ] && userdel -r "$user" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

id "$user" >/dev/null 2>&1 || { useradd -m -s /bin/sh "$user" && created_user=yes; }
chmod 0755 "$T"
mkdir "$T/pam.d"
cat >"$T/carrel.conf" <<CONF
policies = ( { users = [ "$user" ]; } );
CONF
printf 'policies = ( { users = [ "x" ]; imgae = "host"; } );\n' >"$T/broken.conf"
chmod 0644 "$T"/*.conf

args="config=$T/carrel.conf launcher=$launcher"
service() { # service NAME LINES...
	local name=$1
	shift
	printf '%s\n' "$@" >"$T/pam.d/$name"
}
service plain "session required $module $args" "session optional pam_permit.so"
service split "session required $module closeonly $args" \
	"session optional pam_permit.so" \
	"session required $module openonly $args"
service closeonly "session required $module closeonly $args" "session optional pam_permit.so"
service badarg "session required $module confg=$T/carrel.conf" "session optional pam_permit.so"
service badconf "session required $module config=$T/broken.conf launcher=$launcher" \
	"session optional pam_permit.so"
service nolauncher "session required $module config=$T/carrel.conf launcher=$T/missing" \
	"session optional pam_permit.so"

host_mnt=$(readlink /proc/self/ns/mnt)
run() { "$build/tests/pam/pam_harness" "$T/pam.d" "$@" 2>&1; }

session_is_gone() { # wait (bounded) for the session's record to disappear after close
	local id=$1
	for _ in $(seq 200); do
		[ -e "/run/carrel/sessions/$id" ] || return 0
		sleep 0.1
	done
	return 1
}

matched_user_gets_a_session_and_it_ends_at_close() {
	local out id
	out=$(run plain "$user" 127.0.0.1 -- /bin/sh -c 'readlink /proc/self/ns/mnt; hostname')
	evidence=$out
	id=$(sed -n 's/^CARREL_SESSION=//p' <<<"$out")
	grep -qx "open: Success" <<<"$out" && grep -qx "close: Success" <<<"$out" &&
		[[ $id =~ ^[0-9a-f]{12}$ ]] && ! grep -qxF "$host_mnt" <<<"$out" &&
		grep -qx "$user-carrel" <<<"$out" && session_is_gone "$id"
}

unmatched_user_is_left_alone() {
	local out
	out=$(run plain root -- /bin/sh -c 'readlink /proc/self/ns/mnt')
	evidence=$out
	grep -qx "open: Success" <<<"$out" && grep -qx "CARREL_SESSION=" <<<"$out" &&
		grep -qxF "$host_mnt" <<<"$out"
}

split_stack_opens_with_openonly_and_closes_with_closeonly() {
	local out id
	out=$(run split "$user" -- /bin/sh -c 'readlink /proc/self/ns/mnt')
	evidence=$out
	id=$(sed -n 's/^CARREL_SESSION=//p' <<<"$out")
	grep -qx "open: Success" <<<"$out" && grep -qx "close: Success" <<<"$out" &&
		[[ $id =~ ^[0-9a-f]{12}$ ]] && ! grep -qxF "$host_mnt" <<<"$out" &&
		session_is_gone "$id"
}

closeonly_line_never_opens_a_session() {
	local out
	out=$(run closeonly "$user" -- /bin/sh -c 'readlink /proc/self/ns/mnt')
	evidence=$out
	grep -qx "open: Success" <<<"$out" && grep -qx "CARREL_SESSION=" <<<"$out" &&
		grep -qxF "$host_mnt" <<<"$out"
}

refused_with() { # refused_with SERVICE: the stack fails with PAM_SESSION_ERR, no session
	local out
	out=$(run "$1" "$user" -- /bin/sh -c 'readlink /proc/self/ns/mnt')
	evidence=$out
	grep -qx "open: $session_err" <<<"$out" && grep -qx "CARREL_SESSION=" <<<"$out" &&
		! grep -q "^command:" <<<"$out"
}

check "a matched user gets a session, and it ends at close" \
	matched_user_gets_a_session_and_it_ends_at_close
check "an unmatched user is left alone" unmatched_user_is_left_alone
check "closeonly first and openonly last: opens and closes" \
	split_stack_opens_with_openonly_and_closes_with_closeonly
check "a closeonly line never opens a session" closeonly_line_never_opens_a_session
check "a mistyped module argument refuses the session" refused_with badarg
check "a broken config refuses the session" refused_with badconf
check "a missing launcher refuses the session" refused_with nolauncher

echo "PAM tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
