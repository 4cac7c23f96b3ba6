/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GICv3 register offsets (Arm IHI 0069), shared by the host driver, the
 * virtual GIC and their tests.
 */
#ifndef BULWARK_DRIVERS_GICV3_REGS_H
#define BULWARK_DRIVERS_GICV3_REGS_H

/* Distributor (GICD_*), offsets from its base. */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xffe8

/* Redistributor: the RD frame, then the SGI frame at +64 KiB. */
#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PIDR2 0xffe8
#define GICR_SGI 0x10000

#endif
