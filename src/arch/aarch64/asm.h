/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers for Bulwark's AArch64 assembly. */
#ifndef BULWARK_ARCH_AARCH64_ASM_H
#define BULWARK_ARCH_AARCH64_ASM_H

/* A global function: a BTI landing pad first, in case it is reached by BR/BLR. */
#define FUNC(name)            \
	.global name;         \
	.type name, %function; \
	name:                 \
	bti c

#define ENDFUNC(name) .size name, . - name

/* Loads a 64-bit random value into \reg (RNDR when the CPU has it, else the
 * counter mixed with MPIDR). Clobbers \tmp and the flags. Uses the local
 * labels 91-93, so callers must not. */
.macro rand64 reg, tmp
	mrs	\tmp, id_aa64isar0_el1
	ubfx	\tmp, \tmp, #60, #4
	cbz	\tmp, 92f
91:	mrs	\reg, s3_3_c2_c4_0	/* RNDR */
	b.eq	91b			/* Z set: no entropy yet, retry */
	b	93f
92:	mrs	\reg, cntpct_el0
	mrs	\tmp, mpidr_el1
	eor	\reg, \reg, \tmp, lsl #17
	ldr	\tmp, =0x9e3779b97f4a7c15
	mul	\reg, \reg, \tmp
	eor	\reg, \reg, \reg, lsr #29
93:
.endm

/* PC-relative address of a symbol within +/-4 GiB; works before relocation
 * and with the MMU off. */
.macro adr_l reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
.endm

#endif
