# SPDX-License-Identifier: Apache-2.0
# Build configuration for the QEMU `virt` board (-M virt,virtualization=on,gic-version=3).
# Everything else about the board is discovered from its devicetree at boot.

# Most physical CPUs the hypervisor drives (1..64). QEMU virt with GICv3 takes up to 123.
MAX_CPUS ?= 8
# The CPU model QEMU emulates for `make run` and the system tests.
QEMU_CPU ?= max,pauth-impdef=on
QEMU_MACHINE ?= virt,virtualization=on,gic-version=3
