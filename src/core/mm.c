/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Generic translation-table builder (see include/bulwark/mm.h).
 *
 * An update runs in two passes over the range:
 *
 *  1. Prepare: `mm_count_tables()` walks the existing tables without writing
 *     and counts the new table pages the update will need (one per absent
 *     entry or block that the range only partly covers, recursively). That
 *     many pages are then moved from the table's pool into a private reserve;
 *     if the pool runs dry they go back and the update fails untouched.
 *  2. Commit: `mm_commit()` writes the entries, taking new tables only from
 *     the reserve, so it cannot fail half-way.
 *
 * New tables are filled while still unreachable (no break-before-make or TLB
 * work needed inside them), published, and then linked. A present entry that
 * changes is replaced break-before-make: write absent, publish, invalidate the
 * entry's whole range, write the new value. A table page that becomes
 * unreachable is freed only after that invalidation, so no walker can still
 * be reading it. Recursion depth is bounded by the number of levels (4).
 */
#include <bulwark/arch/mm.h>
#include <bulwark/mm.h>

#define MM_PTES_PER_TABLE (PAGE_SIZE / sizeof(pte_t))
#define MM_LEVEL_BITS (PAGE_BITS - 3)

/* One `mm_map()` or `mm_unmap()` call, as seen by the walkers. */
struct mm_op {
	struct mm_ptable *t;
	struct mpool reserve; /* Pages set aside by the prepare pass. */
	uint64_t begin;       /* Start of the whole range. */
	uint64_t pa;          /* Physical address of `begin` (map only). */
	unsigned mode;        /* MM_MODE_* (map only). */
	bool unmap;
	bool keep_tables;     /* Unmap: keep tables that reach beyond the range. */
};

static uint64_t mm_entry_size(unsigned level)
{
	return UINT64_C(1) << arch_mm_level_shift(level);
}

static size_t mm_index(uint64_t addr, unsigned level)
{
	return (addr >> arch_mm_level_shift(level)) & (MM_PTES_PER_TABLE - 1);
}

/* End of the entry at @level holding @addr, clipped to @end. */
static uint64_t mm_entry_end(uint64_t addr, uint64_t end, unsigned level)
{
	return MIN(ALIGN_DOWN(addr, mm_entry_size(level)) + mm_entry_size(level), end);
}

uint64_t mm_addr_space_size(enum mm_stage stage)
{
	unsigned root = arch_mm_root_level(stage);

	return UINT64_C(1) << (arch_mm_level_shift(root) + MM_LEVEL_BITS);
}

static void mm_write_pte(pte_t *ptep, pte_t pte)
{
	/* Single-copy atomic: a walker sees the old or the new entry. */
	__atomic_store_n(ptep, pte, __ATOMIC_RELAXED);
}

static void mm_invalidate(const struct mm_ptable *t, uint64_t b, uint64_t e)
{
	if (t->stage == MM_STAGE_HYP)
		arch_mm_invalidate_hyp(va_init((uintptr_t)b), va_init((uintptr_t)e));
	else
		arch_mm_invalidate_guest(t->vmid, ipa_init(b), ipa_init(e));
}

/* Free the table at @table (entries at @level) and every table below it. */
static void mm_free_tables(struct mpool *pool, unsigned level, paddr_t table)
{
	const pte_t *ptes = mm_table_ptr(table);

	for (size_t i = 0; i < MM_PTES_PER_TABLE; i++) {
		if (arch_mm_pte_is_table(ptes[i], level))
			mm_free_tables(pool, level + 1, arch_mm_table_addr(ptes[i], level));
	}
	mpool_free_page(pool, table);
}

static bool mm_table_empty(const pte_t *ptes, unsigned level)
{
	for (size_t i = 0; i < MM_PTES_PER_TABLE; i++) {
		if (arch_mm_pte_is_present(ptes[i], level))
			return false;
	}
	return true;
}

/*
 * Whether `[b, e)` at @level covers a whole entry that can take the final
 * value directly: absent when unmapping, else a block or page, which needs
 * the level to allow it and the physical address to be aligned.
 */
static bool mm_fits_entry(const struct mm_op *op, unsigned level, uint64_t b,
			  uint64_t e)
{
	uint64_t size = mm_entry_size(level);

	if (!IS_ALIGNED(b, size) || e - b != size)
		return false;
	if (op->unmap)
		return true;
	if (level != arch_mm_leaf_level() &&
	    !arch_mm_block_allowed(op->t->stage, level))
		return false;
	return IS_ALIGNED(op->pa + (b - op->begin), size);
}

/*
 * Prepare pass: new table pages needed to apply @op to `[b, e)` at @level.
 * @ptes is the existing table, or NULL for one the update will create; such
 * a table holds only absent entries or pieces of one block, and when
 * unmapping only the latter (absent entries need no table to stay absent).
 */
