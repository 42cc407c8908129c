# Cases: "carrel image build". A three-step image on the imported fixture: its layers, its
# history, what a session on it sees; the build cache and --no-cache; a failing RUN; FROM
# scratch; Dockerfile errors with file and line; the RUN sandbox's confinement; interrupted and
# killed builds.
# shellcheck shell=bash

CASES+=(
	a_three_step_build_gives_a_layer_per_step_that_verifies_on_export
	the_history_of_a_built_image_is_as_docker_shows_it
	a_session_on_the_built_image_sees_each_step
	a_rebuild_takes_every_step_from_the_cache
	no_cache_makes_every_step_anew
	an_image_of_a_hundred_layers_builds_and_a_session_runs_on_it
	a_workdir_the_image_lacks_is_reported_by_run
	a_failing_run_stops_the_build_with_its_status_and_leaves_nothing
	a_run_whose_program_is_missing_exits_as_a_shell_would
	from_scratch_a_static_busybox_builds_and_runs
	dockerfile_errors_name_the_file_and_line
	a_dockerfile_of_from_alone_gives_the_base_image
	a_run_is_confined_like_a_docker_container
	copy_and_add_stay_in_the_context_and_unpack_tarballs
	a_build_does_not_replace_an_image_a_session_uses
	an_interrupted_build_leaves_nothing
	a_killed_build_leaves_only_what_gc_reclaims
)

BUILT=built3

# cbuild NAME DIR [OPTIONS]: carrel image build, bounded.
cbuild() {
	local name=$1 dir=$2
	shift 2
	timeout -k 5 300 "$ADMIN" image build -t "$name" "$@" "$dir"
}

# The three-step build: a RUN, a COPY with --chown, an ENV and a WORKDIR on the fixture.
make_context() {
	local dir=$T/ctx-$BUILT
	[ -d "$dir" ] && return 0
	mkdir -p "$dir" &&
		printf 'setting=from-the-context\n' >"$dir/app.conf" &&
		cat >"$dir/Dockerfile" <<-'EOF'
			# the three steps, and config
			FROM tiny
			RUN echo "made by run" > /etc/run-file && \
			    mkdir -p /srv/app
			COPY --chown=user:user app.conf /srv/app/
			ENV BUILT_BY=carrel STEP="three steps"
			WORKDIR /srv/app
		EOF
}

need_built() {
	need_fixtures
	[ "$(image_id tiny)" = "$TINY_ID" ] || skip_case "the image 'tiny' is not in the store"
	make_context || fail "cannot make the build context"
	[[ $(image_id "$BUILT") == sha256:* ]] && return 0
	cbuild "$BUILT" "$T/ctx-$BUILT" >"$T/build-$BUILT.out" 2>&1 ||
		fail_with_text "the build failed:" "$(cat "$T/build-$BUILT.out")"
}

# The chain ids (hex) of the store's layer directories, one a line.
layer_dir_names() {
	find "$STORE/layers" -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort
}

