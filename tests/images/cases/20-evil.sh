# Cases: every hostile or broken fixture of ../shared/fixtures/images/evil/, one case each, with
# the outcome and checks its EXPECTED.tsv gives (evil/README.md says what they mean):
#   expect   accept: imports; reject: fails with a one-line error naming the defect and leaves
#            no image, no layer, no staging; reject-or-neutralise and accept-or-reject: either,
#            with what each way requires
#   must not exist (host paths), canary (made before, must survive)
#   checks   escape:REL no-host-inode:PATH no-devices store-intact no-big-alloc absent:REL
# Every import runs against a store that already holds the images "tiny" and "control" (the
# fixture "benign"): "store-intact" means they come out unchanged.
# shellcheck shell=bash

# What each rejection must say: a pattern naming the fixture's defect.
declare -A EVIL_ERROR=(
	[path-traversal]="entry '\\.\\./\\.\\./etc/evil' has a '\\.\\.' component"
	[path-traversal-embedded]="has a '\\.\\.' component"
	[absolute-path]="absolute"
	[symlink-escape]="through the symbolic link 'escape'"
	[symlink-escape-relative]="through the symbolic link 'escape'"
	[symlink-escape-cross-layer]="symbolic link"
	[symlink-dir-replace]="through the symbolic link 'data'"
	[hardlink-outside-absolute]="hard link to '/etc/shadow'"
	[hardlink-outside-relative]="hard link to '(\\.\\./)+etc/shadow', outside the layer"
	[hardlink-via-symlink]="hard link"
	[hardlink-missing-target]="hard link to 'no/such/file', which is not in this layer"
	[device-nodes]="device"
	[whiteout-traversal]="has a '\\.\\.' component"
	[whiteout-traversal-canary]="has a '\\.\\.' component"
	[whiteout-dotdot]="a whiteout of '\\.\\.?'"
	[whiteout-through-symlink]="symbolic link"
	[sparse-huge]="sparse file of 1099511627776 bytes"
	[size-claim-truncated]="'huge\\.bin': unexpected end of archive"
	[umoci-insert-missing-eof]="end of archive"
	[manifest-digest-mismatch]="manifest sha256:[0-9a-f]{64}: digest mismatch"
	[config-digest-mismatch]="config sha256:[0-9a-f]{64}: digest mismatch"
	[layer-digest-mismatch]="layer 2 \\(sha256:[0-9a-f]{12}\\): blob: (size|digest) mismatch"
	[diffid-mismatch]="layer 2 \\(sha256:[0-9a-f]{12}\\): diff_id mismatch"
	[layer-count-mismatch]="layer count mismatch: the config lists 3 diff_ids, the manifest 2"
	[size-mismatch]="layer 2 \\(sha256:[0-9a-f]{12}\\): blob: size mismatch"
	[truncated-gzip]="layer 2 \\(sha256:[0-9a-f]{12}\\): (truncated gzip input|corrupt or truncated)"
	[missing-manifest-blob]="manifest sha256:[0-9a-f]{64}: blob not found"
	[missing-config-blob]="config sha256:[0-9a-f]{64}: blob not found"
	[missing-layer-blob]="layer 2 \\(sha256:[0-9a-f]{12}\\): blob: blob not found"
	[malformed-index-json]="index\\.json: malformed JSON"
	[malformed-manifest-json]="manifest sha256:[0-9a-f]{64}: malformed JSON"
	[malformed-config-json]="config: malformed JSON"
	[digest-path-traversal]="malformed digest 'sha256:\\.\\./\\.\\./evil-manifest\\.json'"
	[layer-digest-path-traversal]="layer 2: malformed digest 'sha256:\\.\\./"
	[bad-layout-version]="unsupported imageLayoutVersion '9\\.9\\.9'"
	[unknown-layer-mediatype]="unsupported layer media type 'application/vnd\\.example\\.evil"
	[foreign-layer-urls]="layer 2: a foreign layer with URLs"
	[docker-archive-manifest-traversal.tar]="manifest\\.json: .* names '[^']*', which is not a member"
	[docker-archive-member-traversal.tar]="archive member '(\\.\\./)+tmp/oci-evil-docker-member' has a '\\.\\.' component"
	[docker-archive-symlink-member.tar]="names 'evil-layer\\.tar', a link to '/etc/shadow' outside the archive"
	[oci-archive-member-traversal.tar]="archive member '(\\.\\./)+tmp/oci-evil-ociarchive-member' has a '\\.\\.' component"
	[path-traversal.docker-archive.tar]="entry '\\.\\./\\.\\./etc/evil' has a '\\.\\.' component"
	[whiteout-through-symlink.docker-archive.tar]="symbolic link"
)

# What an accepted fixture must have said it neutralised.
declare -A EVIL_WARNING=(
	[absolute-path]="warning: entry '/tmp/oci-evil-absolute': absolute name, unpacked as 'tmp/oci-evil-absolute'"
	[device-nodes]="warning: entry 'dev/mem': a character device is not imported"
)

# A function name from a fixture name: evil_path_traversal_docker_archive_tar.
evil_case_name() {
	echo "evil_${1//[^a-zA-Z0-9]/_}"
}

evil_fields() {
	awk -F '\t' -v f="$1" '$1 == f { print $3 "\t" $4 "\t" $5 "\t" $6 }' "$EVIL/EXPECTED.tsv"
}

