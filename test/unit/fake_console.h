/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only console sink and counter: `console_hw_putc()` records what the
 * console (src/core/console.c) writes, and `arch_counter()` /
 * `arch_counter_freq()` return what the test sets, so tests control time.
 */
#ifndef BULWARK_TEST_FAKE_CONSOLE_H
#define BULWARK_TEST_FAKE_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#define FAKE_CONSOLE_SIZE (1u << 20)

/* Everything written since the last clear, NUL-terminated. Output past
 * FAKE_CONSOLE_SIZE - 1 bytes is counted in `fake_console_lost`. */
extern char fake_console_buf[FAKE_CONSOLE_SIZE];
extern size_t fake_console_len, fake_console_lost;

void fake_console_clear(void);
/* Number of "\r\n"-terminated lines in the buffer. */
unsigned fake_console_lines(void);

/* The fake counter: `arch_counter()` returns fake_counter_now. */
extern uint64_t fake_counter_now, fake_counter_hz;

#endif
