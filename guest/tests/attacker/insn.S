/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Instructions the attacker needs exactly, written out by hand: MMIO forms
 * that give the hypervisor no syndrome (writeback, pairs, exclusives,
 * atomics, SIMD, DC ZVA), loads with sign extension, HVC/SMC with non-zero
 * immediates, FP/SIMD register state, and a run of Thumb code at AArch32
 * EL0.
 *
 * Each faulting access is one instruction, and every output register is
 * preloaded with POISON first: when the trap hook (main.c) steps over the
 * instruction, the caller sees POISON and knows the access did not happen.
 * Functions returning `struct pair` give x0 and x1 (AAPCS64: a 16-byte
 * composite comes back in x0/x1).
 */
	.arch	armv8.1-a+lse+fp+simd

#define POISON_LO 0x0bad
#define POISON_HI 0xc0de

/* \reg = 0x0badc0de0badc0de */
.macro poison reg
	movz	\reg, #POISON_HI
	movk	\reg, #POISON_LO, lsl #16
	movk	\reg, #POISON_HI, lsl #32
	movk	\reg, #POISON_LO, lsl #48
.endm

.macro func name
	.text
	.balign	4
	.global	\name
	.type	\name, %function
\name:
.endm

.macro adr_l reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
.endm

/* struct pair ins_ldr_post(uintptr_t a): { value, base after } (x0 = a). */
func ins_ldr_post
	poison	x2
	mov	x3, x0
	ldr	x2, [x3], #8
	mov	x0, x2
	mov	x1, x3
	ret

/* struct pair ins_str_pre(uintptr_t a, uint64_t v): { base after, 0 };
 * stores w1 at a + 4 with pre-index writeback. */
