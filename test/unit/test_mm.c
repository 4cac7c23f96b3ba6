/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host unit tests for the page-table builder (src/core/mm.c) against the fake
 * arch, whose entries are encoded differently at every level, and for the
 * page pool it draws from (src/core/mpool.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bulwark/arch/fake/mm.h>
#include <bulwark/mm.h>
#include <bulwark/mpool.h>

#define KB(x) ((uint64_t)(x) << 10)
#define MB(x) ((uint64_t)(x) << 20)
#define GB(x) ((uint64_t)(x) << 30)
#define HYP_SPACE (UINT64_C(1) << 48)
#define GUEST_SPACE (UINT64_C(1) << 39)

#define RW (MM_MODE_R | MM_MODE_W)
#define RX (MM_MODE_R | MM_MODE_X)
#define RWX (MM_MODE_R | MM_MODE_W | MM_MODE_X)

#define POOL_PAGES 256

static uint8_t *pool_mem;
static struct mpool pool;
static struct mm_ptable t;

static int setup_stage(enum mm_stage stage)
{
	pool_mem = aligned_alloc(PAGE_SIZE, POOL_PAGES * PAGE_SIZE);
	if (pool_mem == NULL)
		return -1;
	mpool_init(&pool);
	mpool_add_chunk(&pool, mpool_page_pa(pool_mem), POOL_PAGES * PAGE_SIZE);
	if (!mm_ptable_init(&t, stage, &pool))
		return -1;
	t.vmid = stage == MM_STAGE_GUEST ? 7 : 0;
	fake_mm_reset_stats();
	return 0;
}

static int setup_hyp(void **state)
{
	(void)state;
	return setup_stage(MM_STAGE_HYP);
}

static int setup_guest(void **state)
{
	(void)state;
	return setup_stage(MM_STAGE_GUEST);
}

/* Finalises the table and fails the test if any pool page leaked. */
static int teardown(void **state)
{
	size_t left;

	(void)state;
	mm_ptable_fini(&t);
	left = mpool_free_count(&pool);
	free(pool_mem);
	return left == POOL_PAGES ? 0 : -1;
}

/* Table pages in use besides the root. */
static size_t used(void)
{
	return POOL_PAGES - 1 - mpool_free_count(&pool);
}

static void expect_mapped(uint64_t addr, uint64_t pa, unsigned mode)
{
	paddr_t got_pa = pa_init(0);
	unsigned got_mode = 0;

	assert_true(mm_lookup(&t, addr, &got_pa, &got_mode));
	assert_int_equal(pa_addr(got_pa), pa);
	assert_int_equal(got_mode, mode);
}

static void expect_unmapped(uint64_t addr)
{
	assert_false(mm_lookup(&t, addr, NULL, NULL));
}

static void test_init_fini(void **state)
{
	(void)state;
	assert_int_equal(mpool_free_count(&pool), POOL_PAGES - 1);
	assert_int_equal(t.stage, MM_STAGE_HYP);
	assert_int_equal(mm_addr_space_size(MM_STAGE_HYP), HYP_SPACE);
	assert_int_equal(mm_addr_space_size(MM_STAGE_GUEST), GUEST_SPACE);
	mm_ptable_fini(&t);
	assert_int_equal(pa_addr(t.root), 0);
	assert_int_equal(mpool_free_count(&pool), POOL_PAGES);
	expect_unmapped(0);
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa_init(0), RW), MM_ERR_INVAL);
	assert_int_equal(mm_unmap(&t, 0, PAGE_SIZE), MM_ERR_INVAL);
	mm_ptable_fini(&t); /* Twice is harmless. */
	assert_true(mm_ptable_init(&t, MM_STAGE_HYP, &pool));
}

static void test_init_empty_pool(void **state)
{
	struct mpool empty;
	struct mm_ptable t2;

	(void)state;
	mpool_init(&empty);
	assert_false(mm_ptable_init(&t2, MM_STAGE_GUEST, &empty));
	assert_int_equal(pa_addr(t2.root), 0);
	expect_unmapped(0);
}

static void test_lookup_unmapped(void **state)
{
	(void)state;
	expect_unmapped(0);
	expect_unmapped(GB(1));
	expect_unmapped(HYP_SPACE - 1);
	expect_unmapped(HYP_SPACE);
	expect_unmapped(UINT64_MAX);
	assert_int_equal(mm_map(&t, MB(2), MB(2) + PAGE_SIZE, pa_init(GB(1)), RW), MM_OK);
	expect_unmapped(MB(2) - 1);
	expect_unmapped(MB(2) + PAGE_SIZE);
	expect_unmapped(MB(2) + GB(512));
}

