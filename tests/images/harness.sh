# tests/images/harness.sh: what the image suite adds to the integration harness. Sourced by
# tests/integration/suite.sh after tests/integration/harness.sh and before the cases.
#
# - A private image store: $STORE bound over /var/lib/carrel in the suite's own mount
#   namespace, so that nothing here ever touches the machine's store (nor the other way round).
# - The image fixtures, read where they are ($FIXTURES, ../shared/fixtures/images next to the
#   repository; never copied into it). Cases that need them skip visibly when they are absent.
# - carrel-test-oci1 (shell /bin/sh, which the fixture image has) logs in on the image "tinyoci":
#   type "oci", the stored image "tiny" (imported by suite_setup), no volumes.
#
# shellcheck shell=bash disable=SC2034 # the variables here are read by the cases

# shellcheck source=tests/images/tree.sh
. "$REPO/tests/images/tree.sh"

FIXTURES=$(cd "$REPO/../shared/fixtures/images" 2>/dev/null && pwd)
EXPECTED=$FIXTURES/expected
EVIL=$FIXTURES/evil
STORE=$T/store
OCI_USER=carrel-test-oci1
TINY_ID=sha256:2a36a577e298e94b17a6a35db704e7c4fa89fbd278025fff8f6865c091a58942
TINY_MANIFEST=sha256:8b7d5ae010bafd53459df61cac09c9704b3f41f6e69fda214282d6e3e137cea5
BENIGN_ID=sha256:310790dcbb1d112f0371c906bdc95949abcd97947b36dbcaead4de84ac88c58d
MADE_STORE_DIR=""
MOUNTED_VIEWS=()

TEST_USERS="$TEST_USERS $OCI_USER:/bin/sh"
CONF_EXTRA_IMAGES='tinyoci = { type = "oci"; name = "tiny"; };
		  pinned = { type = "oci"; digest = "'$TINY_ID'"; };'
CONF_EXTRA_POLICIES="{ users = [ \"carrel-test-oci*\" ]; image = \"tinyoci\"; volumes = (); },"

have_fixtures() {
	[ -n "$FIXTURES" ] && [ -f "$EXPECTED/tiny.rootfs.tsv" ] && [ -f "$EVIL/EXPECTED.tsv" ]
}

need_fixtures() {
	have_fixtures || skip_case "no image fixtures at $REPO/../shared/fixtures/images"
}

# The image commands, bounded: a hang fails its case instead of the suite.
cimg() {
	timeout -k 5 300 "$ADMIN" image "$@"
}

suite_setup() {
	if [ ! -d /var/lib/carrel ]; then
		mkdir -m 0700 /var/lib/carrel || return 1
		MADE_STORE_DIR=1
	fi
	mkdir -m 0700 "$STORE" && mount --bind "$STORE" /var/lib/carrel || return 1
	have_fixtures || return 0
	cimg import -q tiny "$FIXTURES/tiny:latest" >/dev/null &&
		cimg import -q control "$EVIL/benign" >/dev/null
}

suite_teardown() {
	local dir
	for dir in "${MOUNTED_VIEWS[@]}"; do
		umount "$dir" 2>/dev/null
	done
	umount /var/lib/carrel 2>/dev/null
	[ -z "$MADE_STORE_DIR" ] || rmdir /var/lib/carrel
}

# The id (config digest) of a stored image.
image_id() {
	cimg inspect "$1" 2>/dev/null | jq -r '.[0].Id'
}

# The store directories of an image's layers, top first, one a line.
layer_dirs() {
	cimg inspect "$1" 2>/dev/null |
		jq -r --arg s "$STORE" '.[0].Layers | reverse | .[].ChainId | sub("sha256:"; "")
			| "\($s)/layers/\(.)/root"'
}

# mount_view NAME: the image's layers merged read-only, as a session's overlay has them below
# its writable layer; prints the mount point. Unmounted by unmount_view or at teardown.
mount_view() {
	local dir lower
	dir=$(mktemp -d "$T/view.XXXXXX") || return 1
	lower=$(layer_dirs "$1" | paste -sd: -)
	[ -n "$lower" ] || return 1
	if [[ $lower == *:* ]]; then
		mount -t overlay -o "ro,lowerdir=$lower" carrel-test-view "$dir" || return 1
	else
		mount --bind -o ro "$lower" "$dir" || return 1
	fi
	MOUNTED_VIEWS+=("$dir")
	echo "$dir"
}

unmount_view() {
	umount "$1" && rmdir "$1"
}

# What the store holds, one line per entry (path, type, mode, owner, size): for "nothing
# changed" checks. Staging in tmp/ is listed too.
store_snapshot() {
	(cd "$STORE" && find . -path ./images.lock -prune -o -printf '%p %y %m %U:%G %s\n' |
		LC_ALL=C sort)
}

# The entries of the store's tmp/ (staging), one a line.
staging_left() {
	ls -A "$STORE/tmp" 2>/dev/null
}

# Every layer directory must be complete: its layer.json next to its root.
partial_layers() {
	local d
	for d in "$STORE"/layers/*; do
		[ -d "$d" ] || continue
		[ -f "$d/layer.json" ] || echo "${d##*/}"
	done
}

images_in_store() {
	ls "$STORE/images" 2>/dev/null
}
