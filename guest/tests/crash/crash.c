/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A guest that misbehaves on purpose, chosen by `crash=MODE` in the bootargs,
 * to test how the hypervisor contains it:
 *
 *   undef-el2         reads an IMPLEMENTATION DEFINED system register
 *                     (S3_0_C15_C0_0), which HCR_EL2.TIDCP traps to EL2 and
 *                     which the hypervisor does not implement
 *   unmapped          reads 0x0b00_0000: no RAM and no device on the platform
 *                     (a hole in QEMU virt's map too)
 *   wild              jumps to address 0
 *   hang-irqs-masked  spins forever with every interrupt masked
 *
 * Each prints `crash: start MODE` first. If the guest is still running
 * afterwards it prints `crash: survived MODE` and ends as failed: under
 * Bulwark none of these may succeed silently. Directly on QEMU (no EL2) the
 * first three are exceptions the guest takes itself, reported by the
 * runtime as unexpected.
 */
#include <guest/guest.h>

#define UNMAPPED_ADDR 0x0b000000UL

int main(void)
{
	char mode[32];

	if (!boot_arg("crash", mode, sizeof(mode)) || mode[0] == '\0') {
		gprintf("crash: no crash=MODE in the bootargs "
			"(undef-el2, unmapped, wild, hang-irqs-masked)\n");
		return 1;
	}
	gprintf("crash: start %s\n", mode);
	console_flush();

	if (strcmp(mode, "undef-el2") == 0) {
		uint64_t v;
		__asm__ volatile("mrs %0, s3_0_c15_c0_0" : "=r"(v) : : "memory");
		gprintf("crash: survived %s (read 0x%llx)\n", mode, (unsigned long long)v);
	} else if (strcmp(mode, "unmapped") == 0) {
		uint32_t v = mmio_read32(UNMAPPED_ADDR);
		gprintf("crash: survived %s (read 0x%x)\n", mode, v);
	} else if (strcmp(mode, "wild") == 0) {
		void (*volatile fn)(void) = (void (*)(void))0;
		fn();
		gprintf("crash: survived %s\n", mode);
	} else if (strcmp(mode, "hang-irqs-masked") == 0) {
		__asm__ volatile("msr daifset, #0xf");
		for (;;)
			__asm__ volatile("" : : : "memory");
	} else {
		gprintf("crash: unknown mode '%s'\n", mode);
	}
	return 1;
}
