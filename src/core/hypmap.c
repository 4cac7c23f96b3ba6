/* SPDX-License-Identifier: Apache-2.0 */
#include <bulwark/arch/cpu.h>
#include <bulwark/boot.h>
#include <bulwark/hypmap.h>
#include <bulwark/spinlock.h>
#include <bulwark/string.h>

#define HYPMAP_BASE (1ULL << 47)

static struct spinlock map_lock = SPINLOCK_INIT;
static size_t mapped[BULWARK_MAX_CPUS][2];

static uintptr_t window(unsigned slot)
{
	return HYPMAP_BASE + (arch_cpu_index() * 2 + slot) * HYPMAP_WINDOW;
}

void *hypmap_map(unsigned slot, paddr_t pa, size_t size, bool writable)
{
	uintptr_t va = window(slot & 1);
	size_t len = ALIGN_UP(size + (pa_addr(pa) & (PAGE_SIZE - 1)), PAGE_SIZE);
	int r;

	if (len == 0 || len > HYPMAP_WINDOW)
		return NULL;
	sl_lock(&map_lock);
	r = mm_map(&hyp_ptable, va, va + len, pa_init(ALIGN_DOWN(pa_addr(pa), PAGE_SIZE)),
		   MM_MODE_R | (writable ? MM_MODE_W : 0));
	sl_unlock(&map_lock);
	if (r != MM_OK)
		return NULL;
	mapped[arch_cpu_index()][slot & 1] = len;
	return (void *)(va + (pa_addr(pa) & (PAGE_SIZE - 1)));
}

void hypmap_unmap(unsigned slot)
{
	uintptr_t va = window(slot & 1);
	size_t len = mapped[arch_cpu_index()][slot & 1];

	if (!len)
		return;
	sl_lock(&map_lock);
	mm_unmap_keep_tables(&hyp_ptable, va, va + len); /* the window's tables serve again */
	sl_unlock(&map_lock);
	mapped[arch_cpu_index()][slot & 1] = 0;
}

bool hypmap_copy(paddr_t dst, paddr_t src, uint64_t size)
{
	while (size) {
		/* Stay inside one window on both sides; a window's worth of dst
		 * aligned to the window size maps as one block. */
		uint64_t n = MIN(size, HYPMAP_WINDOW - (pa_addr(dst) & (HYPMAP_WINDOW - 1)));

		if (pa_addr(src) & (PAGE_SIZE - 1))
			n = MIN(n, HYPMAP_WINDOW - PAGE_SIZE); /* room for src's offset in its page */
		void *d = hypmap_map(0, dst, n, true);
		void *s = hypmap_map(1, src, n, false);

		if (d && s && ((pa_addr(dst) | pa_addr(src)) & (PAGE_SIZE - 1)) == 0) {
			uint64_t pages = ALIGN_DOWN(n, PAGE_SIZE);

			arch_copy_pages(d, s, pages);
			memcpy((char *)d + pages, (const char *)s + pages, n - pages);
		} else if (d && s) {
			memcpy(d, s, n);
		}
		hypmap_unmap(0);
		hypmap_unmap(1);
		if (!d || !s)
			return false;
		dst = pa_add(dst, n);
		src = pa_add(src, n);
		size -= n;
	}
	return true;
}

bool hypmap_zero(paddr_t dst, uint64_t size)
{
	while (size) {
		uint64_t n = MIN(size, HYPMAP_WINDOW - (pa_addr(dst) & (HYPMAP_WINDOW - 1)));
		void *d = hypmap_map(0, dst, n, true);

		if (!d)
			return false;
		if ((pa_addr(dst) & (PAGE_SIZE - 1)) == 0) {
			uint64_t pages = ALIGN_DOWN(n, PAGE_SIZE);

			arch_zero_pages(d, pages);
			memset((char *)d + pages, 0, n - pages);
		} else {
			memset(d, 0, n);
		}
		hypmap_unmap(0);
		dst = pa_add(dst, n);
		size -= n;
	}
	return true;
}
