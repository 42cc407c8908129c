#!/bin/sh
# packaging/build-rpm.sh: build the RPM package of the working tree with rpmbuild.
#
#   packaging/build-rpm.sh [OUTDIR]     default OUTDIR: build/
#
# Makes build/rpm/SOURCES/carrel-VERSION.tar.gz from the working tree as it is (without
# build/ and .git/), then runs "rpmbuild -bb" on packaging/rpm/carrel.spec with
# _topdir build/rpm, and copies the .rpm files to OUTDIR (build/rpm is removed afterwards). On Debian (the "rpm" package) the
# build dependencies are Debian packages that rpm's database does not know, so it passes
# --nodeps there; elsewhere set CARREL_RPMBUILD_NODEPS=0 to have them checked.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$REPO/build}
cd "$REPO"

version=$(sed -n 's/^VERSION *:= *//p' Makefile)
spec_version=$(sed -n 's/^Version: *//p' packaging/rpm/carrel.spec)
if [ "$version" != "$spec_version" ]; then
	echo "build-rpm: Makefile says version $version, packaging/rpm/carrel.spec $spec_version" >&2
	exit 1
fi

top=$REPO/build/rpm
rm -rf "$top"
mkdir -p "$top/SOURCES" "$OUT"
tar -C "$REPO" --exclude=./build --exclude=./.git --transform "s|^\./|carrel-$version/|" \
	-czf "$top/SOURCES/carrel-$version.tar.gz" .

nodeps=""
if [ "${CARREL_RPMBUILD_NODEPS:-}" != 0 ] && [ -f /etc/debian_version ]; then
	nodeps=--nodeps
fi
rpmbuild -bb $nodeps --define "_topdir $top" packaging/rpm/carrel.spec

find "$top/RPMS" -name '*.rpm' | while read -r f; do
	cp -f "$f" "$OUT/"
	echo "build-rpm: $OUT/${f##*/}"
done
rm -rf "$top"
