/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot of vCPU 0: devicetree (a minimal, bounds-checked walk for
 * /chosen/bootargs, /memory and the devices, fdt.c and platform.c),
 * console, GIC, then `main`.
 */
#include <guest/guest.h>

#include "fdt.h"

static char bootargs[GUEST_BOOTARGS_MAX];
static uintptr_t dtb_addr;
static size_t dtb_size;
static uint64_t ram_size;

static void boot_read_dtb(uintptr_t addr)
{
	struct fdt f;
	const uint8_t *p;
	uint32_t len;

	if (!fdt_open(&f, addr, boot_ram_base()))
		return;
	dtb_addr = addr;
	dtb_size = f.total;
	p = fdt_child_prop(&f, "chosen", "bootargs", &len);
	if (p != NULL && len > 0) {
		size_t n = strnlen((const char *)p, len);
		if (n >= sizeof(bootargs))
			n = sizeof(bootargs) - 1;
		memcpy(bootargs, p, n);
		bootargs[n] = '\0';
	}
	/* QEMU virt, Bulwark and Xen: #address-cells = #size-cells = 2 at the root. */
	p = fdt_child_prop(&f, "memory", "reg", &len);
	if (p != NULL && len >= 16 && fdt_cells(p, 2) == boot_ram_base())
		ram_size = fdt_cells(p + 8, 2);
}

const char *boot_args(void)
{
	return bootargs;
}

bool boot_arg(const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = bootargs;

	while (*p != '\0') {
		const char *w;
		size_t wlen = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		w = p;
		while (p[wlen] != '\0' && p[wlen] != ' ' && p[wlen] != '\t')
			wlen++;
		p += wlen;
		if (wlen > klen && w[klen] == '=' && strncmp(w, key, klen) == 0) {
			size_t vlen = wlen - klen - 1;
			if (size == 0)
				return true;
			if (vlen >= size)
				vlen = size - 1;
			memcpy(buf, w + klen + 1, vlen);
			buf[vlen] = '\0';
			return true;
		}
	}
	return false;
}

uint64_t boot_arg_u64(const char *key, uint64_t dflt)
{
	char buf[24];
	const char *p = buf;
	unsigned base = 10;
	uint64_t v = 0;

	if (!boot_arg(key, buf, sizeof(buf)) || buf[0] == '\0')
		return dflt;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; *p != '\0'; p++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return dflt;
		v = v * base + d;
	}
	return v;
}

uintptr_t boot_ram_base(void)
{
	return (uintptr_t)__image_start - (2UL << 20);
}

uint64_t boot_ram_size(void)
{
	return ram_size;
}

uintptr_t boot_dtb(void)
{
	return dtb_addr;
}

size_t boot_dtb_size(void)
{
	return dtb_addr != 0 ? dtb_size : 0;
}

void guest_halt(void)
{
	__asm__ volatile("msr daifset, #0xf");
	for (;;)
		wfi();
}

void guest_exit(bool pass)
{
	gprintf("%s\n%s\n", pass ? GUEST_RESULT_PASS : GUEST_RESULT_FAIL, GUEST_DONE);
	console_flush();
	psci_system_off();
	gprintf("guest: SYSTEM_OFF returned; halting\n");
	guest_halt();
}

void boot_primary(uintptr_t dtb)
{
	/* The devicetree first: it says where the UART and the GIC are. */
	boot_read_dtb(dtb);
	platform_init(dtb);
	console_init();
	gic_init();
	if (!gic_cpu_init()) {
		gprintf("guest: no GICv3 redistributor for MPIDR 0x%llx\n",
			(unsigned long long)cpu_read_mpidr());
		guest_exit(false);
	}
	guest_exit(main() == 0);
}
