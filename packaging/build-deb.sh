#!/bin/sh
# packaging/build-deb.sh: build the Debian package of the working tree ("make deb").
#
#   packaging/build-deb.sh [OUTDIR]     default OUTDIR: build/
#
# dpkg-buildpackage wants debian/ at the top of the source tree, and writes its results next
# to it. So the working tree as it is (edited or not: what "make" would build), without
# build/ and .git/, is copied to build/deb/carrel-VERSION/, with packaging/debian as its
# debian/, and built there with "dpkg-buildpackage -us -uc -b" (binary only, unsigned). The
# .deb files, .buildinfo and .changes are then moved to OUTDIR. Needs dpkg-dev, debhelper
# and the build dependencies in packaging/debian/control.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$REPO/build}
cd "$REPO"

version=$(sed -n 's/^VERSION *:= *//p' Makefile)
deb_version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
if [ "$version" != "$deb_version" ]; then
	echo "build-deb: Makefile says version $version, packaging/debian/changelog $deb_version:" \
		"add a changelog entry (dch -v $version)" >&2
	exit 1
fi

work=$REPO/build/deb
src=$work/carrel-$version
rm -rf "$work"
mkdir -p "$src" "$OUT"
# Every file of the working tree but build/ and .git/, committed or not.
tar -C "$REPO" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
rm -rf "$src/debian"
cp -a packaging/debian "$src/debian"

(cd "$src" && dpkg-buildpackage -us -uc -b)

for f in "$work"/*.deb "$work"/*.ddeb "$work"/*.buildinfo "$work"/*.changes; do
	[ -e "$f" ] || continue
	mv -f "$f" "$OUT/"
	echo "build-deb: $OUT/${f##*/}"
done
rm -rf "$work"
