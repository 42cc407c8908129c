#!/bin/bash
# tests/docs/run.sh: every --help agrees with its man page, the man pages are clean, and the
# bash completion offers what --help lists. No root needed; prints TAP and exits non-zero
# when a case fails.
#
#   tests/docs/run.sh                 against build/carrel and build/carrel-launch
#   CARREL_DOCS_BIN=DIR tests/docs/run.sh     programs from DIR instead
#
# For "carrel --help", for each command it lists ("carrel COMMAND --help"; for a command
# with commands of its own, such as "image", for each of those), and for
# "carrel-launch --help", the long options the help prints (anywhere in it: usage lines and
# option lines) are compared with the long options the man page documents for the same
# command: in docs/man/carrel.8, the options (Fl \-name) in the command's item of the list of
# commands (".It Cm COMMAND ...", with everything below it up to the next command), and for
# "carrel" itself the option items of that list; in docs/man/carrel-launch.8, the SYNOPSIS
# and every ".It Fl ..." item. An option on one side only fails the case, naming it and the
# side that lacks it. --help counts as documented for every command of carrel when carrel.8
# says "Every command also accepts ... --help". Where both sides give a short form for a long
# option ("-j, --json"), the short forms must agree too. Commands must be on both sides.
#
# The check is proved on doctored copies, every run: a man page with an option item taken
# out, and a --help with an option line taken out, must both fail it.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$REPO/tests/lib.sh"

