/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual PL011 (src/vdev/vuart.c): every register, the receive FIFO,
 * the interrupt line (through this file's `vgic_set_level()`), and the
 * output path through the real console (src/core/console.c) into a fake
 * sink, with a fake counter so the test controls time and can check the
 * rate limit to the line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bulwark/arch/fake/fastmmio.h>
#include <bulwark/drivers/pl011_regs.h>
#include <bulwark/console.h>
#include <bulwark/fastmmio.h>
#include <bulwark/vm.h>
#include <bulwark/vuart.h>

#include "fake_console.h"

#define FR_RXFE 0x10u
#define FR_RXFF 0x40u
#define FR_TXFE 0x80u
#define INT_RX 0x10u
#define INT_TX 0x20u
#define INT_RT 0x40u

#define BURST 2000
#define RATE 200
#define HZ 62500000ULL

static struct vm vm;
static unsigned level_calls;
static bool level;

void vgic_set_level(struct vm *v, uint32_t intid, bool l)
{
	assert_ptr_equal(v, &vm);
	assert_int_equal(intid, VUART_INTID);
	level_calls++;
	level = l;
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memcpy(vm.name, "guest", 6);
	fake_counter_hz = HZ;
	fake_counter_now = 1000;
	console_init();
	console_set_level(LOG_INFO);
	vuart_reset(&vm.uart);
	fake_console_clear();
	level_calls = 0;
	level = false;
	return 0;
}

static uint64_t rd(uint64_t off)
{
	uint64_t v = 0xa5a5a5a5a5a5a5a5ULL;

	assert_true(vuart_mmio(&vm, off, 4, false, &v));
	return v;
}

static void wr(uint64_t off, uint64_t val)
{
	uint64_t v = val;

	assert_true(vuart_mmio(&vm, off, 4, true, &v));
}

static void say(const char *s)
{
	for (; *s; s++) {
		uint64_t v = (uint8_t)*s;

		assert_true(vuart_mmio(&vm, UARTDR, 1, true, &v));
	}
}

/* ---- Registers ---------------------------------------------------------- */

static void test_reset_values(void **state)
{
	(void)state;
	assert_int_equal(rd(UARTCR), 0x300); /* TXE, RXE */
	assert_int_equal(rd(UARTIFLS), 0x12);
	assert_int_equal(rd(UARTIMSC), 0);
	assert_int_equal(rd(UARTRIS), 0);
	assert_int_equal(rd(UARTMIS), 0);
	assert_int_equal(rd(UARTLCR_H), 0);
	assert_int_equal(rd(UARTIBRD), 0);
	assert_int_equal(rd(UARTFBRD), 0);
	assert_int_equal(rd(UARTFR), FR_TXFE | FR_RXFE);
	assert_int_equal(rd(UARTDR), 0); /* nothing received */
	assert_false(level);
}

static void test_id_registers(void **state)
{
	static const uint8_t ids[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

	(void)state;
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(rd(0xfe0 + 4 * i), ids[i]);
		wr(0xfe0 + 4 * i, 0); /* read-only */
		assert_int_equal(rd(0xfe0 + 4 * i), ids[i]);
	}
}

static void test_register_masks(void **state)
{
	static const struct { uint32_t off, mask; } regs[] = {
		{ UARTIBRD, 0xffff }, { UARTFBRD, 0x3f }, { UARTLCR_H, 0xff },
		{ UARTCR, 0xff87 },   { UARTIFLS, 0x3f }, { UARTIMSC, 0x7ff },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++) {
		wr(regs[i].off, 0xffffffffffffffffULL);
		assert_int_equal(rd(regs[i].off), regs[i].mask);
		wr(regs[i].off, 0);
		assert_int_equal(rd(regs[i].off), 0);
		wr(regs[i].off, 0x12345678);
		assert_int_equal(rd(regs[i].off), 0x12345678 & regs[i].mask);
	}
}

/* Registers without state, reserved offsets and the rest of the page. */
static void test_raz_wi(void **state)
{
	static const uint32_t offs[] = { UARTRSR, UARTILPR, UARTDMACR, 0x008, 0x00c, 0x010,
					 0x014, 0x01c, 0x04c, 0x100, 0x800, 0xfdc, 0xffc - 0x20 };

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
		wr(offs[i], 0xffffffff);
		assert_int_equal(rd(offs[i]), 0);
	}
	/* Read-only status: writes are ignored. */
	wr(UARTFR, 0);
	wr(UARTRIS, 0xffffffff);
	wr(UARTMIS, 0xffffffff);
	assert_int_equal(rd(UARTFR), FR_TXFE | FR_RXFE);
	assert_int_equal(rd(UARTRIS), 0);
	/* UARTICR reads as zero. */
	assert_int_equal(rd(UARTICR), 0);
	assert_int_equal(fake_console_len, 0);
}

