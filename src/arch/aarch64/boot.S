/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry points of the Bulwark image.
 *
 * The image starts with the Linux arm64 Image header, so QEMU's -kernel,
 * U-Boot's booti and any Linux loader can start it. The loader enters
 * `primary_entry` at EL2 with the MMU off and x0 = physical address of the
 * devicetree. The image is position independent: it runs where it was
 * loaded, applies its own R_AARCH64_RELATIVE relocations, and later maps
 * itself at VA == PA.
 *
 * Secondary CPUs enter `secondary_entry` through PSCI CPU_ON with
 * x0 = their index in the hypervisor's CPU table.
 */
#include <bulwark/arch/aarch64/sysregs.h>
#include <bulwark/cpu.h>
#include <bulwark/offsets.h>
#include "asm.h"

/* Sets TPIDR_EL2, SP, the emergency SP and VBAR_EL2 for the CPU whose
 * index is in \idx.
 * Clobbers x1, x2. */
.macro cpu_setup idx
	adr_l	x1, percpu
	mov	x2, #PERCPU_SIZE
	madd	x1, \idx, x2, x1
	msr	tpidr_el2, x1
	adr_l	x1, __stacks_start
	mov	x2, #STACK_STRIDE
	madd	x1, \idx, x2, x1	/* x1 = [guard][emergency][guard][stack] */
	add	x2, x1, #(2 * STACK_GUARD_SIZE + EMERG_STACK_SIZE)
	add	x2, x2, #STACK_SIZE
	mov	sp, x2
	add	x1, x1, #(STACK_GUARD_SIZE + EMERG_STACK_SIZE)
	mrs	x2, tpidr_el2
	str	x1, [x2, #PERCPU_EMERG_SP]
	adr_l	x1, exception_vectors
	msr	vbar_el2, x1
	isb
.endm

	.section .text.head.start, "ax"
	.global _head
_head:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: 2 MiB aligned base + 0 */
	/* image_size (including BSS and stacks) is written by the linker script:
	 * a link-time constant, where a symbol would need a relocation. */

	.section .text.head, "ax"
	.quad	0xa			/* flags: LE, 4 KiB pages, anywhere in RAM */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE header */

primary_entry:
	mov	x21, x0			/* x21 = devicetree PA */
	msr	daifset, #DAIF_ALL
	mrs	x1, CurrentEL
	cmp	x1, #CURRENTEL_EL2
	b.ne	not_el2

	ldr	x1, =SCTLR_EL2_RES1	/* MMU, caches, alignment checks off */
	msr	sctlr_el2, x1
	mov	x1, #HCR_RW
	msr	hcr_el2, x1
	isb

	/* Zero BSS (16-byte aligned by the linker script). */
	adr_l	x1, __bss_start
	adr_l	x2, __bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b

	/* Relocate: x0 = load address (the image is linked at 0). */
2:	adr_l	x0, _head
	adr_l	x1, __rela_start
	adr_l	x2, __rela_end
3:	cmp	x1, x2
	b.hs	4f
	ldp	x3, x4, [x1], #16	/* r_offset, r_info */
	ldr	x5, [x1], #8		/* r_addend */
	cmp	w4, #1027		/* R_AARCH64_RELATIVE */
	b.ne	bad_reloc
	add	x5, x5, x0
	str	x5, [x0, x3]
	b	3b

	/* A random stack protector canary before any C code runs. */
4:	rand64	x1, x2
	adr_l	x2, __stack_chk_guard
	str	x1, [x2]

	mov	x19, #0
	cpu_setup x19
	mov	x0, x21
	bl	boot_primary_init	/* builds the EL2 tables, MMU on; returns */
	bl	pac_enable
	b	bulwark_main

not_el2:
bad_reloc:
	wfe
	b	not_el2

	.text
/*
 * x0 = CPU index (the PSCI context ID we passed). MMU off.
 */
FUNC(secondary_entry)
	mov	x19, x0
	msr	daifset, #DAIF_ALL
	ldr	x1, =SCTLR_EL2_RES1
	msr	sctlr_el2, x1
	mov	x1, #HCR_RW
	msr	hcr_el2, x1
	isb
	cmp	x19, #BULWARK_MAX_CPUS
	b.hs	not_el2
	cpu_setup x19

	/* Same translation regime as the boot CPU. */
	adr_l	x1, boot_mmu_regs
	ldp	x2, x3, [x1]		/* MAIR, TCR */
	ldp	x4, x5, [x1, #16]	/* TTBR0, SCTLR */
	msr	mair_el2, x2
	msr	tcr_el2, x3
	msr	ttbr0_el2, x4
	isb
	tlbi	alle2
	dsb	nsh
	isb
	msr	sctlr_el2, x5
	isb

	bl	pac_enable
	mov	x0, x19
	b	secondary_main
ENDFUNC(secondary_entry)

/*
 * Gives this CPU random pointer-authentication keys and turns on
 * instruction-address signing at EL2, when the CPU has PAC. Must be called
 * from assembly before any C function that returns: frames signed before
 * the switch would fail to authenticate after it. Clobbers x0-x3.
 */
FUNC(pac_enable)
	/* APA[7:4] or API[11:8]. (QARMA3-only CPUs, ID_AA64ISAR2_EL1.APA3,
	 * are not detected: that register is undefined on older cores.) */
	mrs	x0, id_aa64isar1_el1
	mov	x1, #(0xff << 4)
	tst	x0, x1
	b.eq	2f
	mrs	x1, tpidr_el2
	rand64	x2, x3
	msr	s3_0_c2_c1_0, x2	/* APIAKeyLo_EL1 */
	str	x2, [x1, #PERCPU_APIA]
	rand64	x2, x3
	msr	s3_0_c2_c1_1, x2	/* APIAKeyHi_EL1 */
	str	x2, [x1, #PERCPU_APIA + 8]
	mov	w2, #1
	str	w2, [x1, #PERCPU_HAS_PAC]
	mrs	x0, sctlr_el2
	orr	x0, x0, #SCTLR_ENIA
	msr	sctlr_el2, x0
	isb
2:	ret
ENDFUNC(pac_enable)
