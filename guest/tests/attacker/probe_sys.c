/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System-register probes: what the hypervisor traps (debug, PMU, the EL1
 * physical timer, set/way cache maintenance, auxiliary control) and what
 * the CPU itself refuses at EL1 (EL2 and EL3 registers, EL2 TLB
 * maintenance, IMPLEMENTATION DEFINED registers when TIDCP is absent).
 */
#include "attacker.h"

#define READ(reg) read_sysreg(reg)
#define WRITE(reg, v) write_sysreg(reg, v)

/* Writes `v`, reads back: RAZ/WI wants 0 and no exception. */
#define RAZ_WI(c, name, reg, v) do { \
	unsigned n_ = trap.count; \
	WRITE(reg, v); \
	isb(); \
	uint64_t r_ = READ(reg); \
	if (trap.count != n_) \
		fail(c, "%s: %s", name, trap_str()); \
	else if (r_ != 0) \
		fail(c, "%s reads 0x%llx after writing 0x%llx", name, (unsigned long long)r_, \
		     (unsigned long long)(v)); \
	else \
		checked++; \
} while (0)

static void breakpoint_target(void)
{
	__asm__ volatile("nop");
}

bool probe_sys_debug(struct probe_ctx *c)
{
	unsigned checked = 0, n;

	trap_begin();
	RAZ_WI(c, "MDSCR_EL1", mdscr_el1, 0xa000);           /* MDE, KDE */
	RAZ_WI(c, "DBGBVR0_EL1", dbgbvr0_el1, (uintptr_t)breakpoint_target);
	RAZ_WI(c, "DBGBCR0_EL1", dbgbcr0_el1, 0x1e7);        /* enabled, EL1 and EL0 */
	RAZ_WI(c, "DBGWVR0_EL1", dbgwvr0_el1, (uintptr_t)&trap);
	RAZ_WI(c, "DBGWCR0_EL1", dbgwcr0_el1, 0x1ff7);
	RAZ_WI(c, "OSDLR_EL1", osdlr_el1, 0);
	RAZ_WI(c, "MDCCINT_EL1", mdccint_el1, 0x20000000);
	n = trap.count;
	write_sysreg(oslar_el1, 0);                            /* OS lock off */
	isb();
	if (trap.count != n)
		fail(c, "OSLAR_EL1: %s", trap_str());
	else
		checked++;
	(void)read_sysreg(oslsr_el1);
	/* If any of it had reached the hardware, this would take a breakpoint
	 * or a watchpoint. */
	__asm__ volatile("msr daifclr, #8" : : : "memory");
	breakpoint_target();
	(void)trap.count; /* a data access to the watched word */
	__asm__ volatile("msr daifset, #8" : : : "memory");
	trap_end();
	note(c, "%u debug registers RAZ/WI", checked);
	expect_eq(c, "exceptions", trap.count, 0);
	return c->ok;
}

bool probe_sys_pmu(struct probe_ctx *c)
{
	unsigned checked = 0;
	uint64_t c0, c1;

	trap_begin();
	RAZ_WI(c, "PMCR_EL0", pmcr_el0, 0x7);                /* E, P, C */
	RAZ_WI(c, "PMCNTENSET_EL0", pmcntenset_el0, 0x80000001);
	RAZ_WI(c, "PMUSERENR_EL0", pmuserenr_el0, 0xf);
	RAZ_WI(c, "PMSELR_EL0", pmselr_el0, 0);
	RAZ_WI(c, "PMEVTYPER0_EL0", pmevtyper0_el0, 0x11);   /* CPU cycles */
	RAZ_WI(c, "PMEVCNTR0_EL0", pmevcntr0_el0, 0x1234);
	RAZ_WI(c, "PMINTENSET_EL1", pmintenset_el1, 0x80000000);
	RAZ_WI(c, "PMCCFILTR_EL0", pmccfiltr_el0, 0);
	c0 = read_sysreg(pmccntr_el0);
	timer_delay_us(1000);
	c1 = read_sysreg(pmccntr_el0);
	trap_end();
	note(c, "%u PMU registers RAZ/WI", checked);
	expect_eq(c, "PMCCNTR_EL0 before", c0, 0);
	expect_eq(c, "PMCCNTR_EL0 1 ms later", c1, 0);
	expect_eq(c, "exceptions", trap.count, 0);
	return c->ok;
}

