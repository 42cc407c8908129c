#!/bin/bash
# tests/load/run.sh: carrel under load (issue 4). Root only; prints TAP, how long each case
# and the whole run took, and exits non-zero when a case fails.
#
#   - 200 logins over the real sshd from 20 users (carrel-test-l01..l20, made and removed
#     here), in batches of 10 at once, with session = "login" and again with "user": every
#     login succeeds, "carrel ps" counts what runs at every check, nothing is left after.
#   - A soak: 1,000 session create/teardown cycles through the PAM stack
#     (bench/pam_session.c, built into the test directory), with no growth in the open fds
#     of a long-lived session's init, the mounts, the cgroups, kernel memory, /run/carrel
#     or the store.
#
#   make check-load                            (builds carrel first)
#   tests/load/run.sh                          every case
#   CARREL_TEST_ONLY='soak*' tests/load/run.sh         cases whose function name matches
#   CARREL_LOAD_LOGINS=40 CARREL_LOAD_CYCLES=200 tests/load/run.sh   a shorter run
#   CARREL_TEST_KEEP=1, CARREL_TEST_PAM_DEBUG=1   as for tests/integration/run.sh
#
# It runs in the integration suite's world (tests/integration/harness.sh: private mount
# namespace, private /var/lib/carrel, test users, PAM stacks, sshd on loopback), plus what
# harness.sh here adds.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$REPO/tests/lib.sh"
# shellcheck source=tests/integration/suite.sh
. "$REPO/tests/integration/suite.sh"

SUITE_NAME=load
SUITE_SCRIPT=$HERE/run.sh
SUITE_CASES=$HERE/cases
SUITE_HARNESS=$HERE/harness.sh
suite_main "$@"