static void test_outside_or_too_wide(void **state)
{
	uint64_t v;

	(void)state;
	v = 7;
	assert_false(vuart_mmio(&vm, VUART_SIZE, 4, false, &v));
	assert_int_equal(v, 7);
	assert_false(vuart_mmio(&vm, UINT64_MAX, 4, true, &v));
	assert_false(vuart_mmio(&vm, UARTCR, 8, false, &v));
	assert_int_equal(v, 7);
	v = 0;
	assert_false(vuart_mmio(&vm, UARTCR, 8, true, &v));
	assert_int_equal(rd(UARTCR), 0x300);
	/* Byte and halfword accesses are accepted. */
	v = 0x41;
	assert_true(vuart_mmio(&vm, UARTDR, 1, true, &v));
	assert_true(vuart_mmio(&vm, UARTFR, 2, false, &v));
	assert_int_equal(v, FR_TXFE | FR_RXFE);
}

/* Every offset, every size: no crash, reads of the ID area stay in bounds. */
static void test_every_offset(void **state)
{
	(void)state;
	for (uint64_t off = 0; off < VUART_SIZE + 8; off++) {
		for (unsigned size = 1; size <= 8; size *= 2) {
			uint64_t v = 0;
			bool in = off < VUART_SIZE && size <= 4;

			assert_int_equal(vuart_mmio(&vm, off, size, false, &v), in);
			v = (off & 0xff) == 0 ? 0 : 'x'; /* keep the output small */
			assert_int_equal(vuart_mmio(&vm, off, size, true, &v), in);
		}
	}
	assert_true(vm.uart.line_len < VUART_LINE);
}

/* ---- Receive FIFO and interrupt ---------------------------------------- */

static void test_rx_fifo(void **state)
{
	(void)state;
	assert_true(vuart_input(&vm, 'a'));
	assert_true(vuart_input(&vm, 'b'));
	assert_int_equal(rd(UARTFR), FR_TXFE);
	assert_int_equal(rd(UARTDR), 'a');
	assert_int_equal(rd(UARTDR), 'b');
	assert_int_equal(rd(UARTFR), FR_TXFE | FR_RXFE);
	assert_int_equal(rd(UARTDR), 0);
	/* Fill it: 64 characters, then it refuses. */
	for (unsigned i = 0; i < VUART_RX_SIZE; i++)
		assert_true(vuart_input(&vm, (char)('0' + i)));
	assert_false(vuart_input(&vm, 'X'));
	assert_int_equal(rd(UARTFR), FR_TXFE | FR_RXFF);
	assert_int_equal(rd(UARTDR), '0');
	assert_int_equal(rd(UARTFR), FR_TXFE);
	assert_true(vuart_input(&vm, 'Y')); /* wraps around the ring */
	for (unsigned i = 1; i < VUART_RX_SIZE; i++)
		assert_int_equal(rd(UARTDR), '0' + i);
	assert_int_equal(rd(UARTDR), 'Y');
	assert_int_equal(rd(UARTFR), FR_TXFE | FR_RXFE);
	/* Any byte value passes through unchanged. */
	assert_true(vuart_input(&vm, '\0'));
	assert_true(vuart_input(&vm, (char)0xff));
	assert_int_equal(rd(UARTDR), 0);
	assert_int_equal(rd(UARTDR), 0xff);
}

static void test_rx_interrupt(void **state)
{
	(void)state;
	assert_true(vuart_input(&vm, 'a'));
	assert_int_equal(rd(UARTRIS), INT_RX | INT_RT);
	assert_int_equal(rd(UARTMIS), 0);
	assert_false(level); /* masked */
	wr(UARTIMSC, INT_RX);
	assert_true(level);
	assert_int_equal(rd(UARTMIS), INT_RX);
	/* Clearing it while data waits: it stays raised. */
	wr(UARTICR, INT_RX | INT_RT);
	assert_int_equal(rd(UARTRIS), INT_RX | INT_RT);
	assert_true(level);
	assert_int_equal(rd(UARTDR), 'a');
	assert_false(level);
	assert_int_equal(rd(UARTRIS), 0);
	/* Input with the interrupt unmasked raises the line at once. */
	unsigned calls = level_calls;

	assert_true(vuart_input(&vm, 'b'));
	assert_true(level);
	assert_true(level_calls > calls);
	/* A full FIFO refuses input; the line stays raised, and since it does
	 * not change the vGIC is not called again. */
	for (unsigned i = 1; i < VUART_RX_SIZE; i++)
		vuart_input(&vm, 'c');
	calls = level_calls;
	assert_false(vuart_input(&vm, 'd'));
	assert_int_equal(level_calls, calls);
	assert_true(level);
}

