/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: the virtual PL011 (src/vdev/vuart.c) under a hostile
 * guest, with the real console (src/core/console.c) writing into a fake
 * sink and a fake counter (test/unit/fake_console.c).
 *
 * Input: a sequence of operations: register reads and writes at any offset
 * with sizes 1/2/4/8, bursts of characters to UARTDR, characters typed on
 * the console, time passing, flushes and resets. Checked after each: the
 * FIFO and line buffer stay in bounds, the interrupt line the vGIC was last
 * told matches RIS & IMSC, the token bucket never exceeds a burst, and
 * every console line is the notice of dropped lines (a positive count) or
 * "[name] " followed by at most VUART_LINE - 1
 * characters without control characters (ESC excepted for now: vuart.c
 * lets it through, reported as a bug; see test_escape_is_replaced), and
 * every register in the VM's fast-MMIO table (UARTFR, the identification
 * registers) holds what a read through vuart_mmio() returns. A character
 * written to UARTDR goes through the vector's fast write when it takes it
 * (src/arch/fake/fastmmio.c plays guest.S); each time, the same write is
 * also made through vuart_mmio() from the state before, and both must leave
 * the same device state and console output.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulwark/arch/fake/fastmmio.h>
#include <bulwark/console.h>
#include <bulwark/fastmmio.h>
#include <bulwark/vm.h>
#include <bulwark/vuart.h>

#include "../unit/fake_console.h"

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PREFIX "[fz] "

static struct vm vm;
static bool level, level_known;

void vgic_set_level(struct vm *v, uint32_t intid, bool l)
{
	if (v != &vm || intid != VUART_INTID)
		abort();
	level = l;
	level_known = true;
}


static void fail(const char *what)
{
	fprintf(stderr, "fuzz_vuart: %s\n", what);
	abort();
}

/* The fast-MMIO table answers as vuart_mmio() does. */
static void check_fast_reads(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < FASTMMIO_SLOTS; i++) {
		const struct fastmmio *e = &vm.fastmmio[i];

		if (!e->key)
			continue;
		uint64_t ipa = e->key >> 4, v = 0;
		unsigned size = 1u << (e->key & 3);

		n++;
		if (e->key & 4) { /* UARTDR's fast writes */
			if (ipa != VUART_BASE || e->val != (uint64_t)(uintptr_t)&vm.uart.tx)
				fail("a fast write that is not UARTDR's into the line");
			continue;
		}

		if (!vuart_mmio(&vm, ipa - VUART_BASE, size, false, &v))
			fail("a fast-read register the UART does not claim");
		if (size < 8)
			v &= (1ULL << (8 * size)) - 1;
		if (v != e->val)
			fail("a fast read gives another value than a read returns");
	}
	if (n != 13)
		fail("the fast-MMIO table lost entries");
}

/* A write of @v (@size bytes) to UARTDR, by the vector if it takes it:
 * then also by vuart_mmio() from the state before, to compare. */
static void dr_write(uint64_t v, unsigned size)
{
	static struct vuart before, fast;
	size_t len = fake_console_len;
	uint64_t w = v;

	before = vm.uart;
	if (!fake_fastmmio(&vm, VUART_BASE, size, true, &w)) {
		vuart_mmio(&vm, 0, size, true, &w);
		return;
	}
	fast = vm.uart;
	if (fake_console_len != len)
		fail("a fast write wrote to the console");
	vm.uart = before;
	w = v;
	vuart_mmio(&vm, 0, size, true, &w);
	fast.lock = vm.uart.lock; /* the tickets: one lock each */
	if (memcmp(&fast, &vm.uart, sizeof(fast)) != 0)
		fail("a fast write left the UART otherwise than vuart_mmio()");
	if (fake_console_len != len)
		fail("vuart_mmio() wrote to the console where a fast write did not");
}

