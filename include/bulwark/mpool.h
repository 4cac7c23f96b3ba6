/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A pool of 4 KiB pages that the hypervisor owns and maps, for page tables and
 * other metadata.
 *
 * The hypervisor has no direct map of RAM. Memory it owns (its image and the
 * page pools carved from RAM at boot) is identity-mapped at EL2, so the
 * physical address of such a page is also a pointer to it. On the host the
 * "physical addresses" are host pointers, so the same rule holds.
 * `mpool_page_ptr()` is the one place where that rule is applied.
 */
#ifndef BULWARK_MPOOL_H
#define BULWARK_MPOOL_H

#include <bulwark/spinlock.h>
#include <bulwark/types.h>

struct mpool {
	struct spinlock lock;
	paddr_t head;  /* First free page; 0 when empty. Next links live in the pages. */
	size_t count;  /* Number of free pages. */
};

/*
 * Pointer to a hypervisor-owned, identity-mapped page (or any byte in one).
 * Only valid for memory mapped VA == PA at EL2: pool pages and the image.
 */
static inline void *mpool_page_ptr(paddr_t pa)
{
	return (void *)(uintptr_t)pa_addr(pa);
}

/* Physical address of a hypervisor-owned, identity-mapped pointer. */
static inline paddr_t mpool_page_pa(const void *p)
{
	return pa_init((uintptr_t)p);
}

/**
 * mpool_init() - Make @p an empty pool.
 */
void mpool_init(struct mpool *p);

/**
 * mpool_add_chunk() - Give the pages of `[begin, begin + size)` to @p.
 * @p:     The pool.
 * @begin: First byte; rounded up to a page.
 * @size:  Length in bytes; only whole pages inside the range are used.
 *
 * The memory must be owned by the hypervisor, identity-mapped and writable:
 * the free list is threaded through the pages. The page at address 0, if
 * any, is skipped because 0 ends the list.
 */
void mpool_add_chunk(struct mpool *p, paddr_t begin, size_t size);

/**
 * mpool_alloc_page() - Take one page from @p.
 * @p:   The pool.
 * @out: Receives the page's address.
 *
 * Return: true with a zero-filled page, false if the pool is empty.
 */
bool mpool_alloc_page(struct mpool *p, paddr_t *out);

/**
 * mpool_free_page() - Give page @pg (from some pool) back to @p.
 *
 * A page at address 0 or not page-aligned is ignored (a caller bug; it
 * would corrupt the free list).
 */
void mpool_free_page(struct mpool *p, paddr_t pg);

/* Number of free pages in @p. A snapshot: other CPUs may change it. */
size_t mpool_free_count(const struct mpool *p);

#endif
