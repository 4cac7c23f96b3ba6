/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Running a vCPU on AArch64: the trap configuration, the exit handlers and
 * the emulation of what a guest may not touch directly.
 *
 * What traps, and why (HCR_EL2, MDCR_EL2, CPTR_EL2, CNTHCTL_EL2):
 * - physical IRQ/FIQ/SError go to EL2 (IMO/FMO/AMO): the hypervisor owns the
 *   interrupt controller; the guest gets virtual interrupts;
 * - SMC (TSC): firmware is the hypervisor's; PSCI is answered here;
 * - implementation-defined registers (TIDCP), auxiliary control (TACR) and
 *   set/way cache maintenance (TSW): undefined, resp. meaningless in a VM;
 * - debug registers (TDA, TDOSA, TDRA) and the PMU (TPM, TPMCR): read as zero,
 *   writes ignored, so a guest can neither observe nor program them;
 * - the EL1 physical timer (CNTHCTL_EL2.EL1PCEN = 0): read as zero, writes
 *   ignored; guests use the virtual timer, which is theirs;
 * - trace (CPTR_EL2.TTA). FP/SIMD and SVE do not trap: the vCPU owns its CPU.
 * WFI and WFE do not trap: a waiting vCPU waits on its own CPU, and physical
 * interrupts still reach EL2.
 */
#include <bulwark/arch/aarch64/sysregs.h>
#include <bulwark/arch/cpu.h>
#include <bulwark/console.h>
#include <bulwark/fmt.h>
#include <bulwark/mgmt.h>
#include <bulwark/cpu.h>
#include <bulwark/drivers/gicv3.h>
#include <bulwark/vgic.h>
#include <bulwark/vm.h>
#include <bulwark/vuart.h>

#include "dabt.h"
#include "mm_regs.h"
#include "psci.h"


#define HCR_VM (1ULL << 0)
#define HCR_SWIO (1ULL << 1)
#define HCR_FMO (1ULL << 3)
#define HCR_IMO (1ULL << 4)
#define HCR_AMO (1ULL << 5)
#define HCR_FB (1ULL << 9)
#define HCR_BSU_IS (1ULL << 10)
#define HCR_TSC (1ULL << 19)
#define HCR_TIDCP (1ULL << 20)
#define HCR_TACR (1ULL << 21)
#define HCR_TSW (1ULL << 22)
#define HCR_APK (1ULL << 40)
#define HCR_API (1ULL << 41)
#define HCR_GUEST (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | \
		   HCR_TSC | HCR_TIDCP | HCR_TACR | HCR_TSW | HCR_RW | HCR_APK | HCR_API)

#define MDCR_TPMCR (1u << 5)
#define MDCR_TPM (1u << 6)
#define MDCR_TDA (1u << 9)
#define MDCR_TDOSA (1u << 10)
#define MDCR_TDRA (1u << 11)
#define MDCR_GUEST (MDCR_TPMCR | MDCR_TPM | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA)

#define CPTR_RES1 0x32ffu
#define CPTR_TSM (1u << 12) /* RES1 without SME */
#define CPTR_TTA (1u << 20)
#define CNTHCTL_EL1PCTEN (1u << 0)

#define SCTLR_EL1_RESET 0x30d00800ULL
#define PSTATE_EL1H_MASKED 0x3c5ULL

#define ESR_IL (1u << 25)
#define EXIT_CONTINUE (-1) /* handled: enter the guest again */

/* In guest.S. Returns the kind of exit in bits 7:0 (0 sync, 1 IRQ, 2 FIQ,
 * 3 SError); for an IRQ, bits 31:8 hold the INTID the vector acknowledged. */
unsigned arch_guest_enter(struct arch_vcpu *regs);
void arch_vcpu_clear_owned_state(void);

/* FP, SIMD, SVE and SME are the vCPU's own: nothing traps but trace. */
static uint64_t cptr_guest(void)
{
	uint64_t v = CPTR_RES1 | CPTR_TTA;

	if ((MRS("id_aa64pfr1_el1") >> 24) & 0xf) /* SME */
		v &= ~(uint64_t)CPTR_TSM;
	return v;
}

