/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Spectre-v1 hardening: clamping a guest-controlled index after its bounds
 * check, so that a mispredicted check cannot make the CPU read out of
 * bounds even speculatively (the "nospec" mitigation module).
 *
 *	if (i < n)
 *		x = table[nospec_index(i, n)];
 *
 * On AArch64 with the module built (MITIG_NOSPEC): CMP, CSEL (the index, or
 * 0 when it is not below @n) and CSDB, which keeps later instructions from
 * using a CSEL result that was only predicted. Three instructions, no
 * branch. Without the module, or on the host, the index as it is.
 */
#ifndef BULWARK_NOSPEC_H
#define BULWARK_NOSPEC_H

#include <bulwark/types.h>

static inline uint64_t nospec_index(uint64_t i, uint64_t n)
{
#if defined(BULWARK_ARCH_AARCH64) && defined(MITIG_NOSPEC)
	uint64_t r;

	__asm__ volatile("cmp	%1, %2\n\t"
			 "csel	%0, %1, xzr, lo\n\t"
			 "hint	#20		/* CSDB */"
			 : "=r"(r)
			 : "r"(i), "r"(n)
			 : "cc");
	return r;
#else
	(void)n;
	return i;
#endif
}

#endif