static void expect_undef(struct probe_ctx *c, const char *what, unsigned before)
{
	if (trap.count == before + 1 && ESR_EC(trap.esr) == EC_UNKNOWN)
		note(c, "%s: undefined", what);
	else
		fail(c, "%s: %u exceptions, last %s", what, trap.count - before, trap_str());
}

#define UNDEF(c, what, insn) do { \
	unsigned n_ = trap.count; \
	__asm__ volatile(insn : : : "x0", "memory"); \
	expect_undef(c, what, n_); \
} while (0)

/*
 * HCR_EL2.TIDCP traps these to EL2, where Bulwark injects an undefined
 * instruction. QEMU 7.2 does not implement TIDCP: it raises the exception
 * itself for the registers it does not model, and lets EL1 access the few
 * it models for its Cortex-A57-derived CPUs (L2CTLR_EL1, CPUACTLR_EL1).
 * Either way the guest never reaches an IMPLEMENTATION DEFINED control.
 */
bool probe_sys_impdef(struct probe_ctx *c)
{
	unsigned n;
	uint64_t v;

	trap_begin();
	UNDEF(c, "mrs S3_0_C15_C0_0", "mrs x0, s3_0_c15_c0_0");
	UNDEF(c, "mrs S3_7_C15_C15_7", "mrs x0, s3_7_c15_c15_7");
	UNDEF(c, "msr S3_0_C11_C0_0", "mov x0, #1; msr s3_0_c11_c0_0, x0");
	n = trap.count;
	__asm__ volatile("mrs %0, s3_1_c11_c0_2" : "=r"(v) : : "memory"); /* L2CTLR_EL1 */
	if (trap.count == n)
		note(c, "mrs S3_1_C11_C0_2 (L2CTLR_EL1): executed by the CPU, 0x%llx (QEMU models "
		     "it and ignores TIDCP)", (unsigned long long)v);
	else
		expect_undef(c, "mrs S3_1_C11_C0_2", n);
	n = trap.count;
	__asm__ volatile("msr s3_1_c15_c2_0, %0" : : "r"(0UL) : "memory"); /* CPUACTLR_EL1 */
	if (trap.count == n)
		note(c, "msr S3_1_C15_C2_0 (CPUACTLR_EL1): executed by the CPU (QEMU models it as "
		     "RAZ/WI and ignores TIDCP)");
	else
		expect_undef(c, "msr S3_1_C15_C2_0", n);
	trap_end();
	return c->ok;
}

bool probe_sys_el2_regs(struct probe_ctx *c)
{
	uint64_t vbar = read_sysreg(vbar_el1);

	trap_begin();
	UNDEF(c, "mrs HCR_EL2", "mrs x0, hcr_el2");
	UNDEF(c, "msr HCR_EL2", "mov x0, #0; msr hcr_el2, x0");
	UNDEF(c, "mrs VBAR_EL2", "mrs x0, vbar_el2");
	UNDEF(c, "msr VBAR_EL2", "mov x0, #0; msr vbar_el2, x0");
	UNDEF(c, "mrs VTTBR_EL2", "mrs x0, vttbr_el2");
	UNDEF(c, "msr VTTBR_EL2", "mov x0, #0; msr vttbr_el2, x0");
	UNDEF(c, "mrs ESR_EL2", "mrs x0, esr_el2");
	UNDEF(c, "mrs ICH_HCR_EL2", "mrs x0, s3_4_c12_c11_0");
	UNDEF(c, "msr ICH_LR0_EL2", "mov x0, #1; msr s3_4_c12_c12_0, x0");
	UNDEF(c, "mrs CNTHCTL_EL2", "mrs x0, cnthctl_el2");
	UNDEF(c, "msr CNTVOFF_EL2", "mov x0, #0; msr cntvoff_el2, x0");
	UNDEF(c, "mrs SP_EL1", "mrs x0, sp_el1");
	UNDEF(c, "mrs SCR_EL3", "mrs x0, scr_el3");
	UNDEF(c, "mrs VBAR_EL3", "mrs x0, vbar_el3");
	UNDEF(c, "at s12e1r", "mov x0, #0; at s12e1r, x0");
	trap_end();
	expect_eq(c, "VBAR_EL1 unchanged", read_sysreg(vbar_el1), vbar);
	return c->ok;
}

