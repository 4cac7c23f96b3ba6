#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# fetch.sh OUTDIR: puts Debian's arm64 Xen hypervisor, the peer that
# `make bench` measures beside Bulwark (docs/performance.md), into OUTDIR:
#   OUTDIR/xen       the hypervisor, an arm64 Image (/boot/xen-4.17-arm64)
#   OUTDIR/config    its build configuration, for reference
#   OUTDIR/VERSIONS  the Debian package it came from and its SHA-256
#
# Idempotent: if OUTDIR/xen exists it does nothing, so a cache keeps the
# version it was filled with until it is deleted (`make xen-refetch`).
#
# The package comes from the machine's own apt sources through apt, which
# checks it against the signed archive metadata, as tools/linux/fetch.sh
# fetches the Linux guests' kernel. Root rights, through sudo, are needed
# only to add the arm64 architecture to dpkg and to refresh apt's lists.
set -eu

prog=tools/xen/fetch.sh
pkg=${BULWARK_XEN_PACKAGE:-xen-hypervisor-4.17-arm64}
die() { echo "$prog: error: $*" >&2; exit 1; }
note() { echo "$prog: $*" >&2; }

[ $# -eq 1 ] || { echo "usage: $prog OUTDIR" >&2; exit 2; }
out=$1

[ -f "$out/xen" ] && exit 0

for c in dpkg dpkg-deb apt-get od sha256sum; do
	command -v "$c" >/dev/null 2>&1 || die "'$c' not found: this needs a Debian (or derived) host"
done
case $pkg in
xen-hypervisor-*-arm64) ;;
*) die "BULWARK_XEN_PACKAGE='$pkg' is not a xen-hypervisor-*-arm64 package" ;;
esac

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

# 1. dpkg must know the arm64 architecture, or apt has no arm64 lists.
if [ "$(dpkg --print-architecture)" != arm64 ] &&
	! dpkg --print-foreign-architectures | grep -qx arm64; then
	note "adding the arm64 architecture to dpkg"
	as_root dpkg --add-architecture arm64 || die "dpkg --add-architecture arm64 failed"
	update_lists
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bulwark-xen-fetch.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
# Run as root, apt downloads as its sandbox user `_apt`: let it write there.
chmod 0711 "$tmp"
mkdir -m 0700 "$tmp/debs"
if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
	chown _apt "$tmp/debs"
fi

# 2. The package; the lists are refreshed once if apt does not know it.
get() { (cd "$tmp/debs" && apt-get download -q "$pkg:arm64" >"$tmp/apt.log" 2>&1); }
if ! get; then
	[ "$lists_updated" -eq 0 ] && update_lists && get ||
		{ cat "$tmp/apt.log" >&2; die "apt-get download $pkg:arm64 failed: are Debian's 'main' sources in /etc/apt/sources.list*?"; }
fi
set -- "$tmp/debs/${pkg}"_*.deb
[ $# -eq 1 ] && [ -f "$1" ] || die "apt-get download $pkg:arm64 left no .deb"
deb=$1

# 3. Unpack and check: one /boot/xen-*-arm64 that is an arm64 Image.
mkdir "$tmp/root"
dpkg-deb -x "$deb" "$tmp/root" || die "dpkg-deb -x $(basename "$deb") failed"
set --
for f in "$tmp"/root/boot/xen-*-arm64; do
	[ -f "$f" ] && set -- "$@" "$f"
done
[ $# -eq 1 ] || die "$pkg holds $# /boot/xen-*-arm64 files, expected exactly one"
xen=$1
bytes_hex() { od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }
# The arm64 Image header has "ARM\x64" at byte 56.
[ "$(bytes_hex "$xen" 56 4)" = 41524d64 ] ||
	die "$(basename "$xen") of $pkg is not an arm64 Image (no ARM\\x64 magic at byte 56)"

# 4. Install: the image last, since its presence marks OUTDIR complete.
mkdir -p "$out" || die "cannot create $out"
{
	echo "# Debian package of the Xen hypervisor the benchmarks compare with, written by $prog."
	echo "xen $pkg $(dpkg-deb -f "$deb" Version) file /boot/$(basename "$xen")"
	echo "sha256 xen $(sha256sum <"$xen" | cut -d' ' -f1)"
} >"$tmp/VERSIONS"
install_file() { # SRC NAME
	cp "$1" "$out/.$2.tmp" && chmod 0644 "$out/.$2.tmp" && mv -f "$out/.$2.tmp" "$out/$2" ||
		die "cannot write $out/$2"
}
[ -f "$xen.config" ] && install_file "$xen.config" config
install_file "$tmp/VERSIONS" VERSIONS
install_file "$xen" xen
note "installed $(sed -n 's/^xen //p' "$out/VERSIONS") into $out"
