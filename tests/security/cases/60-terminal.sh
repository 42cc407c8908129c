# Cases: TIOCSTI, pushing input into a terminal as if typed there. A command run with
# "carrel join" from an admin's terminal gets that terminal as stdin and controlling tty; if
# it could inject, the admin's shell would run the text once the join ends. The filter
# refuses the ioctl (common/harden.c); there is no pty proxy in between.
# shellcheck shell=bash disable=SC2016 # $... in single quotes runs in the login's shell

CASES+=(
	tiocsti_from_a_join_types_nothing_into_the_admins_terminal
	tiocsti_from_an_ssh_login_types_nothing_into_its_own_terminal
)

# What runs on the terminal: the probe injects into its stdin, then the shell reads the
# terminal's next line, which must be the one typed by the test, not the injected one.
tiocsti_script() {
	echo "$1 tiocsti 0; echo carrel-test-probed; IFS= read -r line; echo \"first-line=\$line\""
}

# on_terminal NAME COMMAND...: run COMMAND, which puts tiocsti_script on a terminal; once
# the probe has run, type one line into that terminal. Prints what came out, as plain text.
on_terminal() {
	local dir=$T/tty/$1 fd pid
	shift
	mkdir -p "$dir" && rm -f "$dir/in" && mkfifo "$dir/in" || return 1
	TERM=dumb "$@" <"$dir/in" >"$dir/out" 2>&1 &
	pid=$!
	exec {fd}>"$dir/in"
	wait_until 30 grep -q '^carrel-test-probed' "$dir/out"
	# In a subshell: when an injection worked, the terminal may be gone already, and the
	# write would end this shell with SIGPIPE.
	(printf '%s\n' carrel-test-typed >&$fd) 2>/dev/null
	wait_until 30 grep -q 'first-line=' "$dir/out"
	exec {fd}>&-
	wait "$pid"
	plain_text <"$dir/out"
}

expect_nothing_injected() {
	local what=$1 out=$2
	echo "$what: $out"
	expect_match "$what: the probe" "$out" '^tiocsti: EPERM$'
	expect_eq "$what: the next line the terminal gave" "$(value_of first-line "$out")" \
		carrel-test-typed
	expect_no_match "$what: injected text on the terminal" "$out" 'carrel-test-injected'
}

# The admin's terminal is a pty that script(1) owns; the admin's "shell" there runs the join
# and then reads the terminal.
tiocsti_from_a_join_types_nothing_into_the_admins_terminal() {
	local probe id out
	probe=$(probe_of carrel-test-u1)
	hold carrel-test-u1 tiocsti || return
	id=$(held_session tiocsti)
	out=$(on_terminal join timeout -k 5 90 script -qfec \
		"$(tiocsti_script "$ADMIN join $id -- $probe")" /dev/null)
	expect_nothing_injected "carrel join" "$out"
	stage_probe "$id"
	out=$(on_terminal join-root timeout -k 5 90 script -qfec \
		"$(tiocsti_script "$ADMIN join --root $id -- $SESSION_PROBE")" /dev/null)
	expect_nothing_injected "carrel join --root" "$out"
	release tiocsti
	# The control: the same probe on the host, on the same kind of terminal, does inject.
	out=$(on_terminal control timeout -k 5 90 script -qfec \
		"$(tiocsti_script "$probe")" /dev/null)
	echo "control: $out"
	expect_eq "the next line after the probe on the host (the control)" \
		"$(value_of first-line "$out")" carrel-test-injected
	expect_host_untouched
}

tiocsti_from_an_ssh_login_types_nothing_into_its_own_terminal() {
	local out
	out=$(on_terminal ssh ssh_as -tt carrel-test-u1 \
		"$(tiocsti_script "$(probe_of carrel-test-u1)")")
	expect_nothing_injected "ssh -tt" "$out"
	expect_host_untouched
}
