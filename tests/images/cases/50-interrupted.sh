# Cases: imports that do not finish. The source is a FIFO the case writes half an archive into,
# so that the import is certainly in the middle of it when it is interrupted or killed.
# shellcheck shell=bash

CASES+=(
	an_interrupted_import_leaves_nothing_behind
	a_killed_import_leaves_only_staging_that_the_next_import_removes
	a_source_that_ends_early_leaves_nothing_behind
)

# start_fifo_import NAME: an import of NAME from a FIFO holding the first half of the
# oci-archive; sets IMPORT_PID, FIFO_FD and IMPORT_OUT. Returns once the import has read it.
start_fifo_import() {
	local fifo=$T/source-$1.fifo half
	IMPORT_OUT=$T/import-$1.out
	rm -f "$fifo" && mkfifo "$fifo" || return 1
	"$ADMIN" image import "$1" "$fifo" >"$IMPORT_OUT" 2>&1 &
	IMPORT_PID=$!
	exec {FIFO_FD}>"$fifo"
	half=$(($(stat -c %s "$FIXTURES/tiny.oci-archive.tar") / 2))
	head -c "$half" "$FIXTURES/tiny.oci-archive.tar" >&"$FIFO_FD"
	# Read: its members are in the staging directory.
	wait_until 30 staging_has_members || return 1
}

staging_has_members() {
	[ -n "$(find "$STORE/tmp" -path '*/src/*' -type f -size +0 2>/dev/null | head -n 1)" ]
}

an_interrupted_import_leaves_nothing_behind() {
	local before status
	need_fixtures
	before=$(store_snapshot)
	start_fifo_import interrupted || fail "the import did not start reading"
	kill -INT "$IMPORT_PID"
	wait "$IMPORT_PID"
	status=$?
	exec {FIFO_FD}>&-
	cat "$IMPORT_OUT"
	expect_ne "exit status" "$status" 0
	expect_match "it says why" "$(cat "$IMPORT_OUT")" "cannot import 'interrupted' .*interrupted"
	expect_eq "images" "$(images_in_store | grep -c '^interrupted$')" 0
	expect_eq "staging left" "$(staging_left)" ""
	expect_eq "the store" "$(store_snapshot)" "$before"
}

a_killed_import_leaves_only_staging_that_the_next_import_removes() {
	local status
	need_fixtures
	start_fifo_import killed || fail "the import did not start reading"
	kill -KILL "$IMPORT_PID"
	wait "$IMPORT_PID"
	status=$?
	exec {FIFO_FD}>&-
	expect_eq "killed" "$status" 137
	expect_eq "images" "$(images_in_store | grep -c '^killed$')" 0
	expect_eq "partial layers in the store" "$(partial_layers)" ""
	expect_match "its staging is left" "$(staging_left)" '^import-[0-9a-f]{12}$'
	# Fresh staging is not gc's to remove (an import may be running); the next import's is.
	carrel gc >/dev/null 2>&1
	expect_match "gc leaves fresh staging" "$(staging_left)" '^import-'
	cimg import -q after-kill "$EVIL/benign" >/dev/null
	expect_eq "staging left after the next import" "$(staging_left)" ""
	cimg rm after-kill >/dev/null
}

a_source_that_ends_early_leaves_nothing_behind() {
	local before status
	need_fixtures
	before=$(store_snapshot)
	start_fifo_import truncated || fail "the import did not start reading"
	exec {FIFO_FD}>&-
	wait "$IMPORT_PID"
	status=$?
	cat "$IMPORT_OUT"
	expect_ne "exit status" "$status" 0
	expect_eq "error lines" "$(grep -c "^carrel: cannot import 'truncated'" "$IMPORT_OUT")" 1
	expect_eq "staging left" "$(staging_left)" ""
	expect_eq "the store" "$(store_snapshot)" "$before"
}
