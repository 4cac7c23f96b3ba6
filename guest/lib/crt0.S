/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry of a bare-metal guest image.
 *
 * The image starts with the Linux arm64 Image header, so any loader of
 * Linux (QEMU -kernel, Bulwark) places it at RAM base + 2 MiB and enters
 * `_head` at EL1h with the MMU off, DAIF masked and x0 = devicetree address
 * (or 0). The image is linked at GUEST_LOAD_ADDR and is not relocatable: if
 * it finds itself elsewhere it says so on the UART and stops.
 *
 * Secondary vCPUs enter `guest_secondary_entry` through PSCI CPU_ON with
 * x0 = context id = their vCPU index.
 */

#define GUEST_MAX_CPUS 8
#define GUEST_STACK_SIZE 16384
#define EXC_FRAME_SIZE 272
#define PL011_BASE 0x09000000
#define PL011_FR_TXFF (1 << 5)

/* SCTLR_EL1: RES1 bits of Armv8.0 (EOS, TSCXT, EIS, SPAN, nTLSMD, LSMAOE);
 * MMU, caches and alignment checks off, little-endian. */
#define SCTLR_EL1_BOOT 0x30d00800

	.section .text.head, "ax"
	.global _head
_head:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: load at RAM base + 2 MiB */
	.quad	__image_size		/* image_size: image, BSS and stacks */
	.quad	0xa			/* flags: LE, 4 KiB pages, 2 MiB aligned base anywhere */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE header */

/* Sets up the calling vCPU: SCTLR_EL1, CPACR_EL1 (FP/SIMD traps: the guests
 * are built general-registers-only), VBAR_EL1, TPIDR_EL1 = \idx and the stack
 * of vCPU \idx. Clobbers x1-x3. */
.macro cpu_setup idx
	ldr	x1, =SCTLR_EL1_BOOT
	msr	sctlr_el1, x1
	msr	cpacr_el1, xzr
	adr	x1, exception_vectors
	msr	vbar_el1, x1
	msr	tpidr_el1, \idx
	adr_l	x1, guest_stacks
	add	x2, \idx, #1
	mov	x3, #GUEST_STACK_SIZE
	madd	x1, x2, x3, x1		/* top of stack \idx */
	mov	sp, x1
	isb
.endm

.macro adr_l reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
.endm

	.text
primary_entry:
	mov	x19, x0			/* x19 = devicetree address */
	msr	daifset, #0xf

	/* Linked address == run address? */
	adr	x1, _head
	ldr	x2, =_head
	cmp	x1, x2
	b.ne	wrong_address

	/* Zero BSS (16-byte aligned by the linker script); the stacks are in it. */
	adr_l	x1, __bss_start
	adr_l	x2, __bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	mov	x0, #0
	cpu_setup x0
	mov	x0, x19
	bl	boot_primary		/* does not return */
	b	guest_halt

	.global guest_secondary_entry
guest_secondary_entry:
	msr	daifset, #0xf
	cmp	x0, #GUEST_MAX_CPUS	/* x0 = vCPU index (context id) */
	b.hs	3f
	cbz	x0, 3f			/* index 0 is the boot vCPU */
	mov	x19, x0
	cpu_setup x19
	mov	x0, x19
	bl	cpu_boot_secondary	/* does not return */
3:	wfi
	b	3b

/* Loaded at the wrong address: print a line with PC-relative code only. */
wrong_address:
	adr	x1, wrong_msg
	mov	x2, #PL011_BASE
4:	ldrb	w3, [x1], #1
	cbz	w3, 6f
5:	ldr	w4, [x2, #0x18]
	tbnz	w4, #5, 5b		/* UARTFR.TXFF */
	str	w3, [x2]
	b	4b
6:	wfi
	b	6b
wrong_msg:
	.asciz	"guest: image linked at 0x40200000 but loaded elsewhere; stopped\r\n"
	.balign	4

/* int guest_setjmp(struct guest_jmp_buf *b): saves x19-x30, SP and DAIF;
 * returns 0, then again 1 after `guest_longjmp(b)`. */
	.global guest_setjmp
guest_setjmp:
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x1, sp
	mrs	x2, daif
	stp	x1, x2, [x0, #96]
	mov	x0, #0
	ret

	.global guest_longjmp
guest_longjmp:
	ldp	x19, x20, [x0, #0]
	ldp	x21, x22, [x0, #16]
	ldp	x23, x24, [x0, #32]
	ldp	x25, x26, [x0, #48]
	ldp	x27, x28, [x0, #64]
	ldp	x29, x30, [x0, #80]
	ldp	x1, x2, [x0, #96]
	mov	sp, x1
	msr	daif, x2
	mov	x0, #1
	ret

/*
 * The EL1 vector table. Each entry saves x0/x1, puts the vector kind
 * (enum exc_kind) in x0 and branches to the common path, which saves a
 * struct exc_frame on the current stack (SP_EL1) and calls
 * exc_handle(kind, frame). Handlers return to the (possibly changed) ELR and
 * SPSR in the frame.
 */
.macro ventry kind
	.balign	0x80
	sub	sp, sp, #EXC_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	exc_common
.endm

	.balign	0x800
exception_vectors:
	.irp	kind, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	ventry	\kind
	.endr

exc_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x1, elr_el1
	stp	x30, x1, [sp, #240]
	mrs	x1, spsr_el1
	str	x1, [sp, #256]
	mov	x1, sp			/* x0 = kind, x1 = frame */
	bl	exc_handle
	ldr	x1, [sp, #256]
	msr	spsr_el1, x1
	ldp	x30, x1, [sp, #240]
	msr	elr_el1, x1
	ldp	x28, x29, [sp, #224]
	ldp	x26, x27, [sp, #208]
	ldp	x24, x25, [sp, #192]
	ldp	x22, x23, [sp, #176]
	ldp	x20, x21, [sp, #160]
	ldp	x18, x19, [sp, #144]
	ldp	x16, x17, [sp, #128]
	ldp	x14, x15, [sp, #112]
	ldp	x12, x13, [sp, #96]
	ldp	x10, x11, [sp, #80]
	ldp	x8, x9, [sp, #64]
	ldp	x6, x7, [sp, #48]
	ldp	x4, x5, [sp, #32]
	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #EXC_FRAME_SIZE
	eret

	.ltorg

	.bss
	.balign	16
	.global guest_stacks
guest_stacks:
	.space	GUEST_MAX_CPUS * GUEST_STACK_SIZE
