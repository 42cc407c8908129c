# Cases: "carrel image import" of every form of the fixture image "tiny", checked against what
# umoci made of it (../shared/fixtures/images/expected/, MANIFEST.md there).
# shellcheck shell=bash

CASES+=(
	every_form_of_tiny_imports_to_the_expected_rootfs
	layers_are_stored_once_in_overlay_form
	the_config_and_layers_are_recorded
	an_index_of_several_images_needs_the_platform
	a_single_image_for_another_machine_imports_with_a_warning
	import_refuses_a_taken_name_a_bad_name_and_a_missing_source
	import_reports_each_layer_on_a_line_when_not_on_a_terminal
	import_draws_its_progress_in_place_on_a_terminal
)

# import_form NAME SOURCE: import into a store that has none of its layers (so that they are
# unpacked from this form, not found stored), check the id and the merged rootfs, remove it.
import_form() {
	local name=$1 source=$2 out view
	out=$(cimg import "$name" "$source" 2>&1) || {
		fail_with_text "import of $source failed:" "$out"
		return 1
	}
	expect_no_match "layers of $name were unpacked, not found stored" "$out" "already stored"
	expect_eq "id of $name" "$(image_id "$name")" "$TINY_ID"
	view=$(mount_view "$name") || {
		fail "cannot mount the layers of $name"
		return 1
	}
	out=$(diff "$EXPECTED/tiny.rootfs.tsv" <(tree_listing "$view") 2>&1) ||
		fail_with_text "rootfs of $name ($source) differs from expected/tiny.rootfs.tsv:" "$out"
	unmount_view "$view"
}

every_form_of_tiny_imports_to_the_expected_rootfs() {
	local form name
	need_fixtures
	cimg rm tiny >/dev/null
	for form in tiny tiny:v1 tiny-zstd tiny-uncompressed tiny.docker-archive.tar \
		tiny.oci-archive.tar; do
		name=form-${form//[^a-z0-9-]/-}
		import_form "$name" "$FIXTURES/$form"
		case $form in
		tiny)
			expect_eq "manifest of the layout import" \
				"$(cimg inspect "$name" | jq -r '.[0].Manifest.Digest')" "$TINY_MANIFEST"
			expect_eq "layers" "$(cimg inspect "$name" | jq '.[0].Layers | length')" 4
			;;
		tiny-zstd)
			expect_eq "media type of a zstd layer" \
				"$(cimg inspect "$name" | jq -r '.[0].Layers[0].MediaType')" \
				application/vnd.oci.image.layer.v1.tar+zstd
			;;
		*.docker-archive.tar)
			expect_eq "source of the docker-archive" \
				"$(cimg inspect "$name" | jq -c '.[0].Source | [.Type, .Ref]')" \
				'["docker-archive","docker.io/library/tiny:latest"]'
			;;
		*.oci-archive.tar)
			expect_eq "source type of the oci-archive" \
				"$(cimg inspect "$name" | jq -r '.[0].Source.Type')" oci-archive
			;;
		esac
		cimg rm "$name" >/dev/null
		expect_eq "layers of tiny left after removing $name" \
			"$(ls "$STORE/layers" | grep -c -e b350dc6a -e 5da99833 -e 5fde9461 -e fff5ce32)" 0
	done
	expect_eq "staging left" "$(staging_left)" ""
	cimg import -q tiny "$FIXTURES/tiny:latest" >/dev/null
	expect_eq "tiny is back" "$(image_id tiny)" "$TINY_ID"
}

# A layer's directory as expected/tiny.overlay.txt describes it.
layers_are_stored_once_in_overlay_form() {
	local dirs l3 l4 l2 out before
	need_fixtures
	before=$(find "$STORE/layers" -mindepth 1 -maxdepth 1 | wc -l)
	cimg import -q tiny-zstd "$FIXTURES/tiny-zstd" >/dev/null
	mapfile -t dirs < <(layer_dirs tiny)
	expect_eq "layer directories after importing tiny-zstd (it has tiny's layers)" \
		"$(find "$STORE/layers" -mindepth 1 -maxdepth 1 | wc -l)" "$before"
	expect_eq "tiny-zstd's layers are tiny's" "$(layer_dirs tiny-zstd)" "$(layer_dirs tiny)"
	l4=${dirs[0]} l3=${dirs[1]} l2=${dirs[2]}
	expect_eq "layer 3: etc/motd is a whiteout" "$(stat -c '%F %Hr:%Lr %u:%g' "$l3/etc/motd")" \
		"character special file 0:0 0:0"
	expect_eq "layer 3: var/cache/old is a whiteout" \
		"$(stat -c '%F %Hr:%Lr' "$l3/var/cache/old")" "character special file 0:0"
	expect_eq "layer 4: opt/app is opaque" \
		"$(getfattr -h --absolute-names --only-values -n trusted.overlay.opaque "$l4/opt/app" 2>&1)" y
	expect_eq "layer 2: the implicit home/user has the lower layer's owner and mode" \
		"$(stat -c '%a %u:%g' "$l2/home/user")" "750 1000:1000"
	expect_eq "layer 2: the implicit etc" "$(stat -c '%a %u:%g' "$l2/etc")" "755 0:0"
	out=$(find "$STORE/layers" -name '.wh.*' 2>&1)
	expect_eq "whiteout files left in the store" "$out" ""
	expect_eq "layer 2: the capability" \
		"$(getfattr -h --absolute-names --only-values -n security.capability \
			"$l2/usr/local/bin/ping-cap" 2>/dev/null | od -An -tx1 | tr -d ' \n')" \
		0100000200200000000000000000000000000000
	expect_eq "layer 2: setuid kept" "$(stat -c '%a' "$l2/usr/local/bin/suid-helper")" 4755
	cimg rm tiny-zstd >/dev/null
}

