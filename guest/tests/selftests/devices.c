/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A passed-through device: QEMU virt's PL031 real-time clock at 0x09010000,
 * SPI 2 (INTID 34). Its registers are the device's own (mapped in stage 2,
 * not emulated) and its interrupt comes as a hardware-forwarded virtual
 * interrupt. Explicit: it needs the device in the VM's description.
 */
#include <testfw/test.h>

#define PL031_BASE 0x09010000UL
#define PL031_INTID 34
#define RTCDR 0x00
#define RTCMR 0x04
#define RTCIMSC 0x10
#define RTCRIS 0x14
#define RTCICR 0x1c

static volatile unsigned rtc_irqs;

static void on_rtc(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
	mmio_write32(PL031_BASE + RTCICR, 1); /* the device drops its line */
	rtc_irqs++;
}

TEST_EXPLICIT(devices, pl031)
{
	static const uint8_t ids[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

	for (unsigned i = 0; i < 8; i++)
		EXPECT_EQ(mmio_read32(PL031_BASE + 0xfe0 + 4 * i) & 0xff, ids[i]);
	uint32_t now = mmio_read32(PL031_BASE + RTCDR);

	gprintf("  RTC reads %u s since 1970\n", now);
	EXPECT_GT(now, 1600000000u); /* QEMU's RTC follows the host clock */

	/* An interrupt from the device: the match register, one second ahead. */
	rtc_irqs = 0;
	irq_register(PL031_INTID, on_rtc, NULL);
	gic_route_spi(PL031_INTID, cpu_read_mpidr());
	gic_enable_intid(PL031_INTID);
	mmio_write32(PL031_BASE + RTCICR, 1);
	mmio_write32(PL031_BASE + RTCMR, mmio_read32(PL031_BASE + RTCDR) + 1);
	mmio_write32(PL031_BASE + RTCIMSC, 1);
	irq_unmask();
	if (!WAIT_UNTIL(rtc_irqs != 0, 3000))
		TEST_FAIL("no RTC interrupt within 3 s of a match 1 s ahead (RIS %u)",
			  mmio_read32(PL031_BASE + RTCRIS));
	irq_mask();
	mmio_write32(PL031_BASE + RTCIMSC, 0);
	gic_disable_intid(PL031_INTID);
	EXPECT_EQ(rtc_irqs, 1u);
}
