#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs what building, running and testing Bulwark needs on Debian 12,
# if it is missing. Safe to run again: it only acts when something is absent.
set -eu

need=""
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_file() { [ -e "$1" ]; }

have_cmd aarch64-linux-gnu-gcc || need="$need gcc-aarch64-linux-gnu"
have_cmd aarch64-linux-gnu-objcopy || need="$need binutils-aarch64-linux-gnu"
have_cmd qemu-system-aarch64 || need="$need qemu-system-arm"
have_cmd dtc || need="$need device-tree-compiler"
have_file /usr/include/libfdt.h || need="$need libfdt-dev"
have_file /usr/include/cmocka.h || need="$need libcmocka-dev"
have_cmd gcc || need="$need gcc"
have_cmd make || need="$need make"
have_cmd python3 || need="$need python3"
have_cmd clang || need="$need clang"
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
	need="$need libclang-rt-dev"

[ -z "$need" ] && exit 0

echo "deps: installing:$need"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $need
