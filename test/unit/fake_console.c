/* SPDX-License-Identifier: Apache-2.0 */
/* Test-only console sink and counter (see fake_console.h). */
#include <bulwark/arch/boot.h>
#include <bulwark/console.h>

#include <bulwark/vm.h>

#include "fake_console.h"

char fake_console_buf[FAKE_CONSOLE_SIZE];
size_t fake_console_len, fake_console_lost;
uint64_t fake_counter_now, fake_counter_hz = 62500000;

void console_hw_putc(char c)
{
	if (fake_console_len + 1 < FAKE_CONSOLE_SIZE) {
		fake_console_buf[fake_console_len++] = c;
		fake_console_buf[fake_console_len] = '\0';
	} else {
		fake_console_lost++;
	}
}

void fake_console_clear(void)
{
	fake_console_len = 0;
	fake_console_lost = 0;
	fake_console_buf[0] = '\0';
}

unsigned fake_console_lines(void)
{
	unsigned n = 0;

	for (size_t i = 0; i + 1 < fake_console_len; i++)
		if (fake_console_buf[i] == '\r' && fake_console_buf[i + 1] == '\n')
			n++;
	return n;
}

uint64_t arch_counter(void)
{
	return fake_counter_now;
}

uint64_t arch_counter_freq(void)
{
	return fake_counter_hz;
}

/* No VM has the keyboard in these tests: output is line-buffered. */
struct vm *vconsole_focus(void)
{
	return NULL;
}
