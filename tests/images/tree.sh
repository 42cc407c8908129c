# tests/images/tree.sh: tree_listing DIR prints a rootfs listing in the format of the image
# fixtures' expected/*.rootfs.tsv (their fxtool.py "tree", which a test may not need python
# for): path, type, mode, uid, gid, size, mtime, content (sha256 of a file, target of a link,
# major:minor of a device), linkgroup (the first path, in sort order, of the names sharing a
# file's inode), xattrs (name=value, ';'-separated; values that are not printable ASCII as
# 0x hex). Sourced; defines functions only. Options: -xdev style, "tree_listing -x DIR" stays
# on DIR's filesystem (a session's root seen through /proc/PID/root).
# shellcheck shell=bash

# hex_to_value HEX: the value as fxtool prints it.
xattr_value() {
	local hex=${1#0x} text=""
	if [[ $hex =~ ^([2-7][0-9a-f])*$ ]] && ! [[ $hex =~ ^(..)*7f ]]; then
		text=$(printf '%s' "$hex" | sed 's/../\\x&/g')
		printf '%b' "$text"
	else
		printf '0x%s' "$hex"
	fi
}

# xattrs_of FILE: "name=value;name=value" or "-".
xattrs_of() {
	local out="" line name value
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		case $line in '#'*) continue ;; esac
		name=${line%%=*}
		value=${line#*=}
		out="$out${out:+;}$name=$(xattr_value "$value")"
	done < <(getfattr -h --absolute-names -d -m - -e hex -- "$1" 2>/dev/null | LC_ALL=C sort)
	printf '%s' "${out:--}"
}

tree_listing() {
	local xdev=() root shown type mode uid gid size mtime nlink dev ino target content group
	if [ "$1" = -x ]; then
		xdev=(-xdev)
		shift
	fi
	root=$1
	declare -A first=()
	printf 'path\ttype\tmode\tuid\tgid\tsize\tmtime\tcontent\tlinkgroup\txattrs\n'
	# NUL-separated records; sorted on the relative path, bytewise, as fxtool sorts.
	find "$root" "${xdev[@]}" -printf '/%P\t%y\t%m\t%U\t%G\t%s\t%T@\t%n\t%D\t%i\0' |
		LC_ALL=C sort -z -t "$(printf '\t')" -k1,1 |
		while IFS=$'\t' read -r -d '' shown type mode uid gid size mtime nlink dev ino; do
			local path=$root$shown
			content=- group=-
			case $type in
			d) size=- ;;
			f) content=sha256:$(sha256sum <"$path" | cut -d' ' -f1) ;;
			l) size=- content=$(readlink -- "$path") ;;
			c | b) size=- content=$(stat -c '%Hr:%Lr' -- "$path") ;;
			*) size=- ;;
			esac
			if [ "$type" != d ] && [ "$nlink" -gt 1 ]; then
				[ -n "${first[$dev:$ino]:-}" ] || first[$dev:$ino]=$shown
				group=${first[$dev:$ino]}
			fi
			printf '%s\t%s\t%04o\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$shown" "$type" "0$mode" \
				"$uid" "$gid" "$size" "${mtime%.*}" "$content" "$group" "$(xattrs_of "$path")"
		done
}
