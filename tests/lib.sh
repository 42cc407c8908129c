# tests/lib.sh: helpers shared by the shell test suites (sourced, defines functions only).
#
#   run_case FUNCTION    runs one test case in a subshell and prints one TAP line for it
#   expect_* / fail      checks inside a case; a failed check records its evidence and lets
#                        the case go on, so one run shows every broken expectation
#   skip_case REASON     ends the case as skipped (a visible SKIP line)
#   wait_until SECS CMD  polls CMD until it succeeds, for at most SECS seconds
#
# A case is a shell function whose name reads as a sentence; its TAP name is that name with
# spaces for underscores. Its own exit status is ignored: only failed checks (or an abort,
# such as an unbound variable under set -u) make it fail.

TAP_COUNT=0
TAP_FAILED=0
TAP_SKIPPED=0
TAP_FAILED_NAMES=""

# wait_until SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds. Returns 1 if it
# still fails after SECONDS. The bound is a safety net, never a timing assertion.
wait_until() {
	local tries=$(($1 * 10))
	shift
	until "$@"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

# Inside a case: record a failure. Every argument is one line of evidence.
fail() {
	printf '%s\n' "$@" >>"$TEST_EVIDENCE"
	TEST_FAILED=1
	return 1
}

# Indent a block of text (command output) for the evidence.
indent() {
	if [ -z "$1" ]; then
		echo "    (empty)"
	else
		printf '%s\n' "$1" | sed 's/^/    | /'
	fi
}

# fail_with_text MESSAGE TEXT: a failure with a block of output as its evidence. A block
# just shown is not repeated: several checks often look at the same output.
FAILED_TEXT_LAST=""
fail_with_text() {
	if [ -n "$2" ] && [ "$2" = "$FAILED_TEXT_LAST" ]; then
		fail "$1" "    (the same text as above)"
	else
		fail "$1" "$(indent "$2")"
	fi
	FAILED_TEXT_LAST=$2
	return 1
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
	[ "$2" = "$3" ] && return 0
	fail "$1: expected '$3', got '$2'"
}

# expect_ne WHAT ACTUAL UNWANTED
expect_ne() {
	[ "$2" != "$3" ] && return 0
	fail "$1: expected anything but '$3'"
}

# expect_match WHAT TEXT REGEX: some line of TEXT matches the extended REGEX.
expect_match() {
	printf '%s\n' "$2" | grep -Eq -- "$3" && return 0
	fail_with_text "$1: no line matches /$3/ in:" "$2"
}

# expect_no_match WHAT TEXT REGEX: no line of TEXT matches.
expect_no_match() {
	printf '%s\n' "$2" | grep -Eq -- "$3" || return 0
	fail_with_text "$1: unexpected line(s) matching /$3/:" "$(printf '%s\n' "$2" | grep -E -- "$3")"
}

# expect WHAT COMMAND...: COMMAND succeeds.
expect() {
	local what=$1
	shift
	"$@" && return 0
	fail "$what (failed: $*)"
}

# expect_not WHAT COMMAND...: COMMAND fails.
expect_not() {
	local what=$1
	shift
	"$@" || return 0
	fail "$what (unexpectedly succeeded: $*)"
}

skip_case() {
	printf '%s\n' "$*" >"$TEST_SKIP_REASON"
	exit 77
}

# Hooks a suite may redefine: before each case; after a failed one (prints more evidence,
# given the case's log file); after each case (prints TAP comments, e.g. about leftovers).
case_start_hook() { :; }
case_failure_hook() { :; }
case_end_hook() { :; }

# run_case FUNCTION: run it in a subshell with its output in a log; print the TAP line.
run_case() {
	local fn=$1 name=${1//_/ } status dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/case.XXXXXX")
	TAP_COUNT=$((TAP_COUNT + 1))
	case_start_hook "$fn"
	(
		TEST_EVIDENCE=$dir/evidence
		TEST_SKIP_REASON=$dir/skip
		TEST_FAILED=0
		: >"$TEST_EVIDENCE"
		"$fn"
		exit $((TEST_FAILED ? 1 : 0))
	) >"$dir/log" 2>&1 </dev/null
	status=$?
	case $status in
	0)
		echo "ok $TAP_COUNT - $name"
		;;
	77)
		TAP_SKIPPED=$((TAP_SKIPPED + 1))
		echo "ok $TAP_COUNT - $name # SKIP $(cat "$dir/skip")"
		echo "SKIP $name: $(cat "$dir/skip")" >&2
		;;
	*)
		TAP_FAILED=$((TAP_FAILED + 1))
		TAP_FAILED_NAMES="$TAP_FAILED_NAMES $fn"
		echo "not ok $TAP_COUNT - $name"
		if [ -s "$dir/evidence" ]; then
			sed 's/^/# /' "$dir/evidence"
		else
			echo "# the case aborted (exit status $status) before a check failed"
		fi
		if [ -s "$dir/log" ]; then
			echo "# last lines of the case's own output:"
			tail -n 15 "$dir/log" | sed 's/^/#   /'
		fi
		case_failure_hook "$dir/log" | sed 's/^/# /'
		;;
	esac
	case_end_hook "$fn" | sed 's/^/# /'
	# Keep the case's own output where the suite asks for it (e.g. to debug a passing case).
	[ -z "${CASE_LOG_DIR:-}" ] || cp "$dir/log" "$CASE_LOG_DIR/$fn.log"
	rm -rf "$dir"
}

# run_cases FUNCTION...: each in turn, or only those matching a glob in $1 (space separated,
# empty = all). Prints the TAP plan last.
run_cases() {
	local only=$1 fn pattern patterns=()
	shift
	# The patterns are globs on case names, not on file names: "read" splits them without
	# expanding them. (The cases themselves run with pathname expansion on.)
	read -r -a patterns <<<"$only"
	for fn in "$@"; do
		if [ "${#patterns[@]}" -gt 0 ]; then
			for pattern in "${patterns[@]}"; do
				# shellcheck disable=SC2053 # a glob on purpose
				[[ $fn == $pattern ]] && break
				pattern=""
			done
			[ -n "$pattern" ] || continue
		fi
		run_case "$fn"
	done
	echo "1..$TAP_COUNT"
}

# One line for humans after the TAP stream; returns 1 when something failed.
tap_summary() {
	if [ "$TAP_FAILED" -gt 0 ]; then
		echo "# $1: $TAP_FAILED of $TAP_COUNT failed:$TAP_FAILED_NAMES" >&2
		return 1
	fi
	echo "# $1: $TAP_COUNT passed ($TAP_SKIPPED skipped)" >&2
	return 0
}