/* Checks the console lines written since the last call. */
static void check_console(void)
{
	static size_t done;
	const size_t plen = strlen(PREFIX);

	if (fake_console_len < done)
		done = 0; /* cleared */
	for (;;) {
		char *start = fake_console_buf + done;
		char *end = strstr(start, "\r\n");

		if (!end)
			break;
		size_t len = (size_t)(end - start);
		unsigned long n;
		int used = 0;

		/* The hypervisor's own note of lines the rate limit dropped. */
		*end = '\0';
		if (sscanf(start, "notice: vm 'fz': %lu console lines dropped (rate limit: 200 lines "
			   "a second after a burst of 2000)%n", &n, &used) == 1 &&
		    (size_t)used == len && n > 0) {
			*end = '\r';
			done = (size_t)(end + 2 - fake_console_buf);
			continue;
		}
		*end = '\r';
		if (len < plen || memcmp(start, PREFIX, plen) != 0)
			fail("console line without the VM's prefix");
		if (len - plen > VUART_LINE - 1)
			fail("console line longer than the line buffer");
		for (size_t i = plen; i < len; i++) {
			unsigned char c = (unsigned char)start[i];

			if ((c < 0x20 && c != '\t') || c >= 0x7f)
				fail("control character on the console");
		}
		done = (size_t)(end + 2 - fake_console_buf);
	}
	if (fake_console_len > FAKE_CONSOLE_SIZE / 2) {
		fake_console_clear();
		done = 0;
	}
}

static void check(void)
{
	const struct vuart *u = &vm.uart;

	if (u->rx_count > VUART_RX_SIZE || u->rx_head >= VUART_RX_SIZE)
		fail("receive FIFO out of bounds");
	if (u->line_len >= VUART_LINE)
		fail("line buffer overflow");
	if (u->tokens > 2000)
		fail("token bucket above a burst");
	if (level_known && level != ((u->ris & u->imsc) != 0))
		fail("interrupt line does not match RIS & IMSC");
	if (u->imsc & ~0x7ffu)
		fail("IMSC holds unimplemented bits");
	check_console();
	check_fast_reads();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	struct input in = { data, size };

	memset(&vm, 0, sizeof(vm));
	memcpy(vm.name, "fz", 3);
	fake_counter_now = take(&in, 2) << 20;
	fake_counter_hz = (take(&in, 1) & 1) ? 62500000 : 1000000000;
	console_init();
	console_set_level(LOG_INFO);
	fake_console_clear();
	level_known = false;
	vuart_reset(&vm.uart);
	vuart_add_fast_mmio(&vm);
	check();

	for (unsigned steps = 0; in.left && steps < 8192; steps++) {
		unsigned op = (unsigned)take(&in, 1);

		switch (op & 7) {
		case 0: case 1: { /* a register access */
			uint64_t off = take(&in, 2) & 0x1fff;
			unsigned a = (unsigned)take(&in, 1);
			uint64_t val = take(&in, a & 0x80 ? 1 : 4), v = val;
			bool write = a & 4;
			bool done = vuart_mmio(&vm, (op & 1) ? off & 0xffc : off, sizes[a & 3], write, &v);

			if (done != ((off & ((op & 1) ? 0xffc : 0x1fff)) < VUART_SIZE &&
				     sizes[a & 3] <= 4))
				fail("access claimed or refused wrongly");
			if (!done && v != val)
				fail("refused access changed the value");
			break;
		}
		case 2: { /* a string to UARTDR */
			unsigned n = (unsigned)take(&in, 1) % 64;

			for (unsigned i = 0; i < n && in.left; i++) {
				uint64_t v = take(&in, 1);

				dr_write(v | (i & 1 ? 0 : v << 9), 1u << (i % 3));
			}
			break;
		}
		case 3: /* keyboard input */
			vuart_input(&vm, (char)take(&in, 1));
			break;
		case 4: /* time passes */
			fake_counter_now += take(&in, 1) << (take(&in, 1) & 31);
			break;
		case 5:
			vuart_flush(&vm, take(&in, 1) & 1);
			break;
		case 6: { /* many lines at once: the rate limit */
			unsigned n = (unsigned)take(&in, 2) % 4096;

			for (unsigned i = 0; i < n; i++) {
				uint64_t v = i % 7 ? 'a' + i % 26 : '\n';

				vuart_mmio(&vm, 0, 4, true, &v);
			}
			break;
		}
		case 7:
			if ((take(&in, 1) & 0x1f) == 0) {
				vuart_reset(&vm.uart);
				level_known = false;
			}
			break;
		}
		check();
	}
	return 0;
}