static size_t mm_count_tables(const struct mm_op *op, unsigned level,
			      const pte_t *ptes, uint64_t b, uint64_t e)
{
	size_t n = 0;

	for (uint64_t addr = b, next; addr < e; addr = next) {
		next = mm_entry_end(addr, e, level);
		if (mm_fits_entry(op, level, addr, next))
			continue;
		if (ptes != NULL) {
			pte_t pte = ptes[mm_index(addr, level)];

			if (arch_mm_pte_is_table(pte, level)) {
				n += mm_count_tables(op, level + 1,
						     mm_table_ptr(arch_mm_table_addr(pte, level)),
						     addr, next);
				continue;
			}
			if (op->unmap && !arch_mm_pte_is_present(pte, level))
				continue;
		}
		n += 1 + mm_count_tables(op, level + 1, NULL, addr, next);
	}
	return n;
}

/*
 * A new table for entries at @level, from the reserve, equivalent to @old at
 * `level - 1`: all absent, or the pieces of the block @old. Not yet linked.
 */
static paddr_t mm_new_table(struct mm_op *op, unsigned level, pte_t old)
{
	enum mm_stage stage = op->t->stage;
	paddr_t table = pa_init(0);
	pte_t *ptes;

	/*
	 * The prepare pass reserved enough pages. Should it ever not have, the
	 * write through a null table faults (fail-stop) rather than corrupting.
	 */
	if (!mpool_alloc_page(&op->reserve, &table))
		table = pa_init(0);
	ptes = mm_table_ptr(table);
	if (arch_mm_pte_is_block(old, level - 1)) {
		paddr_t pa = arch_mm_block_addr(old, level - 1);
		unsigned mode = arch_mm_pte_mode(stage, old, level - 1);

		for (size_t i = 0; i < MM_PTES_PER_TABLE; i++)
			ptes[i] = arch_mm_block_pte(stage, level,
						    pa_add(pa, i * mm_entry_size(level)), mode);
	} else {
		for (size_t i = 0; i < MM_PTES_PER_TABLE; i++)
			ptes[i] = arch_mm_absent_pte(level);
	}
	return table;
}

/*
 * Set the entry at @ptep (at @level, covering @addr) to @pte. If @live, the
 * table is reachable by walkers, so a present entry is broken first. A table
 * that the old entry pointed to is freed once nothing can reach it.
 */
static void mm_replace(struct mm_op *op, pte_t *ptep, pte_t pte, unsigned level,
		       uint64_t addr, bool live)
{
	pte_t old = *ptep;
	uint64_t b = ALIGN_DOWN(addr, mm_entry_size(level));

	if (old == pte)
		return;
	if (live && arch_mm_pte_is_present(old, level)) {
		mm_write_pte(ptep, arch_mm_absent_pte(level));
		arch_mm_publish();
		mm_invalidate(op->t, b, b + mm_entry_size(level));
	}
	mm_write_pte(ptep, pte);
	if (arch_mm_pte_is_table(old, level))
		mm_free_tables(op->t->pool, level + 1, arch_mm_table_addr(old, level));
}

/* Commit pass: apply @op to `[b, e)` in the table @ptes at @level. */
static void mm_commit(struct mm_op *op, unsigned level, pte_t *ptes, uint64_t b,
		      uint64_t e, bool live)
{
	enum mm_stage stage = op->t->stage;

	for (uint64_t addr = b, next; addr < e; addr = next) {
		pte_t *ptep = &ptes[mm_index(addr, level)];
		pte_t pte = *ptep;

		next = mm_entry_end(addr, e, level);
		if (mm_fits_entry(op, level, addr, next)) {
			pte_t leaf = op->unmap ? arch_mm_absent_pte(level) :
				     arch_mm_block_pte(stage, level,
						       pa_init(op->pa + (addr - op->begin)),
						       op->mode);

			mm_replace(op, ptep, leaf, level, addr, live);
		} else if (arch_mm_pte_is_table(pte, level)) {
			pte_t *sub = mm_table_ptr(arch_mm_table_addr(pte, level));

			mm_commit(op, level + 1, sub, addr, next, live);
			/* Only unmapping can empty a table; drop it (unless asked
			 * to keep it: it reaches beyond the range). */
			if (op->unmap && !op->keep_tables && mm_table_empty(sub, level + 1))
				mm_replace(op, ptep, arch_mm_absent_pte(level), level,
					   addr, live);
		} else if (!op->unmap || arch_mm_pte_is_present(pte, level)) {
			/* Absent or a block, partly covered: needs a table. */
			paddr_t sub = mm_new_table(op, level + 1, pte);

			mm_commit(op, level + 1, mm_table_ptr(sub), addr, next, false);
			arch_mm_publish();
			mm_replace(op, ptep, arch_mm_table_pte(level, sub), level, addr,
				   live);
		}
	}
}

/* Whether `[begin, end)` is a valid page-aligned range of @t. */
static bool mm_range_valid(const struct mm_ptable *t, uint64_t begin, uint64_t end)
{
	return pa_addr(t->root) != 0 && begin < end &&
	       IS_ALIGNED(begin, PAGE_SIZE) && IS_ALIGNED(end, PAGE_SIZE) &&
	       end <= mm_addr_space_size(t->stage);
}

