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
*)
	echo "make_seeds: no seeds defined for '$target'" >&2
	;;
esac