void arch_virt_cpu_init(void)
{
	MSR("hcr_el2", HCR_RW);
	MSR("vttbr_el2", 0);
	MSR("cnthctl_el2", CNTHCTL_EL1PCTEN);
	MSR("cntvoff_el2", 0);
	MSR("cptr_el2", cptr_guest());
	MSR("mdcr_el2", MDCR_GUEST);
	__asm__ volatile("isb");
	/* The longest vector lengths the CPU has are the guest's to choose from. */
	if ((MRS("id_aa64pfr0_el1") >> 32) & 0xf)
		MSR("s3_4_c1_c2_0", 0x1ff); /* ZCR_EL2.LEN */
	if ((MRS("id_aa64pfr1_el1") >> 24) & 0xf)
		MSR("s3_4_c1_c2_6", 0x1ff); /* SMCR_EL2.LEN */
	__asm__ volatile("isb");
}

void arch_vcpu_boot(struct vcpu *v, uint64_t pc, uint64_t arg)
{
	struct vm *vm = v->vm;
	uint64_t parange = MRS("id_aa64mmfr0_el1") & 0xf;

	MSR("vtcr_el2", MM_VTCR_EL2_VALUE | (MIN(parange, 5ULL) << 16));
	MSR("vttbr_el2", pa_addr(vm->s2.root) | ((uint64_t)vm->vmid << MM_VTTBR_VMID_SHIFT));
	MSR("vpidr_el2", MRS("midr_el1"));
	MSR("vmpidr_el2", (1ULL << 31) | v->index);
	MSR("hcr_el2", HCR_GUEST);
	MSR("mdcr_el2", MDCR_GUEST);
	MSR("cptr_el2", cptr_guest());
	MSR("cnthctl_el2", CNTHCTL_EL1PCTEN);
	MSR("cntvoff_el2", 0);
	__asm__ volatile("isb");
	/* Stale translations of a previous boot of this VMID. */
	__asm__ volatile("tlbi vmalls12e1; dsb nsh; isb" ::: "memory");

	/* A CPU just out of reset, as the Linux boot protocol expects. */
	MSR("sctlr_el1", SCTLR_EL1_RESET);
	MSR("cpacr_el1", 0);
	MSR("tcr_el1", 0);
	MSR("mair_el1", 0);
	MSR("ttbr0_el1", 0);
	MSR("ttbr1_el1", 0);
	MSR("vbar_el1", 0);
	MSR("contextidr_el1", 0);
	MSR("tpidr_el1", 0);
	MSR("tpidr_el0", 0);
	MSR("tpidrro_el0", 0);
	MSR("sp_el0", 0);
	MSR("sp_el1", 0);
	MSR("elr_el1", 0);
	MSR("spsr_el1", 0);
	MSR("esr_el1", 0);
	MSR("far_el1", 0);
	MSR("afsr0_el1", 0);
	MSR("afsr1_el1", 0);
	MSR("amair_el1", 0);
	MSR("par_el1", 0);
	MSR("cntkctl_el1", 0);
	MSR("cntv_ctl_el0", 0);
	MSR("cntv_cval_el0", 0);
	__asm__ volatile("isb");
	arch_vgic_cpu_reset();
	arch_vcpu_clear_owned_state();

	for (unsigned i = 0; i < 31; i++)
		v->arch.x[i] = 0;
	v->arch.x[0] = arg;
	v->arch.pc = pc;
	v->arch.pstate = PSTATE_EL1H_MASKED;
	v->arch.apia[0] = 0;
	v->arch.apia[1] = 0;
}

void arch_vcpu_park(struct vcpu *v)
{
	(void)v;
	MSR("cntv_ctl_el0", 0);
	MSR("hcr_el2", HCR_RW);
	MSR("vttbr_el2", 0);
	__asm__ volatile("isb");
}

/* Makes the guest take a synchronous exception at EL1, as the hardware would. */
static void inject_sync(struct vcpu *v, uint64_t esr, uint64_t far)
{
	uint64_t mode = v->arch.pstate & 0x1f;
	uint64_t offset;

	if (mode == 0x5)      /* EL1h */
		offset = 0x200;
	else if (mode == 0x4) /* EL1t */
		offset = 0x000;
	else if (v->arch.pstate & (1u << 4)) /* AArch32 EL0 */
		offset = 0x600;
	else                  /* EL0 AArch64 */
		offset = 0x400;
	MSR("esr_el1", esr);
	MSR("far_el1", far);
	MSR("elr_el1", v->arch.pc);
	MSR("spsr_el1", v->arch.pstate);
	v->arch.pc = MRS("vbar_el1") + offset;
	v->arch.pstate = PSTATE_EL1H_MASKED;
}

static void inject_undef(struct vcpu *v)
{
	inject_sync(v, ESR_IL, 0);
}