a_three_step_build_gives_a_layer_per_step_that_verifies_on_export() {
	local out dir=$T/export-$BUILT manifest config got want blob
	need_fixtures
	make_context || fail "cannot make the build context"
	cimg rm "$BUILT" >/dev/null 2>&1
	out=$(cbuild "$BUILT" "$T/ctx-$BUILT" 2>&1)
	expect "build" [ $? = 0 ]
	echo "$out"
	expect_match "step lines" "$out" '^Step 5/5 : WORKDIR /srv/app$'
	expect_match "the RUN's output streams" "$out" '^ ---> running in a build sandbox$'
	expect_match "the summary" "$out" \
		"^built image '$BUILT' sha256:[0-9a-f]{64} \\(6 layers, 2 new\\)$"
	expect_eq "layers: the fixture's 4 and one per RUN and COPY" \
		"$(cimg inspect "$BUILT" | jq '.[0].Layers | length')" 6
	expect_eq "the fixture's layers are shared" \
		"$(cimg inspect "$BUILT" | jq -c '[.[0].Layers[:4][].ChainId]')" \
		"$(cimg inspect tiny | jq -c '[.[0].Layers[].ChainId]')"
	expect_eq "the source" "$(jq -r '.source.type' "$STORE/images/$BUILT/image.json")" build
	out=$(cimg export "$BUILT" "$dir" 2>&1)
	expect "export of a built image" [ $? = 0 ]
	manifest=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$dir/index.json")
	config=$(jq -r '.config.digest | sub("sha256:"; "")' "$dir/blobs/sha256/$manifest")
	got=$(jq -r '.layers[].digest | sub("sha256:"; "")' "$dir/blobs/sha256/$manifest" |
		while read -r blob; do
			echo "sha256:$(gzip -dc "$dir/blobs/sha256/$blob" | sha256sum | cut -d' ' -f1)"
		done)
	want=$(jq -r '.rootfs.diff_ids[]' "$dir/blobs/sha256/$config")
	expect_eq "diff_ids: the uncompressed layers of the export hash to them" "$got" "$want"
	out=$(cd "$dir/blobs/sha256" && for f in *; do
		[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$f" ] || echo "$f"
	done)
	expect_eq "blobs that do not hash to their name" "$out" ""
	blob=$(jq -r '.layers[4].digest | sub("sha256:"; "")' "$dir/blobs/sha256/$manifest")
	expect_eq "the RUN's layer" "$(tar tzf "$dir/blobs/sha256/$blob" | LC_ALL=C sort)" \
		"$(printf '%s\n' etc/ etc/run-file srv/ srv/app/)"
	blob=$(jq -r '.layers[5].digest | sub("sha256:"; "")' "$dir/blobs/sha256/$manifest")
	expect_match "the COPY's layer: the file with its owner" \
		"$(tar tvzf "$dir/blobs/sha256/$blob" --numeric-owner)" \
		'^-rw-r--r-- 1000/1000 +25 .* srv/app/app\.conf$'
	out=$(skopeo inspect "oci:$dir:latest" 2>&1)
	expect_eq "skopeo reads the export" "$(jq -r '.Layers | length' <<<"$out")" 6
}

the_history_of_a_built_image_is_as_docker_shows_it() {
	local out got ids
	need_built
	out=$(cimg history --json "$BUILT" 2>&1)
	got=$(jq -r '.[:4][] | [(if .EmptyLayer then "empty" else "layer" end), .CreatedBy] | @tsv' \
		<<<"$out")
	expect_eq "entries 0-3 (newest first): empty_layer, created_by" \
		"$(sed -E 's/file:[0-9a-f]{64}/file:HASH/' <<<"$got")" \
		"$(printf '%s\t%s\n' \
			empty '/bin/sh -c #(nop) WORKDIR /srv/app' \
			empty '/bin/sh -c #(nop)  ENV BUILT_BY=carrel STEP=three steps' \
			layer '/bin/sh -c #(nop) COPY --chown=user:user file:HASH in /srv/app/ ' \
			layer '/bin/sh -c echo "made by run" > /etc/run-file &&     mkdir -p /srv/app')"
	expect_eq "entries: the fixture's 8 and 4" "$(jq length <<<"$out")" 12
	expect_eq "the fixture's entries follow unchanged" \
		"$(jq -c '.[4:] | map([.Created, .CreatedBy, .EmptyLayer])' <<<"$out")" \
		"$(cimg history --json tiny | jq -c 'map([.Created, .CreatedBy, .EmptyLayer])')"
	ids=$(jq -r '.[].Id' <<<"$out")
	expect_eq "the newest row has the image's id" "$(head -n 1 <<<"$ids")" \
		"$(image_id "$BUILT")"
	expect_eq "an id on every built row, all different" \
		"$(head -n 4 <<<"$ids" | grep -Ec '^sha256:[0-9a-f]{64}$')/$(head -n 4 <<<"$ids" | sort -u | wc -l)" \
		4/4
	expect_eq "<missing> on the fixture's rows" "$(tail -n 8 <<<"$ids" | sort -u)" "<missing>"
	expect_eq "sizes of the built rows" "$(jq -c '[.[:4][].Size]' <<<"$out")" "[0,0,25,12]"
	out=$(cimg history "$BUILT" 2>&1)
	echo "$out"
	expect_match "the table's newest row" "$(sed -n 2p <<<"$out")" \
		"^$(image_id "$BUILT" | cut -c8-19) +(Less than a second|[0-9]+ seconds?|About a minute|[0-9]+ minutes) ago +/bin/sh -c #\\(nop\\) WORKDIR /srv/app +0B"
	expect_match "the RUN's row" "$(sed -n 5p <<<"$out")" \
		'^[0-9a-f]{12} .* /bin/sh -c echo "made by run" > /etc/run-.*… +12B'
}

a_session_on_the_built_image_sees_each_step() {
	local conf out
	need_built
	conf=$(case_config built "images = { b = { type = \"oci\"; name = \"$BUILT\"; }; };
		defaults = { image = \"b\"; volumes = (); };
		policies = ( { users = [ \"$OCI_USER\" ]; } );")
	# shellcheck disable=SC2016 # expanded inside
	out=$(run_in "$conf" "$OCI_USER" /bin/sh -c 'echo "run=$(cat /etc/run-file)"
		echo "copied=$(cat /srv/app/app.conf)"
		echo "owner=$(ls -ln /srv/app/app.conf | sed -E "s/^[^ ]+ +[^ ]+ +([^ ]+) +([^ ]+) .*/\1 \2/")"
		echo "built_by=$BUILT_BY"; echo "step=$STEP"; echo "pwd=$(pwd)"
		echo "version=$(cat /opt/app/VERSION)"' 2>&1)
	echo "$out"
	expect_eq "the RUN's file" "$(value_of run "$out")" "made by run"
	expect_eq "the copied file" "$(value_of copied "$out")" "setting=from-the-context"
	expect_eq "its owner (--chown=user:user)" "$(value_of owner "$out")" "1000 1000"
	expect_eq "the ENV" "$(value_of built_by "$out")" carrel
	expect_eq "a quoted ENV value" "$(value_of step "$out")" "three steps"
	expect_eq "carrel run starts in the WORKDIR" "$(value_of pwd "$out")" /srv/app
	expect_eq "the fixture's files are there below" "$(value_of version "$out")" \
		"tiny-fixture 1.0"
}

# More layers than one "lowerdir" value of fsconfig(2) holds (about 80): Linux 6.8 and later
# take them one by one.
an_image_of_a_hundred_layers_builds_and_a_session_runs_on_it() {
	local dir=$T/ctx-many conf out i
	need_fixtures
	mkdir -p "$dir"
	echo 'FROM tiny' >"$dir/Dockerfile"
	for i in $(seq 1 100); do
		echo "layer $i" >"$dir/f$i"
		echo "COPY f$i /many/f$i" >>"$dir/Dockerfile"
	done
	out=$(cbuild many "$dir" -q 2>&1)
	expect "the build" [ $? = 0 ] || {
		echo "$out"
		return
	}
	expect_eq "its layers" "$(cimg inspect many | jq '.[0].Layers | length')" 104
	conf=$(case_config many "images = { m = { type = \"oci\"; name = \"many\"; }; };
		defaults = { image = \"m\"; volumes = (); };
		policies = ( { users = [ \"$OCI_USER\" ]; } );")
	out=$(run_in "$conf" "$OCI_USER" /bin/sh -c 'cat /many/f1 /many/f100; ls /many | wc -l' 2>&1)
	echo "$out"
	if [ "$(printf '%s\n' "$(uname -r)" 6.8 | sort -V | head -n1)" = 6.8 ]; then
		expect_match "the lowest layer" "$out" '^layer 1$'
		expect_match "the top layer" "$out" '^layer 100$'
		expect_match "every layer" "$out" '^ *100$'
	else
		expect_match "refused before Linux 6.8" "$out" "has 104 layers: too many for one overlay mount"
	fi
	cimg rm many >/dev/null
}

# WORKDIR makes its directory only for a later RUN, COPY or ADD: with none, a session says
# that it cannot start there.
a_workdir_the_image_lacks_is_reported_by_run() {
	local dir=$T/ctx-workdir conf out
	need_fixtures
	mkdir -p "$dir"
	printf '%s\n' 'FROM tiny' 'WORKDIR /carrel-test-nowhere' >"$dir/Dockerfile"
	out=$(cbuild nowhere "$dir" -q 2>&1)
	expect "the build" [ $? = 0 ] || {
		echo "$out"
		return
	}
	conf=$(case_config nowhere "images = { n = { type = \"oci\"; name = \"nowhere\"; }; };
		defaults = { image = \"n\"; volumes = (); };
		policies = ( { users = [ \"$OCI_USER\" ]; } );")
	out=$(run_in "$conf" "$OCI_USER" /bin/sh -c 'echo "pwd=$(pwd)"' 2>&1)
	echo "$out"
	expect_match "the warning" "$out" \
		"^carrel: warning: cannot enter the image's WorkingDir '/carrel-test-nowhere' \\(No such file or directory\\): starting in "
	expect_ne "not there" "$(value_of pwd "$out")" /carrel-test-nowhere
	cimg rm nowhere >/dev/null
}

a_rebuild_takes_every_step_from_the_cache() {
	local before out id
	need_built
	before=$(layer_dir_names)
	id=$(image_id "$BUILT")
	out=$(cbuild "$BUILT" "$T/ctx-$BUILT" 2>&1)
	expect "rebuild" [ $? = 0 ]
	echo "$out"
	expect_eq "every step but FROM from the cache" "$(grep -c '^ ---> cached$' <<<"$out")" 4
	expect_no_match "no RUN ran" "$out" 'running in a build sandbox'
	expect_match "no new layer" "$out" '\(6 layers, 0 new\)$'
	expect_eq "no new layer directory" "$(layer_dir_names)" "$before"
	expect_eq "the same image id" "$(image_id "$BUILT")" "$id"
	expect_eq "no staging left" "$(staging_left)" ""
}

no_cache_makes_every_step_anew() {
	local before out id
	need_built
	before=$(layer_dir_names)
	id=$(image_id "$BUILT")
	sleep 1 # a new second: the new layers' times differ from the old ones'
	out=$(cbuild "$BUILT" "$T/ctx-$BUILT" --no-cache 2>&1)
	expect "rebuild --no-cache" [ $? = 0 ]
	echo "$out"
	expect_no_match "nothing from the cache" "$out" 'cached'
	expect_eq "the RUN ran" "$(grep -c '^ ---> running in a build sandbox$' <<<"$out")" 1
	expect_match "two new layers" "$out" '\(6 layers, 2 new\)$'
	expect_match "the old image was replaced" "$out" "^replaced image '$BUILT' $id$"
	expect_ne "a new image id" "$(image_id "$BUILT")" "$id"
	expect_eq "layer directories: the old two reclaimed, two new" \
		"$(comm -3 <(echo "$before") <(layer_dir_names) | wc -l)" 4
	out=$(cbuild "$BUILT" "$T/ctx-$BUILT" 2>&1)
	expect_eq "and the cache has what --no-cache made" "$(grep -c '^ ---> cached$' <<<"$out")" 4
}

a_failing_run_stops_the_build_with_its_status_and_leaves_nothing() {
	local dir=$T/ctx-failing before out status
	need_fixtures
	mkdir -p "$dir" && printf '%s\n' 'FROM tiny' 'RUN echo "about to fail"; exit 3' \
		'RUN echo "never printed"' >"$dir/Dockerfile"
	before=$(store_snapshot)
	out=$(cbuild failing "$dir" 2>&1)
	status=$?
	echo "$out"
	expect_eq "carrel exits with the RUN's status" "$status" 3
	expect_match "the RUN's output" "$out" '^about to fail$'
	expect_match "the error" "$out" \
		"^carrel: cannot build 'failing': $dir/Dockerfile:2: RUN echo \"about to fail\"; exit 3: the command exited with status 3$"
	expect_no_match "the next step never ran" "$out" 'never printed|Step 3/3'
	expect_eq "no image" "$(images_in_store | grep -c '^failing$')" 0
	expect_eq "no staging" "$(staging_left)" ""
	expect_eq "the store" "$(store_snapshot)" "$before"
}

a_run_whose_program_is_missing_exits_as_a_shell_would() {
	local dir=$T/ctx-missing out status
	need_fixtures
	mkdir -p "$dir" && printf '%s\n' 'FROM tiny' 'RUN ["/carrel-test-no-such-program"]' \
		>"$dir/Dockerfile"
	out=$(cbuild missing "$dir" 2>&1)
	status=$?
	echo "$out"
	expect_eq "not found: 127" "$status" 127
	expect_match "the error" "$out" \
		"Dockerfile:2: .*cannot run '/carrel-test-no-such-program': No such file or directory$"
	printf '%s\n' 'FROM tiny' 'RUN ["/etc"]' >"$dir/Dockerfile"
	out=$(cbuild missing "$dir" 2>&1)
	status=$?
	echo "$out"
	expect_eq "not runnable: 126" "$status" 126
	expect_match "the error" "$out" "cannot run '/etc': Permission denied$"
	expect_eq "no image" "$(images_in_store | grep -c '^missing$')" 0
}

from_scratch_a_static_busybox_builds_and_runs() {
	local dir=$T/ctx-scratch out view run_layer
	need_fixtures
	{ mkdir -p "$dir" && cp /bin/busybox "$dir/busybox"; } || fail "no static busybox to copy"
	file -L /bin/busybox | grep -q 'statically linked' || skip_case "/bin/busybox is not static"
	cat >"$dir/Dockerfile" <<-'EOF'
		FROM scratch
		COPY busybox /bin/busybox
		RUN ["/bin/busybox", "sh", "-c", "/bin/busybox echo \"scratch: $PATH\" > /made"]
		CMD ["/bin/busybox", "sh"]
	EOF
	out=$(cbuild scratchy "$dir" 2>&1)
	expect "build from scratch" [ $? = 0 ]
	echo "$out"
	expect_eq "layers: the COPY's and the RUN's" \
		"$(cimg inspect scratchy | jq '.[0].Layers | length')" 2
	expect_eq "history" "$(cimg history --json scratchy | jq -c '[.[] | .EmptyLayer]')" \
		"[true,false,false]"
	view=$(mount_view scratchy) || fail "cannot mount the image"
	expect "the busybox, executable" [ -x "$view/bin/busybox" ]
	expect_eq "the RUN's file: the default PATH" "$(cat "$view/made" 2>&1)" \
		"scratch: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	unmount_view "$view"
	run_layer=$(layer_dirs scratchy | head -n 1)
	expect_eq "the RUN's layer holds its file only (no /proc, /dev, resolv.conf)" \
		"$(cd "$run_layer" && find . -mindepth 1 | LC_ALL=C sort)" "./made"
	cimg rm scratchy >/dev/null
}

dockerfile_errors_name_the_file_and_line() {
	local dir=$T/ctx-errors before out status
	need_fixtures
	mkdir -p "$dir"
	before=$(store_snapshot)
	# shellcheck disable=SC1003 # a backslash ending a line of the Dockerfile
	printf '%s\n' 'FROM tiny' '# a comment' 'RUN true \' '    && true' 'FROBNICATE now' \
		>"$dir/Dockerfile"
	out=$(cbuild errors "$dir" 2>&1)
	status=$?
	expect_eq "exit status" "$status" 1
	expect_eq "an unknown instruction" "$out" \
		"carrel: cannot build 'errors': $dir/Dockerfile:5: unknown instruction 'FROBNICATE'"
	printf '%s\n' 'FROM tiny' 'COPY just-one' >"$dir/Other"
	out=$(cbuild errors "$dir" -f "$dir/Other" 2>&1)
	expect_eq "a malformed one, in the file -f names" "$out" \
		"carrel: cannot build 'errors': $dir/Other:2: COPY needs a source and a destination"
	printf '%s\n' 'FROM tiny' 'ARG VERSION=1' >"$dir/Other"
	out=$(cbuild errors "$dir" -f "$dir/Other" 2>&1)
	expect_match "one carrel does not implement" "$out" \
		":2: ARG is not supported by carrel image build$"
	printf '%s\n' 'FROM tiny' 'ADD https://example.com/x.tar.gz /opt/' >"$dir/Other"
	out=$(cbuild errors "$dir" -f "$dir/Other" 2>&1)
	expect_match "ADD of a URL" "$out" \
		":2: ADD: 'https://example.com/x.tar.gz': ADD of a URL is not supported"
	printf '%s\n' 'FROM no-such-image' >"$dir/Other"
	out=$(cbuild errors "$dir" -f "$dir/Other" 2>&1)
	expect_match "FROM an image the store lacks" "$out" \
		":1: FROM: no image 'no-such-image' in the store"
	expect_eq "no image" "$(images_in_store | grep -c '^errors$')" 0
	expect_eq "the store" "$(store_snapshot)" "$before"
}

a_dockerfile_of_from_alone_gives_the_base_image() {
	local dir=$T/ctx-from out
	need_fixtures
	mkdir -p "$dir" && printf '%s\n' 'FROM tiny' >"$dir/Dockerfile"
	out=$(cbuild from-alone "$dir" 2>&1)
	expect "build" [ $? = 0 ]
	expect_eq "the same config, so the same id" "$(image_id from-alone)" "$TINY_ID"
	expect_eq "the same layers" \
		"$(cimg inspect from-alone | jq -c '[.[0].Layers[].ChainId]')" \
		"$(cimg inspect tiny | jq -c '[.[0].Layers[].ChainId]')"
	cimg rm from-alone >/dev/null
}

a_run_is_confined_like_a_docker_container() {
	local dir=$T/ctx-confined out layer
	need_fixtures
	mkdir -p "$dir"
	# shellcheck disable=SC2016 # expanded in the sandbox
	printf '%s\n' 'FROM tiny' 'RUN s=/proc/self/status; \
		echo "capbnd=$(sed -n "s/^CapBnd:[[:space:]]*//p" $s)"; \
		echo "nnp=$(sed -n "s/^NoNewPrivs:[[:space:]]*//p" $s)"; \
		echo "seccomp=$(sed -n "s/^Seccomp:[[:space:]]*//p" $s)"; \
		echo "uid=$(id -u) host=$(uname -n) pid=$$"; \
		echo "ifaces=$(grep -c : /proc/net/dev)"; \
		echo "dev=$(ls /dev | sed -n "1h;1!H;\${x;s/\n/ /g;p}")"; \
		(echo x > /proc/sys/kernel/domainname) 2>/dev/null && echo sys=rw || echo sys=ro; \
		echo "stdin=$(cat)"' >"$dir/Dockerfile"
	out=$(cbuild confined "$dir" --network none 2>&1)
	expect "build" [ $? = 0 ]
	echo "$out"
	expect_eq "the bounding set: docker's defaults without CAP_MKNOD" \
		"$(value_of capbnd "$out")" 00000000a00425fb
	expect_eq "no_new_privs" "$(value_of nnp "$out")" 1
	expect_eq "the seccomp filter" "$(value_of seccomp "$out")" 2
	expect_match "root, in its own uts and pid namespaces" "$out" \
		'^uid=0 host=carrel-build pid=[0-9]+$'
	expect_ne "not pid 1 (that is the sandbox's reaper)" "$(sed -n 's/.*pid=//p' <<<"$out")" 1
	expect_eq "--network none: loopback only" "$(value_of ifaces "$out")" 1
	expect_eq "a minimal /dev" "$(value_of dev "$out")" \
		"fd full null random shm stderr stdin stdout tty urandom zero"
	expect_eq "/proc/sys is read-only" "$(value_of sys "$out")" ro
	expect_eq "stdin is empty" "$(value_of stdin "$out")" ""
	layer=$(layer_dirs confined | head -n 1)
	expect_eq "nothing of the sandbox in the layer" \
		"$(cd "$layer" && find . -mindepth 1 | LC_ALL=C sort)" ""
	expect_eq "no mount of the sandbox is left" \
		"$(grep -c carrel-build /proc/self/mountinfo)" 0
	cimg rm confined >/dev/null
	out=$(cbuild confined "$dir" --no-cache 2>&1)
	expect "build on the host's network" [ $? = 0 ]
	expect_eq "on the host's network, without CAP_NET_RAW and CAP_NET_BIND_SERVICE" \
		"$(value_of capbnd "$out")" 00000000a00401fb
	expect_ne "the host's network" "$(value_of ifaces "$out")" 1
	cimg rm confined >/dev/null
}

copy_and_add_stay_in_the_context_and_unpack_tarballs() {
	local dir=$T/ctx-copy out view
	need_fixtures
	mkdir -p "$dir/tree/sub" "$dir/pack"
	echo inside >"$dir/tree/sub/file"
	ln -sf ../../outside "$dir/tree/link-out"
	ln -sf /etc/shadow "$dir/abs-link"
	echo packed >"$dir/pack/packed.txt"
	tar -C "$dir/pack" -czf "$dir/pack.tar.gz" packed.txt
	printf '%s\n' 'FROM tiny' 'COPY tree /opt/tree' 'ADD pack.tar.gz /opt/unpacked/' \
		'COPY tree/sub/fil? /home/user/' >"$dir/Dockerfile"
	out=$(cbuild copies "$dir" 2>&1)
	expect "build" [ $? = 0 ]
	echo "$out"
	view=$(mount_view copies) || fail "cannot mount the image"
	expect_eq "a directory's contents" "$(cat "$view/opt/tree/sub/file" 2>&1)" inside
	expect_eq "a link inside it stays a link" "$(readlink "$view/opt/tree/link-out")" \
		"../../outside"
	expect_eq "ADD unpacks a tarball" "$(cat "$view/opt/unpacked/packed.txt" 2>&1)" packed
	expect_eq "a wildcard, into a directory of the image" \
		"$(cat "$view/home/user/file" 2>&1)" inside
	expect_eq "a parent the layer makes keeps the image's owner and mode" \
		"$(stat -c '%a %u:%g' "$(layer_dirs copies | head -n 1)/home/user")" "750 1000:1000"
	unmount_view "$view"
	printf '%s\n' 'FROM tiny' 'COPY abs-link /x' >"$dir/Dockerfile"
	out=$(cbuild copies-bad "$dir" 2>&1)
	expect_match "a source that leads out of the context" "$out" \
		"'abs-link' leads out of the build context"
	printf '%s\n' 'FROM tiny' 'COPY ../outside /x' >"$dir/Dockerfile"
	out=$(cbuild copies-bad "$dir" 2>&1)
	expect_match "a source with .." "$out" "'../outside' is outside the build context"
	expect_eq "no image" "$(images_in_store | grep -c '^copies-bad$')" 0
	cimg rm copies >/dev/null
}

a_build_does_not_replace_an_image_a_session_uses() {
	local dir=$T/ctx-replace id out status session
	need_fixtures
	[ "$(image_id tiny)" = "$TINY_ID" ] || skip_case "the image 'tiny' is not in the store"
	mkdir -p "$dir" && printf '%s\n' 'FROM tiny' 'ENV REPLACED=1' >"$dir/Dockerfile"
	hold_login replace "$OCI_USER" || {
		fail_with_text "login failed:" "$(held_output replace)"
		return
	}
	session=$(value_of session "$(held_output replace)")
	out=$(cbuild tiny "$dir" 2>&1)
	status=$?
	expect_eq "exit status" "$status" 1
	expect_match "it says why" "$out" \
		"^carrel: cannot build 'tiny': image 'tiny' is in use by a session: it cannot be replaced"
	expect_eq "the image is the same" "$(image_id tiny)" "$TINY_ID"
	expect_eq "no staging" "$(staging_left)" ""
	release_login replace
	wait_for_session_end "$session" "$(record_value "$session" init_pid)" ||
		fail "session $session did not end"
}

# start_sleeping_build NAME: a build whose RUN sleeps; sets BUILD_PID and BUILD_OUT. Returns
# once the RUN is running.
start_sleeping_build() {
	local dir=$T/ctx-$1
	mkdir -p "$dir" &&
		printf '%s\n' 'FROM tiny' 'RUN echo "sleeping now"; sleep 4321' >"$dir/Dockerfile"
	BUILD_OUT=$T/build-$1.out
	"$ADMIN" image build -t "$1" "$dir" >"$BUILD_OUT" 2>&1 &
	BUILD_PID=$!
	wait_until 60 grep -q '^sleeping now$' "$BUILD_OUT"
}

sleeper_gone() {
	! pgrep -f 'sleep 4321' >/dev/null
}

an_interrupted_build_leaves_nothing() {
	local before status
	need_fixtures
	before=$(store_snapshot)
	start_sleeping_build interrupted || fail "the build did not start its RUN"
	kill -INT "$BUILD_PID"
	wait "$BUILD_PID"
	status=$?
	cat "$BUILD_OUT"
	expect_eq "exit status" "$status" 130
	expect_match "it says why" "$(cat "$BUILD_OUT")" "^carrel: cannot build 'interrupted': .*interrupted$"
	expect "the sandbox is gone" wait_until 10 sleeper_gone
	expect_eq "no image" "$(images_in_store | grep -c '^interrupted$')" 0
	expect_eq "no staging" "$(staging_left)" ""
	expect_eq "the store" "$(store_snapshot)" "$before"
}

a_killed_build_leaves_only_what_gc_reclaims() {
	local status out
	need_fixtures
	start_sleeping_build killed || fail "the build did not start its RUN"
	kill -KILL "$BUILD_PID"
	wait "$BUILD_PID"
	status=$?
	expect_eq "killed" "$status" 137
	expect "the sandbox died with it" wait_until 10 sleeper_gone
	expect_eq "no image" "$(images_in_store | grep -c '^killed$')" 0
	expect_eq "partial layers in the store" "$(partial_layers)" ""
	expect_match "its staging is left" "$(staging_left)" '^build-[0-9a-f]{12}$'
	expect_eq "no mount of the sandbox is left" \
		"$(grep -c carrel-build /proc/self/mountinfo)" 0
	carrel gc >/dev/null 2>&1
	expect_match "gc leaves fresh staging (a build may be running)" "$(staging_left)" '^build-'
	touch -h -d '10 minutes ago' "$STORE/tmp/"build-*
	out=$(carrel gc 2>&1)
	expect_match "gc reclaims it once it is stale" "$out" '^reclaimed staging build-[0-9a-f]{12}$'
	expect_eq "staging left" "$(staging_left)" ""
}
