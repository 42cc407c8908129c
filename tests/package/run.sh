#!/bin/bash
# tests/package/run.sh: the Debian package, installed on this machine. Root only; prints TAP
# and exits non-zero when a case fails (or prints "SKIP ..." and exits 0 without root, or
# without the tools to build the package).
#
#   tests/package/run.sh                        build the package (packaging/build-deb.sh)
#   CARREL_TEST_DEB=build/carrel_0.1.0_amd64.deb tests/package/run.sh   test a built one
#   CARREL_TEST_KEEP=1                          keep the test directory (logs) afterwards
#
# It installs the package with dpkg -i (so /usr/sbin/carrel, /usr/libexec/carrel, the module
# in /lib/<multiarch>/security, ... really appear on this machine), enables it with
# "pam-auth-update --enable carrel-close carrel-open", logs in over a test sshd whose PAM
# service is a copy of Debian's /etc/pam.d/sshd (so through the common-session that
# pam-auth-update wrote), checks that the login is sandboxed and that a user no policy
# matches gets an ordinary login, then purges the package and checks that nothing of it is
# left and that the PAM configuration is as before.
#
# The machine's own PAM configuration is never touched: everything runs in a private mount
# namespace where /etc/pam.d, /var/lib/pam (pam-auth-update's state) and /var/cache/debconf
# (it asks through debconf) are bind-mounted copies, and so are /dev, the login records and
# the package's /etc/carrel/carrel.conf while a test config is in use (see
# tests/integration/harness.sh, whose helpers this uses). The outer half checks afterwards
# that the real /etc/pam.d and /var/lib/pam are unchanged, and purges the package (again in
# a private namespace) if the inner half died before it could.
#
# It refuses to run when carrel is installed already, or when any file the package ships
# exists: the purge at the end would take it away.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$REPO/tests/lib.sh"

PKG=carrel
PROFILES="carrel-close carrel-open"
LOCK=/run/lock/carrel-test-integration.lock
# Bound over by copies in the inner half; compared before and after by the outer half.
PRIVATE_DIRS="/etc/pam.d /var/lib/pam /var/cache/debconf"
TEST_USER=carrel-test-pkg
PLAIN_USER=carrel-test-pkg-plain

# ---- the outer half ------------------------------------------------------------------------

skip() {
	echo "SKIP package tests: $*"
	exit 0
}

# The package to test: $CARREL_TEST_DEB, or one built now into $T/out.
find_or_build_deb() {
	local log=$T/build-deb.log
	if [ -n "${CARREL_TEST_DEB:-}" ]; then
		DEB=$(readlink -f "$CARREL_TEST_DEB")
		[ -f "$DEB" ] || { echo "Bail out! no package $CARREL_TEST_DEB"; return 1; }
		return 0
	fi
	echo "# building the package: packaging/build-deb.sh $T/out (log: $log)"
	if ! "$REPO/packaging/build-deb.sh" "$T/out" >"$log" 2>&1; then
		echo "Bail out! the package did not build; the end of its log:"
		tail -n 30 "$log" | sed 's/^/# /'
		return 1
	fi
	local debs=("$T"/out/"$PKG"_*.deb)
	DEB=${debs[0]}
	[ -f "$DEB" ] || { echo "Bail out! packaging/build-deb.sh made no $PKG_*.deb"; return 1; }
}

# The paths the package ships (no directories), as absolute paths.
shipped_files() {
	dpkg-deb --fsys-tarfile "$1" | tar -tf - | sed -n 's|^\./|/|p' | grep -v '/$'
}

# Nothing of the package may be on the machine already: the purge would remove it.
refuse_if_present() {
	local f found=""
	if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'installed\|config-files'; then
		echo "Bail out! the package $PKG is installed on this machine: this test would purge it"
		return 1
	fi
	[ -e /etc/carrel ] && found="$found /etc/carrel"
	for f in $(shipped_files "$DEB"); do
		[ -e "$f" ] || [ -L "$f" ] && found="$found $f"
	done
	if [ -n "$found" ]; then
		echo "Bail out! files of the package exist already (a 'make install PREFIX=/usr'?)," \
			"and the purge would remove them:$found"
		return 1
	fi
}

# A fingerprint of the machine's own PAM configuration.
pam_fingerprint() {
	local d
	for d in /etc/pam.d /var/lib/pam; do
		(cd "$d" && find . -printf '%p %y %m %U %G %s %l\n' | sort &&
			find . -type f -exec sha256sum {} + | sort)
	done
}

