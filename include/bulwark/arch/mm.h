/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The arch contract for translation tables, in ISA-neutral words.
 *
 * The generic builder (src/core/mm.c) walks tables of `PAGE_SIZE / sizeof(pte_t)`
 * entries from a root level down to a leaf level; levels are numbered from 0
 * (largest) upwards. The arch decides how entries are encoded at each level
 * and for each stage, which levels may hold blocks, and how TLBs are kept
 * coherent. Implemented by src/arch/aarch64/mm.c (EL2) and src/arch/fake/mm.c
 * (host tests, whose encoding differs per level so that mixing levels fails).
 *
 * Contract rules the core relies on:
 *  - `arch_mm_block_allowed(s, l)` implies that level `l + 1` either allows
 *    blocks too or is the leaf level, so a block splits into one table.
 *  - An entry is exactly one of absent, table or block at its level.
 *  - None of these functions takes a lock; callers serialise per table.
 */
#ifndef BULWARK_ARCH_MM_H
#define BULWARK_ARCH_MM_H

#include <bulwark/types.h>

typedef uint64_t pte_t;

/* Which translation a table describes. */
enum mm_stage {
	MM_STAGE_HYP,   /* The hypervisor's own translation (VA -> PA). */
	MM_STAGE_GUEST, /* A VM's guest-physical translation (IPA -> PA). */
};

/* Level of the root table for @stage (its table is a single page). */
unsigned arch_mm_root_level(enum mm_stage stage);

/* Level whose entries map single pages. */
unsigned arch_mm_leaf_level(void);

/* log2 of the bytes one entry at @level covers. */
unsigned arch_mm_level_shift(unsigned level);

/* Whether a non-leaf @level may hold a block entry for @stage. */
bool arch_mm_block_allowed(enum mm_stage stage, unsigned level);

/* Number of physical address bits a leaf entry can hold. */
unsigned arch_mm_pa_bits(void);

/*
 * Whether the `MM_MODE_*` combination @mode can be encoded exactly at
 * @stage, so that `arch_mm_pte_mode()` gives it back unchanged.
 */
bool arch_mm_mode_valid(enum mm_stage stage, unsigned mode);

/* The entry meaning "nothing mapped here" at @level. Not necessarily 0. */
pte_t arch_mm_absent_pte(unsigned level);

/* An entry at @level (not the leaf level) pointing at the table at @table. */
pte_t arch_mm_table_pte(unsigned level, paddr_t table);

/*
 * A leaf entry at @level mapping the `1 << arch_mm_level_shift(level)` bytes
 * at @pa (aligned to that size) with @mode, which `arch_mm_mode_valid()`
 * accepted. At the leaf level this is a page, above it a block.
 */
pte_t arch_mm_block_pte(enum mm_stage stage, unsigned level, paddr_t pa,
			unsigned mode);

bool arch_mm_pte_is_present(pte_t pte, unsigned level);
bool arch_mm_pte_is_table(pte_t pte, unsigned level);
bool arch_mm_pte_is_block(pte_t pte, unsigned level);

/* Address of the next-level table of a table entry. */
paddr_t arch_mm_table_addr(pte_t pte, unsigned level);

/* Output address of a block (or page) entry. */
paddr_t arch_mm_block_addr(pte_t pte, unsigned level);

/* The `MM_MODE_*` bits of a block (or page) entry. */
unsigned arch_mm_pte_mode(enum mm_stage stage, pte_t pte, unsigned level);

/*
 * Make all earlier table writes visible to the table walkers of every CPU
 * before any later write or instruction. Called after filling a new table
 * and before linking it, and after the last write of an update.
 */
void arch_mm_publish(void);

/*
 * Invalidate the hypervisor's cached translations (leaf and intermediate)
 * for `[begin, end)` on every CPU, and wait for completion.
 */
void arch_mm_invalidate_hyp(vaddr_t begin, vaddr_t end);

/*
 * Invalidate VM @vmid's cached translations for `[begin, end)`, including
 * combined guest-virtual entries that go through them, on every CPU, and
 * wait for completion. May be called while another VM is loaded on this CPU.
 */
void arch_mm_invalidate_guest(uint16_t vmid, ipaddr_t begin, ipaddr_t end);

#endif