the_config_and_layers_are_recorded() {
	local out
	need_fixtures
	out=$(cimg inspect tiny 2>&1)
	expect_eq "Config.config (Env, Cmd, WorkingDir, Labels)" \
		"$(jq -c '.[0].Config.config' <<<"$out")" \
		"$(jq -c '.config' "$EXPECTED/tiny.config.json")"
	expect_eq "Config.history" "$(jq -c '.[0].Config.history' <<<"$out")" \
		"$(jq -c '.history' "$EXPECTED/tiny.config.json")"
	expect_eq "layer diff_ids" "$(jq -c '[.[0].Layers[].DiffId]' <<<"$out")" \
		"$(jq -c '.rootfs.diff_ids' "$EXPECTED/tiny.config.json")"
	expect_eq "layer blob sizes" "$(jq -c '[.[0].Layers[].Size]' <<<"$out")" \
		"[1085683,1091,162,345]"
	expect_eq "platform" "$(jq -r '.[0].Platform' <<<"$out")" linux/amd64
	expect_eq "created" "$(jq -r '.[0].Created' <<<"$out")" 2024-01-01T00:07:00Z
	expect_eq "source" "$(jq -c '.[0].Source | [.Type, .Ref]' <<<"$out")" '["oci-layout","latest"]'
	expect_eq "the config blob is kept as it was" \
		"sha256:$(sha256sum <"$STORE/images/tiny/config.json" | cut -d' ' -f1)" "$TINY_ID"
	out=$(cimg inspect no-such-image 2>&1)
	expect_match "inspect of a missing image" "$out" "no image 'no-such-image'"
}