run_outer_half() {
	local status interrupted="" before after
	exec 9>"$LOCK"
	if ! flock -w 900 9; then
		echo "Bail out! another carrel test run still holds $LOCK"
		exit 1
	fi
	T=$(mktemp -d /tmp/carrel-test-pkg.XXXXXX) || exit 1
	trap 'interrupted=1' INT TERM HUP
	echo "# carrel package tests in $T"
	if find_or_build_deb && refuse_if_present; then
		echo "# package: $DEB"
		before=$(pam_fingerprint)
		CARREL_TEST_DIR=$T CARREL_TEST_DEB=$DEB unshare --mount --propagation private \
			bash "$HERE/run.sh" 9>&-
		status=$?
		if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'installed\|config-files'; then
			echo "# the package is still installed: purging it (in a private namespace)" >&2
			CARREL_TEST_DIR=$T CARREL_TEST_MODE=purge unshare --mount --propagation private \
				bash "$HERE/run.sh" 9>&-
			status=1
		fi
		after=$(pam_fingerprint)
		if [ "$before" != "$after" ]; then
			echo "not ok - the machine's own /etc/pam.d and /var/lib/pam are unchanged"
			diff <(echo "$before") <(echo "$after") | head -n 20 | sed 's/^/# /'
			status=1
		else
			echo "# the machine's own /etc/pam.d and /var/lib/pam are unchanged"
		fi
	else
		status=1
	fi
	if [ -n "${CARREL_TEST_KEEP:-}" ]; then
		echo "# kept $T" >&2
	else
		rm -rf --one-file-system "$T"
	fi
	[ -z "$interrupted" ] || status=130
	exit "$status"
}

# ---- the inner half: the private world -----------------------------------------------------

# Copies of the PAM configuration and debconf's database, bound over the originals: what
# dpkg's maintainer scripts and pam-auth-update write there stays in this namespace.
bind_private_copies() {
	local d copy
	for d in $PRIVATE_DIRS; do
		[ -d "$d" ] || continue
		copy=$T/private$d
		mkdir -p "$copy" && cp -a "$d/." "$copy/" && mount --bind "$copy" "$d" || return 1
	done
}

# A snapshot of a directory's files (names and contents) for comparing it later.
snapshot() {
	rm -rf "$2" && mkdir -p "$2" && cp -a "$1/." "$2/"
}

# What is there, of a list of paths: "PATH yes|no" lines.
existence_of() {
	local p
	for p in "$@"; do
		if [ -e "$p" ] || [ -L "$p" ]; then echo "$p yes"; else echo "$p no"; fi
	done
}

# The paths in the package (directories too: those made by dpkg must go at the purge).
package_paths() {
	dpkg-deb --fsys-tarfile "$DEB" | tar -tf - | sed -n 's|^\./\(.\)|/\1|p' | sed 's|/$||'
}

# Places outside the package's own files that installing, enabling or using it may touch:
# after the purge, each is there only if it was before.
OTHER_PLACES="/etc/carrel
	/etc/systemd/system/multi-user.target.wants/carrel-gc.service
	/var/lib/systemd/deb-systemd-helper-enabled/carrel-gc.service.dsh-also
	/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/carrel-gc.service
	/var/lib/dpkg/info/carrel.list /var/lib/dpkg/info/carrel.md5sums
	/var/lib/dpkg/info/carrel.conffiles /var/lib/dpkg/info/carrel.postrm"
# Carrel's state, which the build tree's tests and other sessions share: the purge removes
# them when no session runs (/run/carrel) or when they hold no file (/var/lib/carrel), even if
# they were there before; it must not leave them behind when they were not.
STATE_PLACES="/run/carrel /var/lib/carrel"

test_sshd_stack() {
	local dir=$T/private/etc/pam.d
	[ -f "$dir/sshd" ] || return 1
	{
		echo "# carrel package tests: Debian's /etc/pam.d/sshd, for sshd started as $T/carrel-test-sshd"
		cat "$dir/sshd"
	} >"$dir/carrel-test-sshd"
}

# The test's config, bound over the package's /etc/carrel/carrel.conf while logins run. (The
# cases run in subshells: the mount table, not a variable, says whether it is bound.)
test_config_bound() {
	findmnt -rn --mountpoint /etc/carrel/carrel.conf >/dev/null 2>&1
}

