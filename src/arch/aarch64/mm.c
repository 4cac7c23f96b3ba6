/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arm64 (VMSAv8-64, 4 KiB granule) descriptors and TLB maintenance.
 *
 * Levels 0..3; level-3 entries are pages, levels 1 and 2 may hold blocks
 * (1 GiB, 2 MiB). Table and page descriptors have bits[1:0] = 0b11, blocks
 * 0b01, invalid entries bit 0 clear (we always write 0). Output addresses
 * are bits 47:12 (no 52-bit PA support).
 *
 * Stage-1 EL2 (non-VHE, one privilege level): AttrIndx selects a MAIR_EL2
 * slot (see mm_regs.h), AP[2] makes a page read-only and AP[1] is RES1, bit
 * 54 is XN, bit 50 GP marks BTI-guarded code, AF is set, nG is 0.
 *
 * Stage-2: MemAttr[3:0] is 0xf (Normal, outer and inner WB) or 0x1
 * (Device-nGnRE), S2AP bit 6 allows reads and bit 7 writes, XN[1:0] = 0b10
 * (bit 54) forbids execution at EL1 and EL0. AF set. Both stages use inner
 * shareable memory.
 */
#include <bulwark/arch/aarch64/sysregs.h>
#include <bulwark/arch/mm.h>
#include <bulwark/mm.h>

#include "mm_regs.h"

_Static_assert(((MAIR_EL2_VALUE >> (8 * MM_MAIR_IDX_NORMAL)) & 0xff) == 0xff,
	       "MAIR_EL2 slot for Normal memory must be write-back RW-allocate");
_Static_assert(((MAIR_EL2_VALUE >> (8 * MM_MAIR_IDX_DEVICE)) & 0xff) == 0x04,
	       "MAIR_EL2 slot for device memory must be Device-nGnRE");

#define PTE_VALID (UINT64_C(1) << 0)
#define PTE_TYPE_TABLE_PAGE (UINT64_C(3) << 0)
#define PTE_TYPE_BLOCK (UINT64_C(1) << 0)
#define PTE_TYPE_MASK (UINT64_C(3) << 0)
#define PTE_ADDR_MASK UINT64_C(0x0000fffffffff000)
#define PTE_SH_INNER (UINT64_C(3) << 8)
#define PTE_AF (UINT64_C(1) << 10)
#define PTE_XN (UINT64_C(1) << 54)

#define S1_ATTRIDX_SHIFT 2
#define S1_ATTRIDX_MASK (UINT64_C(7) << S1_ATTRIDX_SHIFT)
#define S1_AP_RES1 (UINT64_C(1) << 6) /* AP[1]: RES1 at non-VHE EL2. */
#define S1_AP_RO (UINT64_C(1) << 7)   /* AP[2]: read-only. */
#define S1_GP (UINT64_C(1) << 50)

#define S2_MEMATTR_MASK (UINT64_C(0xf) << 2)
#define S2_MEMATTR_NORMAL (UINT64_C(0xf) << 2)
#define S2_MEMATTR_DEVICE (UINT64_C(0x1) << 2)
#define S2AP_R (UINT64_C(1) << 6)
#define S2AP_W (UINT64_C(1) << 7)

#define LEAF_LEVEL 3U

/* Above this many pages, invalidate everything rather than page by page. */
#define TLBI_MAX_PAGES 64

unsigned arch_mm_root_level(enum mm_stage stage)
{
	/* 48-bit VA from level 0; 39-bit IPA from level 1 (mm_regs.h). */
	return stage == MM_STAGE_HYP ? 0 : 1;
}

unsigned arch_mm_leaf_level(void)
{
	return LEAF_LEVEL;
}

unsigned arch_mm_level_shift(unsigned level)
{
	return PAGE_BITS + 9 * (LEAF_LEVEL - level);
}

bool arch_mm_block_allowed(enum mm_stage stage, unsigned level)
{
	(void)stage;
	return level == 1 || level == 2;
}

unsigned arch_mm_pa_bits(void)
{
	return 48;
}

bool arch_mm_mode_valid(enum mm_stage stage, unsigned mode)
{
	if (stage == MM_STAGE_HYP)
		return (mode & MM_MODE_R) != 0; /* Stage-1 cannot express no-read. */
	return (mode & MM_MODE_GUARDED) == 0; /* GP exists only at stage 1. */
}

pte_t arch_mm_absent_pte(unsigned level)
{
	(void)level;
	return 0;
}

pte_t arch_mm_table_pte(unsigned level, paddr_t table)
{
	(void)level;
	return (pa_addr(table) & PTE_ADDR_MASK) | PTE_TYPE_TABLE_PAGE;
}

pte_t arch_mm_block_pte(enum mm_stage stage, unsigned level, paddr_t pa,
			unsigned mode)
{
	pte_t pte = (pa_addr(pa) & PTE_ADDR_MASK) | PTE_AF | PTE_SH_INNER;

	pte |= level == LEAF_LEVEL ? PTE_TYPE_TABLE_PAGE : PTE_TYPE_BLOCK;
	if (!(mode & MM_MODE_X))
		pte |= PTE_XN;

	if (stage == MM_STAGE_HYP) {
		uint64_t idx = (mode & MM_MODE_DEVICE) ? MM_MAIR_IDX_DEVICE :
							 MM_MAIR_IDX_NORMAL;

		pte |= (idx << S1_ATTRIDX_SHIFT) | S1_AP_RES1;
		if (!(mode & MM_MODE_W))
			pte |= S1_AP_RO;
		if (mode & MM_MODE_GUARDED)
			pte |= S1_GP;
	} else {
		pte |= (mode & MM_MODE_DEVICE) ? S2_MEMATTR_DEVICE : S2_MEMATTR_NORMAL;
		if (mode & MM_MODE_R)
			pte |= S2AP_R;
		if (mode & MM_MODE_W)
			pte |= S2AP_W;
	}
	return pte;
}