static void test_map_page(void **state)
{
	(void)state;
	assert_int_equal(mm_map(&t, GB(1) + KB(8), GB(1) + KB(12), pa_init(MB(3)), RW), MM_OK);
	expect_mapped(GB(1) + KB(8), MB(3), RW);
	expect_mapped(GB(1) + KB(8) + 123, MB(3) + 123, RW);
	expect_mapped(GB(1) + KB(12) - 1, MB(3) + PAGE_SIZE - 1, RW);
	expect_unmapped(GB(1) + KB(4));
	expect_unmapped(GB(1) + KB(12));
	assert_int_equal(used(), 3); /* Levels 1, 2 and 3. */
	/* A fresh mapping replaces nothing: no TLB work. */
	assert_int_equal(fake_mm_stats.hyp_inval_count, 0);
	assert_true(fake_mm_stats.publish_count > 0);
}

static void test_map_2m_block(void **state)
{
	(void)state;
	assert_int_equal(mm_map(&t, MB(4), MB(6), pa_init(GB(3) + MB(2)), RX), MM_OK);
	assert_int_equal(used(), 2); /* Levels 1 and 2; no level-3 table. */
	expect_mapped(MB(4), GB(3) + MB(2), RX);
	expect_mapped(MB(5) + 77, GB(3) + MB(3) + 77, RX);
	expect_mapped(MB(6) - 1, GB(3) + MB(4) - 1, RX);
	expect_unmapped(MB(6));
	expect_unmapped(MB(4) - 1);
}

static void test_map_1g_block(void **state)
{
	(void)state;
	assert_int_equal(mm_map(&t, GB(1), GB(2), pa_init(GB(4)), RW), MM_OK);
	assert_int_equal(used(), 1);
	expect_mapped(GB(1) + 123456, GB(4) + 123456, RW);
	expect_mapped(GB(2) - 1, GB(5) - 1, RW);
	assert_int_equal(mm_map(&t, 0, GB(4), pa_init(0), MM_MODE_R), MM_OK);
	assert_int_equal(used(), 1);
	expect_mapped(GB(3) + 5, GB(3) + 5, MM_MODE_R);
}

static void test_map_unaligned_pa_uses_pages(void **state)
{
	(void)state;
	/* VA is 2 MiB aligned but PA only 4 KiB aligned: 512 pages. */
	assert_int_equal(mm_map(&t, MB(2), MB(4), pa_init(GB(1) + KB(4)), RW), MM_OK);
	assert_int_equal(used(), 3);
	expect_mapped(MB(2), GB(1) + KB(4), RW);
	expect_mapped(MB(4) - 1, GB(1) + MB(2) + KB(4) - 1, RW);
}

static void test_map_mixed_range(void **state)
{
	(void)state;
	/* Pages, one 2 MiB block, pages. */
	assert_int_equal(mm_map(&t, MB(2) - KB(4), MB(4) + KB(8), pa_init(GB(1) - KB(4)), RW),
			 MM_OK);
	assert_int_equal(used(), 4); /* L1, L2 and two L3. */
	expect_mapped(MB(2) - KB(4), GB(1) - KB(4), RW);
	expect_mapped(MB(3), GB(1) + MB(1), RW);
	expect_mapped(MB(4) + KB(4), GB(1) + MB(2) + KB(4), RW);
	expect_unmapped(MB(4) + KB(8));
	expect_unmapped(MB(2) - KB(8));
}

static void test_map_top_of_space(void **state)
{
	(void)state;
	assert_int_equal(mm_map(&t, HYP_SPACE - PAGE_SIZE, HYP_SPACE,
				pa_init(HYP_SPACE - PAGE_SIZE), MM_MODE_R), MM_OK);
	expect_mapped(HYP_SPACE - 1, HYP_SPACE - 1, MM_MODE_R);
	assert_int_equal(mm_unmap(&t, HYP_SPACE - PAGE_SIZE, HYP_SPACE), MM_OK);
	assert_int_equal(used(), 0);
}

static void test_remap_changes_mode(void **state)
{
	(void)state;
	assert_int_equal(mm_map(&t, MB(1), MB(1) + KB(4), pa_init(GB(2)), RW), MM_OK);
	assert_int_equal(mm_map(&t, MB(1), MB(1) + KB(4), pa_init(GB(2)), MM_MODE_R), MM_OK);
	expect_mapped(MB(1), GB(2), MM_MODE_R);
	assert_int_equal(used(), 3);
	assert_int_equal(fake_mm_stats.hyp_inval_count, 1);
	assert_int_equal(fake_mm_stats.last_begin, MB(1));
	assert_int_equal(fake_mm_stats.last_end, MB(1) + KB(4));
	/* Identical remap: nothing changes, nothing to invalidate. */
	assert_int_equal(mm_map(&t, MB(1), MB(1) + KB(4), pa_init(GB(2)), MM_MODE_R), MM_OK);
	assert_int_equal(fake_mm_stats.hyp_inval_count, 1);
	/* New output address. */
	assert_int_equal(mm_map(&t, MB(1), MB(1) + KB(4), pa_init(GB(7)), RX), MM_OK);
	expect_mapped(MB(1), GB(7), RX);
	assert_int_equal(fake_mm_stats.hyp_inval_count, 2);
	assert_int_equal(fake_mm_stats.guest_inval_count, 0);
}