static void inject_dabt(struct vcpu *v, uint64_t far)
{
	bool from_el1 = (v->arch.pstate & 0xf) != 0;
	uint64_t ec = from_el1 ? ESR_EC_DABT_CUR : ESR_EC_DABT_LOW;

	inject_sync(v, ec << ESR_EC_SHIFT | ESR_IL | 0x10 /* synchronous external abort */, far);
}

static uint64_t *reg(struct vcpu *v, unsigned rt, uint64_t *zero)
{
	*zero = 0;
	return rt == 31 ? zero : &v->arch.x[rt];
}

_Static_assert(DABT_VGIC_BASE == VGIC_DIST_BASE &&
	       DABT_VGIC_END == VGIC_REDIST_BASE + VCPU_MAX * VGIC_REDIST_FRAME &&
	       DABT_VUART_BASE == VUART_BASE && DABT_VUART_END == VUART_BASE + VUART_SIZE &&
	       DABT_MGMT_BASE == BWM_REGS_IPA && DABT_MGMT_END == BWM_REGS_IPA + BWM_REGS_SIZE,
	       "the decoder's device windows are the devices'");

/* A stage-2 data abort that is not an emulated access: the guest gets an
 * abort, or the VM is stopped with what it touched. */
static int refuse_dabt(struct vcpu *v, enum dabt_kind kind, uint64_t ipa, uint64_t esr)
{
	char why[96];

	switch (kind) {
	case DABT_NO_SYNDROME:
		vm_notice(v->vm, "MMIO at %#lx without syndrome: abort injected", ipa);
		inject_dabt(v, MRS("far_el2"));
		return EXIT_CONTINUE;
	case DABT_S1PTW:
		vm_stop(v->vm, "stage-1 page-table walk outside the VM's memory");
		return VCPU_EXIT_STOP;
	case DABT_UNMAPPED:
		fmt_snprintf(why, sizeof(why), "%s of unmapped guest-physical address %#lx (PC %#lx)",
			     esr & DABT_ESR_WNR ? "write" : "read", ipa, v->arch.pc);
		break;
	default:
		fmt_snprintf(why, sizeof(why), "data abort at guest-physical address %#lx (ESR %#lx, "
			     "PC %#lx)", ipa, esr, v->arch.pc);
		break;
	}
	vm_stop(v->vm, why);
	return VCPU_EXIT_STOP;
}

/* A data abort on stage 2: emulated MMIO, or the VM touched what is not its own. */
static int handle_dabt(struct vcpu *v, uint64_t esr)
{
	struct dabt_access a = dabt_decode(esr, MRS("far_el2"), MRS("hpfar_el2"));
	uint64_t val = 0, zero;
	bool done;

	v->stats.mmio++;
	if (a.kind != DABT_EMULATE)
		return refuse_dabt(v, (enum dabt_kind)a.kind, a.ipa, esr);
	if (a.write)
		val = *reg(v, a.reg, &zero);
	if (a.dev == DABT_DEV_VUART)
		done = vuart_mmio(v->vm, a.ipa - VUART_BASE, a.size, a.write, &val);
	else if (a.dev == DABT_DEV_MGMT)
		done = mgmt_mmio(v, a.ipa - BWM_REGS_IPA, a.size, a.write, &val);
	else
		done = vgic_mmio(v, a.ipa, a.size, a.write, &val);
	if (!a.write)
		*reg(v, a.reg, &zero) = dabt_load_value(a, done ? val : 0);
	v->arch.pc += a.insn32 ? 4 : 2; /* a 16-bit Thumb instruction: 2 */
	return EXIT_CONTINUE;
}

