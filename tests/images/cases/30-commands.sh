# Cases: carrel image ls, history, export, rm; check-config and gc on the image store.
# shellcheck shell=bash

CASES+=(
	image_ls_lists_name_id_layers_size_and_created
	image_history_is_the_config_history_newest_first
	export_then_import_gives_back_the_same_image
	skopeo_accepts_an_exported_layout
	image_rm_reclaims_the_layers_no_other_image_uses
	check_config_reports_a_stored_image_that_is_missing
	gc_removes_stale_staging_only_while_no_import_runs
)

image_ls_lists_name_id_layers_size_and_created() {
	local out row
	need_fixtures
	out=$(cimg ls 2>&1)
	echo "$out"
	expect_match "header" "$(head -n 1 <<<"$out")" '^NAME +ID +LAYERS +SIZE +CREATED$'
	expect_match "row of tiny" "$out" '^tiny +2a36a577e298 +4 +1\.98MB +[0-9]+ years ago$'
	expect_match "row of control" "$out" '^control +310790dcbb1d +2 +'
	row=$(cimg ls --json | jq -c '.[] | select(.Name == "tiny") | [.Id, .Layers, .Created]')
	expect_eq "ls --json" "$row" "[\"$TINY_ID\",4,\"2024-01-01T00:07:00Z\"]"
}

image_history_is_the_config_history_newest_first() {
	local out expected got
	need_fixtures
	out=$(cimg history tiny --json 2>&1)
	# expected/tiny.history.tsv: created, "layer" or "empty_layer", created_by; oldest first.
	expected=$(tac "$EXPECTED/tiny.history.tsv" | awk -F '\t' '{ print $1 "\t" ($2 == "empty_layer") "\t" $3 }')
	got=$(jq -r '.[] | [.Created, (if .EmptyLayer then 1 else 0 end), .CreatedBy] | @tsv' <<<"$out")
	expect_eq "history (created, empty, created by), newest first" "$got" "$expected"
	expect_eq "ids" "$(jq -c '[.[].Id] | unique' <<<"$out")" "[\"<missing>\",\"$TINY_ID\"]"
	expect_eq "the newest row has the id" "$(jq -r '.[0].Id' <<<"$out")" "$TINY_ID"
	expect_eq "sizes: the layers', 0 for the rest" "$(jq -c '[.[].Size]' <<<"$out")" \
		"[0,0,0,$(cimg inspect tiny | jq -c '[.[0].Layers[].UnpackedSize] | reverse |
			"\(.[0]),\(.[1]),\(.[2]),0,\(.[3])"' | tr -d '"')]"
	out=$(cimg history tiny 2>&1)
	echo "$out"
	expect_match "header" "$(head -n 1 <<<"$out")" \
		'^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$'
	expect_eq "rows" "$(($(wc -l <<<"$out") - 1))" 8
	expect_match "the newest row" "$(sed -n 2p <<<"$out")" \
		'^2a36a577e298 +[0-9]+ years ago +/bin/sh -c #\(nop\)  LABEL org\.opencontainers\.…   0B +$'
	expect_match "an empty layer row" "$(sed -n 3p <<<"$out")" \
		'^<missing> +[0-9]+ years ago +/bin/sh -c #\(nop\)  CMD \["/bin/sh" "-c" "cat … +0B'
	expect_match "the busybox layer" "$(tail -n 1 <<<"$out")" \
		'^<missing> +[0-9]+ years ago +/bin/sh -c #\(nop\) ADD file:f3c7d699ecf429e02… +1\.98MB'
	out=$(cimg history --no-trunc tiny 2>&1)
	expect_match "--no-trunc shows the whole id" "$(sed -n 2p <<<"$out")" "^$TINY_ID "
	expect_match "and the whole commands" "$out" \
		'^<missing> .* ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin APP_MODE=fixture GREETING=hello world=1 +0B'
	expect_eq "a line per row, however long the command" "$(wc -l <<<"$out")" 9
}

