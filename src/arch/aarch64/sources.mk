# SPDX-License-Identifier: Apache-2.0
hyp-srcs += src/arch/aarch64/boot.S src/arch/aarch64/exceptions.S \
	src/arch/aarch64/cpu.c src/arch/aarch64/fault.c src/arch/aarch64/mm.c
