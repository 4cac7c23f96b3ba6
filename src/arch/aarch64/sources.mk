# SPDX-License-Identifier: Apache-2.0
hyp-srcs += src/arch/aarch64/boot.S src/arch/aarch64/exceptions.S src/arch/aarch64/guest.S \
	src/arch/aarch64/vcpu.c src/arch/aarch64/psci.c src/arch/aarch64/vgic.c src/arch/aarch64/vgic_lr.c \
	src/arch/aarch64/cpu.c src/arch/aarch64/fault.c src/arch/aarch64/mm.c \
	src/arch/aarch64/mitig_hw.c
# The "smccc" mitigation module, or its absent variant.
hyp-srcs += $(if $(filter smccc,$(MITIGATIONS)),src/arch/aarch64/mitig_smccc.S,src/arch/aarch64/mitig_smccc_absent.S)