static void test_tx_interrupt(void **state)
{
	uint64_t v = 'x';

	(void)state;
	wr(UARTIMSC, INT_TX);
	assert_false(level);
	assert_true(vuart_mmio(&vm, UARTDR, 4, true, &v));
	assert_int_equal(rd(UARTRIS), INT_TX);
	assert_true(level);
	wr(UARTICR, INT_TX);
	assert_int_equal(rd(UARTRIS), 0);
	assert_false(level);
	/* Masking drops the line, unmasking raises it again. */
	assert_true(vuart_mmio(&vm, UARTDR, 4, true, &v));
	wr(UARTIMSC, 0);
	assert_false(level);
	wr(UARTIMSC, INT_TX | INT_RX);
	assert_true(level);
}

/* ---- Output ------------------------------------------------------------- */

static void test_line_output(void **state)
{
	(void)state;
	say("hello");
	assert_int_equal(fake_console_len, 0); /* no newline yet */
	say(" world\n");
	assert_string_equal(fake_console_buf, "[guest] hello world\r\n");
	fake_console_clear();
	say("crlf\r\n");
	assert_string_equal(fake_console_buf, "[guest] crlf\r\n");
	fake_console_clear();
	say("\n");
	assert_string_equal(fake_console_buf, "[guest] \r\n");
	/* The line is data, never a format. */
	fake_console_clear();
	say("100% %s %n %lx\n");
	assert_string_equal(fake_console_buf, "[guest] 100% %s %n %lx\r\n");
	/* The name comes from the VM. */
	fake_console_clear();
	memcpy(vm.name, "other-vm_2", 11);
	say("x\n");
	assert_string_equal(fake_console_buf, "[other-vm_2] x\r\n");
}

static void test_control_characters(void **state)
{
	uint64_t v;

	(void)state;
	say("a\tb\x01""c\x07""d\be\x7f");
	v = 0;
	assert_true(vuart_mmio(&vm, UARTDR, 1, true, &v)); /* NUL: dropped */
	v = 0x1f;
	assert_true(vuart_mmio(&vm, UARTDR, 1, true, &v));
	v = 0x100 | 'z'; /* only the low byte is a character */
	assert_true(vuart_mmio(&vm, UARTDR, 4, true, &v));
	say("\n");
	assert_string_equal(fake_console_buf, "[guest] a\tb.c.d.e..z\r\n");
	for (unsigned c = 1; c < 0x20; c++) {
		char s[3] = { (char)c, '\n', 0 };

		if (c == '\n' || c == '\r' || c == 0x1b)
			continue;
		fake_console_clear();
		say(s);
		assert_string_equal(fake_console_buf, c == '\t' ? "[guest] \t\r\n" : "[guest] .\r\n");
	}
}

/* A line longer than the buffer is cut into lines of VUART_LINE - 1. */
static void test_long_lines(void **state)
{
	char s[400];

	(void)state;
	memset(s, 'a', 158);
	s[158] = '\n';
	s[159] = '\0';
	say(s);
	assert_int_equal(fake_console_lines(), 1);
	assert_int_equal(fake_console_len, 8 + 158 + 2);
	fake_console_clear();
	memset(s, 'b', 300);
	s[300] = '\n';
	s[301] = '\0';
	say(s);
	assert_int_equal(fake_console_lines(), 2);
	assert_int_equal(fake_console_len, (8 + 159 + 2) + (8 + 141 + 2));
	assert_int_equal(strncmp(fake_console_buf + 8 + 159, "\r\n[guest] bbb", 13), 0);
}

static void test_flush(void **state)
{
	(void)state;
	vuart_flush(&vm, false);
	assert_int_equal(fake_console_len, 0); /* nothing pending: nothing written */
	say("partial");
	vuart_flush(&vm, false);
	assert_string_equal(fake_console_buf, "[guest] partial\r\n");
	vuart_flush(&vm, true);
	assert_string_equal(fake_console_buf, "[guest] partial\r\n");
}

