/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Physical range allocator: two extent sets (managed and free) behind one
 * lock. See include/bulwark/palloc.h for the model.
 *
 * Each public function checks its arguments, then under the lock checks that
 * the whole update can be done (no overlap, enough extent slots), and only
 * then changes the sets. The set helpers below assume the lock is held.
 */
#include <bulwark/palloc.h>
#include <bulwark/spinlock.h>

struct palloc_extent {
	uint64_t begin;
	uint64_t end; /* Exclusive. */
};

/* Sorted, non-overlapping, and no two extents touch (they would be merged). */
struct palloc_set {
	unsigned count;
	struct palloc_extent ext[PALLOC_MAX_EXTENTS];
};

static struct {
	struct spinlock lock;
	struct palloc_set managed;
	struct palloc_set free;
} palloc = { .lock = SPINLOCK_INIT };

/* Bytes of `[b, e)` that lie in @s. */
static uint64_t set_overlap(const struct palloc_set *s, uint64_t b, uint64_t e)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < s->count; i++) {
		uint64_t lo = MAX(b, s->ext[i].begin);
		uint64_t hi = MIN(e, s->ext[i].end);

		if (lo < hi)
			n += hi - lo;
	}
	return n;
}

/* Whether one extent of @s holds all of `[b, e)`. */
static bool set_contains(const struct palloc_set *s, uint64_t b, uint64_t e)
{
	for (unsigned i = 0; i < s->count; i++) {
		if (s->ext[i].begin <= b && e <= s->ext[i].end)
			return true;
	}
	return false;
}

static void set_insert_slot(struct palloc_set *s, unsigned pos)
{
	for (unsigned i = s->count; i > pos; i--)
		s->ext[i] = s->ext[i - 1];
	s->count++;
}

static void set_delete_slot(struct palloc_set *s, unsigned pos)
{
	s->count--;
	for (unsigned i = pos; i < s->count; i++)
		s->ext[i] = s->ext[i + 1];
}

/* Index of the first extent starting at or after @b. */
static unsigned set_lower_bound(const struct palloc_set *s, uint64_t b)
{
	unsigned i = 0;

	while (i < s->count && s->ext[i].begin < b)
		i++;
	return i;
}

/* Whether `set_add(s, b, e)` has a slot; `[b, e)` must not overlap @s. */
static bool set_can_add(const struct palloc_set *s, uint64_t b, uint64_t e)
{
	unsigned pos = set_lower_bound(s, b);

	if (pos > 0 && s->ext[pos - 1].end == b)
		return true;
	if (pos < s->count && s->ext[pos].begin == e)
		return true;
	return s->count < PALLOC_MAX_EXTENTS;
}

/* Add `[b, e)`, which must not overlap @s, merging with neighbours. */
static void set_add(struct palloc_set *s, uint64_t b, uint64_t e)
{
	unsigned pos = set_lower_bound(s, b);
	bool join_prev = pos > 0 && s->ext[pos - 1].end == b;
	bool join_next = pos < s->count && s->ext[pos].begin == e;

	if (join_prev && join_next) {
		s->ext[pos - 1].end = s->ext[pos].end;
		set_delete_slot(s, pos);
	} else if (join_prev) {
		s->ext[pos - 1].end = e;
	} else if (join_next) {
		s->ext[pos].begin = b;
	} else {
		set_insert_slot(s, pos);
		s->ext[pos] = (struct palloc_extent){ b, e };
	}
}

/* Whether `set_remove(s, b, e)` has a slot for the split it may need. */
static bool set_can_remove(const struct palloc_set *s, uint64_t b, uint64_t e)
{
	for (unsigned i = 0; i < s->count; i++) {
		if (s->ext[i].begin < b && e < s->ext[i].end)
			return s->count < PALLOC_MAX_EXTENTS;
	}
	return true;
}

/* Remove whatever part of `[b, e)` lies in @s. */
static void set_remove(struct palloc_set *s, uint64_t b, uint64_t e)
{
	unsigned i = 0;

	while (i < s->count) {
		struct palloc_extent *x = &s->ext[i];

		if (x->end <= b || e <= x->begin) {
			i++;
		} else if (x->begin < b && e < x->end) {
			/* Strictly inside: split in two. */
			set_insert_slot(s, i + 1);
			s->ext[i + 1] = (struct palloc_extent){ e, x->end };
			x->end = b;
			return;
		} else if (x->begin < b) {
			x->end = b;
			i++;
		} else if (e < x->end) {
			x->begin = e;
			i++;
		} else {
			set_delete_slot(s, i);
		}
	}
}

/* Checks a page-aligned, non-empty, non-wrapping `[begin, begin + size)`. */
static bool palloc_range_valid(uint64_t begin, uint64_t size)
{
	return size != 0 && IS_ALIGNED(begin, PAGE_SIZE) &&
	       IS_ALIGNED(size, PAGE_SIZE) && begin + size > begin;
}

void palloc_init(void)
{
	sl_lock(&palloc.lock);
	palloc.managed.count = 0;
	palloc.free.count = 0;
	sl_unlock(&palloc.lock);
}

