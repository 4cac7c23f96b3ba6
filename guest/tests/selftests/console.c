/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PL011 UART.
 */
#include <testfw/test.h>

#define UART(reg) (PL011_BASE + (reg))

TEST(console, uart)
{
	uint32_t fr, cr, id[4], cell[4];

	gprintf("  console.uart: a line written through the UART\n");
	console_flush();
	fr = mmio_read32(UART(PL011_FR));
	EXPECT_TRUE(fr & PL011_FR_TXFE);
	EXPECT_FALSE(fr & PL011_FR_TXFF);
	EXPECT_FALSE(fr & PL011_FR_BUSY);

	cr = mmio_read32(UART(PL011_CR));
	EXPECT_EQ(cr & (PL011_CR_UARTEN | PL011_CR_TXE), PL011_CR_UARTEN | PL011_CR_TXE);

	/* Identification: a PL011 (part 0x011, designer 0x41 "A") and the
	 * PrimeCell ID 0xb105f00d. */
	for (unsigned i = 0; i < 4; i++) {
		id[i] = mmio_read32(UART(PL011_PERIPHID0) + 4 * i) & 0xff;
		cell[i] = mmio_read32(UART(PL011_PCELLID0) + 4 * i) & 0xff;
	}
	EXPECT_EQ(id[0] | (id[1] & 0xf) << 8, 0x011);
	EXPECT_EQ((id[1] >> 4) | (id[2] & 0xf) << 4, 0x41);
	EXPECT_EQ(cell[0] | cell[1] << 8 | cell[2] << 16 | cell[3] << 24, 0xb105f00d);
}

/* Lines printed concurrently by several vCPUs do not interleave: each vCPU
 * prints lines of its own letter; a torn line would mix two letters. The
 * runner only sees the console, so this test checks that printing from
 * every vCPU completes; the scenario's `forbid` catches torn lines. */
static volatile unsigned printers_done;

static void print_lines(void *arg)
{
	char c = (char)('a' + (uintptr_t)arg);

	for (unsigned i = 0; i < 5; i++)
		gprintf("  console: %c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c\n",
			c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c);
	__atomic_fetch_add(&printers_done, 1, __ATOMIC_SEQ_CST);
}

TEST_SMP(console, concurrent_lines, 2)
{
	unsigned n = cpu_count();

	printers_done = 0;
	for (unsigned i = 1; i < n; i++)
		ASSERT_EQ(cpu_start(i, print_lines, (void *)(uintptr_t)i), PSCI_RET_SUCCESS);
	print_lines(0);
	EXPECT_TRUE(WAIT_UNTIL(printers_done == n, 2000));
	for (unsigned i = 1; i < n; i++)
		EXPECT_TRUE(cpu_wait_off(i, 1000));
}
