/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The console: the platform's PL011 UART, polled; at QEMU virt's 0x0900_0000
 * unless the devicetree names another (platform.h).
 *
 * `gprintf` is line-atomic: one call's output is written under a spinlock
 * with IRQs masked, so lines from several vCPUs (and from interrupt
 * handlers) never interleave. A call should print whole lines.
 *
 * Format directives: %d %i %u %x %X %c %s %p %%, with the flags `-` and `0`,
 * a field width (digits or `*`), and the length modifiers `l`, `ll`, `z`.
 */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <guest/platform.h>

/* QEMU virt's (and Bulwark's) PL011; the runtime uses `console_base()`. */
#define PL011_BASE PLATFORM_DEFAULT_UART
#define PL011_DR 0x000
#define PL011_FR 0x018
#define PL011_IBRD 0x024
#define PL011_FBRD 0x028
#define PL011_LCR_H 0x02c
#define PL011_CR 0x030
#define PL011_IMSC 0x038
#define PL011_PERIPHID0 0xfe0
#define PL011_PCELLID0 0xff0

#define PL011_FR_BUSY (1u << 3)
#define PL011_FR_RXFE (1u << 4)
#define PL011_FR_TXFF (1u << 5)
#define PL011_FR_TXFE (1u << 7)
#define PL011_CR_UARTEN (1u << 0)
#define PL011_CR_TXE (1u << 8)
#define PL011_CR_RXE (1u << 9)
#define PL011_LCR_H_FEN (1u << 4)
#define PL011_LCR_H_WLEN8 (3u << 5)

/* Enables the UART (8N1, FIFOs on, interrupts masked; an SBSA UART only
 * gets its interrupts masked). Called by the boot code on vCPU 0 before
 * `main`, after `platform_init()`; the UART is not set up again. */
void console_init(void);

/* The UART's registers (QEMU virt's until `console_init()` ran). */
uintptr_t console_base(void);

/* Writes `fmt` formatted to the console as one unit. Any vCPU, any context
 * (IRQ handlers included). Returns the number of characters written. */
int gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int gvprintf(const char *fmt, va_list ap);

/* Formats into `buf` (always NUL-terminated when `size` > 0). Returns the
 * length the output would have had, as C's snprintf. */
int gsnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int gvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Waits until the UART has sent everything (UARTFR.TXFE set, BUSY clear),
 * or about 10 ms passed. */
void console_flush(void);

/* Releases the console lock if this vCPU holds it: used when an exception
 * abandons a `gprintf` half-way and execution resumes elsewhere. */
void console_unlock_if_owner(void);

#endif /* GUEST_CONSOLE_H */