bool arch_mm_pte_is_table(pte_t pte, unsigned level)
{
	return level < LEAF_LEVEL && (pte & PTE_TYPE_MASK) == PTE_TYPE_TABLE_PAGE;
}

bool arch_mm_pte_is_block(pte_t pte, unsigned level)
{
	pte_t type = level == LEAF_LEVEL ? PTE_TYPE_TABLE_PAGE : PTE_TYPE_BLOCK;

	return (pte & PTE_TYPE_MASK) == type;
}

bool arch_mm_pte_is_present(pte_t pte, unsigned level)
{
	return arch_mm_pte_is_table(pte, level) || arch_mm_pte_is_block(pte, level);
}

paddr_t arch_mm_table_addr(pte_t pte, unsigned level)
{
	(void)level;
	return pa_init(pte & PTE_ADDR_MASK);
}

paddr_t arch_mm_block_addr(pte_t pte, unsigned level)
{
	uint64_t size = UINT64_C(1) << arch_mm_level_shift(level);

	return pa_init(pte & PTE_ADDR_MASK & ~(size - 1));
}

unsigned arch_mm_pte_mode(enum mm_stage stage, pte_t pte, unsigned level)
{
	unsigned mode = 0;

	(void)level;
	if (!(pte & PTE_XN))
		mode |= MM_MODE_X;
	if (stage == MM_STAGE_HYP) {
		mode |= MM_MODE_R;
		if (!(pte & S1_AP_RO))
			mode |= MM_MODE_W;
		if ((pte & S1_ATTRIDX_MASK) >> S1_ATTRIDX_SHIFT == MM_MAIR_IDX_DEVICE)
			mode |= MM_MODE_DEVICE;
		if (pte & S1_GP)
			mode |= MM_MODE_GUARDED;
	} else {
		if (pte & S2AP_R)
			mode |= MM_MODE_R;
		if (pte & S2AP_W)
			mode |= MM_MODE_W;
		if ((pte & S2_MEMATTR_MASK) == S2_MEMATTR_DEVICE)
			mode |= MM_MODE_DEVICE;
	}
	return mode;
}

void arch_mm_publish(void)
{
	/* Table writes reach the walkers of all CPUs before what follows. */
	__asm__ volatile("dsb ishst\n\tisb" ::: "memory");
}

void arch_mm_invalidate_hyp(vaddr_t begin, vaddr_t end)
{
	uintptr_t b = ALIGN_DOWN(va_addr(begin), PAGE_SIZE);
	uintptr_t e = va_addr(end);

	__asm__ volatile("dsb ishst" ::: "memory");
	if ((e - b) >> PAGE_BITS > TLBI_MAX_PAGES) {
		__asm__ volatile("tlbi alle2is" ::: "memory");
	} else {
		/* VAE2IS (not VALE2IS) also drops cached intermediate entries. */
		for (uintptr_t a = b; a < e; a += PAGE_SIZE)
			__asm__ volatile("tlbi vae2is, %0" : : "r"(a >> PAGE_BITS) : "memory");
	}
	__asm__ volatile("dsb ish\n\tisb" ::: "memory");
}

void arch_mm_invalidate_guest(uint16_t vmid, ipaddr_t begin, ipaddr_t end)
{
	uint64_t b = ALIGN_DOWN(ipa_addr(begin), PAGE_SIZE);
	uint64_t e = ipa_addr(end);
	uint64_t vmid_mask = UINT64_C(0xffff) << MM_VTTBR_VMID_SHIFT;
	uint64_t old, tmp;

	/*
	 * TLBI by IPA or VMID acts on the VMID in VTTBR_EL2, so load @vmid for
	 * the duration. EL2's own accesses do not use stage 2, and the caller
	 * runs with interrupts masked, so no guest runs with the borrowed value.
	 */
	__asm__ volatile("mrs %0, vttbr_el2" : "=r"(old));
	tmp = (old & ~vmid_mask) | ((uint64_t)vmid << MM_VTTBR_VMID_SHIFT);
	if (tmp != old)
		__asm__ volatile("msr vttbr_el2, %0\n\tisb" : : "r"(tmp) : "memory");

	__asm__ volatile("dsb ishst" ::: "memory");
	if ((e - b) >> PAGE_BITS > TLBI_MAX_PAGES) {
		__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	} else {
		for (uint64_t a = b; a < e; a += PAGE_SIZE)
			__asm__ volatile("tlbi ipas2e1is, %0" : : "r"(a >> PAGE_BITS) : "memory");
		/* Combined stage-1+2 entries are tagged by VA: drop them all. */
		__asm__ volatile("dsb ish\n\ttlbi vmalle1is" ::: "memory");
	}
	__asm__ volatile("dsb ish\n\tisb" ::: "memory");

	if (tmp != old)
		__asm__ volatile("msr vttbr_el2, %0\n\tisb" : : "r"(old) : "memory");
}
