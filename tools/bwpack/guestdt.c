/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builds a VM's devicetree with libfdt's sequential-write API. The layout
 * follows QEMU's virt board (docs/guest-platform.md), so a guest that boots
 * there boots here.
 */
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "guestdt.h"

#define PHANDLE_GIC 1u
#define PHANDLE_CLOCK 2u

/* GIC interrupt specifier: type, number, flags. */
#define GIC_SPI 0u
#define GIC_PPI 1u
#define IRQ_LEVEL_HIGH 4u

#define TRY(expr)                  \
	do {                       \
		int err_ = (expr); \
		if (err_ < 0)      \
			return err_; \
	} while (0)

/* libfdt's fdt_property_string(), without its implicit size_t-to-int conversion. */
static int prop_str(void *fdt, const char *name, const char *str)
{
	return fdt_property(fdt, name, str, (int)strlen(str) + 1);
}

/* A property of 64-bit (two-cell) values, as `reg` is under #address-cells = #size-cells = 2. */
static int prop_u64s(void *fdt, const char *name, const uint64_t *vals, unsigned count)
{
	fdt64_t cells[4];

	for (unsigned i = 0; i < count; i++)
		cells[i] = cpu_to_fdt64(vals[i]);
	return fdt_property(fdt, name, cells, (int)(count * sizeof(cells[0])));
}

static int prop_u32s(void *fdt, const char *name, const uint32_t *vals, unsigned count)
{
	fdt32_t cells[12];

	for (unsigned i = 0; i < count; i++)
		cells[i] = cpu_to_fdt32(vals[i]);
	return fdt_property(fdt, name, cells, (int)(count * sizeof(cells[0])));
}

static int add_memory(void *fdt, const struct sysdesc_vm *vm)
{
	char name[32];
	const uint64_t reg[2] = { vm->mem_base, vm->mem_size };

	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)vm->mem_base);
	TRY(fdt_begin_node(fdt, name));
	TRY(prop_str(fdt, "device_type", "memory"));
	TRY(prop_u64s(fdt, "reg", reg, 2));
	return fdt_end_node(fdt);
}

static int add_cpus(void *fdt, const struct sysdesc_vm *vm)
{
	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%x", i);
		TRY(fdt_begin_node(fdt, name));
		TRY(prop_str(fdt, "device_type", "cpu"));
		TRY(prop_str(fdt, "compatible", "arm,armv8"));
		TRY(fdt_property_u32(fdt, "reg", i)); /* MPIDR Aff0; the vCPU's MPIDR_EL1 is 0x80000000 | i */
		TRY(prop_str(fdt, "enable-method", "psci"));
		TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

static int add_psci(void *fdt)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";

	TRY(fdt_begin_node(fdt, "psci"));
	TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	TRY(prop_str(fdt, "method", "hvc"));
	return fdt_end_node(fdt);
}

static int add_gic(void *fdt, const struct sysdesc_vm *vm)
{
	const uint64_t reg[4] = { GUESTDT_GICD_BASE, GUESTDT_GICD_SIZE, GUESTDT_GICR_BASE,
				  vm->vcpu_count * GUESTDT_GICR_STRIDE };

	TRY(fdt_begin_node(fdt, "intc@8000000"));
	TRY(prop_str(fdt, "compatible", "arm,gic-v3"));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
	/* No child nodes (no ITS): interrupt-map users expect #address-cells on a provider. */
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(prop_u64s(fdt, "reg", reg, 4));
	TRY(fdt_property_u32(fdt, "#redistributor-regions", 1));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_GIC));
	return fdt_end_node(fdt);
}

static int add_timer(void *fdt)
{
	/* Secure physical, EL1 physical, virtual, EL2 physical timers: PPIs 13, 14, 11, 10. */
	static const uint32_t irqs[12] = {
		GIC_PPI, 13, IRQ_LEVEL_HIGH, GIC_PPI, 14, IRQ_LEVEL_HIGH,
		GIC_PPI, 11, IRQ_LEVEL_HIGH, GIC_PPI, 10, IRQ_LEVEL_HIGH,
	};

	TRY(fdt_begin_node(fdt, "timer"));
	TRY(prop_str(fdt, "compatible", "arm,armv8-timer"));
	TRY(prop_u32s(fdt, "interrupts", irqs, 12));
	TRY(fdt_property(fdt, "always-on", NULL, 0));
	return fdt_end_node(fdt);
}

static int add_uart(void *fdt)
{
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	static const uint32_t irq[3] = { GIC_SPI, GUESTDT_UART_SPI, IRQ_LEVEL_HIGH };
	static const uint32_t clocks[2] = { PHANDLE_CLOCK, PHANDLE_CLOCK };
	static const uint64_t reg[2] = { GUESTDT_UART_BASE, GUESTDT_UART_SIZE };

	TRY(fdt_begin_node(fdt, "apb-pclk"));
	TRY(prop_str(fdt, "compatible", "fixed-clock"));
	TRY(fdt_property_u32(fdt, "#clock-cells", 0));
	TRY(fdt_property_u32(fdt, "clock-frequency", GUESTDT_UART_CLOCK_HZ));
	TRY(prop_str(fdt, "clock-output-names", "clk24mhz"));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_CLOCK));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "pl011@9000000"));
	TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	TRY(prop_u64s(fdt, "reg", reg, 2));
	TRY(prop_u32s(fdt, "interrupts", irq, 3));
	TRY(prop_u32s(fdt, "clocks", clocks, 2));
	TRY(fdt_property(fdt, "clock-names", clock_names, sizeof(clock_names)));
	return fdt_end_node(fdt);
}

static int add_chosen(void *fdt, const struct sysdesc_vm *vm, uint64_t initrd_size)
{
	TRY(fdt_begin_node(fdt, "chosen"));
	TRY(prop_str(fdt, "stdout-path", "/pl011@9000000"));
	if (vm->has_bootargs)
		TRY(prop_str(fdt, "bootargs", vm->bootargs));
	if (vm->initrd[0] != '\0' && initrd_size != 0) {
		uint64_t start = bwpkg_initrd_addr(vm->mem_base, vm->mem_size, initrd_size);

		TRY(fdt_property_u64(fdt, "linux,initrd-start", start));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", start + initrd_size));
	}
	return fdt_end_node(fdt);
}

int guestdt_build(const struct sysdesc_vm *vm, uint64_t initrd_size, void *buf, size_t size)
{
	static const char compat[] = "linux,dummy-virt";

	if (size > BWPKG_DTB_MAX)
		size = BWPKG_DTB_MAX;
	TRY(fdt_create(buf, (int)size));
	TRY(fdt_finish_reservemap(buf));
	TRY(fdt_begin_node(buf, ""));
	TRY(fdt_property_u32(buf, "interrupt-parent", PHANDLE_GIC));
	TRY(fdt_property_u32(buf, "#address-cells", 2));
	TRY(fdt_property_u32(buf, "#size-cells", 2));
	TRY(fdt_property(buf, "compatible", compat, sizeof(compat)));
	TRY(prop_str(buf, "model", "bulwark,vm"));
	TRY(add_chosen(buf, vm, initrd_size));
	TRY(add_memory(buf, vm));
	TRY(add_cpus(buf, vm));
	TRY(add_psci(buf));
	TRY(add_gic(buf, vm));
	TRY(add_timer(buf));
	TRY(add_uart(buf));
	TRY(fdt_end_node(buf));
	TRY(fdt_finish(buf));
	return (int)fdt_totalsize(buf);
}
