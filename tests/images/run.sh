#!/bin/bash
# tests/images/run.sh: carrel's image suite: "carrel image import" of every form of the fixture
# image (OCI layout, zstd and uncompressed layers, docker-archive, oci-archive) checked against
# what umoci made of it, each hostile fixture against its expected outcome
# (../shared/fixtures/images/evil/EXPECTED.tsv), the image commands, and logins on an imported
# image. Root only; prints TAP and exits non-zero when a case fails.
#
#   make check-images                       builds, then runs this
#   CARREL_TEST_ONLY='evil_*' tests/images/run.sh   cases whose function name matches
#   CARREL_TEST_KEEP=1, CARREL_TEST_PAM_DEBUG=1      as for tests/integration/run.sh
#
# It runs in the integration suite's world (tests/integration/harness.sh: private mount
# namespace, test users, PAM stacks, sshd on loopback), plus what harness.sh here adds: a
# private image store bound over /var/lib/carrel, and a user who logs in on an imported image.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$REPO/tests/lib.sh"
# shellcheck source=tests/integration/suite.sh
. "$REPO/tests/integration/suite.sh"

SUITE_NAME=images
SUITE_SCRIPT=$HERE/run.sh
SUITE_CASES=$HERE/cases
SUITE_HARNESS=$HERE/harness.sh
suite_main "$@"
