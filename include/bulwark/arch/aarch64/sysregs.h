/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AArch64 system register bits used by Bulwark at EL2. Shared by C and
 * assembly, so only plain constants live here.
 */
#ifndef BULWARK_ARCH_AARCH64_SYSREGS_H
#define BULWARK_ARCH_AARCH64_SYSREGS_H

#ifdef __ASSEMBLER__
#define BIT(n) (1 << (n))
#define BIT64(n) (1 << (n))
#else
#define BIT(n) (1U << (n))
#define BIT64(n) (1ULL << (n))

/* Reading and writing a system register from C: by name (READ_SYSREG(esr_el2))
 * or by string (MRS("esr_el2"), for encodings like "s3_0_c12_c11_5"). */
#define MRS(r) ({ uint64_t _v; __asm__ volatile("mrs %0, " r : "=r"(_v)); _v; })
#define MSR(r, v) __asm__ volatile("msr " r ", %0" : : "r"((uint64_t)(v)))
#define READ_SYSREG(r) MRS(#r)
#define WRITE_SYSREG(r, v) MSR(#r, v)
#endif

/* SCTLR_EL2 (E2H = 0). RES1 bits: 4, 5, 11, 16, 18, 22, 23, 28, 29. */
#define SCTLR_EL2_RES1 0x30C50830
#define SCTLR_M BIT(0)
#define SCTLR_A BIT(1)
#define SCTLR_C BIT(2)
#define SCTLR_SA BIT(3)
#define SCTLR_I BIT(12)
#define SCTLR_WXN BIT(19)
#define SCTLR_ENIA BIT(31)

/* MAIR_EL2: index 0 Normal write-back RW-allocate, index 1 Device-nGnRE. */
#define MAIR_EL2_VALUE 0x04FF

/* TCR_EL2 (E2H = 0): 48-bit VA, 4 KiB granule, write-back inner-shareable walks. */
#define TCR_EL2_RES1 (BIT(31) | BIT(23))
#define TCR_T0SZ_48 16
#define TCR_IRGN0_WBWA BIT(8)
#define TCR_ORGN0_WBWA BIT(10)
#define TCR_SH0_INNER (3 << 12)
#define TCR_PS_SHIFT 16

/* HCR_EL2 */
#define HCR_RW BIT(31)

/* CurrentEL */
#define CURRENTEL_EL2 (2 << 2)

/* DAIF masks for msr daifset/daifclr */
#define DAIF_ALL 0xf

/* ESR_ELx exception classes */
#define ESR_EC_SHIFT 26
#define ESR_EC_UNKNOWN 0x00
#define ESR_EC_WFX 0x01
#define ESR_EC_HVC64 0x16
#define ESR_EC_SMC64 0x17
#define ESR_EC_SYS64 0x18
#define ESR_EC_IABT_LOW 0x20
#define ESR_EC_IABT_CUR 0x21
#define ESR_EC_PC_ALIGN 0x22
#define ESR_EC_DABT_LOW 0x24
#define ESR_EC_DABT_CUR 0x25
#define ESR_EC_SP_ALIGN 0x26
#define ESR_EC_SERROR 0x2f
#define ESR_EC_BRK 0x3c
#define ESR_EC_BTI 0x0d
#define ESR_EC_FPAC 0x1c

/* ESR_EL2 of a data abort (EC 0x24) that the fast-MMIO vector may carry
 * out: IL (bit 25, a 32-bit instruction) and ISV (bit 24) set, and under
 * ESR_DABT_FAST_MASK: SSE (21), VNCR (13), FnV (10), EA (9), CM (8) and
 * S1PTW (7) clear, DFSC (5:0) a translation fault at any level, 0b0001xx.
 * SAS (23:22), SRT (20:16) and WnR (6) are read from it; SF (15) and AR (14)
 * do not matter for a zero-extending load or a store. */
#define ESR_IL_BIT 25
#define ESR_ISV_BIT 24
#define ESR_WNR_BIT 6
#define ESR_DABT_FAST_MASK 0x002027bc
#define ESR_DABT_FAST_WANT 0x4

#endif