export_then_import_gives_back_the_same_image() {
	local out dir=$T/export-tiny view
	need_fixtures
	out=$(cimg export tiny "$dir" 2>&1)
	expect_match "export" "$out" "exported image 'tiny' to $dir \\(oci:$dir:latest\\)"
	expect_eq "index.json names the manifest" \
		"$(jq -r '.manifests[0] | [.digest, .annotations["org.opencontainers.image.ref.name"]] | @tsv' \
			"$dir/index.json")" "$TINY_MANIFEST	latest"
	expect_eq "the blobs are the originals" "$(cd "$dir/blobs/sha256" && ls | LC_ALL=C sort)" \
		"$(cd "$FIXTURES/tiny/blobs/sha256" && ls | LC_ALL=C sort)"
	out=$(cd "$dir/blobs/sha256" && for f in *; do
		[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$f" ] || echo "$f"
	done)
	expect_eq "blobs that do not hash to their name" "$out" ""
	out=$(cimg import -q tiny-again "$dir" 2>&1)
	expect "re-import of the export" [ $? = 0 ]
	expect_eq "its id" "$(image_id tiny-again)" "$TINY_ID"
	expect_eq "its manifest" "$(cimg inspect tiny-again | jq -r '.[0].Manifest.Digest')" \
		"$TINY_MANIFEST"
	view=$(mount_view tiny-again) && {
		out=$(diff "$EXPECTED/tiny.rootfs.tsv" <(tree_listing "$view") 2>&1) ||
			fail_with_text "its rootfs differs:" "$out"
		unmount_view "$view"
	}
	# A docker-archive has no manifest of its own: carrel writes one, and keeps it.
	cimg import -q tiny-docker "$FIXTURES/tiny.docker-archive.tar" >/dev/null
	cimg export tiny-docker "$T/export-docker" >/dev/null
	cimg import -q tiny-docker-again "$T/export-docker" >/dev/null
	expect_eq "a docker-archive's image, exported and imported: id" \
		"$(image_id tiny-docker-again)" "$TINY_ID"
	expect_eq "and manifest" "$(cimg inspect tiny-docker-again | jq -r '.[0].Manifest.Digest')" \
		"$(cimg inspect tiny-docker | jq -r '.[0].Manifest.Digest')"
	out=$(cimg export tiny "$dir" 2>&1)
	expect_match "export into a directory that is not empty" "$out" "is not empty"
	cimg rm tiny-again tiny-docker tiny-docker-again >/dev/null
}

skopeo_accepts_an_exported_layout() {
	local out dir=$T/export-skopeo
	need_fixtures
	command -v skopeo >/dev/null || skip_case "skopeo is not installed (apt-get install skopeo)"
	cimg export control "$dir" --tag v1 >/dev/null
	out=$(timeout 60 skopeo inspect "oci:$dir:v1" 2>&1)
	expect_eq "skopeo inspect: digest" "$(jq -r .Digest <<<"$out" 2>&1)" \
		"$(cimg inspect control | jq -r '.[0].Manifest.Digest')"
	expect_eq "skopeo inspect: layers" "$(jq -r '.Layers | length' <<<"$out" 2>&1)" 2
	out=$(timeout 60 skopeo copy "oci:$dir:v1" "oci:$T/skopeo-copy:v1" 2>&1)
	expect "skopeo copy from the export (what a push does)" [ $? = 0 ]
	[ $? = 0 ] || echo "$out"
}

image_rm_reclaims_the_layers_no_other_image_uses() {
	local out layers blobs
	need_fixtures
	cimg import -q rm-a "$FIXTURES/tiny-zstd" >/dev/null
	cimg import -q rm-b "$EVIL/benign.docker-archive.tar" >/dev/null
	layers=$(ls "$STORE/layers" | wc -l)
	blobs=$(ls "$STORE/blobs/sha256" | wc -l)
	out=$(cimg rm rm-a 2>&1)
	expect_match "rm prints the image" "$out" "^removed image 'rm-a' $TINY_ID$"
	expect_eq "layers after removing an image whose layers tiny has" \
		"$(ls "$STORE/layers" | wc -l)" "$layers"
	expect_match "its own blobs (zstd layers, manifest) are deleted" "$out" \
		'^deleted blob sha256:[0-9a-f]{64}$'
	expect_eq "the config blob, tiny's too, stays" "$(ls "$STORE/blobs/sha256" | grep -c "${TINY_ID#sha256:}")" 1
	out=$(cimg rm rm-b 2>&1)
	expect_no_match "layers the control image shares stay" "$out" "deleted layer"
	expect_eq "no image rm-a or rm-b" "$(images_in_store | grep -c '^rm-')" 0
	cimg import -q rm-c "$FIXTURES/tiny-zstd" >/dev/null
	cimg import -q rm-d "$FIXTURES/tiny-uncompressed" >/dev/null
	cimg rm tiny >/dev/null
	expect_eq "tiny's layers stay while rm-c and rm-d use them" "$(layer_dirs rm-c | wc -l)" 4
	out=$(cimg rm rm-c rm-d 2>&1)
	expect_eq "layers deleted with the last image that had them" \
		"$(grep -c '^deleted layer sha256:' <<<"$out")" 4
	expect_eq "layers left (the control's)" "$(ls "$STORE/layers" | wc -l)" 2
	out=$(cimg rm no-such-image 2>&1)
	expect_match "rm of a missing image" "$out" "no image 'no-such-image'"
	cimg import -q tiny "$FIXTURES/tiny:latest" >/dev/null
	expect_eq "tiny imported again" "$(image_id tiny)" "$TINY_ID"
	expect_eq "staging left" "$(staging_left)" ""
	[ "$blobs" -gt 0 ] || fail "no blobs counted"
}

check_config_reports_a_stored_image_that_is_missing() {
	local conf out
	need_fixtures
	conf=$(case_config stored "images = {
		  ok = { type = \"oci\"; name = \"tiny\"; };
		  by_digest = { type = \"oci\"; digest = \"$TINY_ID\"; };
		  gone = { type = \"oci\"; };
		  gone_digest = { type = \"oci\"; digest = \"sha256:$(printf '0%.0s' {1..64})\"; };
		};")
	out=$(carrel check-config -c "$conf" 2>&1)
	expect_eq "problems" "$(grep -c ': image ' <<<"$out")" 2
	expect_match "a missing name" "$out" \
		"^$conf:4: image 'gone': no image 'gone' in the store \\(carrel image import gone SOURCE\\)$"
	expect_match "a missing digest" "$out" "^$conf:5: image 'gone_digest': no image in the store has digest"
	out=$(carrel check-config -c "$CONF" 2>&1)
	expect_eq "the suite's config" "$out" ok
}

gc_removes_stale_staging_only_while_no_import_runs() {
	local out lock
	mkdir "$STORE/tmp/import-old" "$STORE/tmp/import-new" &&
		touch "$STORE/tmp/import-old/partial" &&
		touch -d '10 minutes ago' "$STORE/tmp/import-old" || fail "cannot make staging"
	# An import running: the store lock held.
	exec {lock}<"$STORE/images.lock"
	flock -x "$lock"
	out=$(carrel gc 2>&1)
	expect "gc leaves staging alone while the lock is held" [ -d "$STORE/tmp/import-old" ]
	exec {lock}<&-
	out=$(carrel gc 2>&1)
	echo "$out"
	expect_match "gc reports it" "$out" '^reclaimed staging import-old$'
	expect "the old staging is gone" [ ! -e "$STORE/tmp/import-old" ]
	expect "fresh staging stays" [ -d "$STORE/tmp/import-new" ]
	rmdir "$STORE/tmp/import-new"
}
