/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AArch64 side of the mitigation modules (include/bulwark/mitig.h): read
 * a CPU's identity and its firmware's answers, and apply a plan to the CPU
 * (the flags the guest-entry sequence of mitig_asm.h reads, SSBD at EL2).
 * Runs on the CPU concerned, at boot, before it enters any guest.
 */
#include <bulwark/arch/aarch64/sysregs.h>
#include <bulwark/arch/boot.h>
#include <bulwark/arch/cpu.h>
#include <bulwark/cpu.h>
#include <bulwark/hwdesc.h>
#include <bulwark/mitig.h>

#include <bulwark/arch/mitig.h>


#define PSCI_VERSION 0x84000000u
#define PSCI_FEATURES 0x8400000au
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define SMCCC_ARCH_WORKAROUND_1 0x80008000u
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffu
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffu

#define SCTLR_DSSBS (1ULL << 44)
#define PSTATE_SSBS (1ULL << 12)

/*
 * SMCCC discovery as the SMCCC specification orders it: PSCI 1.0 or later,
 * then PSCI_FEATURES(SMCCC_VERSION), then SMCCC_VERSION >= 1.1; only then
 * may SMCCC_ARCH_FEATURES be called (firmware without it may not even
 * return from an unknown call: QEMU's built-in PSCI, for one, makes an
 * unknown SMC undefined).
 */
static void fw_probe(enum hw_psci_conduit conduit, struct mitig_cpu_id *id)
{
	id->fw_wa1 = id->fw_wa2 = id->fw_wa3 = MITIG_FW_NO_SMCCC;
	if (conduit != HW_PSCI_SMC)
		return;
	if (arch_fw_call(PSCI_VERSION, 0, 0, 0) < 0x10000)
		return;
	if (arch_fw_call(PSCI_FEATURES, SMCCC_VERSION, 0, 0) < 0)
		return;
	if (arch_fw_call(SMCCC_VERSION, 0, 0, 0) < 0x10001)
		return;
	id->fw_wa1 = (int32_t)arch_fw_call(SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1, 0, 0);
	id->fw_wa2 = (int32_t)arch_fw_call(SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_2, 0, 0);
	id->fw_wa3 = (int32_t)arch_fw_call(SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_3, 0, 0);
}

void arch_mitig_read_id(enum hw_psci_conduit conduit, struct mitig_cpu_id *id)
{
	id->midr = READ_SYSREG(midr_el1);
	id->revidr = READ_SYSREG(revidr_el1);
	id->pfr0 = READ_SYSREG(id_aa64pfr0_el1);
	id->pfr1 = READ_SYSREG(id_aa64pfr1_el1);
	id->isar1 = READ_SYSREG(id_aa64isar1_el1);
	id->isar2 = READ_SYSREG(s3_0_c0_c6_2); /* ID_AA64ISAR2_EL1, RAZ before Armv8.7 */
	id->mmfr1 = READ_SYSREG(id_aa64mmfr1_el1);
	fw_probe(conduit, id);
	id->pac_on = (READ_SYSREG(sctlr_el2) & SCTLR_ENIA) != 0;
	id->bti_on = arch_has_bti();
#ifdef MITIG_SLS_BUILT
	id->sls_built = true;
#endif
}

void arch_mitig_apply(const struct mitig_cpu_facts *f, const struct mitig_plan *p)
{
	struct percpu *me = &percpu[arch_cpu_index()];

	if (f->ssbs) {
		uint64_t sctlr = READ_SYSREG(sctlr_el2);

		/* DSSBS is PSTATE.SSBS on every exception entry to EL2; set it
		 * now for the code that runs until the next one. */
		sctlr = p->ssbd_el2 ? sctlr & ~SCTLR_DSSBS : sctlr | SCTLR_DSSBS;
		WRITE_SYSREG(sctlr_el2, sctlr);
		WRITE_SYSREG(s3_3_c4_c2_6, p->ssbd_el2 ? 0 : PSTATE_SSBS); /* SSBS */
		__asm__ volatile("isb");
	}
	if (p->fw_wa2_enable)
		arch_fw_call(SMCCC_ARCH_WORKAROUND_2, 1, 0, 0);
	me->mitig_fw_fn = p->fw_fn;
	me->mitig_guest = p->guest_flags;
	__atomic_store_n(&me->mitig_entry, p->entry_flags, __ATOMIC_RELEASE);
}
