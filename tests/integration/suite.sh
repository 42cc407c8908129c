# tests/integration/suite.sh: runs a suite of root-only test cases in the integration harness
# (harness.sh). Sourced by a suite's run.sh, after tests/lib.sh; defines functions only.
#
# The run.sh sets these, then calls suite_main "$@":
#   SUITE_NAME     what its output calls it: "integration", "security"
#   SUITE_SCRIPT   the run.sh itself: the inner half runs it again, in a mount namespace
#   SUITE_CASES    its directory of cases: every cases/*.sh there, in name order
#   SUITE_HARNESS  optional: a file sourced after harness.sh and before the cases, that adds
#                  to the harness (users, images, policies, suite_setup/suite_teardown)
#
# It runs in two halves. The outer one takes a lock (the test users and sshd's privilege
# separation directory are machine-wide, so every suite takes the same lock), makes the test
# directory and removes it at the end. The inner one runs in a mount namespace of its own,
# so that every bind it makes (/dev, /etc/pam.d, the login records) is invisible to the rest
# of the machine and vanishes with it; see harness.sh.
# shellcheck shell=bash

suite_run_outer_half() {
	local lock=/run/lock/carrel-test-integration.lock status interrupted=""
	exec 9>"$lock"
	if ! flock -w 900 9; then
		echo "Bail out! another carrel test run still holds $lock"
		exit 1
	fi
	T=$(mktemp -d /tmp/carrel-test.XXXXXX) || exit 1
	# Let the inner half clean up after ^C before we remove its directory.
	trap 'interrupted=1' INT TERM HUP
	CARREL_TEST_DIR=$T unshare --mount --propagation private bash "$SUITE_SCRIPT" "$@" 9>&-
	status=$?
	if [ -n "${CARREL_TEST_KEEP:-}" ]; then
		echo "# kept $T" >&2
	else
		# No mount of the inner half is visible out here: this removes plain files only.
		rm -rf --one-file-system "$T"
	fi
	[ -z "$interrupted" ] || status=130
	exit "$status"
}

suite_run_inner_half() {
	local f
	T=$CARREL_TEST_DIR
	export TMPDIR=$T/tmp
	CASE_LOG_DIR=$T/cases
	mkdir -p "$TMPDIR" "$CASE_LOG_DIR"
	# shellcheck source=tests/integration/harness.sh
	. "$REPO/tests/integration/harness.sh"
	if [ -n "${SUITE_HARNESS:-}" ]; then
		# shellcheck disable=SC1090
		. "$SUITE_HARNESS"
	fi
	CASES=()
	for f in "$SUITE_CASES"/*.sh; do
		# shellcheck disable=SC1090
		. "$f"
	done
	trap harness_teardown EXIT
	trap 'exit 130' INT TERM HUP
	echo "# carrel $SUITE_NAME tests in $T"
	if ! harness_setup; then
		echo "Bail out! the test harness could not be set up"
		exit 1
	fi
	echo "# sshd (PAM service carrel-test-sshd) on 127.0.0.1:$PORT"
	run_cases "${CARREL_TEST_ONLY:-}" "${CASES[@]}"
	tap_summary "$SUITE_NAME tests"
}

suite_main() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP $SUITE_NAME tests: need root"
		exit 0
	fi
	if [ -z "${CARREL_TEST_DIR:-}" ]; then
		suite_run_outer_half "$@"
	else
		suite_run_inner_half "$@"
	fi
}
