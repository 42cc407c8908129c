#!/bin/sh
# Install the Debian packages carrel needs, when some are missing.
#   scripts/install-deps.sh build              what "make" needs
#   scripts/install-deps.sh build test         plus what "make demo" needs
#   scripts/install-deps.sh build test suite   plus what only "make check" needs
#   scripts/install-deps.sh bench              what "make bench" compares carrel with
#   scripts/install-deps.sh build lint         what "make lint" runs (with the headers it parses)
set -eu

build_pkgs="gcc make pkg-config libc6-dev libpam0g-dev libcap-dev libconfig-dev libjson-c-dev
	libseccomp-dev libarchive-dev libssl-dev"
test_pkgs="libcmocka-dev openssh-server openssh-client busybox-static util-linux login bsdutils
	procps iproute2 passwd jq attr skopeo mandoc dpkg-dev debhelper lintian fakeroot valgrind"
# Only for "make check", not "make demo": on a systemd host autofs's package starts its
# automounter (Debian's default master map has no mount point in it).
suite_pkgs="autofs"
bench_pkgs="gcc libc6-dev libpam0g-dev busybox-static util-linux login procps jq bubblewrap crun
	podman"
lint_pkgs="clang-format clang-tidy cppcheck mandoc libcmocka-dev"

want=""
for set in "$@"; do
	case "$set" in
	build) want="$want $build_pkgs" ;;
	test) want="$want $test_pkgs" ;;
	suite) want="$want $suite_pkgs" ;;
	bench) want="$want $bench_pkgs" ;;
	lint) want="$want $lint_pkgs" ;;
	*) echo "install-deps: unknown package set '$set' (build, test, suite, bench, lint)" >&2; exit 2 ;;
	esac
done

missing=""
for pkg in $want; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing Debian packages:$missing" >&2
	echo "install-deps: run this as root, or: apt-get install$missing" >&2
	exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Only refresh the package lists when an install from the current ones fails.
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends $missing >/dev/null
}
