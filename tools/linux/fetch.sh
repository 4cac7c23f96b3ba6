#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# fetch.sh OUTDIR: puts an unmodified Debian arm64 Linux kernel and a static
# busybox, the assets of Bulwark's Linux guests, into OUTDIR:
#   OUTDIR/Image     the kernel, an uncompressed arm64 Image (/boot/vmlinuz-*)
#   OUTDIR/config    the kernel's build configuration, for reference
#   OUTDIR/busybox   busybox from busybox-static, a static aarch64 ELF
#   OUTDIR/VERSIONS  the Debian packages they came from and their SHA-256
#
# Idempotent: if OUTDIR/Image and OUTDIR/busybox exist it does nothing, so a
# cache keeps the versions it was filled with until it is deleted.
#
# The packages come from the machine's own apt sources through apt, which
# checks them against the signed archive metadata. The kernel is the version
# that `linux-image-cloud-arm64:arm64` depends on at the time of the fetch;
# set BULWARK_LINUX_PACKAGE (e.g. linux-image-6.1.0-37-cloud-arm64) to choose
# another package of the same form.
#
# Runs as root (CI) or as a user: root rights, through sudo, are needed only to
# add the arm64 architecture to dpkg and to refresh apt's lists.
set -eu

prog=tools/linux/fetch.sh
# shellcheck source=tools/lib/apt-fetch.sh
. "$(dirname "$0")/../lib/apt-fetch.sh"

[ $# -eq 1 ] || { echo "usage: $prog OUTDIR" >&2; exit 2; }
out=$1

if [ -f "$out/Image" ] && [ -f "$out/busybox" ]; then
	exit 0
fi

need_commands dpkg dpkg-deb apt-get apt-cache od sha256sum
# 1. dpkg must know the arm64 architecture, or apt has no arm64 lists.
need_arm64
make_workdir linux

# deb_field DEB FIELD: one field of a package's control data.
deb_field() { dpkg-deb -f "$1" "$2"; }

# 2. The metapackage names the kernel ABI package of the day.
meta=linux-image-cloud-arm64
if [ -n "${BULWARK_LINUX_PACKAGE:-}" ]; then
	kpkg=$BULWARK_LINUX_PACKAGE
	case $kpkg in
	linux-image-*-arm64) ;;
	*) die "BULWARK_LINUX_PACKAGE='$kpkg' is not a linux-image-*-arm64 package" ;;
	esac
	meta_line="(none: BULWARK_LINUX_PACKAGE)"
else
	download "$meta:arm64"
	meta_deb=$(deb_of "$meta")
	[ -n "$meta_deb" ] || die "apt-get download $meta:arm64 left no .deb"
	# Depends: linux-image-6.1.0-NN-cloud-arm64 (= 6.1.x-y) [, ...]
	# shellcheck disable=SC2020 # one alternative or dependency a line
	kdep=$(deb_field "$meta_deb" Depends | tr ',|' '\n\n' |
		sed -n 's/^ *\(linux-image-[0-9][^ ]*-cloud-arm64\)\( *(= *\([^)]*\))\)\{0,1\}.*/\1 \3/p' |
		head -n 1)
	[ -n "$kdep" ] || die "cannot find the linux-image-*-cloud-arm64 dependency of $meta in: $(deb_field "$meta_deb" Depends)"
	kpkg=${kdep%% *}
	kver=${kdep#* }
	meta_line="$meta $(deb_field "$meta_deb" Version)"
	rm -f "$meta_deb"
fi

# 3. The kernel and busybox themselves.
if [ -n "${kver:-}" ] && [ "$kver" != "$kpkg" ]; then
	download "$kpkg:arm64=$kver"
else
	download "$kpkg:arm64"
fi
download busybox-static:arm64

kdeb=$(deb_of "$kpkg")
bdeb=$(deb_of busybox-static)
[ -n "$kdeb" ] || die "the download of $kpkg left no .deb"
[ -n "$bdeb" ] || die "the download of busybox-static left no .deb"

mkdir "$tmp/root"
dpkg-deb -x "$kdeb" "$tmp/root" || die "dpkg-deb -x $(basename "$kdeb") failed"
dpkg-deb -x "$bdeb" "$tmp/root" || die "dpkg-deb -x $(basename "$bdeb") failed"

# 4. Check what came out before anything lands in OUTDIR.
set -- "$tmp"/root/boot/vmlinuz-*
[ $# -eq 1 ] && [ -f "$1" ] || die "$kpkg holds $# /boot/vmlinuz-* files, expected exactly one"
vmlinuz=$1
krel=${vmlinuz##*/vmlinuz-}
case $(bytes_hex "$vmlinuz" 0 2) in
1f8b)	# Some kernels ship as gzip; QEMU's -kernel wants the Image itself.
	gzip -dc <"$vmlinuz" >"$tmp/Image" || die "cannot decompress $vmlinuz" ;;
*)	cp "$vmlinuz" "$tmp/Image" ;;
esac
is_arm64_image "$tmp/Image" ||
	die "/boot/vmlinuz-$krel of $kpkg is not an arm64 Image (no ARM\\x64 magic at byte 56)"

busybox=$tmp/root/bin/busybox
[ -f "$busybox" ] || die "busybox-static has no /bin/busybox"
# ELF magic, 64-bit class, and e_machine EM_AARCH64 (183 = 0xb7, little-endian).
[ "$(bytes_hex "$busybox" 0 5)" = 7f454c4602 ] && [ "$(bytes_hex "$busybox" 18 2)" = b700 ] ||
	die "/bin/busybox of busybox-static is not a 64-bit aarch64 ELF"

# 5. Install: each file appears whole (rename), Image last, since its presence
# together with busybox's is what marks OUTDIR complete.
mkdir -p "$out" || die "cannot create $out"
{
	echo "# Debian packages of the Linux guest assets, written by $prog."
	echo "metapackage $meta_line"
	echo "kernel $kpkg $(deb_field "$kdeb" Version) release $krel"
	echo "busybox busybox-static $(deb_field "$bdeb" Version)"
	echo "sha256 Image $(sha256sum <"$tmp/Image" | cut -d' ' -f1)"
	echo "sha256 busybox $(sha256sum <"$busybox" | cut -d' ' -f1)"
} >"$tmp/VERSIONS"

if [ -f "$tmp/root/boot/config-$krel" ]; then
	install_file "$tmp/root/boot/config-$krel" config 0644
fi
install_file "$tmp/VERSIONS" VERSIONS 0644
install_file "$busybox" busybox 0755
install_file "$tmp/Image" Image 0644

note "installed Linux $krel ($kpkg) and busybox into $out"
sed -n 's/^\(kernel\|busybox\) /  /p' "$out/VERSIONS" >&2