bind_test_config() {
	local conf=$T/carrel.conf
	cat >"$conf" <<-EOF
		# carrel.conf of the package tests
		defaults = { hostname = "%u-carrel"; };
		policies = (
		  { name = "package test"; users = [ "$TEST_USER" ]; services = [ "carrel-test-sshd" ]; }
		);
	EOF
	chown root:root "$conf" && chmod 0644 "$conf" &&
		mount --bind "$conf" /etc/carrel/carrel.conf
}

unbind_test_config() {
	while test_config_bound; do
		umount /etc/carrel/carrel.conf || return 1
	done
}

dpkg_quiet() {
	DEBIAN_FRONTEND=noninteractive dpkg "$@" >>"$T/dpkg.log" 2>&1
}

package_installed() {
	dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'installed\|config-files'
}

purge_package() {
	package_installed || return 0
	dpkg_quiet --purge "$PKG"
}

pkg_sessions() {
	local f
	for f in /run/carrel/sessions/*/session; do
		[ -f "$f" ] && grep -qxF "user=$TEST_USER" "$f" && basename "$(dirname "$f")"
	done
	return 0
}

no_pkg_sessions_left() {
	[ -z "$(pkg_sessions)" ]
}

inner_teardown() {
	local id pid spec
	stop_sshd
	if ! wait_until 20 no_pkg_sessions_left; then
		for id in $(pkg_sessions); do
			pid=$(sed -n 's/^init_pid=//p' "/run/carrel/sessions/$id/session")
			echo "# teardown: session $id still running, sending SIGTERM to its init $pid" >&2
			is_carrel_init "$pid" && kill -TERM "$pid"
		done
		wait_until 20 no_pkg_sessions_left
	fi
	for spec in $TEST_USERS; do
		remove_test_user "${spec%%:*}" || echo "# teardown: cannot remove user ${spec%%:*}" >&2
	done
	unbind_test_config
	if package_installed; then
		echo "# teardown: purging the package" >&2
		purge_package || echo "# teardown: dpkg --purge $PKG failed: see $T/dpkg.log" >&2
	fi
	[ -z "$MADE_RUN_SSHD" ] || rmdir /run/sshd
	if [ -n "$SYSLOGD_PID" ]; then
		kill "$SYSLOGD_PID" 2>/dev/null
		wait "$SYSLOGD_PID" 2>/dev/null
	fi
}

inner_setup() {
	make_private_dev || { echo "cannot make a private /dev"; return 1; }
	start_syslogd || { echo "syslogd did not create /dev/log"; return 1; }
	bind_private_login_records || { echo "cannot bind private login records"; return 1; }
	bind_private_copies || { echo "cannot bind copies of $PRIVATE_DIRS"; return 1; }
	test_sshd_stack || { echo "no /etc/pam.d/sshd (openssh-server) to copy"; return 1; }
	if ! snapshot /etc/pam.d "$T/before/pam.d" || ! snapshot /var/lib/pam "$T/before/var-lib-pam"; then
		echo "cannot snapshot the PAM configuration"
		return 1
	fi
	package_paths >"$T/package-paths" || { echo "cannot list $DEB"; return 1; }
	# shellcheck disable=SC2046,SC2086 # one path a word
	existence_of $(cat "$T/package-paths") $OTHER_PLACES >"$T/before/existence"
	# shellcheck disable=SC2086
	existence_of $STATE_PLACES >"$T/before/state"
	create_test_users || { echo "cannot create the test users"; return 1; }
	start_sshd || { echo "cannot start sshd"; return 1; }
	HOST_MNT_NS=$(readlink /proc/self/ns/mnt)
	HOST_PID_NS=$(readlink /proc/self/ns/pid)
}

# ---- cases ---------------------------------------------------------------------------------

CASES=(
	lintian_reports_no_errors
	installing_the_package_enables_nothing
	pam_auth_update_puts_the_two_lines_first_and_last_in_common_session
	an_ssh_login_through_the_enabled_stack_is_sandboxed
	a_user_no_policy_matches_gets_an_ordinary_login
	removing_the_package_takes_pam_carrel_out_of_the_stack_first
	purging_the_package_leaves_nothing_behind
)

lintian_reports_no_errors() {
	local out
	command -v lintian >/dev/null || skip_case "lintian is not installed"
	out=$(lintian "$DEB" 2>&1)
	echo "$out"
	expect_no_match "lintian errors" "$out" '^E: '
}

installing_the_package_enables_nothing() {
	local out ma
	dpkg_quiet -i "$DEB" || { fail_with_text "dpkg -i failed:" "$(tail -n 20 "$T/dpkg.log")"; return; }
	expect_eq "package status" "$(dpkg-query -W -f='${Status}' "$PKG")" "install ok installed"
	ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
	for f in "/lib/$ma/security/pam_carrel.so" /usr/libexec/carrel/carrel-launch \
		/usr/libexec/carrel/carrel-init /usr/libexec/carrel/carrel-image /usr/sbin/carrel \
		/etc/carrel/carrel.conf \
		/usr/share/pam-configs/carrel-close /usr/share/pam-configs/carrel-open \
		/usr/share/man/man8/carrel.8.gz /usr/share/man/man8/pam_carrel.8.gz \
		/usr/share/man/man8/carrel-launch.8.gz /usr/share/man/man5/carrel.conf.5.gz \
		/usr/lib/tmpfiles.d/carrel.conf /lib/systemd/system/carrel-gc.service \
		/usr/share/bash-completion/completions/carrel; do
		expect "installed: $f" test -e "$f"
	done
	expect_match "conffiles" "$(dpkg-query -W -f='${Conffiles}' "$PKG")" '^ /etc/carrel/carrel.conf '
	expect_eq "carrel --version" "$(/usr/sbin/carrel --version)" \
		"carrel $(dpkg-query -W -f='${Version}' "$PKG")"
	out=$(/usr/sbin/carrel check-config 2>&1)
	expect_eq "check-config of the shipped config" "$out" ok
	out=$(/usr/sbin/carrel policy explain --user "$TEST_USER" --service sshd 2>&1)
	expect_match "the shipped config sandboxes nobody" "$out" '^sandbox: +no'
	# The launcher and the module find each other and the config where they are installed.
	expect "the module names the installed launcher" \
		grep -aqF /usr/libexec/carrel/carrel-launch "/lib/$ma/security/pam_carrel.so"
	out=$(diff -r "$T/before/pam.d" /etc/pam.d 2>&1)
	expect_eq "/etc/pam.d after installing" "$out" ""
	expect_no_match "pam_carrel in common-session after installing" \
		"$(cat /etc/pam.d/common-session*)" pam_carrel
}

# The module lines of a PAM file, without comments and blank lines.
module_lines() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1"
}

pam_auth_update_puts_the_two_lines_first_and_last_in_common_session() {
	local lines first last
	package_installed || { fail "the package is not installed"; return; }
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive pam-auth-update --enable $PROFILES >"$T/pam-auth-update.log" 2>&1 ||
		{ fail_with_text "pam-auth-update --enable failed:" "$(cat "$T/pam-auth-update.log")"; return; }
	cat /etc/pam.d/common-session
	lines=$(module_lines /etc/pam.d/common-session)
	# After the lines of the (empty) Primary block: pam_permit, pam_deny, pam_permit.
	first=$(printf '%s\n' "$lines" | grep -v -E 'pam_(permit|deny)\.so' | head -n 1)
	last=$(printf '%s\n' "$lines" | tail -n 1)
	expect_match "the first module line of common-session" "$first" \
		'^session[[:space:]]+required[[:space:]]+pam_carrel\.so[[:space:]]+closeonly$'
	expect_match "the last line of common-session" "$last" \
		'^session[[:space:]]+required[[:space:]]+pam_carrel\.so[[:space:]]+openonly$'
	expect_eq "pam_carrel lines in common-session" \
		"$(printf '%s\n' "$lines" | grep -c pam_carrel)" 2
	expect_no_match "pam_carrel in common-session-noninteractive" \
		"$(cat /etc/pam.d/common-session-noninteractive)" pam_carrel
	expect_no_match "pam_carrel in common-auth, -account, -password" \
		"$(cat /etc/pam.d/common-auth /etc/pam.d/common-account /etc/pam.d/common-password)" \
		pam_carrel
}

# ssh in as USER with PROBE, print the output.
probe_login() {
	ssh_as "$1" "$PROBE" 2>&1
}

an_ssh_login_through_the_enabled_stack_is_sandboxed() {
	local out id pid uid
	grep -q pam_carrel /etc/pam.d/common-session || { fail "the profiles are not enabled"; return; }
	bind_test_config || { fail "cannot bind the test config over /etc/carrel/carrel.conf"; return; }
	out=$(/usr/sbin/carrel check-config 2>&1)
	expect_eq "check-config of the test config" "$out" ok
	out=$(probe_login "$TEST_USER")
	echo "$out"
	uid=$(id -u "$TEST_USER")
	expect_eq "PID 1 inside" "$(value_of init "$out")" carrel-init
	expect_ne "mount namespace" "$(value_of mnt "$out")" "$HOST_MNT_NS"
	expect_ne "pid namespace" "$(value_of pid "$out")" "$HOST_PID_NS"
	expect_eq "host name" "$(value_of hostname "$out")" "$TEST_USER-carrel"
	expect_match "CARREL_SESSION" "$(value_of session "$out")" '^[0-9a-f]{12}$'
	expect_eq "user" "$(value_of user "$out")" "$TEST_USER"
	# pam_loginuid (before common-session in Debian's sshd stack) opened on the host.
	expect_eq "loginuid" "$(value_of loginuid "$out")" "$uid"

	# While a login is held, the installed carrel lists its session; it ends at logout.
	hold_login held "$TEST_USER" || { fail_with_text "held login failed:" "$(held_output held)"; return; }
	id=$(value_of session "$(held_output held)")
	expect_match "carrel ps lists the held login's session" "$(/usr/sbin/carrel ps 2>&1)" \
		"^$id +$TEST_USER +carrel-test-sshd "
	pid=$(record_value "$id" init_pid)
	expect_eq "the session's config" "$(record_value "$id" config)" /etc/carrel/carrel.conf
	release_login held
	expect "the session ends at logout" wait_until 25 session_is_over "$id" "$pid"
	expect_match "pam_carrel logged the session" "$(cat "$SYSLOG")" \
		"pam_carrel\\(carrel-test-sshd:session\\): session $id opened for '$TEST_USER'"
}

a_user_no_policy_matches_gets_an_ordinary_login() {
	local out
	out=$(probe_login "$PLAIN_USER")
	echo "$out"
	expect_eq "mount namespace" "$(value_of mnt "$out")" "$HOST_MNT_NS"
	expect_eq "pid namespace" "$(value_of pid "$out")" "$HOST_PID_NS"
	expect_eq "CARREL_SESSION" "$(value_of session "$out")" unset
	expect_eq "user" "$(value_of user "$out")" "$PLAIN_USER"
}

# dpkg -r (not a purge): the prerm must take the lines out before the module goes, or every
# login through common-session would fail on a missing "required" module.
removing_the_package_takes_pam_carrel_out_of_the_stack_first() {
	local out ma
	wait_until 25 no_pkg_sessions_left || fail "sessions of $TEST_USER still running: $(pkg_sessions)"
	unbind_test_config || { fail "cannot unbind the test config"; return; }
	dpkg_quiet -r "$PKG" || { fail_with_text "dpkg -r failed:" "$(tail -n 20 "$T/dpkg.log")"; return; }
	expect_eq "package status" "$(dpkg-query -W -f='${Status}' "$PKG")" "deinstall ok config-files"
	ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
	expect_not "the module is still there" test -e "/lib/$ma/security/pam_carrel.so"
	expect "the conffile stays until the purge" test -f /etc/carrel/carrel.conf
	expect_no_match "pam_carrel in common-session after dpkg -r" \
		"$(cat /etc/pam.d/common-session*)" pam_carrel
	out=$(diff -r "$T/before/pam.d" /etc/pam.d 2>&1)
	expect_eq "/etc/pam.d after dpkg -r, against before installing" "$out" ""
	# And logins work, unsandboxed.
	out=$(probe_login "$TEST_USER")
	echo "$out"
	expect_eq "user of a login after dpkg -r" "$(value_of user "$out")" "$TEST_USER"
	expect_eq "mount namespace of a login after dpkg -r" "$(value_of mnt "$out")" "$HOST_MNT_NS"
}

purging_the_package_leaves_nothing_behind() {
	local out before after p
	wait_until 25 no_pkg_sessions_left || fail "sessions of $TEST_USER still running: $(pkg_sessions)"
	unbind_test_config || { fail "cannot unbind the test config"; return; }
	purge_package || { fail_with_text "dpkg --purge failed:" "$(tail -n 20 "$T/dpkg.log")"; return; }
	expect_not "the package is known to dpkg after the purge" package_installed
	out=$(ls /var/lib/dpkg/info/"$PKG".* /var/lib/dpkg/info/"$PKG":* 2>/dev/null)
	expect_eq "dpkg's files of the package" "$out" ""
	# Every path of the package, and the other places it may touch, as before installing.
	# shellcheck disable=SC2046,SC2086
	after=$(existence_of $(cat "$T/package-paths") $OTHER_PLACES)
	out=$(diff "$T/before/existence" <(echo "$after"))
	expect_eq "what exists of the package's paths, against before (< before, > after)" "$out" ""
	for p in $STATE_PLACES; do
		if [ -e "$p" ] && grep -qx "$p no" "$T/before/state"; then
			fail_with_text "$p was made, and is left after the purge:" "$(find "$p" | head)"
		fi
	done
	out=$(ls -d /usr/share/pam-configs/carrel* /etc/carrel 2>/dev/null)
	expect_eq "profiles and /etc/carrel" "$out" ""
	out=$(diff -r "$T/before/pam.d" /etc/pam.d 2>&1)
	expect_eq "/etc/pam.d against before installing" "$out" ""
	out=$(diff -r "$T/before/var-lib-pam" /var/lib/pam 2>&1)
	expect_eq "/var/lib/pam (pam-auth-update's state) against before installing" "$out" ""
	for p in /run/carrel/sessions/*/session; do
		[ -f "$p" ] || continue
		grep -qxF "user=$TEST_USER" "$p" && fail "a session record of $TEST_USER is left: $p"
	done
	out=$(find /var/lib/carrel /sys/fs/cgroup -maxdepth 4 -name "*$TEST_USER*" 2>/dev/null)
	expect_eq "what is left of $TEST_USER below /var/lib/carrel" "$out" ""
}

