/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GICv3 helpers: the distributor (QEMU virt's at 0x0800_0000), one
 * redistributor per vCPU (from 0x080A_0000), where the devicetree says if it
 * names a GICv3 (platform.h), and the system-register CPU interface
 * (ICC_*_EL1).
 *
 * Every interrupt the runtime configures is Group 1 (non-secure), signalled
 * as IRQ. INTIDs 0-15 are SGIs, 16-31 PPIs (banked per vCPU, configured in
 * this vCPU's redistributor), 32-1019 SPIs (in the distributor).
 */
#ifndef GUEST_GIC_H
#define GUEST_GIC_H

#include <stdbool.h>
#include <stdint.h>

/* The register offsets, shared with the hypervisor's GIC driver and vGIC. */
#include <bulwark/drivers/gicv3_regs.h>
#include <guest/platform.h>

/* QEMU virt's (and Bulwark's) GIC; the runtime uses `gic_dist_base()` and
 * finds the redistributors from the devicetree's address. */
#define GICD_BASE PLATFORM_DEFAULT_GICD
#define GICR_BASE PLATFORM_DEFAULT_GICR
#define GICR_FRAME_SIZE 0x20000UL /* RD_base + SGI_base, 64 KiB each */
#define GICR_SGI_OFFSET 0x10000UL

#define GICD_CTLR_ENABLE_G1 (1u << 1) /* EnableGrp1 (DS = 1) / EnableGrp1A */
#define GICD_CTLR_ARE (1u << 4)       /* ARE (DS = 1) / ARE_NS */
#define GICD_CTLR_RWP (1u << 31)
#define GICD_TYPER_ITLINES(t) ((t) & 0x1f)

#define GICR_CTLR_RWP (1u << 3)
#define GICR_TYPER_VLPIS (1ULL << 1)
#define GICR_TYPER_LAST (1ULL << 4)
#define GICR_TYPER_PROC_NUM(t) (((t) >> 8) & 0xffff)
#define GICR_TYPER_AFF(t) ((t) >> 32) /* Aff3.Aff2.Aff1.Aff0 */
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

/* In the SGI_base frame. */
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ISPENDR0 0x0200
#define GICR_ICPENDR0 0x0280
#define GICR_ICACTIVER0 0x0380
#define GICR_IPRIORITYR 0x0400
#define GICR_ICFGR1 0x0c04

#define GIC_PIDR2_ARCHREV(p) (((p) >> 4) & 0xf)

#define GIC_INTID_SPURIOUS 1023
#define GIC_MAX_INTID 1020 /* exclusive */
#define GIC_PRIO_DEFAULT 0xa0

/* Packs MPIDR affinity as GICR_TYPER[63:32] holds it: Aff3.Aff2.Aff1.Aff0. */
static inline uint32_t gic_mpidr_to_aff(uint64_t mpidr)
{
	return (uint32_t)(((mpidr >> 8) & 0xff000000u) | (mpidr & 0xffffffu));
}

/* The distributor's registers (QEMU virt's until `gic_init()` ran). */
uintptr_t gic_dist_base(void);

/* Distributor setup, once, on vCPU 0 before any other vCPU runs, at the
 * addresses `platform_init()` found: every SPI
 * disabled, Group 1, priority GIC_PRIO_DEFAULT, routed to vCPU 0; then
 * affinity routing and Group 1 enabled. */
void gic_init(void);

/* Per-vCPU setup, on the vCPU itself: finds its redistributor by MPIDR,
 * wakes it, puts every SGI and PPI in Group 1 (disabled, default priority),
 * and enables the system-register CPU interface (SRE, PMR = 0xff, EOImode 0,
 * Group 1 on). Returns false if no redistributor matches this vCPU. */
bool gic_cpu_init(void);

/* RD_base of the redistributor whose GICR_TYPER affinity equals `mpidr`, or
 * 0. Walks the frames from the first one until GICR_TYPER.Last (at most 256). */
uintptr_t gic_redist_find(uint64_t mpidr);

/* The calling vCPU's RD_base (set by `gic_cpu_init()`). */
uintptr_t gic_redist_self(void);

/* Number of INTIDs the distributor implements (from GICD_TYPER), <= 1020. */
unsigned gic_intid_count(void);

/* These act on this vCPU's redistributor for SGIs and PPIs, on the
 * distributor for SPIs. They wait for the register write to take effect. */
void gic_enable_intid(unsigned intid);
void gic_disable_intid(unsigned intid);
void gic_set_priority(unsigned intid, uint8_t prio);
bool gic_is_pending(unsigned intid);
void gic_clear_pending(unsigned intid);
/* Routes SPI `intid` to the vCPU `mpidr` (GICD_IROUTER, IRM = 0). */
void gic_route_spi(unsigned intid, uint64_t mpidr);

/* Sends SGI `intid` (0-15) to the single vCPU `target_mpidr`. */
void gic_send_sgi(unsigned intid, uint64_t target_mpidr);

/* ICC_PMR_EL1: interrupts with a priority value >= `pmr` are masked. */
void gic_set_pmr(uint8_t pmr);

/* Acknowledge (ICC_IAR1_EL1) and end (ICC_EOIR1_EL1, priority drop and
 * deactivation) one Group 1 interrupt. `gic_ack()` returns the raw IAR
 * value; its INTID is 1023 when nothing is pending. */
uint32_t gic_ack(void);
void gic_eoi(uint32_t iar);

#endif /* GUEST_GIC_H */
