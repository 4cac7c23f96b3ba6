/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host unit tests for the physical range allocator (src/core/palloc.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <bulwark/palloc.h>

#define KB(x) ((uint64_t)(x) << 10)
#define MB(x) ((uint64_t)(x) << 20)
#define GB(x) ((uint64_t)(x) << 30)

struct range {
	uint64_t b, e;
};

static int reset(void **state)
{
	(void)state;
	palloc_init();
	return 0;
}

static int add(uint64_t b, uint64_t e)
{
	return palloc_add_range(pa_init(b), pa_init(e));
}

static int reserve(uint64_t b, uint64_t e)
{
	return palloc_reserve(pa_init(b), pa_init(e));
}

/* Checks the free set is exactly @want (@n ranges). */
static void expect_ranges(const struct range *want, unsigned n)
{
	uint64_t total = 0;

	assert_int_equal(palloc_range_count(), n);
	for (unsigned i = 0; i < n; i++) {
		paddr_t b, e;

		assert_int_equal(palloc_range_get(i, &b, &e), PALLOC_OK);
		assert_int_equal(pa_addr(b), want[i].b);
		assert_int_equal(pa_addr(e), want[i].e);
		total += want[i].e - want[i].b;
	}
	assert_int_equal(palloc_free_bytes(), total);
}

/* Snapshot of the free set, for "nothing changed" checks. */
static unsigned snapshot(struct range *out)
{
	unsigned n = palloc_range_count();

	for (unsigned i = 0; i < n; i++) {
		paddr_t b, e;

		assert_int_equal(palloc_range_get(i, &b, &e), PALLOC_OK);
		out[i] = (struct range){ pa_addr(b), pa_addr(e) };
	}
	return n;
}

static void test_empty(void **state)
{
	paddr_t b = pa_init(1), e = pa_init(2), out = pa_init(77);

	(void)state;
	assert_int_equal(palloc_range_count(), 0);
	assert_int_equal(palloc_free_bytes(), 0);
	assert_int_equal(palloc_range_get(0, &b, &e), PALLOC_ERR_INVAL);
	assert_int_equal(pa_addr(b), 1);
	assert_int_equal(palloc_alloc(PAGE_SIZE, PAGE_SIZE, &out), PALLOC_ERR_NOMEM);
	assert_int_equal(pa_addr(out), 77);
	assert_int_equal(palloc_free(pa_init(GB(1)), PAGE_SIZE), PALLOC_ERR_NOT_MANAGED);
}

static void test_add_basic(void **state)
{
	const struct range want[] = { { GB(1), GB(1) + MB(64) }, { GB(2), GB(3) } };
	paddr_t b, e;

	(void)state;
	assert_int_equal(add(GB(2), GB(3)), PALLOC_OK);
	assert_int_equal(add(GB(1), GB(1) + MB(64)), PALLOC_OK);
	expect_ranges(want, 2);
	assert_int_equal(palloc_range_get(2, &b, &e), PALLOC_ERR_INVAL);
}

static void test_add_invalid(void **state)
{
	(void)state;
	assert_int_equal(add(GB(1) + 1, GB(2)), PALLOC_ERR_INVAL);
	assert_int_equal(add(GB(1), GB(2) - 1), PALLOC_ERR_INVAL);
	assert_int_equal(add(GB(1), GB(1)), PALLOC_ERR_INVAL);
	assert_int_equal(add(GB(2), GB(1)), PALLOC_ERR_INVAL);
	assert_int_equal(palloc_range_count(), 0);
}

static void test_add_overlap(void **state)
{
	const struct range want[] = { { MB(16), MB(32) } };

	(void)state;
	assert_int_equal(add(MB(16), MB(32)), PALLOC_OK);
	assert_int_equal(add(MB(16), MB(32)), PALLOC_ERR_OVERLAP);
	assert_int_equal(add(MB(8), MB(17)), PALLOC_ERR_OVERLAP);
	assert_int_equal(add(MB(31), MB(40)), PALLOC_ERR_OVERLAP);
	assert_int_equal(add(MB(20), MB(21)), PALLOC_ERR_OVERLAP);
	assert_int_equal(add(MB(1), MB(64)), PALLOC_ERR_OVERLAP);
	expect_ranges(want, 1);
}

static void test_add_overlaps_allocated(void **state)
{
	paddr_t p;

	(void)state;
	assert_int_equal(add(MB(16), MB(32)), PALLOC_OK);
	assert_int_equal(palloc_alloc(MB(16), PAGE_SIZE, &p), PALLOC_OK);
	assert_int_equal(palloc_free_bytes(), 0);
	/* Allocated memory is still managed: adding it again must fail. */
	assert_int_equal(add(MB(16), MB(17)), PALLOC_ERR_OVERLAP);
	assert_int_equal(palloc_range_count(), 0);
}

static void test_add_merges(void **state)
{
	const struct range one[] = { { MB(0), MB(3) } };

	(void)state;
	assert_int_equal(add(MB(2), MB(3)), PALLOC_OK);
	assert_int_equal(add(MB(0), MB(1)), PALLOC_OK);
	assert_int_equal(palloc_range_count(), 2);
	assert_int_equal(add(MB(1), MB(2)), PALLOC_OK); /* Joins both. */
	expect_ranges(one, 1);
}

static void test_reserve(void **state)
{
	const struct range after_mid[] = { { MB(0), MB(4) }, { MB(5), MB(16) } };
	const struct range after_edges[] = { { MB(1), MB(4) }, { MB(5), MB(15) } };
	const struct range after_round[] = { { MB(1), MB(2) }, { MB(2) + 2 * PAGE_SIZE, MB(4) },
					     { MB(5), MB(15) } };

	(void)state;
	assert_int_equal(add(MB(0), MB(16)), PALLOC_OK);
	assert_int_equal(reserve(MB(4), MB(5)), PALLOC_OK);
	expect_ranges(after_mid, 2);
	/* Edges, and parts never added (beyond 16 MiB) are ignored. */
	assert_int_equal(reserve(MB(0), MB(1)), PALLOC_OK);
	assert_int_equal(reserve(MB(15), MB(64)), PALLOC_OK);
	expect_ranges(after_edges, 2);
	/* Unaligned: rounded outward to whole pages. */
	assert_int_equal(reserve(MB(2) + 5, MB(2) + PAGE_SIZE + 1), PALLOC_OK);
	expect_ranges(after_round, 3);
	/* Reserving what is already gone is a no-op. */
	assert_int_equal(reserve(MB(4), MB(5)), PALLOC_OK);
	expect_ranges(after_round, 3);
	/* Reserved memory is not managed any more. */
	assert_int_equal(palloc_free(pa_init(MB(4)), PAGE_SIZE), PALLOC_ERR_NOT_MANAGED);
	assert_int_equal(palloc_alloc_at(pa_init(MB(4)), PAGE_SIZE), PALLOC_ERR_BUSY);
	/* And can be added back. */
	assert_int_equal(add(MB(4), MB(5)), PALLOC_OK);
	assert_int_equal(palloc_range_count(), 2);
}

static void test_reserve_invalid_and_busy(void **state)
{
	const struct range want[] = { { MB(0), MB(1) }, { MB(1) + PAGE_SIZE, MB(2) } };
	paddr_t p;

	(void)state;
	assert_int_equal(reserve(MB(1), MB(1)), PALLOC_ERR_INVAL);
	assert_int_equal(reserve(MB(2), MB(1)), PALLOC_ERR_INVAL);
	assert_int_equal(reserve(UINT64_MAX - 10, UINT64_MAX), PALLOC_ERR_INVAL);
	assert_int_equal(add(MB(0), MB(2)), PALLOC_OK);
	assert_int_equal(palloc_alloc_at(pa_init(MB(1)), PAGE_SIZE), PALLOC_OK);
	assert_int_equal(reserve(MB(0), MB(2)), PALLOC_ERR_BUSY);
	assert_int_equal(reserve(MB(1), MB(1) + 1), PALLOC_ERR_BUSY);
	expect_ranges(want, 2);
	assert_int_equal(palloc_alloc(PAGE_SIZE, PAGE_SIZE, &p), PALLOC_OK);
	assert_int_equal(pa_addr(p), 0);
}

static void test_alloc_first_fit(void **state)
{
	paddr_t p;

	(void)state;
	assert_int_equal(add(MB(1), MB(1) + 2 * PAGE_SIZE), PALLOC_OK);
	assert_int_equal(add(MB(8), MB(16)), PALLOC_OK);
	assert_int_equal(palloc_alloc(PAGE_SIZE, PAGE_SIZE, &p), PALLOC_OK);
	assert_int_equal(pa_addr(p), MB(1));
	/* Too big for the first range: taken from the second. */
	assert_int_equal(palloc_alloc(2 * PAGE_SIZE, PAGE_SIZE, &p), PALLOC_OK);
	assert_int_equal(pa_addr(p), MB(8));
	assert_int_equal(palloc_alloc(PAGE_SIZE, PAGE_SIZE, &p), PALLOC_OK);
	assert_int_equal(pa_addr(p), MB(1) + PAGE_SIZE);
	assert_int_equal(palloc_range_count(), 1);
	assert_int_equal(palloc_free_bytes(), MB(8) - 2 * PAGE_SIZE);
}

static void test_alloc_alignment(void **state)
{
	const struct range want[] = { { MB(1), MB(2) }, { MB(4), MB(5) } };
	paddr_t p;

	(void)state;
	assert_int_equal(add(MB(1), MB(5)), PALLOC_OK);
	assert_int_equal(palloc_alloc(MB(2), MB(2), &p), PALLOC_OK);
	assert_int_equal(pa_addr(p), MB(2));
	expect_ranges(want, 2);
	assert_int_equal(palloc_alloc(MB(1), MB(4), &p), PALLOC_OK);
	assert_int_equal(pa_addr(p), MB(4));
	assert_int_equal(palloc_alloc(PAGE_SIZE, GB(1), &p), PALLOC_ERR_NOMEM);
	assert_int_equal(palloc_alloc(PAGE_SIZE, 2 * PAGE_SIZE, &p), PALLOC_OK);
	assert_int_equal(pa_addr(p), MB(1));
	/* The top of the address space: aligning up must not wrap. */
	assert_int_equal(add(UINT64_MAX - MB(1) + 1 - MB(1), UINT64_MAX - MB(1) + 1), PALLOC_OK);
	assert_int_equal(palloc_alloc(PAGE_SIZE, UINT64_C(1) << 63, &p), PALLOC_ERR_NOMEM);
}

static void test_alloc_invalid(void **state)
{
	paddr_t p = pa_init(42);

	(void)state;
	assert_int_equal(add(MB(0), MB(64)), PALLOC_OK);
	assert_int_equal(palloc_alloc(0, PAGE_SIZE, &p), PALLOC_ERR_INVAL);
	assert_int_equal(palloc_alloc(PAGE_SIZE + 1, PAGE_SIZE, &p), PALLOC_ERR_INVAL);
	assert_int_equal(palloc_alloc(PAGE_SIZE, 0, &p), PALLOC_ERR_INVAL);
	assert_int_equal(palloc_alloc(PAGE_SIZE, PAGE_SIZE / 2, &p), PALLOC_ERR_INVAL);
	assert_int_equal(palloc_alloc(PAGE_SIZE, 3 * PAGE_SIZE, &p), PALLOC_ERR_INVAL);
	assert_int_equal(palloc_alloc(MB(128), PAGE_SIZE, &p), PALLOC_ERR_NOMEM);
	assert_int_equal(pa_addr(p), 42);
	assert_int_equal(palloc_free_bytes(), MB(64));
}

static void test_alloc_at(void **state)
{
	const struct range want[] = { { MB(0), MB(1) }, { MB(2), MB(4) } };

	(void)state;
	assert_int_equal(add(MB(0), MB(4)), PALLOC_OK);
	assert_int_equal(palloc_alloc_at(pa_init(MB(1)), MB(1)), PALLOC_OK);
	expect_ranges(want, 2);
	assert_int_equal(palloc_alloc_at(pa_init(MB(1)), PAGE_SIZE), PALLOC_ERR_BUSY);
	assert_int_equal(palloc_alloc_at(pa_init(MB(1) - PAGE_SIZE), 2 * PAGE_SIZE), PALLOC_ERR_BUSY);
	assert_int_equal(palloc_alloc_at(pa_init(MB(3)), MB(2)), PALLOC_ERR_BUSY);
	assert_int_equal(palloc_alloc_at(pa_init(GB(1)), PAGE_SIZE), PALLOC_ERR_BUSY);
	assert_int_equal(palloc_alloc_at(pa_init(MB(2) + 1), PAGE_SIZE), PALLOC_ERR_INVAL);
	assert_int_equal(palloc_alloc_at(pa_init(MB(2)), 0), PALLOC_ERR_INVAL);
	assert_int_equal(palloc_alloc_at(pa_init(MB(2)), 100), PALLOC_ERR_INVAL);
	assert_int_equal(palloc_alloc_at(pa_init(UINT64_MAX & ~(PAGE_SIZE - 1)), PAGE_SIZE),
			 PALLOC_ERR_INVAL);
	expect_ranges(want, 2);
}

static void test_free_merges(void **state)
{
	const struct range whole[] = { { MB(0), MB(4) } };
	paddr_t a, b, c;

	(void)state;
	assert_int_equal(add(MB(0), MB(4)), PALLOC_OK);
	assert_int_equal(palloc_alloc(MB(1), PAGE_SIZE, &a), PALLOC_OK);
	assert_int_equal(palloc_alloc(MB(1), PAGE_SIZE, &b), PALLOC_OK);
	assert_int_equal(palloc_alloc(MB(1), PAGE_SIZE, &c), PALLOC_OK);
	assert_int_equal(palloc_free(a, MB(1)), PALLOC_OK);
	assert_int_equal(palloc_free(c, MB(1)), PALLOC_OK);
	assert_int_equal(palloc_range_count(), 2);
	assert_int_equal(palloc_free(b, MB(1)), PALLOC_OK);
	expect_ranges(whole, 1);
}

static void test_free_errors(void **state)
{
	struct range before[4];
	unsigned n;
	paddr_t a;

	(void)state;
	assert_int_equal(add(MB(0), MB(4)), PALLOC_OK);
	assert_int_equal(palloc_alloc(MB(2), PAGE_SIZE, &a), PALLOC_OK);
	assert_int_equal(palloc_free(a, MB(1)), PALLOC_OK);
	n = snapshot(before);
	/* Double free, and a range half free, half allocated. */
	assert_int_equal(palloc_free(a, MB(1)), PALLOC_ERR_OVERLAP);
	assert_int_equal(palloc_free(a, MB(2)), PALLOC_ERR_OVERLAP);
	assert_int_equal(palloc_free(pa_add(a, MB(2) - PAGE_SIZE), 2 * PAGE_SIZE),
			 PALLOC_ERR_OVERLAP);
	/* Never added, or straddling the end of managed memory. */
	assert_int_equal(palloc_free(pa_init(MB(8)), PAGE_SIZE), PALLOC_ERR_NOT_MANAGED);
	assert_int_equal(palloc_free(pa_init(MB(4) - PAGE_SIZE), 2 * PAGE_SIZE),
			 PALLOC_ERR_NOT_MANAGED);
	assert_int_equal(palloc_free(pa_add(a, 1), PAGE_SIZE), PALLOC_ERR_INVAL);
	assert_int_equal(palloc_free(a, 0), PALLOC_ERR_INVAL);
	assert_int_equal(palloc_free(a, PAGE_SIZE - 1), PALLOC_ERR_INVAL);
	assert_int_equal(palloc_free(pa_init(UINT64_MAX & ~(PAGE_SIZE - 1)), 2 * PAGE_SIZE),
			 PALLOC_ERR_INVAL);
	expect_ranges(before, n);
	assert_int_equal(palloc_free(pa_add(a, MB(1)), MB(1)), PALLOC_OK);
	assert_int_equal(palloc_free_bytes(), MB(4));
}

/* Fills both extent tables: PALLOC_MAX_EXTENTS ranges of 3 pages. */
static uint64_t fill_extents(void)
{
	for (unsigned i = 0; i < PALLOC_MAX_EXTENTS; i++) {
		uint64_t b = MB(1) * (i + 1) + PAGE_SIZE;

		assert_int_equal(add(b, b + 3 * PAGE_SIZE), PALLOC_OK);
	}
	return (uint64_t)PALLOC_MAX_EXTENTS * 3 * PAGE_SIZE;
}

static void test_extents_full(void **state)
{
	static struct range before[PALLOC_MAX_EXTENTS];
	uint64_t bytes = fill_extents();
	uint64_t mid = MB(1) + 2 * PAGE_SIZE; /* Middle page of the first range. */
	unsigned n;
	paddr_t p;

	(void)state;
	assert_int_equal(palloc_range_count(), PALLOC_MAX_EXTENTS);
	n = snapshot(before);
	/* A new, separate range has no slot. */
	assert_int_equal(add(GB(4), GB(5)), PALLOC_ERR_FULL);
	/* Anything that splits an extent has no slot either. */
	assert_int_equal(palloc_alloc(PAGE_SIZE, 2 * PAGE_SIZE, &p), PALLOC_ERR_FULL);
	assert_int_equal(palloc_alloc_at(pa_init(mid), PAGE_SIZE), PALLOC_ERR_FULL);
	assert_int_equal(reserve(mid, mid + PAGE_SIZE), PALLOC_ERR_FULL);
	expect_ranges(before, n);
	assert_int_equal(palloc_free_bytes(), bytes);

	/* Merging adds, trims and whole-extent allocations still work. */
	assert_int_equal(add(MB(1), MB(1) + PAGE_SIZE), PALLOC_OK);
	assert_int_equal(palloc_alloc(PAGE_SIZE, PAGE_SIZE, &p), PALLOC_OK);
	assert_int_equal(pa_addr(p), MB(1));
	assert_int_equal(palloc_alloc(MB(1), PAGE_SIZE, &p), PALLOC_ERR_NOMEM);
	/* Freeing back a trimmed page merges; freeing a hole needs a slot. */
	assert_int_equal(palloc_free(p, PAGE_SIZE), PALLOC_OK);
	assert_int_equal(palloc_alloc_at(pa_init(MB(1)), 4 * PAGE_SIZE), PALLOC_OK);
	assert_int_equal(palloc_range_count(), PALLOC_MAX_EXTENTS - 1);
	assert_int_equal(palloc_alloc_at(pa_init(MB(2) + 2 * PAGE_SIZE), PAGE_SIZE), PALLOC_OK);
	assert_int_equal(palloc_range_count(), PALLOC_MAX_EXTENTS);
	assert_int_equal(palloc_free(pa_init(MB(1) + PAGE_SIZE), PAGE_SIZE), PALLOC_ERR_FULL);
	assert_int_equal(palloc_free(pa_init(MB(1)), 4 * PAGE_SIZE), PALLOC_ERR_FULL);
	/* Filling the hole joins two extents and frees a slot. */
	assert_int_equal(palloc_free(pa_init(MB(2) + 2 * PAGE_SIZE), PAGE_SIZE), PALLOC_OK);
	assert_int_equal(palloc_range_count(), PALLOC_MAX_EXTENTS - 1);
	assert_int_equal(palloc_free(pa_init(MB(1)), 4 * PAGE_SIZE), PALLOC_OK);
	assert_int_equal(palloc_free_bytes(), bytes + PAGE_SIZE);
}

static void test_random_cycles(void **state)
{
	static struct range before[PALLOC_MAX_EXTENTS], after[PALLOC_MAX_EXTENTS];
	struct {
		paddr_t p;
		size_t size;
	} blk[100];
	unsigned order[100], n_before, n_after, count = 0;
	uint64_t bytes;

	(void)state;
	srand(1234);
	assert_int_equal(add(MB(0) + PAGE_SIZE, MB(64)), PALLOC_OK);
	assert_int_equal(add(MB(80), MB(200) - 3 * PAGE_SIZE), PALLOC_OK);
	assert_int_equal(reserve(MB(100), MB(101)), PALLOC_OK);
	n_before = snapshot(before);
	bytes = palloc_free_bytes();

	for (unsigned round = 0; round < 4; round++) {
		count = 0;
		for (unsigned i = 0; i < 100; i++) {
			size_t size = ((size_t)(rand() % 64) + 1) * PAGE_SIZE;
			size_t align = PAGE_SIZE << (rand() % 10);

			if (palloc_alloc(size, align, &blk[count].p) == PALLOC_OK) {
				assert_true(IS_ALIGNED(pa_addr(blk[count].p), align));
				blk[count++].size = size;
			}
		}
		assert_int_equal(count, 100);
		for (unsigned i = 0; i < count; i++)
			order[i] = i;
		for (unsigned i = count - 1; i > 0; i--) {
			unsigned j = (unsigned)rand() % (i + 1), tmp = order[i];

			order[i] = order[j];
			order[j] = tmp;
		}
		for (unsigned i = 0; i < count; i++) {
			unsigned k = order[i];

			assert_int_equal(palloc_free(blk[k].p, blk[k].size), PALLOC_OK);
			assert_int_equal(palloc_free(blk[k].p, blk[k].size), PALLOC_ERR_OVERLAP);
		}
		n_after = snapshot(after);
		assert_int_equal(n_after, n_before);
		assert_memory_equal(after, before, n_before * sizeof(before[0]));
		assert_int_equal(palloc_free_bytes(), bytes);
	}
}

static void test_init_resets(void **state)
{
	(void)state;
	assert_int_equal(add(MB(0), MB(4)), PALLOC_OK);
	palloc_init();
	assert_int_equal(palloc_range_count(), 0);
	assert_int_equal(palloc_free(pa_init(0), PAGE_SIZE), PALLOC_ERR_NOT_MANAGED);
	assert_int_equal(add(MB(0), MB(4)), PALLOC_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty, reset),
		cmocka_unit_test_setup(test_add_basic, reset),
		cmocka_unit_test_setup(test_add_invalid, reset),
		cmocka_unit_test_setup(test_add_overlap, reset),
		cmocka_unit_test_setup(test_add_overlaps_allocated, reset),
		cmocka_unit_test_setup(test_add_merges, reset),
		cmocka_unit_test_setup(test_reserve, reset),
		cmocka_unit_test_setup(test_reserve_invalid_and_busy, reset),
		cmocka_unit_test_setup(test_alloc_first_fit, reset),
		cmocka_unit_test_setup(test_alloc_alignment, reset),
		cmocka_unit_test_setup(test_alloc_invalid, reset),
		cmocka_unit_test_setup(test_alloc_at, reset),
		cmocka_unit_test_setup(test_free_merges, reset),
		cmocka_unit_test_setup(test_free_errors, reset),
		cmocka_unit_test_setup(test_extents_full, reset),
		cmocka_unit_test_setup(test_random_cycles, reset),
		cmocka_unit_test_setup(test_init_resets, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