# The checks column, after the import. $2: the image's merged view, when it was accepted.
evil_checks() {
	local checks=$1 view=$2 check rel dir
	for check in $checks; do
		case $check in
		-) ;;
		escape:*)
			rel=${check#escape:}
			for dir in "$STORE"/layers/*/root $view; do
				[ ! -e "$dir/$rel" ] && [ ! -L "$dir/$rel" ] || fail "$check: $dir/$rel exists"
			done
			;;
		no-host-inode:*)
			rel=$(find "$STORE" -samefile "${check#no-host-inode:}" 2>&1)
			expect_eq "$check: files of the store that are ${check#no-host-inode:}" "$rel" ""
			;;
		no-devices)
			rel=$(find "$STORE" -type b 2>&1
				find "$STORE" -type c -exec stat -c '%Hr:%Lr %n' {} + | grep -v '^0:0 ')
			expect_eq "$check: devices in the store (other than 0:0 whiteouts)" "$rel" ""
			;;
		store-intact)
			expect_eq "$check: the images that were there" "$(evil_snapshot_before)" \
				"$EVIL_BEFORE"
			;;
		no-big-alloc)
			rel=$(du -sk "$STORE" | cut -f1)
			expect "$check: the store grew by ${rel}K - ${EVIL_DU}K, less than 4 MiB" \
				[ $((rel - EVIL_DU)) -lt 4096 ]
			;;
		absent:*)
			rel=$(find "$STORE" -path "*/${check#absent:}" 2>&1)
			expect_eq "$check: found" "$rel" ""
			;;
		*) fail "unknown check '$check' in EXPECTED.tsv" ;;
		esac
	done
}

# The images that were there before, as they are: their records, layers and blobs.
evil_snapshot_before() {
	local name d
	for name in tiny control; do
		sha256sum "$STORE/images/$name/image.json" "$STORE/images/$name/config.json" 2>&1
		for d in $(layer_dirs "$name"); do
			tree_listing "$d" | sha256sum
		done
	done
	ls "$STORE/blobs/sha256"
}

evil_rejected() {
	local fx=$1 out=$2 before_layers=$3 errors
	errors=$(grep -c '^carrel: cannot import' <<<"$out")
	expect_eq "error lines" "$errors" 1
	expect_match "the error names the defect" "$(grep '^carrel: cannot import' <<<"$out")" \
		"${EVIL_ERROR[$fx]:-.}"
	expect_eq "an image was made" "$(images_in_store | grep -cx evil)" 0
	expect_eq "staging left in the store" "$(staging_left)" ""
	expect_eq "layers after the rejection" "$(ls "$STORE/layers")" "$before_layers"
}

evil_accepted() {
	local fx=$1 out=$2
	expect_eq "an image was made" "$(images_in_store | grep -cx evil)" 1
	expect_eq "partial layers" "$(partial_layers)" ""
	expect_eq "staging left in the store" "$(staging_left)" ""
	[ -z "${EVIL_WARNING[$fx]:-}" ] || expect_match "what was neutralised" "$out" "${EVIL_WARNING[$fx]}"
}

# The control, and its docker-archive twin, as evil/README.md describes them.
evil_benign_view() {
	local view=$1
	expect_eq "/etc/ok" "$(stat -c %F "$view/etc/ok" 2>&1)" "regular file"
	expect_eq "/bin/sh" "$(readlink "$view/bin/sh")" /bin/busybox
	expect_eq "/data/lines.txt is hard-linked" "$(stat -c %h "$view/data/lines.txt" 2>&1)" 2
	expect "no /etc/hostname (whited out)" [ ! -e "$view/etc/hostname" ]
}

evil_case() {
	local fx=$1 expect mne canary checks out status path before_layers view=""
	need_fixtures
	IFS=$'\t' read -r expect mne canary checks <<<"$(evil_fields "$fx")"
	[ -n "$expect" ] || skip_case "$fx is not in EXPECTED.tsv"
	rm -rf /tmp/oci-evil-*
	for path in $mne; do
		[ "$path" = - ] || [ ! -e "$path" ] || fail "$path exists before the import"
	done
	[ "$canary" = - ] || echo "carrel-test canary" >"$canary"
	EVIL_BEFORE=$(evil_snapshot_before)
	EVIL_DU=$(du -sk "$STORE" | cut -f1)
	before_layers=$(ls "$STORE/layers")
	out=$(cimg import evil "$EVIL/$fx" 2>&1)
	status=$?
	echo "$out"
	case $expect:$status in
	accept:0 | accept-or-reject:0 | reject-or-neutralise:0) evil_accepted "$fx" "$out" ;;
	reject:0 | accept:*) fail_with_text "expected '$expect', the import exited $status:" "$out" ;;
	*) evil_rejected "$fx" "$out" "$before_layers" ;;
	esac
	if [ "$status" = 0 ]; then
		view=$(mount_view evil) || fail "cannot mount the accepted image"
		case $fx in benign*) evil_benign_view "$view" ;; esac
	fi
	for path in $mne; do
		[ "$path" = - ] || [ ! -e "$path" ] || fail "$path exists after the import"
	done
	[ "$canary" = - ] || expect "the canary $canary survives" [ -f "$canary" ]
	evil_checks "$checks" "$view"
	[ -z "$view" ] || unmount_view "$view"
	[ "$status" != 0 ] || cimg rm evil >/dev/null
	rm -rf /tmp/oci-evil-*
}

if have_fixtures; then
	while IFS=$'\t' read -r EVIL_FX _; do
		[ "$EVIL_FX" != fixture ] || continue
		eval "$(evil_case_name "$EVIL_FX")() { evil_case '$EVIL_FX'; }"
		CASES+=("$(evil_case_name "$EVIL_FX")")
	done <"$EVIL/EXPECTED.tsv"
else
	evil_fixtures_are_missing() { need_fixtures; }
	CASES+=(evil_fixtures_are_missing)
fi
