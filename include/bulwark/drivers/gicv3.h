/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Driver of the host's GICv3. The hypervisor keeps physical interrupts
 * masked at EL2 and meets them only as exits from a guest or when an idle
 * CPU wakes from WFI; it acknowledges them with `gic_ack()`.
 *
 * The CPU interface runs with EOImode = 1: `gic_eoi()` drops the priority,
 * `gic_deactivate()` deactivates. An interrupt forwarded to a guest as a
 * hardware-linked virtual interrupt is left active and deactivated by the
 * guest's own EOI.
 */
#ifndef BULWARK_DRIVERS_GICV3_H
#define BULWARK_DRIVERS_GICV3_H

#include <bulwark/hwdesc.h>
#include <bulwark/types.h>

#define GIC_SGI_KICK 0        /* makes a CPU leave its guest and look at its vCPU */
#define GIC_INTID_SPURIOUS 1023

/* Boot CPU, once: distributor on, every SPI in group 1, disabled. */
void gic_init(const struct hw_desc *hw);
/* Every CPU: wakes its redistributor and sets up its CPU interface. */
bool gic_init_cpu(void);
uint32_t gic_ack(void);
void gic_eoi(uint32_t intid);
void gic_deactivate(uint32_t intid);
/* Sends SGI @sgi to the CPU with hardware ID @hwid. */
void gic_send_sgi(uint64_t hwid, unsigned sgi);
/* Enables or disables a PPI or SGI on the running CPU. */
void gic_ppi_enable(uint32_t intid, bool enable);
/* Clears the active state of a PPI/SGI of the running CPU, or of CPU @cpu
 * (through its redistributor: from any CPU). */
void gic_ppi_deactivate(uint32_t intid);
void gic_ppi_deactivate_on(unsigned cpu, uint32_t intid);
/* Routes SPI @intid to the CPU with hardware ID @hwid and enables it. */
void gic_spi_route(uint32_t intid, uint64_t hwid, bool level);
void gic_spi_deactivate(uint32_t intid);
/* Disables an SPI and clears its pending and active state (its VM is gone). */
void gic_spi_disable(uint32_t intid);
/* Number of SPI lines the distributor implements (ITLinesNumber). */
unsigned gic_spi_count(void);

#endif
