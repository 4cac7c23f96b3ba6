/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fake translation arch for host tests.
 *
 * The entry encoding is deliberately hostile. A raw entry is
 *
 *   bits  0..1   type: 0 absent, 1 table, 2 block/page
 *   bits  2..6   MM_MODE_* bits (blocks only)
 *   bit   7      stage of a block: 0 hypervisor, 1 guest
 *   bits 12..55  address
 *   bits 56..63  tag: 0xa0 | level
 *
 * and the stored entry is the raw entry XOR a per-level magic. Decoding at
 * the wrong level, or reading a zero-filled table as if it were absent
 * entries, yields a bad tag and aborts the test. So does decoding a block
 * with the wrong stage, or making a table entry at the leaf level.
 *
 * Geometry is that of arm64 with 4 KiB pages: 48-bit hypervisor space from
 * level 0, 39-bit guest space from level 1, blocks at levels 1 and 2.
 */
#include <stdio.h>
#include <stdlib.h>

#include <bulwark/arch/fake/mm.h>
#include <bulwark/arch/mm.h>
#include <bulwark/mm.h>

#define FAKE_TYPE_ABSENT 0U
#define FAKE_TYPE_TABLE 1U
#define FAKE_TYPE_BLOCK 2U
#define FAKE_TYPE_MASK UINT64_C(0x3)
#define FAKE_MODE_SHIFT 2
#define FAKE_STAGE_GUEST (UINT64_C(1) << 7)
#define FAKE_ADDR_MASK UINT64_C(0x00fffffffffff000)
#define FAKE_TAG_SHIFT 56
#define FAKE_LEAF_LEVEL 3U

struct fake_mm_stats fake_mm_stats;

void fake_mm_reset_stats(void)
{
	fake_mm_stats = (struct fake_mm_stats){ 0 };
}

static void fake_mm_die(const char *what, pte_t pte, unsigned level)
{
	fprintf(stderr, "fake mm: %s (pte %#llx, level %u)\n", what,
		(unsigned long long)pte, level);
	abort();
}

static uint64_t fake_tag(unsigned level)
{
	return (uint64_t)(0xa0U | level) << FAKE_TAG_SHIFT;
}

/* Tag byte differs per level by a distinct non-zero key, low bits are noise. */
static uint64_t fake_magic(unsigned level)
{
	static const uint8_t key[4] = { 0x35, 0x5c, 0x93, 0xe6 };
	uint64_t noise = (UINT64_C(0x9e3779b97f4a7c15) * (level + 1)) >> 8;

	if (level > FAKE_LEAF_LEVEL)
		fake_mm_die("bad level", 0, level);
	return (fake_tag(level) ^ ((uint64_t)key[level] << FAKE_TAG_SHIFT)) |
	       (noise & UINT64_C(0x00fffffffffff0ff));
}

static pte_t fake_encode(uint64_t raw, unsigned level)
{
	return (raw | fake_tag(level)) ^ fake_magic(level);
}

static uint64_t fake_decode(pte_t pte, unsigned level)
{
	uint64_t raw = pte ^ fake_magic(level);

	if ((raw & ~((UINT64_C(1) << FAKE_TAG_SHIFT) - 1)) != fake_tag(level))
		fake_mm_die("entry decoded at the wrong level or never written", pte, level);
	if ((raw & FAKE_TYPE_MASK) == 3)
		fake_mm_die("bad entry type", pte, level);
	return raw;
}

unsigned arch_mm_root_level(enum mm_stage stage)
{
	return stage == MM_STAGE_HYP ? 0 : 1;
}

unsigned arch_mm_leaf_level(void)
{
	return FAKE_LEAF_LEVEL;
}

unsigned arch_mm_level_shift(unsigned level)
{
	if (level > FAKE_LEAF_LEVEL)
		fake_mm_die("bad level", 0, level);
	return PAGE_BITS + 9 * (FAKE_LEAF_LEVEL - level);
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
		return (mode & MM_MODE_R) != 0;
	return (mode & MM_MODE_GUARDED) == 0;
}

pte_t arch_mm_absent_pte(unsigned level)
{
	return fake_encode(FAKE_TYPE_ABSENT, level);
}

