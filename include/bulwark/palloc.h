/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Physical range allocator for RAM the hypervisor does not map (guest memory).
 *
 * The allocator keeps two extent sets, each a fixed array of sorted,
 * non-overlapping, always-merged `[begin, end)` ranges:
 *
 *  - the managed set: every byte handed to `palloc_add_range()` and not
 *    removed again by `palloc_reserve()`;
 *  - the free set: the managed bytes not currently allocated.
 *
 * Keeping the managed set lets `palloc_free()` reject a range the allocator
 * never owned, so a buggy caller cannot inject, say, the hypervisor image into
 * the free pool. Every operation validates first and then commits: on any
 * error nothing has changed. All functions take the allocator's internal lock
 * and may be called from any CPU; none of them touches the memory it manages.
 */
#ifndef BULWARK_PALLOC_H
#define BULWARK_PALLOC_H

#include <bulwark/types.h>

/* Maximum number of extents in each of the managed and free sets. */
#define PALLOC_MAX_EXTENTS 128

enum palloc_result {
	PALLOC_OK = 0,
	PALLOC_ERR_INVAL = -1,       /* Unaligned, empty, wrapping or bad alignment. */
	PALLOC_ERR_OVERLAP = -2,     /* Range overlaps memory already managed/free. */
	PALLOC_ERR_NOMEM = -3,       /* No free range large enough. */
	PALLOC_ERR_FULL = -4,        /* No extent slot left for the result. */
	PALLOC_ERR_BUSY = -5,        /* Part of the range is allocated. */
	PALLOC_ERR_NOT_MANAGED = -6, /* Part of the range was never added. */
};

/**
 * palloc_init() - Forget all ranges. Boot CPU only, before any other call.
 */
void palloc_init(void);

/**
 * palloc_add_range() - Hand RAM `[begin, end)` to the allocator, as free.
 * @begin: Page-aligned first byte.
 * @end:   Page-aligned end (exclusive), greater than @begin.
 *
 * Return: PALLOC_OK; PALLOC_ERR_INVAL for unaligned or empty ranges;
 * PALLOC_ERR_OVERLAP if any byte is already managed (free or allocated);
 * PALLOC_ERR_FULL if the range cannot merge and no extent slot is left.
 */
int palloc_add_range(paddr_t begin, paddr_t end);

/**
 * palloc_reserve() - Remove `[begin, end)` from the allocator for good.
 * @begin: First byte; rounded down to a page.
 * @end:   End (exclusive); rounded up to a page.
 *
 * Meant for boot, to carve out the hypervisor image, the DTB and the like.
 * Parts of the range that were never added are ignored.
 *
 * Return: PALLOC_OK; PALLOC_ERR_INVAL if the range is empty or wraps;
 * PALLOC_ERR_BUSY if any byte in it is currently allocated;
 * PALLOC_ERR_FULL if splitting an extent needs a slot that is not there.
 */
int palloc_reserve(paddr_t begin, paddr_t end);

/**
 * palloc_alloc() - Allocate @size bytes aligned to @align, first fit.
 * @size:  Non-zero multiple of PAGE_SIZE.
 * @align: Power of two, at least PAGE_SIZE.
 * @out:   Receives the first byte on success; untouched on failure.
 *
 * Return: PALLOC_OK; PALLOC_ERR_INVAL; PALLOC_ERR_NOMEM if no free range
 * fits; PALLOC_ERR_FULL if a fit exists only where splitting an extent would
 * need a slot that is not there.
 */
int palloc_alloc(size_t size, size_t align, paddr_t *out);

/**
 * palloc_alloc_at() - Allocate exactly `[begin, begin + size)`.
 * @begin: Page-aligned first byte.
 * @size:  Non-zero multiple of PAGE_SIZE.
 *
 * Return: PALLOC_OK; PALLOC_ERR_INVAL; PALLOC_ERR_BUSY unless every byte is
 * free; PALLOC_ERR_FULL if the split needs a slot that is not there.
 */
int palloc_alloc_at(paddr_t begin, size_t size);

/**
 * palloc_free() - Return `[begin, begin + size)` to the free set.
 * @begin: Page-aligned first byte.
 * @size:  Non-zero multiple of PAGE_SIZE.
 *
 * Return: PALLOC_OK; PALLOC_ERR_INVAL; PALLOC_ERR_NOT_MANAGED if any byte was
 * never added (or was reserved); PALLOC_ERR_OVERLAP if any byte is already
 * free (a double free); PALLOC_ERR_FULL if no extent slot is left.
 */
int palloc_free(paddr_t begin, size_t size);

/* Total number of free bytes. */
uint64_t palloc_free_bytes(void);

/* Number of extents in the free set, for printing the memory map. */
unsigned palloc_range_count(void);

/**
 * palloc_range_get() - Read free extent @idx (sorted by address).
 * Return: PALLOC_OK, or PALLOC_ERR_INVAL if @idx is out of range.
 */
int palloc_range_get(unsigned idx, paddr_t *begin, paddr_t *end);

#endif
