/* SPDX-License-Identifier: Apache-2.0 */
/* CPU bring-up and identity for AArch64 at EL2. */
#include <bulwark/arch/aarch64/sysregs.h>
#include <bulwark/arch/boot.h>
#include <bulwark/arch/cpu.h>
#include <bulwark/console.h>
#include <bulwark/cpu.h>
#include <bulwark/string.h>


#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_ON_64 0xc4000003u

struct percpu percpu[BULWARK_MAX_CPUS];

/* Read by secondary CPUs with the MMU off: MAIR, TCR, TTBR0, SCTLR. */
uint64_t boot_mmu_regs[4] __attribute__((aligned(64)));

void secondary_entry(void);

unsigned arch_cpu_index(void)
{
	return ((struct percpu *)READ_SYSREG(tpidr_el2))->index;
}

#define DCZID_DZP (1u << 4) /* DC ZVA prohibited */
#define DCZID_BS_MASK 0xfu  /* log2 of the block size in 4-byte words */

void arch_zero_pages(void *va, size_t size)
{
	uint64_t dczid;

	__asm__("mrs %0, dczid_el0" : "=r"(dczid));
	size_t block = 4u << (dczid & DCZID_BS_MASK);

	/* Blocks of 4 bytes to 2 KiB: a page is a multiple of any of them. */
	if ((dczid & DCZID_DZP) || block > 4096) {
		memset(va, 0, size);
		return;
	}
	char *p = va, *end = p + size;

	if (size % (4 * block) == 0) {
		for (; p < end; p += 4 * block) {
			__asm__ volatile("dc zva, %0" : : "r"(p) : "memory");
			__asm__ volatile("dc zva, %0" : : "r"(p + block) : "memory");
			__asm__ volatile("dc zva, %0" : : "r"(p + 2 * block) : "memory");
			__asm__ volatile("dc zva, %0" : : "r"(p + 3 * block) : "memory");
		}
	} else {
		for (; p < end; p += block)
			__asm__ volatile("dc zva, %0" : : "r"(p) : "memory");
	}
}

void arch_copy_pages(void *dst, const void *src, size_t size)
{
	/* 64 bytes a round, in pairs of registers. */
	for (char *d = dst, *end = d + size; d < end; d += 64, src = (const char *)src + 64) {
		uint64_t a, b, c, e, f, g, h, k;

		__asm__ volatile("ldp	%0, %1, [%8]\n\t"
				 "ldp	%2, %3, [%8, #16]\n\t"
				 "ldp	%4, %5, [%8, #32]\n\t"
				 "ldp	%6, %7, [%8, #48]\n\t"
				 "stp	%0, %1, [%9]\n\t"
				 "stp	%2, %3, [%9, #16]\n\t"
				 "stp	%4, %5, [%9, #32]\n\t"
				 "stp	%6, %7, [%9, #48]"
				 : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(e), "=&r"(f), "=&r"(g),
				   "=&r"(h), "=&r"(k)
				 : "r"(src), "r"(d)
				 : "memory");
	}
}

uint64_t arch_cpu_hwid(void)
{
	return READ_SYSREG(mpidr_el1) & 0xff00ffffffULL;
}

uint64_t arch_counter(void)
{
	__asm__ volatile("isb");
	return READ_SYSREG(cntpct_el0);
}

uint64_t arch_counter_freq(void)
{
	return READ_SYSREG(cntfrq_el0);
}

void arch_cpu_halt(void)
{
	__asm__ volatile("msr daifset, #0xf");
	for (;;)
		__asm__ volatile("wfi");
}

void arch_cache_clean_inval(uintptr_t begin, size_t size)
{
	uint64_t ctr = READ_SYSREG(ctr_el0);
	uintptr_t line = 4UL << ((ctr >> 16) & 0xf);

	for (uintptr_t p = begin & ~(line - 1); p < begin + size; p += line)
		__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

bool arch_has_bti(void)
{
	return (READ_SYSREG(id_aa64pfr1_el1) & 0xf) != 0;
}

static bool has_pac(void)
{
	return (READ_SYSREG(id_aa64isar1_el1) & (0xffULL << 4)) != 0;
}

int64_t arch_fw_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
			   "x14", "x15", "x16", "x17", "memory");
	return (int64_t)x0;
}

