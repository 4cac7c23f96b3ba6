#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Builds the seed corpus of one fuzz target into OUTDIR, from the inputs the
# unit tests use. Run from the repository root.
#
# Usage: test/fuzz/make_seeds.sh TARGET OUTDIR
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 TARGET OUTDIR" >&2
	exit 2
fi
target=$1
out=$2
data=build/host/data
mkdir -p "$data" "$out"

case $target in
fdt | hwdesc)
	# The unit tests' devicetrees (test/unit/data/*.dts), compiled by dtc.
	for dts in test/unit/data/*.dts; do
		dtb=$data/$(basename "$dts" .dts).dtb
		if [ ! -f "$dtb" ] || [ "$dts" -nt "$dtb" ]; then
			dtc -q -I dts -O dtb -o "$dtb" "$dts"
		fi
		cp "$dtb" "$out/"
	done
	;;
sysdesc)
	# The sample system descriptions, and every description the unit test
	# compiles (test_sysdesc saves them when BULWARK_SEED_DIR is set).
	for dts in test/unit/data/sys-*.dts; do
		dtc -q -I dts -O dtb -o "$out/$(basename "$dts" .dts).dtb" "$dts"
	done
	if [ -x build/host/test_sysdesc ]; then
		BULWARK_SEED_DIR="$out" build/host/test_sysdesc >/dev/null 2>&1 || true
	fi
	;;
pkg | mgmt)
	# The inputs the unit test checks (it saves them when BULWARK_SEED_DIR is set).
	if [ -x build/host/test_$target ]; then
		BULWARK_SEED_DIR="$out" build/host/test_$target >/dev/null 2>&1 || true
	fi
	;;
pack)
	# Every system the unit test packs (it reads the sample descriptions
	# compiled into build/host/data).
	for dts in test/unit/data/sys-*.dts; do
		dtb=$data/$(basename "$dts" .dts).dtb
		if [ ! -f "$dtb" ] || [ "$dts" -nt "$dtb" ]; then
			dtc -q -I dts -O dtb -o "$dtb" "$dts"
		fi
	done
	if [ -x build/host/test_pack ]; then
		BULWARK_SEED_DIR="$out" build/host/test_pack >/dev/null 2>&1 || true
	fi
	;;
dabt)
	# Every syndrome the unit test decodes.
	if [ -x build/host/test_dabt ]; then
		BULWARK_SEED_DIR="$out" build/host/test_dabt >/dev/null 2>&1 || true
	fi
	;;
vgic | vuart | psci | mitig)
	;; # operation sequences: libFuzzer starts from an empty corpus
*)
	echo "make_seeds: no seeds defined for '$target'" >&2
	;;
esac
