# tests/load/harness.sh: what the load suite adds to the integration harness. Sourced by
# tests/integration/suite.sh after tests/integration/harness.sh and before the cases.
#
# - 20 more users, carrel-test-l01..l20 (made and removed with the harness's own), whose
#   settings each case puts in the suite's config with with_login_policy.
# - Timing: each case's TAP comments say how long it took and what it measured (note), and
#   the end of the run how long the whole run took.
#
# shellcheck shell=bash disable=SC2034 # the variables here are read by the cases

LOAD_USERS=()
for i in $(seq -w 1 20); do
	LOAD_USERS+=("carrel-test-l$i")
	TEST_USERS="$TEST_USERS carrel-test-l$i:/bin/bash"
done
unset i
LOAD_LOGINS=${CARREL_LOAD_LOGINS:-200}
LOAD_BATCH=10
SOAK_CYCLES=${CARREL_LOAD_CYCLES:-1000}
LOAD_NOTES=$T/load-notes
LOAD_CASE_START=$SECONDS

# note TEXT: a line for the case's TAP comments (and its log).
note() {
	echo "$*" >>"$LOAD_NOTES"
	echo "$*"
}

case_start_hook() {
	CASE_SYSLOG_MARK=$(syslog_mark)
	LOAD_CASE_START=$SECONDS
	: >"$LOAD_NOTES"
}

case_end_hook() {
	cat "$LOAD_NOTES" 2>/dev/null
	echo "$1 took $((SECONDS - LOAD_CASE_START)) s"
	wait_until 25 no_sessions_left ||
		echo "warning: sessions still running after $1: $(our_sessions | tr '\n' ' ')"
}

# The lock files of session = "user" logins, one per uid in /run/carrel/users: carrel keeps
# them; the test users go at the end of the run, and so do theirs.
suite_teardown() {
	local user
	for user in "${LOAD_USERS[@]}"; do
		rm -f "/run/carrel/users/$(id -u "$user" 2>/dev/null).lock"
	done
	echo "# load tests took $SECONDS s (setup included, waiting for the test lock not)" >&2
}