# A layout with two images for two platforms: tiny (linux/amd64) and the control image
# re-made for linux/arm64 (its config changed, so new config and manifest digests).
make_two_platform_layout() {
	local dir=$1 cfg cfg_digest cfg_size man man_digest man_size tiny_size
	mkdir -p "$dir/blobs/sha256" &&
		cp "$FIXTURES"/tiny/blobs/sha256/* "$EVIL"/benign/blobs/sha256/* "$dir/blobs/sha256/" &&
		chmod -R u+w "$dir" || return 1
	cfg=$(jq -c '.architecture = "arm64"' "$EVIL/benign/blobs/sha256/${BENIGN_ID#sha256:}")
	printf '%s' "$cfg" >"$dir/tmp.json"
	cfg_digest=$(sha256sum <"$dir/tmp.json" | cut -d' ' -f1)
	cfg_size=$(stat -c %s "$dir/tmp.json")
	mv "$dir/tmp.json" "$dir/blobs/sha256/$cfg_digest"
	man=$(jq -r '.manifests[0].digest' "$EVIL/benign/index.json")
	jq -c --arg d "sha256:$cfg_digest" --argjson s "$cfg_size" \
		'.config.digest = $d | .config.size = $s' \
		"$EVIL/benign/blobs/sha256/${man#sha256:}" | tr -d '\n' >"$dir/tmp.json"
	man_digest=$(sha256sum <"$dir/tmp.json" | cut -d' ' -f1)
	man_size=$(stat -c %s "$dir/tmp.json")
	mv "$dir/tmp.json" "$dir/blobs/sha256/$man_digest"
	tiny_size=$(stat -c %s "$FIXTURES/tiny/blobs/sha256/${TINY_MANIFEST#sha256:}")
	echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	jq -n --arg t "$TINY_MANIFEST" --argjson ts "$tiny_size" \
		--arg a "sha256:$man_digest" --argjson am "$man_size" \
		'{schemaVersion: 2, manifests: [
		  {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $t, size: $ts,
		   platform: {os: "linux", architecture: "amd64"}},
		  {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $a, size: $am,
		   platform: {os: "linux", architecture: "arm64", variant: "v8"}}]}' >"$dir/index.json"
}

an_index_of_several_images_needs_the_platform() {
	local dir=$T/two-platforms out
	need_fixtures
	[ "$(uname -m)" = x86_64 ] || skip_case "the default platform checked here is linux/amd64"
	make_two_platform_layout "$dir" || {
		fail "cannot make the two-platform layout"
		return
	}
	out=$(cimg import -q multi-default "$dir" 2>&1)
	expect "import without --platform takes this machine's (linux/amd64)" [ $? = 0 ]
	expect_eq "its id" "$(image_id multi-default)" "$TINY_ID"
	out=$(cimg import -q multi-arm "$dir" --platform linux/arm64 2>&1)
	expect "import --platform linux/arm64" [ $? = 0 ]
	expect_eq "its platform" "$(cimg inspect multi-arm | jq -r '.[0].Platform')" linux/arm64
	out=$(cimg import -q multi-none "$dir" --platform linux/s390x 2>&1)
	expect_match "no image for the platform" "$out" "none for platform linux/s390x"
	out=$(cimg import -q multi-bad "$dir" --platform linux 2>&1)
	expect_match "a malformed --platform" "$out" "expected OS/ARCH"
	out=$(cimg import -q multi-wrong "$FIXTURES/tiny" --platform linux/arm64 2>&1)
	expect_match "--platform that the only image is not for" "$out" \
		"the image is for linux/amd64, not linux/arm64"
	expect_eq "images made by the failed imports" \
		"$(images_in_store | grep -c -e multi-none -e multi-bad -e multi-wrong)" 0
	cimg rm multi-default multi-arm >/dev/null
}

a_single_image_for_another_machine_imports_with_a_warning() {
	local dir=$T/arm-only out
	need_fixtures
	[ "$(uname -m)" = x86_64 ] || skip_case "the platform checked here is linux/amd64"
	make_two_platform_layout "$dir" || {
		fail "cannot make the layout"
		return
	}
	# Only the arm64 image, with no platform in the index: as "docker save" of one image.
	jq -c '.manifests = [.manifests[1] | del(.platform)]' "$dir/index.json" >"$dir/one.json" &&
		mv "$dir/one.json" "$dir/index.json"
	out=$(cimg import -q arm-only "$dir" 2>&1)
	expect "imported without --platform" [ $? = 0 ]
	expect_match "the warning" "$out" \
		"^carrel: warning: the image is for linux/arm64, and this machine is linux/amd64: its programs may not run here$"
	out=$(cimg import -q same-machine "$FIXTURES/tiny" 2>&1)
	expect_no_match "no warning for this machine's image" "$out" "warning"
	cimg rm arm-only same-machine >/dev/null
}

import_refuses_a_taken_name_a_bad_name_and_a_missing_source() {
	local out before
	need_fixtures
	before=$(store_snapshot)
	out=$(cimg import tiny "$FIXTURES/tiny-zstd" 2>&1)
	expect_match "a taken name" "$out" "image 'tiny' exists"
	out=$(cimg import ../evil "$FIXTURES/tiny" 2>&1)
	expect_match "a bad name" "$out" "'../evil' is not a valid image name"
	out=$(cimg import x "$T/no/such/source" 2>&1)
	expect_match "a missing source" "$out" "cannot open '$T/no/such/source'"
	out=$(cimg import x "$FIXTURES/tiny:nosuchtag" 2>&1)
	expect_match "a missing tag" "$out" "no image tagged 'nosuchtag' \\(tags: 'latest', 'v1'\\)"
	out=$(cimg import x /dev/null 2>&1)
	expect_match "a device as the source" "$out" "neither a directory nor an archive"
	expect_eq "the store after the refusals" "$(store_snapshot)" "$before"
}

import_reports_each_layer_on_a_line_when_not_on_a_terminal() {
	local out
	need_fixtures
	out=$(cimg import progress-lines "$FIXTURES/tiny-uncompressed" 2>&1 >/dev/null)
	expect_eq "lines" "$(grep -c '^layer [1-4]/4 sha256:[0-9a-f]\{12\} ' <<<"$out")" 4
	expect_match "a reused layer says so" "$out" '^layer 1/4 sha256:b350dc6a008e 1\.9 MiB \(already stored\)$'
	expect_no_match "no terminal control sequences" "$out" $'\r|\e'
	out=$(cimg import --quiet progress-quiet "$FIXTURES/tiny-uncompressed" 2>&1 >/dev/null)
	expect_eq "--quiet" "$out" ""
	cimg rm progress-lines progress-quiet >/dev/null
}

import_draws_its_progress_in_place_on_a_terminal() {
	local out
	need_fixtures
	command -v script >/dev/null || skip_case "script(1) is not installed (bsdutils)"
	out=$(TERM=dumb timeout -k 5 120 script -qfec \
		"$ADMIN image import progress-tty $FIXTURES/tiny.docker-archive.tar" /dev/null 2>&1)
	expect_match "the line is redrawn in place" "$out" $'\r\e\\[Klayer'
	expect_match "a finished layer" "$out" 'layer 4/4 sha256:a78c99400a06 10\.0 KiB'
	expect_match "the result" "$out" "imported image 'progress-tty' $TINY_ID"
	cimg rm progress-tty >/dev/null
}
