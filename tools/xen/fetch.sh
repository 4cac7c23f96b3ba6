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
# shellcheck source=tools/lib/apt-fetch.sh
. "$(dirname "$0")/../lib/apt-fetch.sh"
pkg=${BULWARK_XEN_PACKAGE:-xen-hypervisor-4.17-arm64}

[ $# -eq 1 ] || { echo "usage: $prog OUTDIR" >&2; exit 2; }
out=$1

[ -f "$out/xen" ] && exit 0

need_commands dpkg dpkg-deb apt-get od sha256sum
case $pkg in
xen-hypervisor-*-arm64) ;;
*) die "BULWARK_XEN_PACKAGE='$pkg' is not a xen-hypervisor-*-arm64 package" ;;
esac

# 1. dpkg must know the arm64 architecture, or apt has no arm64 lists.
need_arm64
make_workdir xen

# 2. The package.
download "$pkg:arm64"
deb=$(deb_of "$pkg")
[ -n "$deb" ] || die "apt-get download $pkg:arm64 left no .deb"

# 3. Unpack and check: one /boot/xen-*-arm64 that is an arm64 Image.
mkdir "$tmp/root"
dpkg-deb -x "$deb" "$tmp/root" || die "dpkg-deb -x $(basename "$deb") failed"
set --
for f in "$tmp"/root/boot/xen-*-arm64; do
	[ -f "$f" ] && set -- "$@" "$f"
done
[ $# -eq 1 ] || die "$pkg holds $# /boot/xen-*-arm64 files, expected exactly one"
xen=$1
is_arm64_image "$xen" ||
	die "$(basename "$xen") of $pkg is not an arm64 Image (no ARM\\x64 magic at byte 56)"

# 4. Install: the image last, since its presence marks OUTDIR complete.
mkdir -p "$out" || die "cannot create $out"
{
	echo "# Debian package of the Xen hypervisor the benchmarks compare with, written by $prog."
	echo "xen $pkg $(dpkg-deb -f "$deb" Version) file /boot/$(basename "$xen")"
	echo "sha256 xen $(sha256sum <"$xen" | cut -d' ' -f1)"
} >"$tmp/VERSIONS"
[ -f "$xen.config" ] && install_file "$xen.config" config 0644
install_file "$tmp/VERSIONS" VERSIONS 0644
install_file "$xen" xen 0644
note "installed $(sed -n 's/^xen //p' "$out/VERSIONS") into $out"