/* Trapped system register accesses (EC 0x18). */
static int handle_sysreg(struct vcpu *v, uint64_t esr)
{
	unsigned op0 = (esr >> 20) & 3, op2 = (esr >> 17) & 7, op1 = (esr >> 14) & 7;
	unsigned crn = (esr >> 10) & 0xf, rt = (esr >> 5) & 0x1f, crm = (esr >> 1) & 0xf;
	bool read = esr & 1;
	uint64_t zero;

	v->stats.sysreg++;
	if (op0 == 3 && op1 == 0 && crn == 12 && crm == 11 && op2 >= 5) {
		/* ICC_SGI1R_EL1 (op2 5); ICC_ASGI1R/ICC_SGI0R (6, 7): group 0 and
		 * the other security state do not exist for the guest. */
		if (!read && op2 == 5)
			vgic_sgi1r(v, *reg(v, rt, &zero));
		else if (read)
			*reg(v, rt, &zero) = 0;
	} else if (op0 == 1 && op1 == 0 && crn == 7 && op2 == 2 &&
		   (crm == 6 || crm == 10 || crm == 14)) {
		/* DC ISW/CSW/CISW: set/way maintenance is meaningless for a VM whose
		 * memory stays coherent; ignored. */
	} else if ((op0 == 3 && op1 == 0 && crn == 1 && crm == 0 && op2 == 1) || /* ACTLR_EL1 */
		   op0 == 2 ||                                   /* debug */
		   (op0 == 3 && op1 == 0 && crn == 9) ||         /* PMU, EL1 */
		   (op0 == 3 && op1 == 3 && crn == 9) ||         /* PMU, EL0 */
		   (op0 == 3 && op1 == 3 && crn == 14 && crm >= 8) || /* PMU event counters */
		   (op0 == 3 && op1 == 3 && crn == 14 && crm == 2) || /* EL1 physical timer */
		   (op0 == 3 && op1 == 0 && crn == 1 && crm == 3 && op2 == 1)) { /* MDCR-ish */
		if (read)
			*reg(v, rt, &zero) = 0;
	} else {
		vm_notice(v->vm, "undefined system register access (op0 %u op1 %u CRn %u CRm %u "
			  "op2 %u) at PC %#lx", op0, op1, crn, crm, op2, v->arch.pc);
		inject_undef(v);
		return EXIT_CONTINUE;
	}
	v->arch.pc += 4;
	return EXIT_CONTINUE;
}

static int handle_sync(struct vcpu *v)
{
	uint64_t esr = MRS("esr_el2");
	unsigned ec = (unsigned)(esr >> ESR_EC_SHIFT) & 0x3f;

	switch (ec) {
	case ESR_EC_HVC64:
		v->stats.hvc++;
		return psci_handle(v, (uint32_t)esr & 0xffff);
	case ESR_EC_SMC64:
		v->stats.hvc++;
		v->arch.pc += 4; /* SMC traps before it executes */
		return psci_handle(v, (uint32_t)esr & 0xffff);
	case ESR_EC_SYS64:
		return handle_sysreg(v, esr);
	case ESR_EC_DABT_LOW:
		return handle_dabt(v, esr);
	case ESR_EC_IABT_LOW: {
		char why[96];
		uint64_t ipa = (MRS("hpfar_el2") >> 4) << 12 | (MRS("far_el2") & 0xfff);

		v->stats.aborts++;
		fmt_snprintf(why, sizeof(why), "instruction fetch from unmapped guest-physical "
			     "address %#lx", ipa);
		vm_stop(v->vm, why);
		return VCPU_EXIT_STOP;
	}
	case ESR_EC_WFX:
		v->arch.pc += 4;
		return EXIT_CONTINUE;
	default:
		vm_notice(v->vm, "unsupported instruction (ESR %#lx) at PC %#lx: undefined "
			  "instruction injected", esr, v->arch.pc);
		inject_undef(v);
		return EXIT_CONTINUE;
	}
}

enum vcpu_exit arch_vcpu_run(struct vcpu *v)
{
	for (;;) {
		uint32_t req = __atomic_load_n(&v->requests, __ATOMIC_ACQUIRE);

		if (req & (VCPU_REQ_STOP | VCPU_REQ_PAUSE))
			return VCPU_EXIT_REQUEST;
		if (req & VCPU_REQ_INJECT) {
			vgic_sync(v);
			vgic_flush(v);
		}
		unsigned exit = arch_guest_enter(&v->arch), kind = exit & 0xff;
		int r;

		v->stats.exits++;
		if (vgic_sync_needed(&v->vgic))
			vgic_sync(v);
		if (kind == 0) {
			r = handle_sync(v);
		} else if (kind == 1 || kind == 2) {
			v->stats.irq++;
			vm_handle_irqs(v, kind == 1 ? exit >> 8 : GIC_INTID_SPURIOUS);
			r = EXIT_CONTINUE;
		} else {
			char why[64];

			fmt_snprintf(why, sizeof(why), "SError (ESR %#lx)", MRS("esr_el2"));
			vm_stop(v->vm, why);
			r = VCPU_EXIT_STOP;
		}
		if (r != EXIT_CONTINUE)
			return (enum vcpu_exit)r;
	}
}
