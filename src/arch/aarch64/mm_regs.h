/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Translation constants that the arm64 descriptor encoding in mm.c relies
 * on, beyond MAIR_EL2/TCR_EL2 (which live in
 * include/bulwark/arch/aarch64/sysregs.h; mm.c checks MAIR_EL2_VALUE against
 * the indices below at compile time). Usable from C and assembly.
 *
 * Stage-1 EL2 (non-VHE, TTBR0_EL2 only): 48-bit VA (T0SZ = 16), 4 KiB
 * granule, root at level 0 (one page).
 *
 * Stage-2: 39-bit IPA, 4 KiB granule, start level 1 with a single root page
 * (512 x 1 GiB), so no concatenated root tables are needed. A larger IPA
 * space would need other SL0/T0SZ values and concatenated roots in mm.c.
 */
#ifndef BULWARK_ARCH_AARCH64_MM_REGS_H
#define BULWARK_ARCH_AARCH64_MM_REGS_H

/* MAIR_EL2 slots used by stage-1 AttrIndx. */
#define MM_MAIR_IDX_NORMAL 0 /* Must hold 0xff: Normal, WB RW-allocate. */
#define MM_MAIR_IDX_DEVICE 1 /* Must hold 0x04: Device-nGnRE. */

/*
 * VTCR_EL2: RES1 bit 31, TG0 = 4 KiB (0), SH0 = inner (3 << 12),
 * ORGN0 = IRGN0 = WB WA (1 << 10, 1 << 8), SL0 = 1 (bits 7:6, start at
 * level 1), T0SZ = 25 (39-bit IPA). PS (bits 18:16) must still be set from
 * ID_AA64MMFR0_EL1.PARange (capped at 5, 48 bits); set VS (bit 19) only if
 * ID_AA64MMFR1_EL1.VMIDBits says 16-bit VMIDs, else VMIDs are 8-bit.
 */
#define MM_VTCR_EL2_VALUE 0x80003559
#define MM_IPA_BITS 39

/* VTTBR_EL2: VMID in bits 63:48 (55:48 with 8-bit VMIDs), BADDR below. */
#define MM_VTTBR_VMID_SHIFT 48

#endif