static void test_remap_block_over_pages_frees_table(void **state)
{
	(void)state;
	assert_int_equal(mm_map(&t, MB(2), MB(2) + KB(16), pa_init(GB(1) + KB(4)), RW), MM_OK);
	assert_int_equal(used(), 3);
	assert_int_equal(mm_map(&t, MB(2), MB(4), pa_init(GB(2)), MM_MODE_R), MM_OK);
	assert_int_equal(used(), 2); /* The level-3 table went back. */
	expect_mapped(MB(2) + KB(4), GB(2) + KB(4), MM_MODE_R);
	expect_mapped(MB(3), GB(2) + MB(1), MM_MODE_R);
	/* One break-before-make of the level-2 entry, over its 2 MiB. */
	assert_int_equal(fake_mm_stats.hyp_inval_count, 1);
	assert_int_equal(fake_mm_stats.hyp_inval_bytes, MB(2));
}

static void test_unmap_page_splits_block(void **state)
{
	(void)state;
	assert_int_equal(mm_map(&t, MB(2), MB(4), pa_init(GB(1)), RW), MM_OK);
	assert_int_equal(used(), 2);
	assert_int_equal(mm_unmap(&t, MB(2) + KB(8), MB(2) + KB(12)), MM_OK);
	assert_int_equal(used(), 3);
	expect_unmapped(MB(2) + KB(8));
	expect_unmapped(MB(2) + KB(12) - 1);
	expect_mapped(MB(2), GB(1), RW);
	expect_mapped(MB(2) + KB(4), GB(1) + KB(4), RW);
	expect_mapped(MB(2) + KB(12), GB(1) + KB(12), RW);
	expect_mapped(MB(4) - 1, GB(1) + MB(2) - 1, RW);
	/* The block was broken once; the new table was filled offline. */
	assert_int_equal(fake_mm_stats.hyp_inval_count, 1);
	assert_int_equal(fake_mm_stats.last_begin, MB(2));
	assert_int_equal(fake_mm_stats.last_end, MB(4));
	/* Unmapping the rest empties and frees the level-3 table. */
	assert_int_equal(mm_unmap(&t, MB(2), MB(4)), MM_OK);
	expect_unmapped(MB(2));
	assert_int_equal(used(), 0);
}

static void test_unmap_splits_1g_block(void **state)
{
	(void)state;
	assert_int_equal(mm_map(&t, GB(1), GB(2), pa_init(GB(8)), RW), MM_OK);
	assert_int_equal(mm_unmap(&t, GB(1) + MB(6) + KB(4), GB(1) + MB(6) + KB(8)), MM_OK);
	assert_int_equal(used(), 3); /* L1, split L2, split L3. */
	expect_unmapped(GB(1) + MB(6) + KB(4));
	expect_mapped(GB(1) + MB(6), GB(8) + MB(6), RW);
	expect_mapped(GB(1) + MB(6) + KB(8), GB(8) + MB(6) + KB(8), RW);
	expect_mapped(GB(1) + MB(8), GB(8) + MB(8), RW);
	expect_mapped(GB(1), GB(8), RW);
	expect_mapped(GB(2) - 1, GB(9) - 1, RW);
}

static void test_unmap_frees_tables(void **state)
{
	(void)state;
	assert_int_equal(mm_map(&t, GB(600) + KB(4), GB(600) + KB(8), pa_init(MB(1)), RW), MM_OK);
	assert_int_equal(mm_map(&t, MB(2) - KB(4), MB(4) + KB(8), pa_init(GB(1) - KB(4)), RW),
			 MM_OK);
	assert_int_equal(used(), 7);
	assert_int_equal(mm_unmap(&t, GB(600) + KB(4), GB(600) + KB(8)), MM_OK);
	assert_int_equal(used(), 4);
	assert_int_equal(mm_unmap(&t, MB(2) - KB(4), MB(4) + KB(8)), MM_OK);
	assert_int_equal(used(), 0);
	expect_unmapped(MB(3));
	/* Unmapping what is not mapped succeeds and costs nothing. */
	fake_mm_reset_stats();
	assert_int_equal(mm_unmap(&t, 0, GB(4)), MM_OK);
	assert_int_equal(used(), 0);
	assert_int_equal(fake_mm_stats.hyp_inval_count, 0);
}

/* Unmapping while keeping the tables: nothing mapped, the tables that reach
 * beyond the range stay and serve the next mapping in it (no new page), one
 * wholly inside the range goes, and a plain unmap frees the rest. */
