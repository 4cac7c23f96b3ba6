/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The latency benchmarks' EL1 vector table.
 *
 * IRQ from the current EL (SP_EL1): the first thing after saving two
 * registers is an ISB and a read of CNTVCT_EL0, so the stamp is as close to
 * the interrupt's arrival as the guest can see it, with no runtime code in
 * between. Then the interrupt is acknowledged (ICC_IAR1_EL1); if it is the
 * virtual timer's (INTID 27), the timer is disabled, which drops its level;
 * if it is `bench_irq_ack_intid` (a passed-through device's, spi.c), 1 is
 * written to the device register at `bench_irq_ack_addr`, which drops the
 * device's line before the interrupt ends;
 * the stamp, the INTID and a sequence number go to this vCPU's slots
 * (TPIDR_EL1 = vCPU index) and the interrupt is ended (ICC_EOIR1_EL1,
 * EOImode 0: priority drop and deactivation).
 *
 * Every other entry puts the runtime's table back (`bench_orig_vbar`) and
 * returns to where the exception was taken: a synchronous exception is
 * raised again by the same instruction, an asynchronous one is still
 * pending, and the runtime reports either as usual. TPIDR_EL0, unused by
 * the runtime, holds x0 meanwhile.
 */

#define INTID_VTIMER 27
#define INTID_SPURIOUS_MIN 1020

.macro adr_l reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
.endm

.macro fallback
	.balign	0x80
	msr	tpidr_el0, x0
	adr_l	x0, bench_orig_vbar
	ldr	x0, [x0]
	msr	vbar_el1, x0
	mrs	x0, tpidr_el0
	isb
	eret
.endm

.macro irq_entry
	.balign	0x80
	stp	x0, x1, [sp, #-32]!
	isb
	mrs	x0, cntvct_el0		/* x0 = the stamp */
	stp	x2, x3, [sp, #16]
	b	bench_irq
.endm

	.text
	.balign	0x800
	.global	bench_vector_table
bench_vector_table:
	/* Current EL with SP_EL0 */
	fallback
	fallback
	fallback
	fallback
	/* Current EL with SP_EL1 */
	fallback
	irq_entry
	fallback
	fallback
	/* Lower EL, AArch64 and AArch32 */
	.rept	8
	fallback
	.endr

/* x0 = stamp; x0-x3 saved on the stack. */
bench_irq:
	mrs	x1, icc_iar1_el1	/* x1 = IAR */
	and	w2, w1, #0xffffff	/* w2 = INTID */
	cmp	w2, #INTID_SPURIOUS_MIN
	b.hs	2f			/* nothing pending after all */
	cmp	w2, #INTID_VTIMER
	b.ne	1f
	msr	cntv_ctl_el0, xzr	/* timer off: its level drops */
	isb
1:	adr_l	x3, bench_irq_ack_intid
	ldr	w3, [x3]
	cmp	w2, w3
	b.ne	3f
	adr_l	x3, bench_irq_ack_addr	/* the device's clear register */
	ldr	x3, [x3]
	mov	w2, #1
	str	w2, [x3]		/* its level drops before the EOI */
	dsb	sy
3:	mrs	x3, tpidr_el1		/* x3 = vCPU index */
	adr_l	x2, bench_irq_stamp
	str	x0, [x2, x3, lsl #3]
	adr_l	x2, bench_irq_intid
	str	w1, [x2, x3, lsl #2]
	msr	icc_eoir1_el1, x1
	isb
	adr_l	x2, bench_irq_seq
	ldr	x0, [x2, x3, lsl #3]
	add	x0, x0, #1
	str	x0, [x2, x3, lsl #3]	/* last: the waiter reads the slots after it */
2:	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp], #32
	eret
