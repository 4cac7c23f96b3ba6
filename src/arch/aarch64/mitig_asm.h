/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest-entry mitigations, for the lower-EL exception vectors
 * (exceptions.S): `guest_entry_mitigations` goes at the very top of each.
 *
 * Cost when this CPU has nothing to do (`percpu.mitig_entry` == 0): five
 * instructions (save x0/x1, load the flags, branch, restore). Otherwise the
 * sequence runs out of line, in `.text.mitig_entry`, in this order:
 *   - MITIG_ENTRY_FW_BIT: SMC #0 with w0 = `percpu.mitig_fw_fn`
 *     (ARCH_WORKAROUND_1 or _3 of the firmware; x2/x3 saved around it,
 *     SMCCC 1.1 preserves x4-x17 for these calls);
 *   - MITIG_ENTRY_CLRBHB_BIT: CLRBHB; ISB;
 *   - MITIG_ENTRY_LOOP_BIT: the Spectre-BHB branch loop, bits 15:8 times,
 *     then DSB NSH; ISB (the sequence of Arm's Spectre-BHB whitepaper).
 * Every guest register is preserved; NZCV is not (the guest's is in
 * SPSR_EL2). Built only when a guest-entry module (bpi, bhb) is
 * (MITIG_ENTRY_BUILT, from the Makefile).
 */
#ifndef BULWARK_ARCH_AARCH64_MITIG_ASM_H
#define BULWARK_ARCH_AARCH64_MITIG_ASM_H

#include <bulwark/mitig.h>
#include <bulwark/offsets.h>

.macro guest_entry_mitigations
#ifdef MITIG_ENTRY_BUILT
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el2			/* x0 = struct percpu * */
	ldr	w1, [x0, #PERCPU_MITIG_ENTRY]	/* w1 = MITIG_ENTRY_* flags */
	cbnz	w1, .Lmitig_slow\@
.Lmitig_back\@:
	ldp	x0, x1, [sp], #16

	.pushsection .text.mitig_entry, "ax"
.Lmitig_slow\@:
	tbz	w1, #MITIG_ENTRY_FW_BIT, .Lmitig_clrbhb\@
	stp	x2, x3, [sp, #-16]!
	ldr	w0, [x0, #PERCPU_MITIG_FW_FN]
	smc	#0
	ldp	x2, x3, [sp], #16
	mrs	x0, tpidr_el2
	ldr	w1, [x0, #PERCPU_MITIG_ENTRY]
.Lmitig_clrbhb\@:
	tbz	w1, #MITIG_ENTRY_CLRBHB_BIT, .Lmitig_loop\@
	hint	#22				/* CLRBHB */
	isb
.Lmitig_loop\@:
	tbz	w1, #MITIG_ENTRY_LOOP_BIT, .Lmitig_done\@
	ubfx	w0, w1, #MITIG_ENTRY_LOOP_SHIFT, #8
.Lmitig_iter\@:
	b	. + 4
	subs	w0, w0, #1
	b.ne	.Lmitig_iter\@
	dsb	nsh
	isb
.Lmitig_done\@:
	b	.Lmitig_back\@
	.popsection
#endif
.endm

#endif
