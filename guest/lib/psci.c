/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PSCI and SMCCC over HVC #0.
 */
#include <guest/psci.h>

struct smccc_res smccc_hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	/* SMCCC 1.0 allowed x4-x17 to be corrupted; 1.1 preserves them. */
	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
			   "x13", "x14", "x15", "x16", "x17", "memory");
	return (struct smccc_res){ x0, x1, x2, x3 };
}

static int64_t call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return (int64_t)smccc_hvc(fid, a1, a2, a3).x0;
}

int64_t psci_version(void)
{
	return call(PSCI_VERSION, 0, 0, 0);
}

int64_t psci_features(uint32_t fid)
{
	return call(PSCI_FEATURES, fid, 0, 0);
}

int64_t psci_cpu_on(uint64_t target_mpidr, uint64_t entry, uint64_t context_id)
{
	return call(PSCI_CPU_ON_64, target_mpidr, entry, context_id);
}

int64_t psci_cpu_off(void)
{
	return call(PSCI_CPU_OFF, 0, 0, 0);
}

int64_t psci_affinity_info(uint64_t target_mpidr, uint64_t lowest_level)
{
	return call(PSCI_AFFINITY_INFO_64, target_mpidr, lowest_level, 0);
}

int64_t psci_system_off(void)
{
	return call(PSCI_SYSTEM_OFF, 0, 0, 0);
}

int64_t psci_system_reset(void)
{
	return call(PSCI_SYSTEM_RESET, 0, 0, 0);
}

int64_t smccc_version(void)
{
	return call(SMCCC_VERSION, 0, 0, 0);
}

int64_t smccc_arch_features(uint32_t fid)
{
	return call(SMCCC_ARCH_FEATURES, fid, 0, 0);
}
