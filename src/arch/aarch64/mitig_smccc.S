/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "smccc" mitigation module's fast path: a guest's ARCH_WORKAROUND_1
 * or ARCH_WORKAROUND_3 call (HVC #0) is answered in the vector, like
 * PSCI_VERSION, where this CPU offers it (`percpu.mitig_guest`): the entry
 * sequence (mitig_asm.h) has already done the work, so the call returns 0
 * at once. A call not offered takes the full exit, which answers
 * NOT_SUPPORTED. Linux guests make these calls on context switches.
 *
 * Entered from guest_sync_vector (exceptions.S) with: HVC #0 checked,
 * x0 = the guest's x0 (all 64 bits), the guest's x0/x1 pushed, x1 free.
 */
#include <bulwark/mitig.h>
#include <bulwark/offsets.h>

	.text
	.global	mitig_hvc_fast
mitig_hvc_fast:
	mov	w1, #0x8000
	movk	w1, #0x8000, lsl #16		/* ARCH_WORKAROUND_1, upper bits 0 */
	cmp	x0, x1
	b.eq	1f
	mov	w1, #0x3fff
	movk	w1, #0x8000, lsl #16		/* ARCH_WORKAROUND_3 */
	cmp	x0, x1
	b.ne	9f
	mrs	x1, tpidr_el2
	ldr	w1, [x1, #PERCPU_MITIG_GUEST]
	tbz	w1, #MITIG_GUEST_WA3_BIT, 9f
	b	2f
1:	mrs	x1, tpidr_el2
	ldr	w1, [x1, #PERCPU_MITIG_GUEST]
	tbz	w1, #MITIG_GUEST_WA1_BIT, 9f
2:	mov	x0, #0
	ldr	x1, [sp, #8]
	add	sp, sp, #16
	eret
	dsb	nsh
	isb
9:	mov	x1, #0				/* a synchronous exit */
	b	guest_exit
