/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Generic translation-table builder: the hypervisor's own stage-1 table and
 * each VM's stage-2 table.
 *
 * Updates validate, then commit. `mm_map()` and `mm_unmap()` first check their
 * arguments and count the table pages the update needs, take all of them
 * from the pool, and only then write entries; so on any error every existing
 * translation is unchanged. Live entries are replaced break-before-make with
 * TLB invalidation of the entry's range between the two writes; table pages
 * that fall out of use go back to the pool after that invalidation.
 *
 * Locking: a `struct mm_ptable` has no lock of its own. The owner (the VM
 * lock for stage-2, the hypervisor mapping lock for stage-1) must serialise
 * every call on one table. The pool has its own lock and may be shared.
 */
#ifndef BULWARK_MM_H
#define BULWARK_MM_H

#include <bulwark/arch/mm.h>
#include <bulwark/mpool.h>
#include <bulwark/types.h>

/* Access modes. A mapping needs at least one of R, W, X. */
#define MM_MODE_R (1U << 0)
#define MM_MODE_W (1U << 1)
#define MM_MODE_X (1U << 2)
#define MM_MODE_DEVICE (1U << 3)  /* Device memory; never executable. */
#define MM_MODE_GUARDED (1U << 4) /* BTI-guarded code; needs X; stage-1 only. */
#define MM_MODE_ALL (MM_MODE_R | MM_MODE_W | MM_MODE_X | MM_MODE_DEVICE | MM_MODE_GUARDED)

enum mm_result {
	MM_OK = 0,
	MM_ERR_INVAL = -1, /* Bad range, address or mode. */
	MM_ERR_NOMEM = -2, /* The pool cannot supply the table pages needed. */
};

struct mm_ptable {
	paddr_t root;        /* Root table page; 0 once finalised. */
	enum mm_stage stage;
	struct mpool *pool;  /* Where table pages come from and go back to. */
	uint16_t vmid;       /* VM identifier for TLB invalidation (stage-2). */
};

/*
 * Pointer to the table page at @table. Table pages come from a pool, so they
 * are identity-mapped (see `mpool_page_ptr()`).
 */
static inline pte_t *mm_table_ptr(paddr_t table)
{
	return (pte_t *)mpool_page_ptr(table);
}

/* Size in bytes of the address space of a @stage table; it starts at 0. */
uint64_t mm_addr_space_size(enum mm_stage stage);

/**
 * mm_ptable_init() - Make @t an empty table of @stage using pages from @pool.
 *
 * `t->vmid` is set to 0; a stage-2 owner sets its VMID before the table is
 * first loaded or changed.
 *
 * Return: false if the pool has no page for the root table.
 */
bool mm_ptable_init(struct mm_ptable *t, enum mm_stage stage, struct mpool *pool);

/**
 * mm_ptable_fini() - Give every table page of @t back to its pool.
 *
 * The table must no longer be loaded on any CPU. For stage-2, the VMID's
 * TLB entries are invalidated so that the VMID can be reused.
 */
void mm_ptable_fini(struct mm_ptable *t);

/**
 * mm_map() - Map `[begin, end)` of @t to @pa onwards with @mode.
 * @t:     The table; its owner's lock held.
 * @begin: Page-aligned start of the virtual (stage-1) or IPA (stage-2) range.
 * @end:   Page-aligned end, within `mm_addr_space_size()`.
 * @pa:    Page-aligned physical address for @begin.
 * @mode:  `MM_MODE_*`; stage-1 mappings must be readable and not both
 *         writable and executable.
 *
 * Whatever was mapped in the range before is replaced. The largest blocks
 * that the virtual and physical alignment allow are used.
 *
 * Return: MM_OK; MM_ERR_INVAL for bad arguments; MM_ERR_NOMEM if the pool
 * is too small. On error nothing has changed.
 */
int mm_map(struct mm_ptable *t, uint64_t begin, uint64_t end, paddr_t pa,
	   unsigned mode);

/**
 * mm_unmap() - Remove every translation in `[begin, end)` of @t.
 *
 * Blocks straddling an edge are split, tables left empty are freed.
 *
 * Return: MM_OK; MM_ERR_INVAL for bad arguments; MM_ERR_NOMEM if a split
 * needs pages the pool does not have. On error nothing has changed.
 */
int mm_unmap(struct mm_ptable *t, uint64_t begin, uint64_t end);

/**
 * mm_unmap_keep_tables() - mm_unmap(), but tables that reach beyond
 * `[begin, end)` stay in place even when it leaves them empty.
 *
 * For a range that is mapped and unmapped again and again (the hypervisor's
 * temporary windows, include/bulwark/hypmap.h): the next mapping reuses the
 * tables above it instead of building them again, entry by entry. A table
 * that lies wholly inside the range is freed, as by mm_unmap(). The kept
 * tables hold only absent entries meanwhile, and go back to the pool with
 * the whole table (mm_ptable_fini()) or when a later mm_unmap() empties
 * them.
 */
int mm_unmap_keep_tables(struct mm_ptable *t, uint64_t begin, uint64_t end);

/**
 * mm_lookup() - Translate @addr through @t.
 * @pa:   If not NULL, receives the physical address of @addr.
 * @mode: If not NULL, receives the `MM_MODE_*` bits.
 *
 * Return: true if @addr is mapped.
 */
bool mm_lookup(const struct mm_ptable *t, uint64_t addr, paddr_t *pa,
	       unsigned *mode);

#endif