/* Mode policy shared by both stages, then what the arch can encode. */
static bool mm_mode_valid(enum mm_stage stage, unsigned mode)
{
	if ((mode & ~MM_MODE_ALL) != 0 ||
	    (mode & (MM_MODE_R | MM_MODE_W | MM_MODE_X)) == 0)
		return false;
	if ((mode & MM_MODE_DEVICE) && (mode & MM_MODE_X))
		return false;
	if ((mode & MM_MODE_GUARDED) && !(mode & MM_MODE_X))
		return false;
	/* W^X for the hypervisor's own mappings. */
	if (stage == MM_STAGE_HYP && (mode & MM_MODE_W) && (mode & MM_MODE_X))
		return false;
	return arch_mm_mode_valid(stage, mode);
}

static int mm_update(struct mm_op *op, uint64_t end)
{
	struct mm_ptable *t = op->t;
	unsigned root = arch_mm_root_level(t->stage);
	size_t need = mm_count_tables(op, root, mm_table_ptr(t->root), op->begin, end);
	paddr_t pg;
	int ret = MM_OK;

	mpool_init(&op->reserve);
	if (mpool_free_count(t->pool) < need)
		return MM_ERR_NOMEM;
	for (size_t i = 0; i < need; i++) {
		if (!mpool_alloc_page(t->pool, &pg)) {
			ret = MM_ERR_NOMEM; /* Another user of the pool beat us. */
			break;
		}
		mpool_free_page(&op->reserve, pg);
	}
	if (ret == MM_OK) {
		mm_commit(op, root, mm_table_ptr(t->root), op->begin, end, true);
		arch_mm_publish();
	}
	while (mpool_alloc_page(&op->reserve, &pg))
		mpool_free_page(t->pool, pg);
	return ret;
}

int mm_map(struct mm_ptable *t, uint64_t begin, uint64_t end, paddr_t pa,
	   unsigned mode)
{
	struct mm_op op = { .t = t, .begin = begin, .pa = pa_addr(pa), .mode = mode };
	uint64_t pa_limit = UINT64_C(1) << arch_mm_pa_bits();

	if (!mm_range_valid(t, begin, end) || !mm_mode_valid(t->stage, mode) ||
	    !IS_ALIGNED(pa_addr(pa), PAGE_SIZE) || pa_addr(pa) >= pa_limit ||
	    pa_limit - pa_addr(pa) < end - begin)
		return MM_ERR_INVAL;
	return mm_update(&op, end);
}

int mm_unmap(struct mm_ptable *t, uint64_t begin, uint64_t end)
{
	struct mm_op op = { .t = t, .begin = begin, .unmap = true };

	if (!mm_range_valid(t, begin, end))
		return MM_ERR_INVAL;
	return mm_update(&op, end);
}

int mm_unmap_keep_tables(struct mm_ptable *t, uint64_t begin, uint64_t end)
{
	struct mm_op op = { .t = t, .begin = begin, .unmap = true, .keep_tables = true };

	if (!mm_range_valid(t, begin, end))
		return MM_ERR_INVAL;
	return mm_update(&op, end);
}

bool mm_lookup(const struct mm_ptable *t, uint64_t addr, paddr_t *pa,
	       unsigned *mode)
{
	unsigned level = arch_mm_root_level(t->stage);
	const pte_t *ptes = mm_table_ptr(t->root);

	if (pa_addr(t->root) == 0 || addr >= mm_addr_space_size(t->stage))
		return false;
	for (;;) {
		pte_t pte = ptes[mm_index(addr, level)];

		if (arch_mm_pte_is_block(pte, level)) {
			if (pa != NULL)
				*pa = pa_add(arch_mm_block_addr(pte, level),
					     addr & (mm_entry_size(level) - 1));
			if (mode != NULL)
				*mode = arch_mm_pte_mode(t->stage, pte, level);
			return true;
		}
		if (!arch_mm_pte_is_table(pte, level))
			return false;
		ptes = mm_table_ptr(arch_mm_table_addr(pte, level));
		level++;
	}
}

bool mm_ptable_init(struct mm_ptable *t, enum mm_stage stage, struct mpool *pool)
{
	unsigned root = arch_mm_root_level(stage);
	pte_t *ptes;

	t->stage = stage;
	t->pool = pool;
	t->vmid = 0;
	if (!mpool_alloc_page(pool, &t->root)) {
		t->root = pa_init(0);
		return false;
	}
	ptes = mm_table_ptr(t->root);
	for (size_t i = 0; i < MM_PTES_PER_TABLE; i++)
		ptes[i] = arch_mm_absent_pte(root);
	arch_mm_publish();
	return true;
}

void mm_ptable_fini(struct mm_ptable *t)
{
	if (pa_addr(t->root) == 0)
		return;
	if (t->stage == MM_STAGE_GUEST)
		mm_invalidate(t, 0, mm_addr_space_size(t->stage));
	mm_free_tables(t->pool, arch_mm_root_level(t->stage), t->root);
	t->root = pa_init(0);
}
