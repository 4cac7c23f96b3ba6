# SPDX-License-Identifier: Apache-2.0
#
# Sourced by tools/linux/fetch.sh and tools/xen/fetch.sh: fetching Debian
# arm64 packages with the machine's own apt (which checks them against the
# signed archive metadata). The caller sets `prog` (for messages) first.
# Root rights, through sudo, are needed only to add the arm64 architecture
# to dpkg and to refresh apt's lists.

die() { echo "$prog: error: $*" >&2; exit 1; }
note() { echo "$prog: $*" >&2; }

# need_commands CMD...: stops unless every one exists.
need_commands() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || die "'$c' not found: this needs a Debian (or derived) host"
	done
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "'$*' needs root, and sudo is not installed: run it as root once"
	fi
}

lists_updated=0
update_lists() {
	[ "$lists_updated" -eq 0 ] || return 0
	note "refreshing apt's package lists (apt-get update)"
	as_root apt-get update -q >&2 || die "apt-get update failed (network or apt sources?)"
	lists_updated=1
}

# need_arm64: dpkg must know the arm64 architecture, or apt has no arm64 lists.
need_arm64() {
	if [ "$(dpkg --print-architecture)" != arm64 ] &&
		! dpkg --print-foreign-architectures | grep -qx arm64; then
		note "adding the arm64 architecture to dpkg"
		as_root dpkg --add-architecture arm64 || die "dpkg --add-architecture arm64 failed"
		update_lists
	fi
}

# make_workdir NAME: sets $tmp, a directory removed on exit, with $tmp/debs
# for downloads. Run as root, apt downloads as its sandbox user `_apt`: let
# that user, and only it, write there (else apt warns and works as root).
make_workdir() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/bulwark-$1-fetch.XXXXXX") || die "cannot create a temporary directory"
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 130' INT TERM HUP
	chmod 0711 "$tmp"
	mkdir -m 0700 "$tmp/debs"
	if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$tmp/debs"
	fi
}

# download PKG[=VERSION]: into $tmp/debs; refreshes the lists once if the
# package is unknown (lists missing or stale), then tries again.
download() {
	if (cd "$tmp/debs" && apt-get download -q "$1" >"$tmp/apt.log" 2>&1); then
		return 0
	fi
	if [ "$lists_updated" -eq 0 ]; then
		update_lists
		(cd "$tmp/debs" && apt-get download -q "$1" >"$tmp/apt.log" 2>&1) && return 0
	fi
	cat "$tmp/apt.log" >&2
	die "apt-get download $1 failed: are Debian's 'main' sources in /etc/apt/sources.list*?"
}

# deb_of PACKAGE: the path of that package's downloaded .deb, or nothing.
deb_of() {
	for f in "$tmp/debs/$1"_*.deb; do
		[ -f "$f" ] && echo "$f"
		return 0
	done
}

# bytes_hex FILE OFFSET COUNT: the bytes as one run of hex digits.
bytes_hex() { od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }

# is_arm64_image FILE: the arm64 Image header has "ARM\x64" at byte 56.
is_arm64_image() { [ "$(bytes_hex "$1" 56 4)" = 41524d64 ]; }

# install_file SRC NAME MODE: into $out, whole (a rename), or stops.
install_file() {
	cp "$1" "$out/.$2.tmp" && chmod "$3" "$out/.$2.tmp" && mv -f "$out/.$2.tmp" "$out/$2" ||
		die "cannot write $out/$2"
}