/* ---- Rate limit ---------------------------------------------------------- */

static void test_burst_then_drop(void **state)
{
	(void)state;
	for (unsigned i = 0; i < BURST; i++)
		say("x\n");
	assert_int_equal(fake_console_lines(), BURST);
	fake_console_clear();
	say("lost 1\n");
	say("lost 2\n");
	assert_int_equal(fake_console_len, 0);
	assert_int_equal(vm.uart.dropped, 2);
	/* 1/200 s later, one line's worth: the count of lost lines, then it. */
	fake_counter_now += HZ / RATE;
	say("back\n");
	assert_string_equal(fake_console_buf,
			    "notice: vm 'guest': 2 console lines dropped (rate limit: 200 lines a "
			    "second after a burst of 2000)\r\n[guest] back\r\n");
	assert_int_equal(vm.uart.dropped, 0);
	fake_console_clear();
	say("lost again\n");
	assert_int_equal(fake_console_len, 0);
	assert_int_equal(vm.uart.dropped, 1);
}

/* A flood that ends: its last count of lost lines goes out when the VM
 * resets (at most once a second) or stops (at once), not only with a line. */
static void test_dropped_reported_at_reset_and_stop(void **state)
{
	(void)state;
	for (unsigned i = 0; i < BURST + 3; i++)
		say("x\n");
	fake_console_clear();
	vuart_flush(&vm, false); /* a reset: the first note may go out */
	assert_string_equal(fake_console_buf, "notice: vm 'guest': 3 console lines dropped (rate "
			    "limit: 200 lines a second after a burst of 2000)\r\n");
	fake_console_clear();
	say("lost\n");
	vuart_flush(&vm, false); /* within the same second: held back */
	assert_int_equal(fake_console_len, 0);
	assert_int_equal(vm.uart.dropped, 1);
	vuart_flush(&vm, true); /* stopping: its last word */
	assert_string_equal(fake_console_buf, "notice: vm 'guest': 1 console lines dropped (rate "
			    "limit: 200 lines a second after a burst of 2000)\r\n");
	assert_int_equal(vm.uart.dropped, 0);
	fake_console_clear();
	vuart_flush(&vm, true); /* nothing lost: nothing said */
	assert_int_equal(fake_console_len, 0);
}

