/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest's device addresses, from the devicetree (platform.h).
 */
#include <guest/boot.h>
#include <guest/platform.h>
#include <guest/string.h>

#include "fdt.h"

static uintptr_t uart_base = PLATFORM_DEFAULT_UART;
static uintptr_t gicd_base = PLATFORM_DEFAULT_GICD;
static uintptr_t gicr_base = PLATFORM_DEFAULT_GICR;
static bool uart_sbsa, uart_found, gic_found;
static unsigned cpu_nodes;

/* A node is usable without `status`, or with "okay" (or the old "ok"). */
static bool node_enabled(const struct fdt_node *n)
{
	return n->status == NULL || fdt_list_has(n->status, n->status_len, "okay") ||
	       fdt_list_has(n->status, n->status_len, "ok");
}

/* Address of entry `i` of the node's `reg`, or 0 if it has none that
 * parses (cells of 1 or 2 words only, as on every arm64 platform). */
static uintptr_t reg_address(const struct fdt_node *n, uint32_t i)
{
	uint32_t ac = n->address_cells, sc = n->size_cells, entry;

	if (n->reg == NULL || ac < 1 || ac > 2 || sc > 2)
		return 0;
	entry = 4 * (ac + sc);
	if (n->reg_len / entry <= i)
		return 0;
	return (uintptr_t)fdt_cells(n->reg + i * entry, ac);
}

static void visit(const struct fdt_node *n, void *arg)
{
	(void)arg;
	if (n->compatible == NULL || !node_enabled(n))
		return;
	if (!uart_found) {
		bool pl011 = fdt_list_has(n->compatible, n->compatible_len, "arm,pl011");
		bool sbsa = fdt_list_has(n->compatible, n->compatible_len, "arm,sbsa-uart");
		uintptr_t a = reg_address(n, 0);

		if ((pl011 || sbsa) && a != 0) {
			uart_base = a;
			uart_sbsa = sbsa && !pl011;
			uart_found = true;
		}
	}
	if (!gic_found && fdt_list_has(n->compatible, n->compatible_len, "arm,gic-v3")) {
		uintptr_t d = reg_address(n, 0), r = reg_address(n, 1);

		if (d != 0 && r != 0) {
			gicd_base = d;
			gicr_base = r;
			gic_found = true;
		}
	}
}

void platform_init(uintptr_t dtb)
{
	struct fdt f;

	if (fdt_open(&f, dtb, boot_ram_base())) {
		fdt_root_children(&f, visit, NULL);
		cpu_nodes = fdt_cpu_nodes(&f);
	}
}

unsigned platform_cpu_nodes(void)
{
	return cpu_nodes;
}

uintptr_t platform_uart_base(void)
{
	return uart_base;
}

bool platform_uart_is_sbsa(void)
{
	return uart_sbsa;
}

uintptr_t platform_gicd_base(void)
{
	return gicd_base;
}

uintptr_t platform_gicr_base(void)
{
	return gicr_base;
}

bool platform_uart_from_dt(void)
{
	return uart_found;
}

bool platform_gic_from_dt(void)
{
	return gic_found;
}