int palloc_add_range(paddr_t begin, paddr_t end)
{
	uint64_t b = pa_addr(begin);
	uint64_t e = pa_addr(end);
	int ret = PALLOC_OK;

	if (e <= b || !palloc_range_valid(b, e - b))
		return PALLOC_ERR_INVAL;

	sl_lock(&palloc.lock);
	/* The free set lies inside the managed set, so one check covers both. */
	if (set_overlap(&palloc.managed, b, e) != 0) {
		ret = PALLOC_ERR_OVERLAP;
	} else if (!set_can_add(&palloc.managed, b, e) ||
		   !set_can_add(&palloc.free, b, e)) {
		ret = PALLOC_ERR_FULL;
	} else {
		set_add(&palloc.managed, b, e);
		set_add(&palloc.free, b, e);
	}
	sl_unlock(&palloc.lock);
	return ret;
}

int palloc_reserve(paddr_t begin, paddr_t end)
{
	uint64_t b = ALIGN_DOWN(pa_addr(begin), PAGE_SIZE);
	uint64_t e = ALIGN_UP(pa_addr(end), PAGE_SIZE);
	int ret = PALLOC_OK;

	/* `e < pa_addr(end)` catches rounding up past the top of memory. */
	if (e <= b || e < pa_addr(end))
		return PALLOC_ERR_INVAL;

	sl_lock(&palloc.lock);
	if (set_overlap(&palloc.managed, b, e) != set_overlap(&palloc.free, b, e)) {
		ret = PALLOC_ERR_BUSY; /* Some managed byte in it is not free. */
	} else if (!set_can_remove(&palloc.managed, b, e) ||
		   !set_can_remove(&palloc.free, b, e)) {
		ret = PALLOC_ERR_FULL;
	} else {
		set_remove(&palloc.managed, b, e);
		set_remove(&palloc.free, b, e);
	}
	sl_unlock(&palloc.lock);
	return ret;
}

int palloc_alloc(size_t size, size_t align, paddr_t *out)
{
	int ret = PALLOC_ERR_NOMEM;

	if (!palloc_range_valid(0, size) || align < PAGE_SIZE ||
	    (align & (align - 1)) != 0)
		return PALLOC_ERR_INVAL;

	sl_lock(&palloc.lock);
	for (unsigned i = 0; i < palloc.free.count; i++) {
		const struct palloc_extent *x = &palloc.free.ext[i];
		uint64_t start = ALIGN_UP(x->begin, (uint64_t)align);

		if (start < x->begin || start >= x->end || x->end - start < size)
			continue;
		if (!set_can_remove(&palloc.free, start, start + size)) {
			/* A fit, but splitting it needs a slot; try the next. */
			ret = PALLOC_ERR_FULL;
			continue;
		}
		set_remove(&palloc.free, start, start + size);
		*out = pa_init(start);
		ret = PALLOC_OK;
		break;
	}
	sl_unlock(&palloc.lock);
	return ret;
}

int palloc_alloc_at(paddr_t begin, size_t size)
{
	uint64_t b = pa_addr(begin);
	int ret = PALLOC_OK;

	if (!palloc_range_valid(b, size))
		return PALLOC_ERR_INVAL;

	sl_lock(&palloc.lock);
	if (!set_contains(&palloc.free, b, b + size))
		ret = PALLOC_ERR_BUSY;
	else if (!set_can_remove(&palloc.free, b, b + size))
		ret = PALLOC_ERR_FULL;
	else
		set_remove(&palloc.free, b, b + size);
	sl_unlock(&palloc.lock);
	return ret;
}

int palloc_free(paddr_t begin, size_t size)
{
	uint64_t b = pa_addr(begin);
	int ret = PALLOC_OK;

	if (!palloc_range_valid(b, size))
		return PALLOC_ERR_INVAL;

	sl_lock(&palloc.lock);
	if (!set_contains(&palloc.managed, b, b + size))
		ret = PALLOC_ERR_NOT_MANAGED;
	else if (set_overlap(&palloc.free, b, b + size) != 0)
		ret = PALLOC_ERR_OVERLAP;
	else if (!set_can_add(&palloc.free, b, b + size))
		ret = PALLOC_ERR_FULL;
	else
		set_add(&palloc.free, b, b + size);
	sl_unlock(&palloc.lock);
	return ret;
}

uint64_t palloc_free_bytes(void)
{
	uint64_t n;

	sl_lock(&palloc.lock);
	n = set_overlap(&palloc.free, 0, UINT64_MAX);
	sl_unlock(&palloc.lock);
	return n;
}

unsigned palloc_range_count(void)
{
	unsigned n;

	sl_lock(&palloc.lock);
	n = palloc.free.count;
	sl_unlock(&palloc.lock);
	return n;
}

int palloc_range_get(unsigned idx, paddr_t *begin, paddr_t *end)
{
	int ret = PALLOC_ERR_INVAL;

	sl_lock(&palloc.lock);
	if (idx < palloc.free.count) {
		*begin = pa_init(palloc.free.ext[idx].begin);
		*end = pa_init(palloc.free.ext[idx].end);
		ret = PALLOC_OK;
	}
	sl_unlock(&palloc.lock);
	return ret;
}
