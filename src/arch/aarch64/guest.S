/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The world switch. `arch_guest_enter` saves the hypervisor's callee-saved
 * registers on its stack, loads the guest's registers and ERETs; the exit
 * vectors save the guest's registers back and return from
 * `arch_guest_enter` with the kind of exception in x0.
 *
 * Only general-purpose registers, PC, PSTATE and the APIA key are switched:
 * the vCPU owns its physical CPU, so its EL1 system registers and FP/SIMD
 * state stay in the hardware (the hypervisor uses neither).
 *
 * Stack frame of arch_guest_enter (SP_EL2, which the guest cannot change):
 *   [sp + 0]   x29, x30     [sp + 16..95]  x19-x28
 *   [sp + 96]  struct arch_vcpu *
 */
#include <bulwark/arch/aarch64/sysregs.h>
#include <bulwark/cpu.h>
#include <bulwark/offsets.h>
#include "asm.h"

#define ENTER_FRAME 112
#define ENTER_VCPU 96

/* x0 = struct arch_vcpu * (the first member of its struct vcpu). Returns
 * the kind of exit in bits 7:0 (0 sync, 1 IRQ, 2 FIQ, 3 SError) and, for an
 * IRQ, the INTID the vector acknowledged in bits 31:8. */
FUNC(arch_guest_enter)
	stp	x29, x30, [sp, #-ENTER_FRAME]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	str	x0, [sp, #ENTER_VCPU]

	mrs	x1, tpidr_el2
	ldr	w1, [x1, #PERCPU_HAS_PAC]
	cbz	w1, 1f
	ldp	x1, x2, [x0, #VCPU_APIA]	/* the guest's key */
	msr	s3_0_c2_c1_0, x1
	msr	s3_0_c2_c1_1, x2
1:	ldp	x1, x2, [x0, #VCPU_PC]
	msr	elr_el2, x1
	msr	spsr_el2, x2
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0]
	eret
	dsb	nsh
	isb
ENDFUNC(arch_guest_enter)

/*
 * IRQ from a guest (the lower-EL IRQ vectors): the virtual timer's fast
 * path. The vector has pushed the guest's x2, x3 at [sp] and x0, x1 at
 * [sp + 16]; below them is the frame of arch_guest_enter.
 *
 * The interrupt is acknowledged here. When it is the virtual timer's PPI,
 * the vCPU's `timer_lr` is non-zero (the vGIC says the C path would put it
 * straight into its list register: enabled, not pending or active there;
 * see include/bulwark/vgic.h) and that list register (LR 0, the timer's
 * own) is empty in hardware, the interrupt is delivered as the C path
 * would: ICH_LR0_EL2 = `timer_lr` (HW = 1, pINTID 27, the guest's priority,
 * group 1, pending), the physical priority dropped (EOImode 1: the guest's
 * EOI deactivates it through the HW link), `timer_fast` set so that the next
 * `vgic_sync()` takes it into the vGIC's state, and back to the guest. No C
 * runs, so the APIA key stays the guest's and nothing is signed.
 * Anything else takes the full exit with the acknowledged INTID.
 *
 * x0 = IAR, x1 = struct vcpu *, x2 = the list register value, x3 scratch.
 */
	.global	guest_irq
guest_irq:
	mrs	x0, s3_0_c12_c12_0		/* ICC_IAR1_EL1 */
	cmp	x0, #VTIMER_INTID
	b.ne	1f
	ldr	x1, [sp, #32 + ENTER_VCPU]
	ldr	x2, [x1, #VCPU_TIMER_LR]
	cbz	x2, 1f
	mrs	x3, s3_4_c12_c12_0		/* ICH_LR0_EL2 */
	tst	x3, #0xc000000000000000		/* its state: must be invalid */
	b.ne	1f
	msr	s3_4_c12_c12_0, x2
	msr	s3_0_c12_c12_1, x0		/* ICC_EOIR1_EL1: priority drop */
	mov	w3, #1
	strb	w3, [x1, #VCPU_TIMER_FAST]
	ldr	x3, [x1, #VCPU_STATS_VTIMER_FAST]
	add	x3, x3, #1
	str	x3, [x1, #VCPU_STATS_VTIMER_FAST]
	ldp	x0, x1, [sp, #16]
	ldp	x2, x3, [sp], #32
	eret
	dsb	nsh
	isb
1:	dsb	sy				/* as gic_ack() after reading IAR */
	mov	x1, #1				/* kind 1 (IRQ) ... */
	bfi	x1, x0, #8, #24			/* ... with the INTID acknowledged */
	ldp	x2, x3, [sp], #16		/* guest_exit's frame: x0, x1 at [sp] */
	b	guest_exit

/*
 * Data abort from a guest (the sync vector, EC 0x24), with the guest's x0,
 * x1 pushed at [sp]: an access that the VM's fast-MMIO table carries out
 * (include/bulwark/fastmmio.h) is done here, as handle_dabt() and the
 * device model would do it:
 *  - a read: the register's value, zero-extended, into Xt (nothing for
 *    XZR);
 *  - a write: Xt's low byte appended to the entry's byte sink, under the
 *    sink's lock, if the byte is in [lo, hi] and the buffer holds fewer
 *    than `limit` bytes; else the full exit, after all.
 * Then the guest resumes after the access, 4 bytes on. No C runs and the
 * APIA key stays the guest's. This vector also takes EL0's exceptions when
 * EL0 is AArch32 under an AArch64 EL1: there, registers R0-R14 are X0-X14
 * too, and a 16-bit T32 instruction (IL = 0) takes the full exit. So does
 * anything else ESR_DABT_FAST_MASK/WANT rules out (no syndrome, a
 * sign-extending load, a fault that is not a stage-2 translation fault...)
 * and every access not in the table.
 *
 * x0 scratch, then the slot, then the entry's value (a register's value,
 * or the struct fastsink *); x1 ESR, then scratch; x2 IPA, then scratch;
 * x3 the access's kind, then its key, then SRT. The guest's x2, x3 go to
 * [sp], below its x0, x1, once the syndrome makes it a candidate; a write
 * saves x4, x5 below them while it holds the sink's lock.
 */
	.global	guest_mmio
guest_mmio:
	mrs	x1, esr_el2
	tbz	x1, #ESR_ISV_BIT, 19f
	tbz	x1, #ESR_IL_BIT, 19f
	mov	x0, #(ESR_DABT_FAST_MASK & 0xffff)
	movk	x0, #(ESR_DABT_FAST_MASK >> 16), lsl #16
	and	x0, x1, x0
	cmp	x0, #ESR_DABT_FAST_WANT
	b.ne	19f
	stp	x2, x3, [sp, #-16]!
	mrs	x2, hpfar_el2
	mrs	x3, far_el2
	lsr	x2, x2, #4
	and	x3, x3, #0xfff
	orr	x2, x3, x2, lsl #12		/* x2 = IPA */
	ubfx	x3, x1, #22, #2			/* SAS: log2 of the size */
	ubfx	x0, x1, #ESR_WNR_BIT, #1
	orr	x3, x3, x0, lsl #2		/* x3 = fastmmio_kind() */
	eor	x0, x2, x2, lsr #FASTMMIO_HASH_SHIFT
	lsr	x0, x0, #2
	add	x0, x0, x3, lsl #FASTMMIO_KIND_SHIFT
	and	x0, x0, #(FASTMMIO_SLOTS - 1)	/* x0 = fastmmio_slot() */
	orr	x3, x3, #8
	orr	x3, x3, x2, lsl #4		/* x3 = fastmmio_key() */
	ldr	x2, [sp, #32 + ENTER_VCPU]
	ldr	x2, [x2, #VCPU_VM]		/* the table is struct vm's first member */
	add	x2, x2, x0, lsl #4
	ldp	x2, x0, [x2]			/* x2 = the entry's key, x0 = its value */
	cmp	x2, x3
	b.ne	18f
	ubfx	x3, x1, #16, #5			/* SRT: Xt, 0-30, or 31 for XZR */
	tbnz	x1, #ESR_WNR_BIT, 12f		/* a write */

	/* A read: Xt = x0, one 16-byte entry per register; x0-x3 are on
	 * the stack. */
	adr	x2, 10f
	add	x2, x2, x3, lsl #4
	br	x2
	dsb	nsh
	isb
	.balign	16
10:	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign	16
	bti	j
	.if	\n == 0 || \n == 1
	str	x0, [sp, #16 + 8 * \n]
	.elseif	\n == 2 || \n == 3
	str	x0, [sp, #8 * (\n - 2)]
	.elseif	\n < 31
	mov	x\n, x0
	.endif
	b	17f
	.endr

	/* A write into the sink at x0: x2 = Xt. */
12:	adr	x2, 13f
	add	x2, x2, x3, lsl #4
	br	x2
	dsb	nsh
	isb
	.balign	16
13:	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign	16
	bti	j
	.if	\n == 0 || \n == 1
	ldr	x2, [sp, #16 + 8 * \n]
	.elseif	\n == 2 || \n == 3
	ldr	x2, [sp, #8 * (\n - 2)]
	.elseif	\n < 31
	mov	x2, x\n
	.else
	mov	x2, xzr
	.endif
	b	14f
	.endr
14:	and	w2, w2, #0xff			/* the byte */
	ldrb	w1, [x0, #FASTSINK_LO]
	cmp	w2, w1
	b.lo	18f
	ldrb	w1, [x0, #FASTSINK_HI]
	cmp	w2, w1
	b.hi	18f
	stp	x4, x5, [sp, #-16]!
	ldr	x1, [x0, #FASTSINK_LOCK]	/* x1 = struct spinlock * */
	/* sl_lock(): a ticket (relaxed), then wait until it is served. */
15:	ldxr	w3, [x1]			/* next */
	add	w4, w3, #1
	stxr	w5, w4, [x1]
	cbnz	w5, 15b
	add	x1, x1, #4			/* x1 = &lock->owner */
	b	11f
16:	wfe
11:	ldar	w4, [x1]
	cmp	w4, w3
	b.ne	16b
	ldr	x3, [x0, #FASTSINK_LEN]		/* x3 = unsigned *len */
	ldr	w4, [x3]
	ldr	w5, [x0, #FASTSINK_LIMIT]
	cmp	w4, w5
	b.hs	20f				/* no room, or fast writes off */
	ldr	x5, [x0, #FASTSINK_BUF]
	strb	w2, [x5, w4, uxtw]
	add	w4, w4, #1
	str	w4, [x3]
	mov	w0, #1				/* done */
	b	21f
20:	mov	w0, #0				/* the full exit, after all */
	/* sl_unlock(): serve the next ticket (release), wake the waiters. */
21:	ldr	w4, [x1]
	add	w4, w4, #1
	stlr	w4, [x1]
	dsb	ishst
	sev
	ldp	x4, x5, [sp], #16
	cbz	w0, 18f

	/* Done: past the access, and back to the guest. */
17:	mrs	x2, elr_el2
	add	x2, x2, #4
	msr	elr_el2, x2
	ldr	x2, [sp, #32 + ENTER_VCPU]
	ldr	x3, [x2, #VCPU_STATS_MMIO_FAST]
	add	x3, x3, #1
	str	x3, [x2, #VCPU_STATS_MMIO_FAST]
	ldp	x2, x3, [sp], #16
	ldp	x0, x1, [sp], #16
	eret
	dsb	nsh
	isb
18:	ldp	x2, x3, [sp], #16
19:	mov	x1, #0				/* kind 0: synchronous */
	b	guest_exit

/* Entered from the lower-EL vectors with the guest's x0/x1 pushed on the
 * stack and x1 = kind (bits 7:0; for an IRQ, bits 31:8 hold the INTID the
 * vector acknowledged). */
	.global	guest_exit
guest_exit:
	ldr	x0, [sp, #16 + ENTER_VCPU]
	stp	x2, x3, [x0, #16]
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	stp	x14, x15, [x0, #112]
	stp	x16, x17, [x0, #128]
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16		/* the guest's x0, x1 */
	stp	x2, x3, [x0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #VCPU_PC]

	mrs	x4, tpidr_el2
	ldr	w2, [x4, #PERCPU_HAS_PAC]
	cbz	w2, 1f
	mrs	x2, s3_0_c2_c1_0
	mrs	x3, s3_0_c2_c1_1
	stp	x2, x3, [x0, #VCPU_APIA]
	ldp	x2, x3, [x4, #PERCPU_APIA]	/* back to the hypervisor's key */
	msr	s3_0_c2_c1_0, x2
	msr	s3_0_c2_c1_1, x3
	isb
1:	mov	x0, x1
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #ENTER_FRAME
	ret

/*
 * A vCPU starting afresh (CPU_ON, SYSTEM_RESET) must not see what the CPU
 * held before: zero the FP/SIMD registers (which also zeroes the SVE Z
 * registers above 128 bits), FPCR and FPSR, and the pointer-authentication
 * keys the guest owns (the APIA key is switched by the world switch).
 * Clobbers x0, x1.
 */
FUNC(arch_vcpu_clear_owned_state)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	movi	v\n\().16b, #0
	.endr
	msr	fpcr, xzr
	msr	fpsr, xzr
	mrs	x0, tpidr_el2
	ldr	w1, [x0, #PERCPU_HAS_PAC]
	cbz	w1, 1f
	msr	s3_0_c2_c1_2, xzr	/* APIBKeyLo_EL1 */
	msr	s3_0_c2_c1_3, xzr	/* APIBKeyHi_EL1 */
	msr	s3_0_c2_c2_0, xzr	/* APDAKeyLo_EL1 */
	msr	s3_0_c2_c2_1, xzr	/* APDAKeyHi_EL1 */
	msr	s3_0_c2_c2_2, xzr	/* APDBKeyLo_EL1 */
	msr	s3_0_c2_c2_3, xzr	/* APDBKeyHi_EL1 */
	msr	s3_0_c2_c3_0, xzr	/* APGAKeyLo_EL1 */
	msr	s3_0_c2_c3_1, xzr	/* APGAKeyHi_EL1 */
1:	isb
	ret
ENDFUNC(arch_vcpu_clear_owned_state)