int arch_cpu_start(const struct hw_desc *hw, uint64_t hwid, unsigned index)
{
	if (hw->psci != HW_PSCI_SMC)
		return -1;
	return (int)arch_fw_call(PSCI_CPU_ON_64, hwid, (uintptr_t)secondary_entry, index);
}

void arch_mmu_enable(paddr_t root)
{
	uint64_t parange = READ_SYSREG(id_aa64mmfr0_el1) & 0xf;
	uint64_t ps = parange > 5 ? 5 : parange; /* at most 48-bit PA with 4 KiB pages */
	uint64_t tcr = TCR_EL2_RES1 | (ps << TCR_PS_SHIFT) | TCR_SH0_INNER | TCR_ORGN0_WBWA |
		       TCR_IRGN0_WBWA | TCR_T0SZ_48;
	uint64_t sctlr = SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA | SCTLR_WXN;

	boot_mmu_regs[0] = MAIR_EL2_VALUE;
	boot_mmu_regs[1] = tcr;
	boot_mmu_regs[2] = pa_addr(root);
	boot_mmu_regs[3] = sctlr;

	/* Tables and data were written with the MMU off: drop stale lines. */
	extern char __image_start[], __image_end[];
	arch_cache_clean_inval((uintptr_t)__image_start,
			       (size_t)(__image_end - __image_start));

	WRITE_SYSREG(mair_el2, MAIR_EL2_VALUE);
	WRITE_SYSREG(tcr_el2, tcr);
	WRITE_SYSREG(ttbr0_el2, pa_addr(root));
	__asm__ volatile("isb; tlbi alle2; dsb nsh; isb" ::: "memory");
	WRITE_SYSREG(sctlr_el2, sctlr);
	__asm__ volatile("isb" ::: "memory");
}

static const char *core_name(uint64_t midr)
{
	static const struct {
		uint32_t id;
		const char *name;
	} cores[] = {
		{ 0x41d03, "Cortex-A53" }, { 0x41d07, "Cortex-A57" },
		{ 0x41d08, "Cortex-A72" }, { 0x41d0b, "Cortex-A76" },
		{ 0x41d0c, "Neoverse-N1" }, { 0x41d40, "Neoverse-V1" },
		{ 0x41d4f, "Neoverse-V2" }, { 0x41d49, "Neoverse-N2" },
		{ 0x41d05, "Cortex-A55" },
	};
	uint32_t id = (uint32_t)(((midr >> 24) & 0xff) << 12 | ((midr >> 4) & 0xfff));

	for (unsigned i = 0; i < ARRAY_SIZE(cores); i++) {
		if (cores[i].id == id)
			return cores[i].name;
	}
	if ((midr >> 24) == 0)
		return "implementer 0: QEMU -cpu max";
	return "unknown core";
}

void arch_report(const struct hw_desc *hw)
{
	uint64_t midr = READ_SYSREG(midr_el1);
	uint64_t sctlr = READ_SYSREG(sctlr_el2);
	int64_t ver = arch_fw_call(PSCI_VERSION, 0, 0, 0);

	pr_info("cpu:      MIDR %#lx (%s), counter %lu Hz\n", midr, core_name(midr),
		arch_counter_freq());
	if (hw->psci == HW_PSCI_SMC && ver > 0)
		pr_info("firmware: PSCI %ld.%ld over SMC\n", (long)(ver >> 16), (long)(ver & 0xffff));
	pr_info("hardening: W^X + WXN %s, PAC %s, BTI %s, SLS barriers on, stack protector on\n",
		(sctlr & SCTLR_WXN) ? "on" : "OFF",
		(sctlr & SCTLR_ENIA) ? "on (pac-ret, random keys per CPU)"
		: has_pac()	      ? "OFF"
				      : "absent on this CPU",
		arch_has_bti() ? "on (guarded text pages)" : "absent on this CPU");
}
