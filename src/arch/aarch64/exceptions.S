/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EL2 exception vectors.
 *
 * Exceptions from a guest (lower ELs) are exits, handled in guest.S. Every
 * entry taken from EL2 itself is unexpected and goes to `fatal_exception`. Those entries
 * do not trust SP: it may be what faulted (a stack overflow into a guard
 * page). They switch to this CPU's emergency stack, found through
 * TPIDR_EL2, save a full frame there and report.
 */
#include <bulwark/arch/aarch64/sysregs.h>
#include <bulwark/cpu.h>
#include <bulwark/offsets.h>
#include "asm.h"
#include "mitig_asm.h"

/* Vector entry: x0 is stashed in SP_EL0 (unused at EL2), x1/x2 and the
 * original SP are saved on the emergency stack, then x0 = \kind. */
.macro fatal_vector kind
	.balign	0x80
	msr	sp_el0, x0
	mrs	x0, tpidr_el2
	ldr	x0, [x0, #PERCPU_EMERG_SP]
	sub	x0, x0, #FRAME_SIZE
	stp	x1, x2, [x0, #FRAME_X1]
	mov	x1, sp
	str	x1, [x0, #FRAME_SP]
	mov	sp, x0
	mrs	x1, sp_el0
	str	x1, [sp, #FRAME_X0]
	mov	x0, #\kind
	b	fatal_entry
.endm

/* A vector entry has 0x80 bytes: one that grew past them would shift the
 * entries after it. Each lower-EL entry starts with vector_begin and ends
 * with vector_end; the .org after the table stops the build if one is too
 * long. */
.macro vector_begin
	.balign	0x80
.Lvec_\@:
	.set	vector_start, .Lvec_\@
.endm

.macro vector_end
	/* The mitigations' out-of-line code (.pushsection) makes `. - vector_start`
	 * unknown to the assembler here: the .org after the table does the check. */
.endm

/* Guest exit: see guest.S. \kind: 0 sync, 1 IRQ, 2 FIQ, 3 SError. */
.macro guest_vector kind
	vector_begin
	guest_entry_mitigations
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\kind
	b	guest_exit
	vector_end
.endm

/* IRQ from a guest: the virtual timer's fast path, else a full exit (see
 * guest_irq in guest.S). The guest's x2, x3 go to [sp], x0, x1 to [sp + 16]. */
.macro guest_irq_vector
	vector_begin
	guest_entry_mitigations
	stp	x2, x3, [sp, #-32]!
	stp	x0, x1, [sp, #16]
	b	guest_irq
	vector_end
.endm

/*
 * Synchronous exit from an AArch64 guest, with a fast path for the
 * firmware version queries (HVC #0 with x0 = PSCI_VERSION or
 * SMCCC_VERSION): they have no arguments, change no state and are asked
 * often, so they are answered here without saving the guest's registers.
 * Data aborts go to the fast-MMIO path (guest_mmio in guest.S).
 * Everything else takes the full exit.
 */
.macro guest_sync_vector
	vector_begin
	guest_entry_mitigations
	stp	x0, x1, [sp, #-16]!
	mrs	x1, esr_el2
	ubfx	x1, x1, #26, #6
	cmp	x1, #ESR_EC_HVC64
	b.ne	2f
	mrs	x1, esr_el2
	tst	x1, #0xffff		/* HVC #0 only */
	b.ne	1f
	mov	x1, #0x84000000		/* PSCI_VERSION */
	cmp	x0, x1
	mov	x1, #0x80000000		/* SMCCC_VERSION */
	ccmp	x0, x1, #4, ne		/* Z set if either matched */
	b.ne	mitig_hvc_fast		/* ARCH_WORKAROUND_1/3, else a full exit */
	mov	x0, #1			/* 1.1 for both */
	movk	x0, #1, lsl #16
	ldr	x1, [sp, #8]
	add	sp, sp, #16
	eret
	dsb	nsh
	isb
2:	cmp	x1, #ESR_EC_DABT_LOW
	b.eq	guest_mmio
1:	mov	x1, #0
	b	guest_exit
	vector_end
.endm

	.text
	.balign	0x800
	.global	exception_vectors
exception_vectors:
	/* Current EL with SP_EL0 */
	fatal_vector 0
	fatal_vector 1
	fatal_vector 2
	fatal_vector 3
	/* Current EL with SP_ELx */
	fatal_vector 4
	fatal_vector 5
	fatal_vector 6
	fatal_vector 7
	/* Lower EL, AArch64: a guest exit */
	guest_sync_vector
	guest_irq_vector
	guest_vector 2
	guest_vector 3
	/* Lower EL, AArch32 (a guest's 32-bit EL0) */
	guest_vector 0
	guest_irq_vector
	guest_vector 2
	guest_vector 3
	/* Each vector has 0x80 bytes: one that grew past them would shift the
	 * next ones silently (.balign) and the table would outgrow 0x800 bytes,
	 * which this .org refuses ("attempt to move .org backwards"). */
	.org	exception_vectors + 0x800

/* sp = frame with x0, x1, x2 and sp saved; x0 = vector kind. */
fatal_entry:
	stp	x3, x4, [sp, #FRAME_X3]
	stp	x5, x6, [sp, #FRAME_X3 + 16]
	stp	x7, x8, [sp, #FRAME_X3 + 32]
	stp	x9, x10, [sp, #FRAME_X3 + 48]
	stp	x11, x12, [sp, #FRAME_X3 + 64]
	stp	x13, x14, [sp, #FRAME_X3 + 80]
	stp	x15, x16, [sp, #FRAME_X3 + 96]
	stp	x17, x18, [sp, #FRAME_X3 + 112]
	stp	x19, x20, [sp, #FRAME_X3 + 128]
	stp	x21, x22, [sp, #FRAME_X3 + 144]
	stp	x23, x24, [sp, #FRAME_X3 + 160]
	stp	x25, x26, [sp, #FRAME_X3 + 176]
	stp	x27, x28, [sp, #FRAME_X3 + 192]
	stp	x29, x30, [sp, #FRAME_X3 + 208]
	mrs	x1, elr_el2
	mrs	x2, spsr_el2
	stp	x1, x2, [sp, #FRAME_ELR]
	mrs	x1, esr_el2
	mrs	x2, far_el2
	stp	x1, x2, [sp, #FRAME_ESR]
	mov	x1, sp
	mov	x29, #0			/* end of the frame chain */
	bl	fatal_exception		/* does not return */
1:	wfi
	b	1b