BIN=${CARREL_DOCS_BIN:-$REPO/build}
MAN=$REPO/docs/man
COMPLETION=$REPO/packaging/bash-completion/carrel
T=$(mktemp -d "${TMPDIR:-/tmp}/carrel-test-docs.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

# ---- reading --help ------------------------------------------------------------------------

# help_of ARGS...: the --help text of "carrel ARGS" (carrel-launch when ARGS is
# "carrel-launch"). It must succeed.
help_of() {
	if [ "${1:-}" = carrel-launch ]; then
		"$BIN/carrel-launch" --help
	else
		"$BIN/carrel" "$@" --help
	fi
}

# The long options a help text mentions, one a line, sorted. --help itself is always one:
# the text is its output.
help_long_options() {
	{ grep -oE -- '--[a-z][a-z0-9-]*' <<<"$1"; echo --help; } | sort -u
}

# "SHORT LONG" for each option line such as "  -j, --json   ...".
help_short_forms() {
	sed -nE 's/^[[:space:]]+-([A-Za-z0-9]), --([a-z][a-z0-9-]*).*/-\1 --\2/p' <<<"$1" | sort -u
}

# The commands a help text lists under "Commands:", one a line.
help_commands() {
	awk '/^Commands:/ { on = 1; next } on && /^[^ ]/ { on = 0 }
	     on && /^  [a-z][a-z0-9-]*  / { print $1 }' <<<"$1"
}

# ---- reading the man pages -----------------------------------------------------------------

# man_items FILE: for carrel.8's list of commands, one line per fact:
#   cmd<TAB>KEY                 an item ".It Cm KEY ...", KEY being its command words
#   long<TAB>KEY<TAB>--name     an option the item (with what is nested in it) names
#   short<TAB>KEY<TAB>-x --name an ".It Fl x , Fl \-name" item below it
# KEY is empty for the option items of the list itself (carrel's own options).
man_items() {
	awk -v OFS='\t' '
	/^\.Sh / { sec = $2 }
	/^\.Bl/ { depth++; next }
	/^\.El/ { if (depth == 1) item = 0; depth--; next }
	sec == "DESCRIPTION" && depth == 1 && /^\.It / {
		item = 0
		if ($2 == "Cm") {
			key = ""
			for (i = 3; i <= NF && $i ~ /^[a-z][a-z0-9-]*$/; i++)
				key = key (key == "" ? "" : " ") $i
			print "cmd", key
			item = 1
		} else if ($2 == "Fl") {
			key = ""
			item = 1
		}
	}
	item { facts($0) }
	function facts(line,   rest, m) {
		rest = line
		while (match(rest, /Fl \\-[a-z][a-z0-9-]*/)) {
			print "long", key, "--" substr(rest, RSTART + 5, RLENGTH - 5)
			rest = substr(rest, RSTART + RLENGTH)
		}
		if (line ~ /^\.It Fl [A-Za-z0-9] , Fl \\-[a-z]/) {
			split(line, m, " ")
			print "short", key, "-" m[3] " --" substr(m[6], 3)
		}
	}' "$1"
}

# man_all_options FILE: for a page of one program (carrel-launch.8), the same facts with an
# empty KEY, from the SYNOPSIS and from every ".It Fl" item.
man_all_options() {
	awk -v OFS='\t' '
	/^\.Sh / { sec = $2 }
	sec == "SYNOPSIS" || /^\.It Fl / {
		rest = $0
		while (match(rest, /Fl \\-[a-z][a-z0-9-]*/)) {
			print "long", "", "--" substr(rest, RSTART + 5, RLENGTH - 5)
			rest = substr(rest, RSTART + RLENGTH)
		}
		if ($0 ~ /^\.It Fl [A-Za-z0-9] , Fl \\-[a-z]/)
			print "short", "", "-" $3 " --" substr($6, 3)
	}' "$1"
}

# facts_for FACTS KIND KEY: the values of the facts of KIND for the man key KEY, and for every
# key that starts with "KEY " (the help of "policy" covers "policy explain"); sorted.
facts_for() {
	awk -F '\t' -v kind="$2" -v key="$3" '
	$1 == kind && ($2 == key || (key != "" && index($2, key " ") == 1)) { print $3 }' \
		<<<"$1" | sort -u
}

# ---- the comparison ------------------------------------------------------------------------

# compare WHAT HELP FACTS KEY PAGE [HELP_IS_IMPLIED]: fail (with evidence) where the options
# of HELP and those FACTS give for KEY differ. With HELP_IS_IMPLIED, --help counts as
# documented. Returns 1 on a difference.
compare() {
	local what=$1 help=$2 facts=$3 key=$4 page=$5 implied=${6:-} h m only_h only_m status=0
	h=$(help_long_options "$help")
	m=$(facts_for "$facts" long "$key")
	[ -z "$implied" ] || m=$(printf '%s\n--help\n' "$m" | sed '/^$/d' | sort -u)
	only_h=$(comm -23 <(echo "$h") <(echo "$m") | tr '\n' ' ')
	only_m=$(comm -13 <(echo "$h") <(echo "$m") | sed '/^$/d' | tr '\n' ' ')
	if [ -n "$only_h" ]; then
		fail "$what --help has ${only_h}which $page does not document"
		status=1
	fi
	if [ -n "$only_m" ]; then
		fail "$page documents ${only_m}which $what --help does not list"
		status=1
	fi
	# Short forms, where both sides give one for the same long option.
	local short long other
	while read -r short long; do
		[ -n "$long" ] || continue
		other=$(facts_for "$facts" short "$key" | awk -v l="$long" '$2 == l { print $1 }')
		if [ -n "$other" ] && [ "$other" != "$short" ]; then
			fail "$long is $short in $what --help but $other in $page"
			status=1
		fi
	done <<<"$(help_short_forms "$help")"
	return "$status"
}

# ---- cases ---------------------------------------------------------------------------------

CASES=()
CARREL_FACTS=""
CARREL_HELP_IMPLIED=""

# A case for one help key ("ps", "image import", ...), made at run time.
add_command_case() {
	local key=$1 fn
	fn="carrel_${key// /_}_--help_agrees_with_carrel.8"
	eval "$fn() { check_command '$key'; }"
	CASES+=("$fn")
}

check_command() {
	local key=$1 help
	# shellcheck disable=SC2086 # the key is the command words
	help=$(help_of $key 2>&1) || { fail_with_text "carrel $key --help failed:" "$help"; return; }
	if ! grep -qx "cmd	$key.*" <<<"$CARREL_FACTS"; then
		fail "carrel.8 has no item for the command '$key' (.It Cm $key ...)"
		return
	fi
	compare "carrel $key" "$help" "$CARREL_FACTS" "$key" carrel.8 "$CARREL_HELP_IMPLIED"
}

carrel_--help_agrees_with_carrel.8() {
	local help
	help=$(help_of) || { fail_with_text "carrel --help failed:" "$help"; return; }
	compare carrel "$help" "$CARREL_FACTS" "" carrel.8
}

every_command_of_carrel.8_is_in_carrel_--help() {
	local key first known
	known=$(printf '%s\n' "${HELP_KEYS[@]}")
	while IFS= read -r key; do
		[ -n "$key" ] || continue
		first=${key%% *}
		# Covered when a help key is the item's key or a leading part of it.
		grep -qxF "$key" <<<"$known" && continue
		grep -qxF "$first" <<<"$known" && continue
		grep -qxF "$first ${key#* }" <<<"$known" && continue
		fail "carrel.8 documents the command '$key', which carrel --help does not list"
	done <<<"$(awk -F '\t' '$1 == "cmd" { print $2 }' <<<"$CARREL_FACTS")"
}

carrel-launch_--help_agrees_with_carrel-launch.8() {
	local help facts
	help=$(help_of carrel-launch) || { fail_with_text "carrel-launch --help failed:" "$help"; return; }
	facts=$(man_all_options "$MAN/carrel-launch.8")
	compare carrel-launch "$help" "$facts" "" carrel-launch.8
}

mandoc_lint_finds_nothing() {
	local out
	command -v mandoc >/dev/null || skip_case "mandoc is not installed (apt-get install mandoc)"
	out=$(mandoc -T lint -W warning "$MAN"/* 2>&1)
	local status=$?
	expect_eq "mandoc -T lint -W warning exit status" "$status" 0
	expect_eq "mandoc -T lint -W warning output" "$out" ""
}

# The check itself: a man page without the item of "ps --json" and a "ps --help" without its
# --json line must each fail it, naming the option; the real ones must not differ in that.
the_check_fails_when_the_man_page_lacks_an_option() {
	local doctored facts help out
	doctored=$T/carrel-without-json.8
	grep -v -x '\.It Fl j , Fl \\-json' "$MAN/carrel.8" >"$doctored"
	expect_not "the doctored page still documents --json" grep -q 'Fl j , Fl \\-json' "$doctored"
	facts=$(man_items "$doctored")
	help=$(printf '%s\n' 'Usage: carrel ps [--json]' '  -j, --json   print JSON' '  -h, --help   help')
	out=$( (TEST_EVIDENCE=$T/ev1 && : >"$TEST_EVIDENCE" &&
		compare "carrel ps" "$help" "$facts" ps carrel.8 1; echo "status=$?"; cat "$T/ev1"))
	echo "$out"
	expect_match "the comparison fails" "$out" '^status=1$'
	expect_match "and names the option" "$out" '--json which carrel.8 does not document'
}

the_check_fails_when_the_help_lacks_an_option() {
	local facts help out
	facts=$(man_items "$MAN/carrel.8")
	# "carrel stop" without its --wait line and usage.
	help=$(printf '%s\n' 'Usage: carrel stop ID|USER...' '  -h, --help   help')
	out=$( (TEST_EVIDENCE=$T/ev2 && : >"$TEST_EVIDENCE" &&
		compare "carrel stop" "$help" "$facts" stop carrel.8 1; echo "status=$?"; cat "$T/ev2"))
	echo "$out"
	expect_match "the comparison fails" "$out" '^status=1$'
	expect_match "and names the option" "$out" 'carrel.8 documents --wait which carrel stop --help does not list'
	# And a short form that differs.
	help=$(printf '%s\n' 'Usage: carrel stop [--wait S] ID|USER...' '  -t, --wait S   wait' '  -h, --help')
	out=$( (TEST_EVIDENCE=$T/ev3 && : >"$TEST_EVIDENCE" &&
		compare "carrel stop" "$help" "$facts" stop carrel.8 1; echo "status=$?"; cat "$T/ev3"))
	echo "$out"
	expect_match "a different short form fails it" "$out" '--wait is -t in carrel stop --help but -w in carrel.8'
}

# Words (split on blanks and newlines), sorted, on one line.
words() {
	tr -s '[:blank:]' '\n' | sed '/^$/d' | sort -u | paste -s -d ' ' -
}

# The options packaging/bash-completion/carrel offers for each command are its --help's.
the_bash_completion_offers_the_options_of_every_help() {
	local key help want got
	[ -f "$COMPLETION" ] || { fail "no $COMPLETION"; return; }
	# shellcheck disable=SC1090
	. "$COMPLETION" || { fail "cannot source $COMPLETION"; return; }
	got=$(_carrel_options "" | words)
	want=$(help_long_options "$(help_of)" | words)
	expect_eq "completion of carrel's own options" "$got" "$want"
	# shellcheck disable=SC2154 # set by the completion
	expect_eq "the completion's commands" "$(words <<<"$_carrel_commands")" \
		"$(help_commands "$(help_of)" | words)"
	for key in "${HELP_KEYS[@]}"; do
		# shellcheck disable=SC2086
		help=$(help_of $key 2>&1) || continue
		want=$(help_long_options "$help" | words)
		# shellcheck disable=SC2086
		got=$(_carrel_options $key | words)
		expect_eq "completion of the options of carrel $key" "$got" "$want"
	done
}

# ---- main ----------------------------------------------------------------------------------

for prog in carrel carrel-launch; do
	if [ ! -x "$BIN/$prog" ]; then
		echo "Bail out! no $BIN/$prog: run 'make' first"
		exit 1
	fi
done

CARREL_FACTS=$(man_items "$MAN/carrel.8")
if grep -q 'Every command also accepts' "$MAN/carrel.8"; then
	CARREL_HELP_IMPLIED=1
fi

# The help keys: each command of "carrel --help", or each of its own commands.
HELP_KEYS=()
top_help=$(help_of) || { echo "Bail out! carrel --help failed"; exit 1; }
for cmd in $(help_commands "$top_help"); do
	sub_help=$(help_of "$cmd" 2>/dev/null)
	subs=$(help_commands "$sub_help")
	if [ -n "$subs" ]; then
		for sub in $subs; do
			HELP_KEYS+=("$cmd $sub")
		done
	else
		HELP_KEYS+=("$cmd")
	fi
done

CASES+=(carrel_--help_agrees_with_carrel.8)
for key in "${HELP_KEYS[@]}"; do
	add_command_case "$key"
done
CASES+=(
	every_command_of_carrel.8_is_in_carrel_--help
	carrel-launch_--help_agrees_with_carrel-launch.8
	mandoc_lint_finds_nothing
	the_check_fails_when_the_man_page_lacks_an_option
	the_check_fails_when_the_help_lacks_an_option
	the_bash_completion_offers_the_options_of_every_help
)

echo "# carrel docs tests: $BIN against $MAN"
run_cases "${CARREL_TEST_ONLY:-}" "${CASES[@]}"
tap_summary "docs tests"