bool probe_sys_setway(struct probe_ctx *c)
{
	unsigned n;

	trap_begin();
	n = trap.count;
	__asm__ volatile("dc isw, %0" : : "r"(0UL) : "memory");
	__asm__ volatile("dc csw, %0" : : "r"(0UL) : "memory");
	__asm__ volatile("dc cisw, %0" : : "r"(0x2UL) : "memory"); /* level 2 */
	trap_end();
	if (trap.count != n)
		fail(c, "%u of 3 set/way operations raised an exception, last %s%s", trap.count - n,
		     trap_str(), ESR_EC(trap.esr) == EC_UNKNOWN ?
		     " (UNDEF injected after the HCR_EL2.TSW trap)" : "");
	else
		note(c, "DC ISW, DC CSW, DC CISW: no exception");
	return c->ok;
}

bool probe_sys_cntp(struct probe_ctx *c)
{
	unsigned checked = 0;
	uint64_t t0, t1;

	gic_enable_intid(TIMER_PHYS_INTID);
	trap_begin();
	RAZ_WI(c, "CNTP_CVAL_EL0", cntp_cval_el0, timer_count() + timer_ms_to_ticks(1));
	RAZ_WI(c, "CNTP_TVAL_EL0", cntp_tval_el0, timer_ms_to_ticks(1));
	RAZ_WI(c, "CNTP_CTL_EL0", cntp_ctl_el0, CNT_CTL_ENABLE);
	t0 = read_sysreg(cntpct_el0);
	trap_end();
	irq_window(20);
	t1 = read_sysreg(cntpct_el0);
	note(c, "%u physical timer registers RAZ/WI", checked);
	expect_eq(c, "PPI 30 taken", irq_seen(TIMER_PHYS_INTID), 0);
	expect_eq(c, "CNTPCT_EL0 advances", t1 > t0, 1);
	expect_eq(c, "exceptions", trap.count, 0);
	return c->ok;
}

bool probe_sys_tlbi(struct probe_ctx *c)
{
	unsigned n;

	trap_begin();
	n = trap.count;
	__asm__ volatile("tlbi vmalle1is; tlbi vmalle1; tlbi vae1is, %0; tlbi aside1is, %0;"
			 "tlbi vaae1is, %0; ic iallu; ic ialluis; dsb ish; isb"
			 : : "r"(0x0001000000040200UL) : "memory");
	if (trap.count != n)
		fail(c, "EL1 TLB maintenance: %s", trap_str());
	else
		note(c, "TLBI VMALLE1IS/VMALLE1/VAE1IS/ASIDE1IS/VAAE1IS, IC IALLU/IALLUIS: no "
		     "exception");
	UNDEF(c, "tlbi alle2", "tlbi alle2");
	UNDEF(c, "tlbi alle1is", "tlbi alle1is");
	UNDEF(c, "tlbi ipas2e1is", "mov x0, #0; tlbi ipas2e1is, x0");
	UNDEF(c, "tlbi vmalls12e1", "tlbi vmalls12e1");
	trap_end();
	return c->ok;
}

/* HCR_EL2.TACR traps ACTLR_EL1; docs/architecture.md ("Traps") says the
 * access is ignored: it reads as zero, writes do nothing. */
bool probe_sys_actlr(struct probe_ctx *c)
{
	unsigned checked = 0;

	trap_begin();
	RAZ_WI(c, "ACTLR_EL1", actlr_el1, 0xffffffffULL);
	trap_end();
	if (checked)
		note(c, "ACTLR_EL1 RAZ/WI");
	return c->ok;
}