static void test_unmap_keep_tables(void **state)
{
	const uint64_t W = GB(100); /* inside both stages' address spaces */

	(void)state;
	/* Pages in a level-3 table, where a window would be. */
	assert_int_equal(mm_map(&t, W + KB(4), W + KB(64), pa_init(MB(1)), RW), MM_OK);
	size_t tables = used();

	assert_true(tables >= 2); /* down to level 3 */
	fake_mm_reset_stats();
	assert_int_equal(mm_unmap_keep_tables(&t, W + KB(4), W + KB(64)), MM_OK);
	assert_true(fake_mm_stats.hyp_inval_count + fake_mm_stats.guest_inval_count > 0);
	assert_int_equal(used(), tables);
	expect_unmapped(W + KB(4));
	expect_unmapped(W + KB(60));
	assert_int_equal(mm_map(&t, W + KB(8), W + KB(16), pa_init(MB(9)), RW), MM_OK);
	assert_int_equal(used(), tables);
	expect_mapped(W + KB(8), MB(9), RW);
	/* The level-3 table lies inside [W, W + 2 MiB): it goes; the one above stays. */
	assert_int_equal(mm_unmap_keep_tables(&t, W, W + MB(2)), MM_OK);
	assert_int_equal(used(), tables - 1);
	expect_unmapped(W + KB(8));
	/* A 2 MiB block next to it: into the kept table, no new page. */
	assert_int_equal(mm_map(&t, W + MB(2), W + MB(4), pa_init(MB(4)), RW), MM_OK);
	assert_int_equal(used(), tables - 1);
	expect_mapped(W + MB(3), MB(5), RW);
	assert_int_equal(mm_unmap_keep_tables(&t, W + MB(2), W + MB(4)), MM_OK);
	expect_unmapped(W + MB(3));
	assert_int_equal(used(), tables - 1);
	/* A plain unmap of the range gives them back. */
	assert_int_equal(mm_unmap(&t, W, W + MB(4)), MM_OK);
	assert_int_equal(used(), 0);
	/* Arguments are checked as for mm_unmap(). */
	assert_int_equal(mm_unmap_keep_tables(&t, KB(1), KB(8)), MM_ERR_INVAL);
	assert_int_equal(mm_unmap_keep_tables(&t, KB(8), KB(8)), MM_ERR_INVAL);
}

static void test_unmap_big_range_over_many_tables(void **state)
{
	(void)state;
	for (uint64_t a = 0; a < GB(2); a += MB(64) + KB(4))
		assert_int_equal(mm_map(&t, a, a + KB(4), pa_init(a), RW), MM_OK);
	assert_int_equal(mm_map(&t, GB(3), GB(4), pa_init(GB(3)), RW), MM_OK);
	assert_true(used() > 30);
	assert_int_equal(mm_unmap(&t, 0, GB(8)), MM_OK);
	assert_int_equal(used(), 0);
	expect_unmapped(0);
	expect_unmapped(GB(3));
}

/* Probes whose translations must survive a failed update unchanged. */
static const uint64_t probes[] = {
	0, KB(4), MB(1), MB(2), MB(3) + KB(4), MB(4), MB(5), MB(6), GB(1), GB(1) + MB(2) + KB(4),
	GB(1) + MB(2) + KB(12), GB(2) - 1, GB(512) + KB(4),
};

struct snap {
	bool mapped;
	paddr_t pa;
	unsigned mode;
};

static void take_snap(struct snap *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
		s[i].mapped = mm_lookup(&t, probes[i], &s[i].pa, &s[i].mode);
}

static void expect_snap(const struct snap *s)
{
	struct snap now[ARRAY_SIZE(probes)];

	take_snap(now);
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		assert_int_equal(now[i].mapped, s[i].mapped);
		if (s[i].mapped) {
			assert_int_equal(pa_addr(now[i].pa), pa_addr(s[i].pa));
			assert_int_equal(now[i].mode, s[i].mode);
		}
	}
}

/* Takes pages out of the pool until @keep are left; returns how many. */
static size_t drain(paddr_t *held, size_t keep)
{
	size_t n = 0;

	while (mpool_free_count(&pool) > keep)
		assert_true(mpool_alloc_page(&pool, &held[n++]));
	return n;
}

static void refill(const paddr_t *held, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mpool_free_page(&pool, held[i]);
}

/*
 * Runs @op with 0, 1, ... free pool pages. Every attempt short of @need
 * must fail with MM_ERR_NOMEM and change nothing; @need pages must do.
 */
static void expect_exact_need(int (*op)(void), size_t need)
{
	static paddr_t held[POOL_PAGES];
	struct snap before[ARRAY_SIZE(probes)];
	size_t used_before = used();

	take_snap(before);
	for (size_t keep = 0;; keep++) {
		size_t n = drain(held, keep);
		int ret;

		fake_mm_reset_stats();
		ret = op();
		if (keep < need) {
			assert_int_equal(ret, MM_ERR_NOMEM);
			assert_int_equal(mpool_free_count(&pool), keep);
			assert_int_equal(fake_mm_stats.hyp_inval_count, 0);
			assert_int_equal(fake_mm_stats.guest_inval_count, 0);
			expect_snap(before);
			assert_int_equal(used() - n, used_before);
			refill(held, n);
			continue;
		}
		assert_int_equal(ret, MM_OK);
		refill(held, n);
		break;
	}
}

