/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest RAM: write and read back patterns over RAM the image does not use.
 */
#include <testfw/test.h>

#define MiB (1UL << 20)

/* Writes an address-dependent pattern over [start, end), then checks it,
 * then the same with the complement. Returns the number of bad words. */
static unsigned pattern_check(uintptr_t start, uintptr_t end, uint64_t seed)
{
	unsigned bad = 0;

	for (unsigned pass = 0; pass < 2; pass++) {
		uint64_t flip = pass ? ~0ULL : 0;
		for (uintptr_t a = start; a < end; a += 8)
			*(volatile uint64_t *)a = (a * 0x9e3779b97f4a7c15ULL ^ seed) ^ flip;
		for (uintptr_t a = start; a < end; a += 8) {
			uint64_t want = (a * 0x9e3779b97f4a7c15ULL ^ seed) ^ flip;
			uint64_t got = *(volatile uint64_t *)a;
			if (got != want && bad++ < 4)
				TEST_FAIL("at 0x%llx: wrote 0x%llx, read 0x%llx",
					  (unsigned long long)a, (unsigned long long)want,
					  (unsigned long long)got);
		}
	}
	return bad;
}

/* Also a byte/half/word view of the same memory agrees (little-endian). */
static void width_check(uintptr_t a)
{
	*(volatile uint64_t *)a = 0x0123456789abcdefULL;
	EXPECT_EQ(*(volatile uint8_t *)a, 0xef);
	EXPECT_EQ(*(volatile uint16_t *)(a + 2), 0x89ab);
	EXPECT_EQ(*(volatile uint32_t *)(a + 4), 0x01234567);
	*(volatile uint8_t *)(a + 7) = 0xfe;
	EXPECT_EQ(*(volatile uint64_t *)a, 0xfe23456789abcdefULL);
}

TEST(mem, rw)
{
	uintptr_t base = boot_ram_base(), img_end = (uintptr_t)__image_end;
	uint64_t size = boot_ram_size();
	uintptr_t hi_start = (img_end + MiB - 1) & ~(MiB - 1), hi_end = hi_start + 4 * MiB;

	/* The 2 MiB below the image are RAM (text_offset 0) and unused once
	 * running (bare QEMU keeps its boot stub there). */
	gprintf("  RAM from 0x%lx, %llu MiB (devicetree: %s); image 0x%lx-0x%lx\n",
		(unsigned long)base, (unsigned long long)(size / MiB),
		boot_dtb() ? "yes" : "no", (unsigned long)__image_start, (unsigned long)img_end);
	EXPECT_EQ(pattern_check(base, (uintptr_t)__image_start, 0x5a5a), 0);
	width_check(base + 0x1000);

	/* Above the image, when the devicetree says there is RAM there, away
	 * from the devicetree itself. */
	if (size == 0 || base + size < hi_end) {
		gprintf("  RAM size unknown or small: only the 2 MiB below the image\n");
		return;
	}
	if (boot_dtb() != 0 && boot_dtb() < hi_end && boot_dtb() + boot_dtb_size() > hi_start) {
		gprintf("  devicetree in the way: only the 2 MiB below the image\n");
		return;
	}
	gprintf("  and 0x%lx-0x%lx\n", (unsigned long)hi_start, (unsigned long)hi_end);
	EXPECT_EQ(pattern_check(hi_start, hi_end, 0xa5a5), 0);
	/* The last page of RAM, if the devicetree is not there. */
	if (boot_dtb() + boot_dtb_size() <= base + size - 4096 || boot_dtb() >= base + size)
		EXPECT_EQ(pattern_check(base + size - 4096, base + size, 0x3c3c), 0);
}
