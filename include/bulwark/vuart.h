/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PL011 each VM sees as its console. Output lines go to the hypervisor
 * console prefixed with the VM's name; input comes from the console when
 * the keyboard is switched to this VM.
 */
#ifndef BULWARK_VUART_H
#define BULWARK_VUART_H

#include <bulwark/fastmmio.h>
#include <bulwark/spinlock.h>
#include <bulwark/types.h>

#define VUART_BASE 0x09000000ULL
#define VUART_SIZE 0x1000ULL
#define VUART_INTID 33
#define VUART_LINE 160
#define VUART_RX_SIZE 64
#define VUART_HISTORY 8192u     /* bytes of output kept for the management API */

struct vuart {
	struct spinlock lock;
	uint32_t cr, imsc, ris, lcr_h, ibrd, fbrd, ifls;
	char line[VUART_LINE];
	unsigned line_len;
	uint8_t rx[VUART_RX_SIZE];
	unsigned rx_head, rx_count;
	uint64_t dropped;       /* lines not printed: over the rate limit */
	uint64_t tokens_at;     /* counter value when `tokens` was last updated */
	uint32_t tokens;        /* lines it may print now (token bucket) */
	uint64_t note_at;       /* when the last "lines dropped" note went out */
	bool irq_level;         /* the interrupt line as last given to the vGIC */
	uint64_t *fr_fast[2];   /* UARTFR in the VM's fast-MMIO table (32-, 16-bit reads) */
	struct fastsink tx;     /* fast writes of UARTDR: printable characters join `line` */
	uint64_t history_seq;   /* bytes of output since the device was created */
	uint8_t history[VUART_HISTORY]; /* the last of them, as printed (lines as they end) */
};

struct vm;

/* Resets the device (registers, FIFO, line) and its console rate limit;
 * what vuart_add_fast_reads() put in the fast-read table stays there, and
 * is kept up to date. */
void vuart_reset(struct vuart *u);
/* Resets the device but keeps the rate limit (a VM's SYSTEM_RESET). */
void vuart_reset_regs(struct vuart *u);
/* Puts in the VM's fast-MMIO table (include/bulwark/fastmmio.h): reads of
 * UARTFR (kept up to date) and of the identification registers, and writes
 * of UARTDR, which append a printable character to the line while it has
 * room and the transmit interrupt status is set already (so that the write
 * changes nothing else). Once, when the VM is created, after vuart_reset(). */
void vuart_add_fast_mmio(struct vm *vm);
/* Emulates a register access; false if @off is outside the UART. */
bool vuart_mmio(struct vm *vm, uint64_t off, unsigned size, bool write, uint64_t *val);
/* Feeds a character typed on the console; false when the FIFO is full. */
bool vuart_input(struct vm *vm, char c);
/* Writes out any partial line and the count of lines the rate limit dropped
 * (at most once a second, or now if the VM is @stopping): the VM stops or
 * resets. */
void vuart_flush(struct vm *vm, bool stopping);
/* Copies at most @max bytes of the output history from sequence number
 * *@seq (moved up to the oldest byte kept if older) into @buf; returns the
 * count and advances *@seq past them. @oldest gets the oldest kept. */
size_t vuart_history_read(struct vm *vm, uint64_t *seq, uint8_t *buf, size_t max,
			  uint64_t *oldest);

#endif
