# Cases: logins and "carrel run"/"carrel join" on an imported image (type "oci"): the root is
# the image's layers, its config's Env reaches the login and WorkingDir is where run and join
# start, and the image cannot be removed while a session uses it.
# shellcheck shell=bash

CASES+=(
	ssh_login_lands_on_the_imported_image_with_its_env
	the_session_record_names_the_stored_image
	a_session_sees_the_image_rootfs
	carrel_run_starts_in_the_workdir_with_the_env
	carrel_join_starts_in_the_workdir_with_the_env
	an_image_chosen_by_digest_works_like_one_chosen_by_name
	image_rm_is_refused_while_a_session_uses_the_image
	a_login_on_a_missing_stored_image_is_refused_with_a_clear_reason
)

# What a login on the image reports (busybox sh).
# shellcheck disable=SC2016 # expanded by the login's shell
OCI_PROBE='echo "version=$(cat /opt/app/VERSION)"
echo "app_mode=${APP_MODE-unset}"
echo "greeting=${GREETING-unset}"
echo "path=$PATH"
echo "home=$HOME"
echo "session=${CARREL_SESSION-unset}"
echo "user=$(id -un)"'

need_oci_image() {
	need_fixtures
	[ "$(image_id tiny)" = "$TINY_ID" ] || skip_case "the image 'tiny' is not in the store"
}

ssh_login_lands_on_the_imported_image_with_its_env() {
	local out
	need_oci_image
	out=$(ssh_as "$OCI_USER" "$OCI_PROBE" 2>&1)
	echo "$out"
	expect_eq "the image's /opt/app/VERSION" "$(value_of version "$out")" "tiny-fixture 1.0"
	expect_eq "APP_MODE from the image's Env" "$(value_of app_mode "$out")" fixture
	expect_eq "GREETING (a value with '=' and a space)" "$(value_of greeting "$out")" \
		"hello world=1"
	expect_eq "PATH from the image's Env" "$(value_of path "$out")" \
		/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	expect_eq "HOME is the user's, whatever the image says" "$(value_of home "$out")" \
		"$(home_of "$OCI_USER")"
	expect_eq "user" "$(value_of user "$out")" "$OCI_USER"
	expect_match "session" "$(value_of session "$out")" '^[0-9a-f]{12}$'
}

the_session_record_names_the_stored_image() {
	local id
	need_oci_image
	hold_login rec "$OCI_USER" || {
		fail_with_text "login failed:" "$(held_output rec)"
		return
	}
	id=$(value_of session "$(held_output rec)")
	expect_eq "image" "$(record_value "$id" image)" tinyoci
	expect_eq "image_type" "$(record_value "$id" image_type)" oci
	expect_eq "stored_image" "$(record_value "$id" stored_image)" tiny
	expect_eq "image_id" "$(record_value "$id" image_id)" "$TINY_ID"
	expect_eq "workdir" "$(record_value "$id" workdir)" /opt/app
	expect_eq "env" "$(record_value "$id" env | paste -sd'|' -)" \
		"$(jq -r '.config.Env | join("|")' "$EXPECTED/tiny.config.json")"
	expect_eq "lower_dir: the layers, top first" "$(record_value "$id" lower_dir)" \
		"$(layer_dirs tiny | sed "s|^$STORE|/var/lib/carrel|" | paste -sd: -)"
	expect_eq "inspect shows the stored image" \
		"$(carrel inspect "$id" | jq -c '.[0].StoredImage | [.Name, .Id, .WorkingDir, (.Env | length)]')" \
		"[\"tiny\",\"$TINY_ID\",\"/opt/app\",3]"
	expect_match "inspect shows them as LowerDir" \
		"$(carrel inspect "$id" | jq -r '.[0].GraphDriver.Data.LowerDir')" \
		'^/var/lib/carrel/layers/[0-9a-f]{64}/root(:/var/lib/carrel/layers/[0-9a-f]{64}/root){3}$'
	release_login rec
}

# A rootfs listing without what carrel itself puts in a session: its own filesystems (/dev,
# /proc, /sys, /tmp, /run) and what is below them, the user's entries in /etc (userdb.c), the
# host name in /etc/hosts, the host's login records bound in (hostlinks.c); and without
# mtimes: the session's writable layer is new, and so are the directories it changed.
without_carrels_own() {
	awk -F '\t' -v OFS='\t' '
		$1 ~ "^/(dev|proc|sys|tmp|run)(/|$)" { next }
		$1 ~ "^/etc/(passwd|group|shadow|gshadow|hosts)$" { next }
		$1 ~ "^/var/log/(wtmp|btmp|lastlog)$" { next }
		{ $7 = "-"; print }'
}

