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
# The cases are cases/*.sh; the world they run in is harness.sh, and suite.sh runs them (in
# a private mount namespace, under a lock). The escape suite, tests/security/run.sh, runs
# its own cases the same way.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$REPO/tests/lib.sh"
# shellcheck source=tests/integration/suite.sh
. "$HERE/suite.sh"

SUITE_NAME=integration
SUITE_SCRIPT=$HERE/run.sh
SUITE_CASES=$HERE/cases
SUITE_HARNESS=""
suite_main "$@"