static int map_over_block_and_beyond(void)
{
	return mm_map(&t, MB(1), MB(5) + KB(4), pa_init(GB(3) + KB(4)), RW);
}

static void test_pool_exhaustion_map(void **state)
{
	(void)state;
	assert_int_equal(mm_map(&t, MB(2), MB(4), pa_init(GB(1)), MM_MODE_R), MM_OK);
	assert_int_equal(mm_map(&t, GB(1) + MB(2), GB(1) + MB(4), pa_init(GB(2) + KB(4)), RW),
			 MM_OK);
	assert_int_equal(mm_map(&t, GB(512) + KB(4), GB(512) + KB(8), pa_init(0), RX), MM_OK);
	/* Needs three new level-3 tables: [1M,2M), the 2 MiB block, [4M,5M+4K). */
	expect_exact_need(map_over_block_and_beyond, 3);
	expect_mapped(MB(1), GB(3) + KB(4), RW);
	expect_mapped(MB(3), GB(3) + MB(2) + KB(4), RW);
	expect_mapped(MB(5), GB(3) + MB(4) + KB(4), RW);
	expect_unmapped(MB(5) + KB(4));
	expect_mapped(GB(1) + MB(2) + KB(12), GB(2) + KB(16), RW);
}

static int map_new_top_level(void)
{
	return mm_map(&t, GB(1024) + KB(4), GB(1024) + KB(8), pa_init(KB(4)), MM_MODE_R);
}

static void test_pool_exhaustion_new_tables(void **state)
{
	(void)state;
	assert_int_equal(mm_map(&t, MB(3) + KB(4), MB(3) + KB(8), pa_init(MB(9)), RW), MM_OK);
	expect_exact_need(map_new_top_level, 3);
	expect_mapped(GB(1024) + KB(4), KB(4), MM_MODE_R);
}

static int unmap_inside_1g(void)
{
	return mm_unmap(&t, GB(1) + MB(2) + KB(4), GB(1) + MB(2) + KB(8));
}

static void test_pool_exhaustion_unmap_guest(void **state)
{
	(void)state;
	assert_int_equal(mm_map(&t, GB(1), GB(2), pa_init(GB(16)), RWX), MM_OK);
	assert_int_equal(used(), 0); /* A level-1 block in the guest root. */
	expect_exact_need(unmap_inside_1g, 2);
	expect_unmapped(GB(1) + MB(2) + KB(4));
	expect_mapped(GB(1) + MB(2) + KB(8), GB(16) + MB(2) + KB(8), RWX);
	expect_mapped(GB(1) + MB(2), GB(16) + MB(2), RWX);
	assert_int_equal(fake_mm_stats.guest_inval_count, 1);
	assert_int_equal(fake_mm_stats.last_vmid, 7);
	assert_int_equal(fake_mm_stats.last_begin, GB(1));
	assert_int_equal(fake_mm_stats.last_end, GB(2));
}

static void test_invalid_args_hyp(void **state)
{
	paddr_t pa = pa_init(GB(1));

	(void)state;
	assert_int_equal(mm_map(&t, 1, PAGE_SIZE, pa, RW), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE + 1, pa, RW), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, PAGE_SIZE, PAGE_SIZE, pa, RW), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 2 * PAGE_SIZE, PAGE_SIZE, pa, RW), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa_init(GB(1) + 8), RW), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, HYP_SPACE - PAGE_SIZE, HYP_SPACE + PAGE_SIZE, pa, RW),
			 MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, HYP_SPACE, HYP_SPACE + PAGE_SIZE, pa, RW), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 0, UINT64_MAX & ~(PAGE_SIZE - 1), pa, RW), MM_ERR_INVAL);
	/* Output addresses beyond the PA size, or wrapping. */
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa_init(HYP_SPACE), RW), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 0, 2 * PAGE_SIZE, pa_init(HYP_SPACE - PAGE_SIZE), RW),
			 MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa_init(UINT64_MAX & ~(PAGE_SIZE - 1)), RW),
			 MM_ERR_INVAL);
	/* Modes. */
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa, 0), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa, MM_MODE_R | (1U << 5)), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa, RWX), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa, MM_MODE_W), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa, MM_MODE_X), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa, RX | MM_MODE_DEVICE), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa, RW | MM_MODE_GUARDED), MM_ERR_INVAL);
	/* Unmap. */
	assert_int_equal(mm_unmap(&t, 1, PAGE_SIZE), MM_ERR_INVAL);
	assert_int_equal(mm_unmap(&t, 0, 1), MM_ERR_INVAL);
	assert_int_equal(mm_unmap(&t, PAGE_SIZE, PAGE_SIZE), MM_ERR_INVAL);
	assert_int_equal(mm_unmap(&t, PAGE_SIZE, 0), MM_ERR_INVAL);
	assert_int_equal(mm_unmap(&t, 0, HYP_SPACE + PAGE_SIZE), MM_ERR_INVAL);
	/* Nothing happened. */
	assert_int_equal(used(), 0);
	assert_int_equal(fake_mm_stats.hyp_inval_count, 0);
	expect_unmapped(0);
	/* The limits themselves are fine. */
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa_init(HYP_SPACE - PAGE_SIZE), RX), MM_OK);
	assert_int_equal(mm_unmap(&t, 0, HYP_SPACE), MM_OK);
	assert_int_equal(used(), 0);
}