static unsigned count(const char *needle)
{
	unsigned n = 0;

	for (const char *p = fake_console_buf; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_steady_rate(void **state)
{
	(void)state;
	for (unsigned i = 0; i < BURST; i++)
		say("x\n");
	fake_console_clear();
	/* For ten seconds, a line every millisecond: 200 a second get through,
	 * and at most one note a second counts the ones lost. */
	for (unsigned ms = 0; ms < 10000; ms++) {
		fake_counter_now += HZ / 1000;
		say("y\n");
	}
	assert_int_equal(count("[guest] y\r\n"), 10 * RATE);
	/* The notes of lost lines come on top, at most one a second. */
	assert_true(count("console lines dropped (rate limit") <= 10);
	assert_int_equal(count("[guest] y\r\n") + count("console lines dropped (rate limit"),
			 fake_console_lines());
	assert_int_equal(vm.uart.tokens, 0);
	assert_true(vm.uart.dropped < 1000); /* at most a second's worth not yet reported */
	/* The bucket holds at most a burst, however long the guest was quiet. */
	fake_counter_now += 3600 * HZ;
	fake_console_clear();
	for (unsigned i = 0; i < BURST + 10; i++)
		say("z\n");
	assert_int_equal(count("[guest] z\r\n"), BURST); /* plus the note of the last lost */
	assert_int_equal(vm.uart.dropped, 10);
}

/* A partial line cut by the rate limit or by flush goes through the same
 * bucket. */
static void test_flush_counts_against_limit(void **state)
{
	(void)state;
	for (unsigned i = 0; i < BURST; i++)
		say("x\n");
	fake_console_clear();
	say("partial");
	vuart_flush(&vm, false);
	/* Not shown: counted, and the count reported (the first note of the run). */
	assert_string_equal(fake_console_buf, "notice: vm 'guest': 1 console lines dropped (rate "
			    "limit: 200 lines a second after a burst of 2000)\r\n");
	assert_int_equal(vm.uart.dropped, 0);
}

static void test_zero_frequency(void **state)
{
	(void)state;
	fake_counter_hz = 0; /* must not divide by zero */
	for (unsigned i = 0; i < BURST + 1; i++)
		say("x\n");
	fake_counter_now += 1;
	say("y\n");
	assert_true(fake_console_lines() >= BURST);
}

/*
 * Regression test (was a bug: fixed):
 * put_char() in src/vdev/vuart.c lets ESC (0x1b) through ("c != 0x1b"),
 * although its comment says no control characters reach the operator's
 * terminal. A guest can then send any escape sequence to the terminal the
 * hypervisor console is shown on: erase the "[vm]" prefix and forge
 * hypervisor lines ("\x1b[2K\rBulwark: ..."), move the cursor, retitle
 * the window, or use terminal-specific sequences (OSC 52 clipboard writes,
 * and the like). ESC must become '.' like the other control characters.
 */
static void test_escape_is_replaced(void **state)
{
	(void)state;
	say("\x1b[2K\rforged\x1b]0;title\x07\n");
	assert_string_equal(fake_console_buf, "[guest] .[2Kforged.]0;title.\r\n");
}

/* ---- The fast-MMIO table ------------------------------------------------- */

/* Every register the table holds reads the same through vuart_mmio(), at
 * its size, and every write entry is UARTDR's into the line; returns how
 * many entries there are. */
static unsigned fast_mmio_agree(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < FASTMMIO_SLOTS; i++) {
		const struct fastmmio *e = &vm.fastmmio[i];

		if (!e->key)
			continue;
		uint64_t ipa = e->key >> 4, v = 0xa5a5a5a5a5a5a5a5ULL;
		unsigned kind = e->key & 7, size = 1u << (kind & 3);

		assert_int_equal(fastmmio_slot(ipa, kind), i);
		assert_true(ipa >= VUART_BASE && ipa < VUART_BASE + VUART_SIZE);
		n++;
		if (kind & 4) {
			assert_int_equal(ipa, VUART_BASE + UARTDR);
			assert_int_equal(e->val, (uint64_t)(uintptr_t)&vm.uart.tx);
			continue;
		}
		assert_true(vuart_mmio(&vm, ipa - VUART_BASE, size, false, &v));
		if (size < 8)
			v &= (1ULL << (8 * size)) - 1; /* as the trap handler cuts it */
		assert_int_equal(e->val, v);
	}
	return n;
}

/* UARTFR (32 and 16 bits) and the 8 identification registers; UARTFR
 * follows the receive FIFO through input, reads, a full FIFO and reset. */
static void test_fast_reads(void **state)
{
	(void)state;
	vuart_add_fast_mmio(&vm);
	assert_int_equal(fast_mmio_agree(), 10 + 3);
	uint64_t *fr = &vm.fastmmio[fastmmio_slot(VUART_BASE + UARTFR, 1)].val;

	assert_int_equal(*fr, FR_TXFE | FR_RXFE);
	assert_true(vuart_input(&vm, 'a'));
	assert_int_equal(*fr, FR_TXFE);
	assert_int_equal(fast_mmio_agree(), 13);
	for (unsigned i = 1; i < 64; i++)
		assert_true(vuart_input(&vm, 'b'));
	assert_int_equal(*fr, FR_TXFE | FR_RXFF);
	assert_int_equal(fast_mmio_agree(), 13);
	assert_false(vuart_input(&vm, 'c'));
	assert_int_equal(rd(UARTDR), 'a');
	assert_int_equal(*fr, FR_TXFE);
	for (unsigned i = 1; i < 64; i++)
		rd(UARTDR);
	assert_int_equal(*fr, FR_TXFE | FR_RXFE);
	assert_true(vuart_input(&vm, 'd'));
	vuart_reset_regs(&vm.uart);
	assert_int_equal(*fr, FR_TXFE | FR_RXFE);
	/* Writes change none of them. */
	wr(UARTFR, 0);
	for (unsigned off = 0xfe0; off < 0x1000; off += 4)
		wr(off, 0xffffffff);
	say("text\n");
	assert_int_equal(fast_mmio_agree(), 13);
}

/* One character to UARTDR as a driver writes it (@size bytes), through the
 * vector when @fast and it takes it, else through vuart_mmio(). Returns
 * whether the vector took it. */
static bool put(uint8_t c, unsigned size, bool fast)
{
	uint64_t v = c | (size > 1 ? 0x1200u : 0); /* bits above the character */

	if (fast && fake_fastmmio(&vm, VUART_BASE + UARTDR, size, true, &v))
		return true;
	assert_true(vuart_mmio(&vm, UARTDR, size, true, &v));
	return false;
}

/* What the vector takes, and what it leaves to C. */
static void test_fast_writes(void **state)
{
	uint64_t v = 'x';

	(void)state;
	vuart_add_fast_mmio(&vm);
	/* A first write sets the transmit interrupt status: C's. */
	assert_false(put('a', 2, true));
	assert_true(put('b', 2, true));
	assert_true(put('c', 1, true));
	assert_true(put('d', 4, true));
	assert_int_equal(vm.uart.line_len, 4);
	/* Not in the table: 8 bytes wide; unaligned. */
	assert_false(fake_fastmmio(&vm, VUART_BASE + UARTDR, 8, true, &v));
	assert_false(fake_fastmmio(&vm, VUART_BASE + UARTDR + 1, 1, true, &v));
	/* The end of a line, control characters and the rest are C's. */
	static const uint8_t others[] = { '\n', '\r', 0, 0x1b, 0x1f, 0x7f, 0x80, 0xff };

	for (unsigned i = 0; i < sizeof(others); i++) {
		v = others[i];
		assert_false(fake_fastmmio(&vm, VUART_BASE + UARTDR, 2, true, &v));
	}
	assert_int_equal(vm.uart.line_len, 4);
	assert_false(put('\n', 2, true));
	assert_string_equal(fake_console_buf, "[guest] abcd\r\n");
	/* A full line: C's, which sends it out first. */
	for (unsigned i = 0; i < VUART_LINE - 1; i++)
		assert_true(put('e', 2, true));
	assert_false(put('f', 2, true));
	assert_int_equal(vm.uart.line_len, 1);
	/* The guest clears the transmit interrupt status: C's again. */
	wr(UARTICR, INT_TX);
	assert_false(put('g', 2, true));
	assert_true(put('h', 2, true));
	/* With the transmit interrupt unmasked too, nothing changes but the line. */
	wr(UARTIMSC, INT_TX);
	unsigned calls = level_calls;

	assert_true(put('i', 2, true));
	assert_int_equal(level_calls, calls);
	assert_true(level);
	/* Reset: C's until a write sets the status again. */
	vuart_reset_regs(&vm.uart);
	assert_false(put('j', 2, true));
	assert_true(put('k', 2, true));
}

/* Text written through the vector where it can gives the console exactly
 * what the C path alone gives, and leaves the device in the same state. */
static void test_fast_writes_same_output(void **state)
{
	static char text[1024], out[2][8192];
	static struct vuart after[2];
	unsigned n = 0, fast = 0;

	for (unsigned i = 0; i < 300; i++)
		text[n++] = (char)('a' + i % 26);
	for (const char *p = "\nline\r\n\ttab \x1b[31mred\x7f\n\npartial"; *p; p++)
		text[n++] = *p;
	for (unsigned pass = 0; pass < 2; pass++) {
		setup(state);
		vuart_add_fast_mmio(&vm);
		for (unsigned i = 0; i < n; i++) {
			fast += put((uint8_t)text[i], 1u << (i % 3), pass == 1);
			if (i == n / 2)
				fake_counter_now += HZ; /* time goes by */
		}
		vuart_flush(&vm, false);
		assert_true(fake_console_len < sizeof(out[0]));
		memcpy(out[pass], fake_console_buf, fake_console_len + 1);
		after[pass] = vm.uart;
		/* The vector takes the lock also for a write it then leaves to C. */
		after[pass].lock = (struct spinlock)SPINLOCK_INIT;
	}
	assert_true(fast > n / 2);
	assert_string_equal(out[1], out[0]);
	assert_memory_equal(&after[1], &after[0], sizeof(after[0]));
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reset_values),
		T(test_id_registers),
		T(test_register_masks),
		T(test_raz_wi),
		T(test_outside_or_too_wide),
		T(test_every_offset),
		T(test_rx_fifo),
		T(test_rx_interrupt),
		T(test_tx_interrupt),
		T(test_line_output),
		T(test_control_characters),
		T(test_long_lines),
		T(test_flush),
		T(test_burst_then_drop),
		T(test_dropped_reported_at_reset_and_stop),
		T(test_steady_rate),
		T(test_flush_counts_against_limit),
		T(test_zero_frequency),
		T(test_escape_is_replaced),
		T(test_fast_reads),
		T(test_fast_writes),
		T(test_fast_writes_same_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
