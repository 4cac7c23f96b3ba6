/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the guest's devices are: read from the devicetree the guest was
 * booted with, else QEMU virt's addresses (which Bulwark's VMs share).
 *
 * The boot code on vCPU 0 calls `platform_init()` before anything touches
 * a device; the addresses do not change after that. A Xen dom0less domU,
 * for one, has its console (an SBSA generic UART, Xen's vPL011) at
 * 0x22000000 and its GICv3 at 0x03001000 (distributor) and 0x03020000
 * (redistributors), and says so in its devicetree.
 */
#ifndef GUEST_PLATFORM_H
#define GUEST_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

/* QEMU virt's (and Bulwark's) addresses: the defaults. */
#define PLATFORM_DEFAULT_UART 0x09000000UL
#define PLATFORM_DEFAULT_GICD 0x08000000UL
#define PLATFORM_DEFAULT_GICR 0x080a0000UL

/* Takes the UART and the GIC from the devicetree at `dtb` if it names them
 * (the header is checked first; 0 or an invalid tree: defaults throughout).
 * Called once, on vCPU 0, before the console and the GIC are set up. */
void platform_init(uintptr_t dtb);

/* The console UART's registers: a PL011 (`arm,pl011`) or an SBSA generic
 * UART (`arm,sbsa-uart`, a PL011 subset set up by firmware or the
 * hypervisor: only DR, FR, the interrupt registers). */
uintptr_t platform_uart_base(void);
bool platform_uart_is_sbsa(void);

/* The GICv3 distributor, and the first redistributor frame. */
uintptr_t platform_gicd_base(void);
uintptr_t platform_gicr_base(void);

/* The number of CPU nodes the devicetree has in /cpus, 0 if unknown. */
unsigned platform_cpu_nodes(void);

/* True if the devicetree named the UART / the GIC (false: defaults). */
bool platform_uart_from_dt(void);
bool platform_gic_from_dt(void);

#endif /* GUEST_PLATFORM_H */
