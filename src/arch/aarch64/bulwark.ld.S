/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layout of the Bulwark image. Linked at 0 as a position-independent
 * executable; boot code applies the relocations for the load address.
 *
 * Each region starts on a page so that it can be mapped with its own
 * permissions (W^X): boot-only text and data first (unmapped once every CPU
 * is up), then text (RX), read-only data (R), data and BSS (RW, never
 * executable), and the per-CPU stacks with unmapped guard pages.
 */
#include <bulwark/cpu.h>

OUTPUT_FORMAT("elf64-littleaarch64")
OUTPUT_ARCH(aarch64)
ENTRY(_head)

PHDRS
{
	image PT_LOAD FLAGS(7);
	dynamic PT_DYNAMIC FLAGS(6);
}

SECTIONS
{
	. = 0;
	__image_start = .;

	__init_text_start = .;
	.head.text : {
		KEEP(*(.text.head.start))
		QUAD(__image_end - __image_start)	/* Image header: image_size */
		KEEP(*(.text.head))
	} :image
	.init.text : { *(.text.init .text.init.*) }
	. = ALIGN(4096);
	__init_text_end = .;

	__init_data_start = .;
	.init.data : { *(.data.init .data.init.* .rodata.init .rodata.init.*) }
	. = ALIGN(8);
	/* Applied by the boot code, then dropped with the rest of boot data. */
	.rela.dyn : {
		__rela_start = .;
		*(.rela.dyn .rela.*)
		__rela_end = .;
	}
	. = ALIGN(4096);
	__init_data_end = .;

	__text_start = .;
	.text : { *(.text .text.*) }
	. = ALIGN(4096);
	__text_end = .;

	__rodata_start = .;
	.rodata : { *(.rodata .rodata.*) }
	.dynsym : { *(.dynsym) }
	.dynstr : { *(.dynstr) }
	.hash : { *(.hash .gnu.hash) }
	. = ALIGN(4096);
	__rodata_end = .;

	__data_start = .;
	.data : { *(.data .data.*) }
	.got : { *(.got .got.plt) }
	.dynamic : { *(.dynamic) } :image :dynamic
	. = ALIGN(16);
	__bss_start = .;
	.bss (NOLOAD) : { *(.bss .bss.*) *(COMMON) } :image
	. = ALIGN(16);
	__bss_end = .;
	. = ALIGN(4096);
	__data_end = .;

	.stacks (NOLOAD) : {
		__stacks_start = .;
		. += STACK_STRIDE * BULWARK_MAX_CPUS;
		__stacks_end = .;
	}
	. = ALIGN(4096);
	__image_end = .;

	/DISCARD/ : { *(.interp) *(.note.*) *(.comment) *(.eh_frame*) }
}
