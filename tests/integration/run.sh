#!/bin/bash
# tests/integration/run.sh: carrel's integration tests: real logins (sshd, sftp, su -l,
# runuser -l, login on a pty) through build/pam_carrel.so and build/carrel-launch, checked
# from the host. Root only; prints TAP and exits non-zero when a case fails.
#
#   tests/integration/run.sh                          every case
#   CARREL_TEST_ONLY='su_* tiny*' tests/integration/run.sh   cases whose function name matches
#   CARREL_TEST_KEEP=1        keep the test directory afterwards: syslog, sshd.log and
#                             cases/<case>.log (each case's own output)
#   CARREL_TEST_PAM_DEBUG=1   add "debug" to the pam_carrel lines of the test stacks
#
# It runs in two halves. The outer one takes a lock (the test users and sshd's privilege
# separation directory are machine-wide), makes the test directory and removes it at the end.
# The inner one runs in a mount namespace of its own, so that every bind it makes (/dev,
# /etc/pam.d, the login records) is invisible to the rest of the machine and vanishes with
# it; see harness.sh.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$REPO/tests/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP integration tests: need root"
	exit 0
fi

run_outer_half() {
	local lock=/run/lock/carrel-test-integration.lock status interrupted=""
	exec 9>"$lock"
	if ! flock -w 900 9; then
		echo "Bail out! another integration run still holds $lock"
		exit 1
	fi
	T=$(mktemp -d /tmp/carrel-test.XXXXXX) || exit 1
	# Let the inner half clean up after ^C before we remove its directory.
	trap 'interrupted=1' INT TERM HUP
	CARREL_TEST_DIR=$T unshare --mount --propagation private bash "$HERE/run.sh" "$@" 9>&-
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

run_inner_half() {
	local f
	T=$CARREL_TEST_DIR
	export TMPDIR=$T/tmp
	CASE_LOG_DIR=$T/cases
	mkdir -p "$TMPDIR" "$CASE_LOG_DIR"
	# shellcheck source=tests/integration/harness.sh
	. "$HERE/harness.sh"
	CASES=()
	for f in "$HERE"/cases/*.sh; do
		# shellcheck disable=SC1090
		. "$f"
	done
	trap harness_teardown EXIT
	trap 'exit 130' INT TERM HUP
	echo "# carrel integration tests in $T"
	if ! harness_setup; then
		echo "Bail out! the test harness could not be set up"
		exit 1
	fi
	echo "# sshd (PAM service carrel-test-sshd) on 127.0.0.1:$PORT"
	run_cases "${CARREL_TEST_ONLY:-}" "${CASES[@]}"
	tap_summary "integration tests"
}

if [ -z "${CARREL_TEST_DIR:-}" ]; then
	run_outer_half "$@"
else
	run_inner_half "$@"
fi