a_session_sees_the_image_rootfs() {
	local pid out
	need_oci_image
	hold_login view "$OCI_USER" || {
		fail_with_text "login failed:" "$(held_output view)"
		return
	}
	pid=$(record_value "$(value_of session "$(held_output view)")" init_pid)
	out=$(diff <(without_carrels_own <"$EXPECTED/tiny.rootfs.tsv") \
		<(tree_listing -x "/proc/$pid/root/" | without_carrels_own) 2>&1) ||
		fail_with_text "the session's root differs from expected/tiny.rootfs.tsv:" "$out"
	# What userdb changed is still the image's otherwise.
	expect_match "the image's /etc/group is kept" \
		"$(cat "/proc/$pid/root/etc/group")" '^root:x:0:'
	expect "the whited-out /etc/motd" [ ! -e "/proc/$pid/root/etc/motd" ]
	expect "the opaque /opt/app hides the lower old.conf" [ ! -e "/proc/$pid/root/opt/app/old.conf" ]
	release_login view
}

carrel_run_starts_in_the_workdir_with_the_env() {
	local out
	need_oci_image
	# shellcheck disable=SC2016 # expanded inside
	out=$(run_in "$CONF" "$OCI_USER" /bin/sh -c 'echo "pwd=$(pwd)"; echo "app_mode=$APP_MODE"
		echo "path=$PATH"; echo "home=$HOME"' 2>&1)
	echo "$out"
	expect_eq "carrel run starts in WorkingDir" "$(value_of pwd "$out")" /opt/app
	expect_eq "APP_MODE" "$(value_of app_mode "$out")" fixture
	expect_eq "PATH" "$(value_of path "$out")" \
		/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	expect_eq "HOME" "$(value_of home "$out")" "$(home_of "$OCI_USER")"
}

carrel_join_starts_in_the_workdir_with_the_env() {
	local id out
	need_oci_image
	hold_login join "$OCI_USER" || {
		fail_with_text "login failed:" "$(held_output join)"
		return
	}
	id=$(value_of session "$(held_output join)")
	# shellcheck disable=SC2016 # expanded inside
	out=$(carrel join "$id" -- /bin/sh -c 'echo "pwd=$(pwd)"; echo "greeting=$GREETING"' 2>&1)
	expect_eq "join starts in WorkingDir" "$(value_of pwd "$out")" /opt/app
	expect_eq "GREETING" "$(value_of greeting "$out")" "hello world=1"
	# shellcheck disable=SC2016
	out=$(carrel join --root "$id" -- /bin/sh -c 'echo "pwd=$(pwd)"; echo "user=$(id -un)"' 2>&1)
	expect_eq "join --root too" "$(value_of pwd "$out")" /opt/app
	expect_eq "as root" "$(value_of user "$out")" root
	release_login join
}

an_image_chosen_by_digest_works_like_one_chosen_by_name() {
	local conf out
	need_oci_image
	conf=$(case_config digest "images = { pinned = { type = \"oci\"; digest = \"$TINY_ID\"; }; };
		defaults = { image = \"pinned\"; volumes = (); };
		policies = ( { users = [ \"$OCI_USER\" ]; } );")
	out=$(run_in "$conf" "$OCI_USER" /bin/cat /opt/app/VERSION 2>&1)
	expect_eq "the image found by its id" "$out" "tiny-fixture 1.0"
}

image_rm_is_refused_while_a_session_uses_the_image() {
	local id out lock
	need_oci_image
	hold_login rm "$OCI_USER" || {
		fail_with_text "login failed:" "$(held_output rm)"
		return
	}
	id=$(value_of session "$(held_output rm)")
	out=$(cimg rm tiny 2>&1)
	expect_match "rm is refused" "$out" \
		"image 'tiny' is in use by session $id of '$OCI_USER' \\(stop it first: carrel stop $id\\)"
	expect_eq "the image is still there" "$(image_id tiny)" "$TINY_ID"
	# The session holds the image's record locked: even an rm that missed the record (a
	# session starting) could not take it.
	exec {lock}<"$STORE/images/tiny/image.json"
	expect_not "the record is locked by the session" flock -n -x "$lock"
	exec {lock}<&-
	release_login rm
	wait_for_session_end "$id" "$(record_value "$id" init_pid)" ||
		fail "session $id did not end"
	exec {lock}<"$STORE/images/tiny/image.json"
	expect "the lock is free once the session is over" flock -n -x "$lock"
	exec {lock}<&-
	cimg import -q tiny-spare "$FIXTURES/tiny-zstd" >/dev/null
	out=$(cimg rm tiny 2>&1)
	expect_match "rm once the session is over" "$out" "^removed image 'tiny' $TINY_ID$"
	cimg import -q tiny "$FIXTURES/tiny:latest" >/dev/null
	cimg rm tiny-spare >/dev/null
}

a_login_on_a_missing_stored_image_is_refused_with_a_clear_reason() {
	local conf out mark
	conf=$(case_config missing "images = { gone = { type = \"oci\"; name = \"no-such-image\"; }; };
		defaults = { image = \"gone\"; volumes = (); };
		policies = ( { users = [ \"$OCI_USER\" ]; } );")
	mark=$(syslog_mark)
	out=$(run_in "$conf" "$OCI_USER" /bin/true 2>&1)
	expect_match "carrel run says why" "$out" \
		"image 'gone': no image 'no-such-image' in the store \\(carrel image import no-such-image SOURCE\\)"
	wait_for_syslog "$mark" "no image 'no-such-image' in the store" ||
		fail "the launcher logged nothing about the missing image"
}
