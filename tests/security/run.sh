#!/bin/bash
# tests/security/run.sh: carrel's escape suite. A logged-in user (and root inside, through
# "carrel join --root" or a kept capability) tries to reach the host, other users and the
# machine's settings from a real session: one attack per case, each made by
# build/tests/security/probe (probe.c) or by ordinary tools, and each case checks that the
# attack failed and that the host is untouched. docs/security.md says what this defends and
# what it does not. Root only; prints TAP and exits non-zero when a case fails.
#
#   make check-security                        builds the probe, then runs this
#   tests/security/run.sh                      every case (the probe must be built)
#   CARREL_TEST_ONLY='tiocsti_*' tests/security/run.sh   cases whose function name matches
#   CARREL_TEST_KEEP=1, CARREL_TEST_PAM_DEBUG=1          as for tests/integration/run.sh
#
# It runs in the integration suite's world (tests/integration/harness.sh: private mount
# namespace, test users, PAM stacks, sshd on loopback), plus what harness.sh here adds: the
# probe in the test users' homes, an image "evil", more users, and canaries on the host.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$REPO/tests/lib.sh"
# shellcheck source=tests/integration/suite.sh
. "$REPO/tests/integration/suite.sh"

SUITE_NAME=security
SUITE_SCRIPT=$HERE/run.sh
SUITE_CASES=$HERE/cases
SUITE_HARNESS=$HERE/harness.sh
suite_main "$@"
