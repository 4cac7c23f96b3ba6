#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the linked EL2 image: the boot code can only apply
R_AARCH64_RELATIVE relocations, and the Image header must be at offset 0."""
import subprocess
import sys

elf = sys.argv[1]
readelf = "aarch64-linux-gnu-readelf"
relocs = subprocess.run([readelf, "-rW", elf], capture_output=True, text=True, check=True).stdout
bad = [l for l in relocs.splitlines()
       if l[:1].isdigit() or l[:1] in "abcdef" and "R_AARCH64" in l]
bad = [l for l in relocs.splitlines() if "R_AARCH64" in l and "R_AARCH64_RELATIVE" not in l]
if bad:
    sys.exit("check_image: relocations the boot code cannot apply:\n" + "\n".join(bad))
syms = subprocess.run([readelf, "-sW", elf], capture_output=True, text=True, check=True).stdout
for line in syms.splitlines():
    f = line.split()
    if len(f) >= 8 and f[7] == "_head" and int(f[1], 16) != 0:
        sys.exit("check_image: _head is not at offset 0")
