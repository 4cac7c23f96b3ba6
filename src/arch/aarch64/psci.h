/* SPDX-License-Identifier: Apache-2.0 */
/* PSCI 1.1 and SMCCC 1.1 for guests (over HVC and SMC). */
#ifndef BULWARK_ARCH_AARCH64_PSCI_H
#define BULWARK_ARCH_AARCH64_PSCI_H

#include <bulwark/vm.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define PSCI_64 0x40000000u /* the SMC64 form of a function ID */
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define SMCCC_ARCH_WORKAROUND_1 0x80008000u
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffu
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffu

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define PSCI_ON_PENDING (-5)
#define PSCI_INVALID_ADDRESS (-9)

/*
 * Handles a guest's HVC or SMC (function ID in x0, arguments in x1-x3).
 * @imm is the instruction's immediate: only 0 is a firmware call. Returns
 * -1 to go on running the guest, or a `enum vcpu_exit`.
 */
int psci_handle(struct vcpu *v, uint32_t imm);

#endif