pte_t arch_mm_table_pte(unsigned level, paddr_t table)
{
	if (level >= FAKE_LEAF_LEVEL || (pa_addr(table) & ~FAKE_ADDR_MASK) != 0)
		fake_mm_die("bad table entry", pa_addr(table), level);
	return fake_encode(pa_addr(table) | FAKE_TYPE_TABLE, level);
}

pte_t arch_mm_block_pte(enum mm_stage stage, unsigned level, paddr_t pa,
			unsigned mode)
{
	uint64_t raw = pa_addr(pa) | FAKE_TYPE_BLOCK | ((uint64_t)mode << FAKE_MODE_SHIFT);

	if ((level != FAKE_LEAF_LEVEL && !arch_mm_block_allowed(stage, level)) ||
	    (pa_addr(pa) & ((UINT64_C(1) << arch_mm_level_shift(level)) - 1)) != 0 ||
	    (pa_addr(pa) & ~FAKE_ADDR_MASK) != 0 || (mode & ~MM_MODE_ALL) != 0 ||
	    !arch_mm_mode_valid(stage, mode))
		fake_mm_die("bad block entry", pa_addr(pa), level);
	if (stage == MM_STAGE_GUEST)
		raw |= FAKE_STAGE_GUEST;
	return fake_encode(raw, level);
}

bool arch_mm_pte_is_present(pte_t pte, unsigned level)
{
	return (fake_decode(pte, level) & FAKE_TYPE_MASK) != FAKE_TYPE_ABSENT;
}

bool arch_mm_pte_is_table(pte_t pte, unsigned level)
{
	return (fake_decode(pte, level) & FAKE_TYPE_MASK) == FAKE_TYPE_TABLE;
}

bool arch_mm_pte_is_block(pte_t pte, unsigned level)
{
	return (fake_decode(pte, level) & FAKE_TYPE_MASK) == FAKE_TYPE_BLOCK;
}

paddr_t arch_mm_table_addr(pte_t pte, unsigned level)
{
	uint64_t raw = fake_decode(pte, level);

	if ((raw & FAKE_TYPE_MASK) != FAKE_TYPE_TABLE)
		fake_mm_die("table address of a non-table", pte, level);
	return pa_init(raw & FAKE_ADDR_MASK);
}

paddr_t arch_mm_block_addr(pte_t pte, unsigned level)
{
	uint64_t raw = fake_decode(pte, level);

	if ((raw & FAKE_TYPE_MASK) != FAKE_TYPE_BLOCK)
		fake_mm_die("block address of a non-block", pte, level);
	return pa_init(raw & FAKE_ADDR_MASK);
}

unsigned arch_mm_pte_mode(enum mm_stage stage, pte_t pte, unsigned level)
{
	uint64_t raw = fake_decode(pte, level);

	if ((raw & FAKE_TYPE_MASK) != FAKE_TYPE_BLOCK)
		fake_mm_die("mode of a non-block", pte, level);
	if (((raw & FAKE_STAGE_GUEST) != 0) != (stage == MM_STAGE_GUEST))
		fake_mm_die("block decoded with the wrong stage", pte, level);
	return (unsigned)(raw >> FAKE_MODE_SHIFT) & MM_MODE_ALL;
}

void arch_mm_publish(void)
{
	fake_mm_stats.publish_count++;
}

void arch_mm_invalidate_hyp(vaddr_t begin, vaddr_t end)
{
	fake_mm_stats.hyp_inval_count++;
	fake_mm_stats.hyp_inval_bytes += va_addr(end) - va_addr(begin);
	fake_mm_stats.last_begin = va_addr(begin);
	fake_mm_stats.last_end = va_addr(end);
}

void arch_mm_invalidate_guest(uint16_t vmid, ipaddr_t begin, ipaddr_t end)
{
	fake_mm_stats.guest_inval_count++;
	fake_mm_stats.guest_inval_bytes += ipa_addr(end) - ipa_addr(begin);
	fake_mm_stats.last_vmid = vmid;
	fake_mm_stats.last_begin = ipa_addr(begin);
	fake_mm_stats.last_end = ipa_addr(end);
}