static void test_invalid_args_guest(void **state)
{
	paddr_t pa = pa_init(GB(1));

	(void)state;
	assert_int_equal(mm_map(&t, GUEST_SPACE - PAGE_SIZE, GUEST_SPACE + PAGE_SIZE, pa, RW),
			 MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa, RWX | MM_MODE_GUARDED), MM_ERR_INVAL);
	assert_int_equal(mm_map(&t, 0, PAGE_SIZE, pa, MM_MODE_DEVICE), MM_ERR_INVAL);
	assert_int_equal(mm_unmap(&t, 0, GUEST_SPACE + PAGE_SIZE), MM_ERR_INVAL);
	expect_unmapped(GUEST_SPACE);
	assert_int_equal(used(), 0);
	assert_int_equal(mm_map(&t, GUEST_SPACE - PAGE_SIZE, GUEST_SPACE, pa, RWX), MM_OK);
	expect_mapped(GUEST_SPACE - 1, GB(1) + PAGE_SIZE - 1, RWX);
	assert_int_equal(used(), 2); /* Levels 2 and 3 below the level-1 root. */
}

/* Independent statement of which modes a stage accepts. */
static bool mode_ok(enum mm_stage stage, unsigned m)
{
	bool r = m & MM_MODE_R, w = m & MM_MODE_W, x = m & MM_MODE_X;

	if (!r && !w && !x)
		return false;
	if ((m & MM_MODE_DEVICE) && x)
		return false;
	if ((m & MM_MODE_GUARDED) && !x)
		return false;
	if (stage == MM_STAGE_HYP)
		return r && !(w && x);
	return !(m & MM_MODE_GUARDED);
}

static void check_modes_round_trip(enum mm_stage stage)
{
	unsigned accepted = 0;

	for (unsigned m = 0; m <= MM_MODE_ALL; m++) {
		uint64_t va = MB(2) * (m + 1);
		int ret;

		/* Once as a 2 MiB block, once as a page. */
		ret = mm_map(&t, va, va + MB(2), pa_init(GB(1) + va), m);
		assert_int_equal(ret, mode_ok(stage, m) ? MM_OK : MM_ERR_INVAL);
		ret = mm_map(&t, GB(2) + va, GB(2) + va + PAGE_SIZE, pa_init(va), m);
		assert_int_equal(ret, mode_ok(stage, m) ? MM_OK : MM_ERR_INVAL);
		if (ret != MM_OK) {
			expect_unmapped(va);
			continue;
		}
		accepted++;
		expect_mapped(va + KB(4), GB(1) + va + KB(4), m);
		expect_mapped(GB(2) + va, va, m);
	}
	assert_int_equal(accepted, stage == MM_STAGE_HYP ? 6 : 10);
	assert_int_equal(mm_unmap(&t, 0, GB(4)), MM_OK);
	assert_int_equal(used(), 0);
}

static void test_modes_hyp(void **state)
{
	(void)state;
	check_modes_round_trip(MM_STAGE_HYP);
}

static void test_modes_guest(void **state)
{
	(void)state;
	check_modes_round_trip(MM_STAGE_GUEST);
}

static void test_tlb_guest(void **state)
{
	(void)state;
	t.vmid = 42;
	assert_int_equal(mm_map(&t, GB(1), GB(1) + MB(2), pa_init(GB(4)), RWX), MM_OK);
	assert_int_equal(fake_mm_stats.guest_inval_count, 0);
	assert_int_equal(mm_map(&t, GB(1), GB(1) + MB(2), pa_init(GB(4)), RW), MM_OK);
	assert_int_equal(fake_mm_stats.guest_inval_count, 1);
	assert_int_equal(fake_mm_stats.last_vmid, 42);
	assert_int_equal(fake_mm_stats.last_begin, GB(1));
	assert_int_equal(fake_mm_stats.last_end, GB(1) + MB(2));
	assert_int_equal(mm_unmap(&t, GB(1), GB(1) + MB(2)), MM_OK);
	assert_true(fake_mm_stats.guest_inval_count >= 2);
	assert_int_equal(fake_mm_stats.hyp_inval_count, 0);
	expect_unmapped(GB(1));
	fake_mm_reset_stats();
	mm_ptable_fini(&t);
	/* Teardown of a VM's table flushes the VMID so it can be reused. */
	assert_int_equal(fake_mm_stats.guest_inval_count, 1);
	assert_int_equal(fake_mm_stats.last_vmid, 42);
	assert_int_equal(fake_mm_stats.guest_inval_bytes, GUEST_SPACE);
	assert_true(mm_ptable_init(&t, MM_STAGE_GUEST, &pool));
}

