#!/bin/sh
# Run each cmocka unit-test binary given as an argument; fail if any fails.
set -u
failed=""
for t in "$@"; do
	if ! "$t"; then
		failed="$failed ${t##*/}"
	fi
done
if [ -n "$failed" ]; then
	echo "unit tests FAILED:$failed" >&2
	exit 1
fi
echo "unit tests: all $# binaries passed"
