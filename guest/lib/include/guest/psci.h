/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PSCI and SMCCC calls over the HVC #0 conduit.
 *
 * Every wrapper returns the raw x0 the firmware (hypervisor) left, as a
 * signed 64-bit value: a PSCI error such as NOT_SUPPORTED must come back as
 * -1 in all 64 bits, and the tests check exactly that. Nothing is fixed up:
 * an HVC the platform turns into an undefined instruction is an unexpected
 * exception.
 */
#ifndef GUEST_PSCI_H
#define GUEST_PSCI_H

#include <stdint.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND_64 0xc4000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_64 0xc4000003u
#define PSCI_AFFINITY_INFO_64 0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au

#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define SMCCC_ARCH_WORKAROUND_1 0x80008000u
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffu

#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMETERS (-2)
#define PSCI_RET_DENIED (-3)
#define PSCI_RET_ALREADY_ON (-4)
#define PSCI_RET_ON_PENDING (-5)
#define PSCI_RET_INTERNAL_FAILURE (-6)
#define PSCI_RET_NOT_PRESENT (-7)
#define PSCI_RET_DISABLED (-8)
#define PSCI_RET_INVALID_ADDRESS (-9)

/* AFFINITY_INFO states. */
#define PSCI_AFF_ON 0
#define PSCI_AFF_OFF 1
#define PSCI_AFF_ON_PENDING 2

struct smccc_res {
	uint64_t x0, x1, x2, x3;
};

/* Issues `HVC #0` with x0 = `fid`, x1..x3 = `a1`..`a3`; returns x0..x3. */
struct smccc_res smccc_hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

int64_t psci_version(void);
int64_t psci_features(uint32_t fid);
/* Starts the vCPU `target_mpidr` at `entry` (a physical address) at EL1 with
 * the MMU off and x0 = `context_id`. */
int64_t psci_cpu_on(uint64_t target_mpidr, uint64_t entry, uint64_t context_id);
/* Stops the calling vCPU; returns only on failure. */
int64_t psci_cpu_off(void);
int64_t psci_affinity_info(uint64_t target_mpidr, uint64_t lowest_level);
/* Both return only on failure. */
int64_t psci_system_off(void);
int64_t psci_system_reset(void);
int64_t smccc_version(void);
int64_t smccc_arch_features(uint32_t fid);

#endif /* GUEST_PSCI_H */