static void test_tlb_covers_every_change(void **state)
{
	(void)state;
	assert_int_equal(mm_map(&t, 0, MB(8), pa_init(GB(1)), RW), MM_OK);
	assert_int_equal(fake_mm_stats.hyp_inval_count, 0);
	/* Replace four 2 MiB blocks, with pages at an odd PA. */
	assert_int_equal(mm_map(&t, 0, MB(8), pa_init(GB(2) + KB(4)), RW), MM_OK);
	assert_int_equal(fake_mm_stats.hyp_inval_bytes, MB(8));
	assert_int_equal(fake_mm_stats.hyp_inval_count, 4);
	expect_mapped(MB(7), GB(2) + MB(7) + KB(4), RW);
}

/*
 * Random maps and unmaps over a 16 MiB window straddling a 1 GiB boundary,
 * against a per-page model. Half the maps are 2 MiB congruent, so blocks get
 * made, split and replaced.
 */
#define WIN_BASE (GB(1) - MB(8))
#define WIN_PAGES 4096

static void check_model(const uint64_t *model_pa, const unsigned *model_mode)
{
	for (unsigned i = 0; i < WIN_PAGES; i++) {
		uint64_t va = WIN_BASE + (uint64_t)i * PAGE_SIZE;

		if (model_mode[i] == 0)
			expect_unmapped(va);
		else
			expect_mapped(va + 8, model_pa[i] + 8, model_mode[i]);
	}
}

static void run_random(enum mm_stage stage)
{
	static uint64_t model_pa[WIN_PAGES];
	static unsigned model_mode[WIN_PAGES];
	const unsigned modes[] = { MM_MODE_R, RW, RX, MM_MODE_R | MM_MODE_DEVICE };

	memset(model_mode, 0, sizeof(model_mode));
	srand(stage == MM_STAGE_HYP ? 99 : 100);
	for (unsigned op = 0; op < 300; op++) {
		unsigned a = (unsigned)rand() % WIN_PAGES;
		unsigned len = 1 + (unsigned)rand() % (rand() % 4 == 0 ? WIN_PAGES : 600);
		unsigned b = MIN(a + len, WIN_PAGES);
		uint64_t va = WIN_BASE + (uint64_t)a * PAGE_SIZE;
		uint64_t end = WIN_BASE + (uint64_t)b * PAGE_SIZE;

		if (rand() % 3 == 0) {
			/* Half the unmaps keep their tables; the last one frees all. */
			assert_int_equal(op % 2 ? mm_unmap(&t, va, end)
						: mm_unmap_keep_tables(&t, va, end), MM_OK);
			for (unsigned i = a; i < b; i++)
				model_mode[i] = 0;
		} else {
			uint64_t pa = rand() % 2 ? va + GB(2) * (uint64_t)(rand() % 8) :
						   GB(64) + PAGE_SIZE * (uint64_t)(rand() % 100000);
			unsigned mode = modes[rand() % 4];

			assert_int_equal(mm_map(&t, va, end, pa_init(pa), mode), MM_OK);
			for (unsigned i = a; i < b; i++) {
				model_pa[i] = pa + (uint64_t)(i - a) * PAGE_SIZE;
				model_mode[i] = mode;
			}
		}
		if (op % 10 == 0)
			check_model(model_pa, model_mode);
	}
	check_model(model_pa, model_mode);
	expect_unmapped(WIN_BASE - 1);
	expect_unmapped(WIN_BASE + (uint64_t)WIN_PAGES * PAGE_SIZE);
	assert_int_equal(mm_unmap(&t, WIN_BASE, WIN_BASE + (uint64_t)WIN_PAGES * PAGE_SIZE), MM_OK);
	assert_int_equal(used(), 0);
}

static void test_random_hyp(void **state)
{
	(void)state;
	run_random(MM_STAGE_HYP);
}

static void test_random_guest(void **state)
{
	(void)state;
	run_random(MM_STAGE_GUEST);
}

/* --- mpool --- */

#define SMALL_POOL 16