# ---- main ----------------------------------------------------------------------------------

run_inner_half() {
	T=$CARREL_TEST_DIR
	DEB=${CARREL_TEST_DEB:-}
	export TMPDIR=$T/tmp
	CASE_LOG_DIR=$T/cases
	mkdir -p "$TMPDIR" "$CASE_LOG_DIR"
	# shellcheck source=tests/integration/harness.sh
	. "$REPO/tests/integration/harness.sh"
	TEST_USERS="$TEST_USER:/bin/bash $PLAIN_USER:/bin/bash"
	# shellcheck disable=SC2034 # read by the harness (record_value, session_is_over)
	SESSIONS=/run/carrel/sessions
	# The harness's hook looks for sessions of its own config; ours are made from the
	# installed path.
	case_end_hook() {
		wait_until 25 no_pkg_sessions_left ||
			echo "warning: sessions still running after $1: $(pkg_sessions | tr '\n' ' ')"
	}
	if [ "${CARREL_TEST_MODE:-}" = purge ]; then
		bind_private_copies || { echo "cannot bind copies of $PRIVATE_DIRS" >&2; exit 1; }
		purge_package || { cat "$T/dpkg.log" >&2; exit 1; }
		exit 0
	fi
	trap inner_teardown EXIT
	trap 'exit 130' INT TERM HUP
	if ! inner_setup; then
		echo "Bail out! the test world could not be set up"
		exit 1
	fi
	echo "# sshd (PAM service carrel-test-sshd, a copy of /etc/pam.d/sshd) on 127.0.0.1:$PORT"
	run_cases "${CARREL_TEST_ONLY:-}" "${CASES[@]}"
	tap_summary "package tests"
}

if [ "$(id -u)" != 0 ]; then
	skip "need root"
fi
if [ -z "${CARREL_TEST_DIR:-}" ]; then
	for tool in dpkg-deb pam-auth-update unshare flock busybox ssh-keygen; do
		command -v "$tool" >/dev/null || skip "no $tool"
	done
	[ -x /usr/sbin/sshd ] || skip "no /usr/sbin/sshd (openssh-server)"
	if [ -z "${CARREL_TEST_DEB:-}" ]; then
		for tool in dpkg-buildpackage dh; do
			command -v "$tool" >/dev/null ||
				skip "no $tool to build the package (apt-get install dpkg-dev debhelper)"
		done
	fi
	run_outer_half
else
	run_inner_half
fi
