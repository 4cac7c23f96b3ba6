/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host-test view into the fake translation arch (src/arch/fake/mm.c): counts
 * of barriers and TLB invalidations, so tests can check that the core
 * invalidates what it changed.
 */
#ifndef BULWARK_ARCH_FAKE_MM_H
#define BULWARK_ARCH_FAKE_MM_H

#include <bulwark/types.h>

struct fake_mm_stats {
	unsigned publish_count;
	unsigned hyp_inval_count;     /* Calls to `arch_mm_invalidate_hyp()`. */
	uint64_t hyp_inval_bytes;     /* Sum of their range lengths. */
	unsigned guest_inval_count;   /* Calls to `arch_mm_invalidate_guest()`. */
	uint64_t guest_inval_bytes;
	uint16_t last_vmid;           /* VMID of the last guest invalidation. */
	uint64_t last_begin, last_end; /* Range of the last invalidation. */
};

extern struct fake_mm_stats fake_mm_stats;

/* Zero `fake_mm_stats`. */
void fake_mm_reset_stats(void);

#endif