func ins_str_pre
	mov	x3, x0
	str	w1, [x3, #4]!
	mov	x0, x3
	mov	x1, #0
	ret

/* struct pair ins_ldp(uintptr_t a): the two words loaded. */
func ins_ldp
	poison	x2
	poison	x3
	ldp	w2, w3, [x0]
	mov	x0, x2
	mov	x1, x3
	ret

/* void ins_stp(uintptr_t a, uint64_t v) */
func ins_stp
	stp	w1, w1, [x0]
	ret

/* uint64_t ins_ldxr(uintptr_t a) */
func ins_ldxr
	poison	x2
	ldxr	w2, [x0]
	mov	x0, x2
	ret

/* uint64_t ins_stxr(uintptr_t a, uint64_t v): the status (0 = stored). */
func ins_stxr
	poison	x2
	stxr	w2, w1, [x0]
	mov	x0, x2
	ret

/* uint64_t ins_ldadd(uintptr_t a, uint64_t v): the old value. */
func ins_ldadd
	poison	x2
	ldadd	w1, w2, [x0]
	mov	x0, x2
	ret

/* uint64_t ins_swp(uintptr_t a, uint64_t v) */
func ins_swp
	poison	x2
	swp	w1, w2, [x0]
	mov	x0, x2
	ret

/* uint64_t ins_cas(uintptr_t a, uint64_t v): compares with 0. */
func ins_cas
	mov	x2, #0
	cas	w2, w1, [x0]
	mov	x0, x2
	ret

/* FP/SIMD must be enabled (CPACR_EL1.FPEN) by the caller for these. */
/* struct pair ins_ldr_q(uintptr_t a): the 128 bits loaded into q0. */
func ins_ldr_q
	poison	x2
	fmov	d0, x2
	ins	v0.d[1], x2
	ldr	q0, [x0]
	fmov	x0, d0
	mov	x1, v0.d[1]
	ret

/* struct pair ins_ld1(uintptr_t a) */
func ins_ld1
	poison	x2
	fmov	d0, x2
	ins	v0.d[1], x2
	ld1	{v0.4s}, [x0]
	fmov	x0, d0
	mov	x1, v0.d[1]
	ret

/* void ins_str_s(uintptr_t a, uint64_t v): stores w1 from s0. */
func ins_str_s
	fmov	s0, w1
	str	s0, [x0]
	ret

/* void ins_dc_zva(uintptr_t a) */
func ins_dc_zva
	dc	zva, x0
	ret

/* uint64_t ins_ldar(uintptr_t a): 32-bit load-acquire. */
func ins_ldar
	poison	x2
	ldar	w2, [x0]
	mov	x0, x2
	ret

/* void ins_stlr(uintptr_t a, uint64_t v): 32-bit store-release. */
func ins_stlr
	stlr	w1, [x0]
	ret

/* Sign-extending loads into X (SF = 1) and W (SF = 0) registers. */
func ins_ldrsb_x
	poison	x2
	ldrsb	x2, [x0]
	mov	x0, x2
	ret

func ins_ldrsb_w
	poison	x2
	ldrsb	w2, [x0]
	mov	x0, x2
	ret

func ins_ldrsh_x
	poison	x2
	ldrsh	x2, [x0]
	mov	x0, x2
	ret

func ins_ldrsw_x
	poison	x2
	ldrsw	x2, [x0]
	mov	x0, x2
	ret

/* uint64_t fp_get_v31(void), void fp_set_v31(uint64_t): the low 64 bits of v31. */
func fp_set_v31
	fmov	d31, x0
	ret

func fp_get_v31
	fmov	x0, d31
	ret

/* HVC and SMC with each immediate the probes use: x0-x3 in, x0 out. */
.macro conduit insn, imm
func \insn\()_\imm
	\insn	#\imm
	ret
.endm
	conduit	hvc, 0
	conduit	hvc, 1
	conduit	hvc, 0x42
	conduit	hvc, 0xffff
	conduit	smc, 0
	conduit	smc, 1
	conduit	smc, 0xffff

/*
 * EL0. `el0_enter(entry, x1, spsr)` erets to `entry` at EL0 with SPSR_EL1 =
 * `spsr` (AArch32 User mode in Thumb state, or EL0t), x1 (r1) as given and
 * x2 (r2) = 0. Whatever exception comes back to EL1 goes to `a32_vectors`,
 * which records ESR, ELR, FAR and x2 in `a32_last` and long-jumps to
 * `a32_jmp` (set by the C caller with guest_setjmp).
 */
func el0_enter
	msr	elr_el1, x0
	msr	spsr_el1, x2
	mov	x2, #0
	isb
	eret
	dsb	nsh
	isb

	.balign	0x800
	.global	a32_vectors
a32_vectors:
	.rept	16
	.balign	0x80
	b	a32_catch
	.endr

a32_catch:
	adr_l	x9, a32_last
	mrs	x10, esr_el1
	str	x10, [x9]
	mrs	x10, elr_el1
	str	x10, [x9, #8]
	str	x2, [x9, #16]
	mrs	x10, far_el1
	str	x10, [x9, #24]
	adr_l	x0, a32_jmp
	b	guest_longjmp

/* Thumb code run at EL0: one 16-bit LDR from [r1], then r2 += 1 twice and
 * SVC. Resuming past the LDR correctly gives r2 = 2 at the SVC; resuming one
 * 16-bit instruction too far gives r2 = 1. */
	.balign	4
	.global	a32_thumb_mmio
a32_thumb_mmio:
	.hword	0x6808			/* ldr   r0, [r1, #0] */
	.hword	0x1c52			/* adds  r2, r2, #1 */
	.hword	0x1c52			/* adds  r2, r2, #1 */
	.hword	0xdf00			/* svc   #0 */
	.hword	0xe7fe			/* b     . */
	.hword	0xe7fe
	.balign	4

/* AArch64 code run at EL0: an LDP from [x1] (no syndrome on MMIO), then SVC. */
	.global	a64_el0_ldp
a64_el0_ldp:
	ldp	w2, w3, [x1]
	svc	#0
	b	.