static void test_mpool_basic(void **state)
{
	uint8_t *mem = aligned_alloc(PAGE_SIZE, SMALL_POOL * PAGE_SIZE);
	paddr_t pages[SMALL_POOL], extra;
	struct mpool p;

	(void)state;
	assert_non_null(mem);
	memset(mem, 0xa5, SMALL_POOL * PAGE_SIZE);
	mpool_init(&p);
	assert_int_equal(mpool_free_count(&p), 0);
	assert_false(mpool_alloc_page(&p, &extra));
	mpool_add_chunk(&p, mpool_page_pa(mem), SMALL_POOL * PAGE_SIZE);
	assert_int_equal(mpool_free_count(&p), SMALL_POOL);

	for (unsigned i = 0; i < SMALL_POOL; i++) {
		uint8_t *pg;

		assert_true(mpool_alloc_page(&p, &pages[i]));
		pg = mpool_page_ptr(pages[i]);
		assert_true(pg >= mem && pg < mem + SMALL_POOL * PAGE_SIZE);
		assert_true(IS_ALIGNED(pa_addr(pages[i]), PAGE_SIZE));
		for (size_t j = 0; j < PAGE_SIZE; j++)
			assert_int_equal(pg[j], 0);
		for (unsigned k = 0; k < i; k++)
			assert_int_not_equal(pa_addr(pages[k]), pa_addr(pages[i]));
		memset(pg, 0xff, PAGE_SIZE); /* Dirty, to check re-zeroing. */
	}
	assert_int_equal(mpool_free_count(&p), 0);
	assert_false(mpool_alloc_page(&p, &extra));

	for (unsigned i = 0; i < SMALL_POOL; i++)
		mpool_free_page(&p, pages[i]);
	assert_int_equal(mpool_free_count(&p), SMALL_POOL);
	for (unsigned i = 0; i < SMALL_POOL; i++) {
		const uint8_t *pg;

		assert_true(mpool_alloc_page(&p, &pages[i]));
		pg = mpool_page_ptr(pages[i]);
		for (size_t j = 0; j < PAGE_SIZE; j++)
			assert_int_equal(pg[j], 0);
	}
	free(mem);
}

static void test_mpool_unaligned_chunk(void **state)
{
	uint8_t *mem = aligned_alloc(PAGE_SIZE, 4 * PAGE_SIZE);
	struct mpool p;
	paddr_t pg;

	(void)state;
	assert_non_null(mem);
	mpool_init(&p);
	/* Starts and ends mid-page: only the 2 whole pages inside are used. */
	mpool_add_chunk(&p, mpool_page_pa(mem + 100), 3 * PAGE_SIZE + 200);
	assert_int_equal(mpool_free_count(&p), 2);
	mpool_add_chunk(&p, mpool_page_pa(mem), PAGE_SIZE - 1);
	assert_int_equal(mpool_free_count(&p), 2);
	for (unsigned i = 0; i < 2; i++) {
		assert_true(mpool_alloc_page(&p, &pg));
		assert_true((uint8_t *)mpool_page_ptr(pg) >= mem + PAGE_SIZE);
		assert_true((uint8_t *)mpool_page_ptr(pg) < mem + 3 * PAGE_SIZE);
	}
	assert_false(mpool_alloc_page(&p, &pg));
	free(mem);
}

#define HYP_TEST(f) cmocka_unit_test_setup_teardown(f, setup_hyp, teardown)
#define GUEST_TEST(f) cmocka_unit_test_setup_teardown(f, setup_guest, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		HYP_TEST(test_init_fini),
		HYP_TEST(test_init_empty_pool),
		HYP_TEST(test_lookup_unmapped),
		HYP_TEST(test_map_page),
		HYP_TEST(test_map_2m_block),
		HYP_TEST(test_map_1g_block),
		HYP_TEST(test_map_unaligned_pa_uses_pages),
		HYP_TEST(test_map_mixed_range),
		HYP_TEST(test_map_top_of_space),
		HYP_TEST(test_remap_changes_mode),
		HYP_TEST(test_remap_block_over_pages_frees_table),
		HYP_TEST(test_unmap_page_splits_block),
		HYP_TEST(test_unmap_splits_1g_block),
		HYP_TEST(test_unmap_frees_tables),
		HYP_TEST(test_unmap_keep_tables),
		GUEST_TEST(test_unmap_keep_tables),
		HYP_TEST(test_unmap_big_range_over_many_tables),
		HYP_TEST(test_pool_exhaustion_map),
		HYP_TEST(test_pool_exhaustion_new_tables),
		GUEST_TEST(test_pool_exhaustion_unmap_guest),
		HYP_TEST(test_invalid_args_hyp),
		GUEST_TEST(test_invalid_args_guest),
		HYP_TEST(test_modes_hyp),
		GUEST_TEST(test_modes_guest),
		GUEST_TEST(test_tlb_guest),
		HYP_TEST(test_tlb_covers_every_change),
		HYP_TEST(test_random_hyp),
		GUEST_TEST(test_random_guest),
		cmocka_unit_test(test_mpool_basic),
		cmocka_unit_test(test_mpool_unaligned_chunk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
