/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Page pool: a LIFO free list threaded through the free pages themselves.
 * The first 8 bytes of a free page hold the address of the next one (0 ends
 * the list). Pages are zeroed when handed out, not when returned.
 */
#include <bulwark/mpool.h>
#include <bulwark/string.h>

void mpool_init(struct mpool *p)
{
	sl_init(&p->lock);
	p->head = pa_init(0);
	p->count = 0;
}

static void mpool_push_locked(struct mpool *p, paddr_t pg)
{
	*(uint64_t *)mpool_page_ptr(pg) = pa_addr(p->head);
	p->head = pg;
	__atomic_store_n(&p->count, p->count + 1, __ATOMIC_RELAXED);
}

void mpool_add_chunk(struct mpool *p, paddr_t begin, size_t size)
{
	uint64_t b = ALIGN_UP(pa_addr(begin), PAGE_SIZE);
	uint64_t e = pa_addr(begin) + size;

	if (b < pa_addr(begin) || e < pa_addr(begin))
		return; /* Wraps around the address space: not real memory. */
	if (b == 0)
		b = PAGE_SIZE;

	sl_lock(&p->lock);
	for (; b < e && e - b >= PAGE_SIZE; b += PAGE_SIZE)
		mpool_push_locked(p, pa_init(b));
	sl_unlock(&p->lock);
}

bool mpool_alloc_page(struct mpool *p, paddr_t *out)
{
	paddr_t pg;

	sl_lock(&p->lock);
	pg = p->head;
	if (pa_addr(pg) != 0) {
		p->head = pa_init(*(uint64_t *)mpool_page_ptr(pg));
		__atomic_store_n(&p->count, p->count - 1, __ATOMIC_RELAXED);
	}
	sl_unlock(&p->lock);

	if (pa_addr(pg) == 0)
		return false;
	memset(mpool_page_ptr(pg), 0, PAGE_SIZE);
	*out = pg;
	return true;
}

void mpool_free_page(struct mpool *p, paddr_t pg)
{
	/* Page 0 would end the list and a misaligned one would corrupt it. */
	if (pa_addr(pg) == 0 || !IS_ALIGNED(pa_addr(pg), PAGE_SIZE))
		return;
	sl_lock(&p->lock);
	mpool_push_locked(p, pg);
	sl_unlock(&p->lock);
}

size_t mpool_free_count(const struct mpool *p)
{
	return __atomic_load_n(&p->count, __ATOMIC_RELAXED);
}
