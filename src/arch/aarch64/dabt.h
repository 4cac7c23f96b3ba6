/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding a data abort taken to EL2 from a guest (ESR_EL2 EC 0x24): what
 * the access was and what the hypervisor must do about it.
 *
 * `dabt_decode()` is pure: it reads nothing but its arguments (the syndrome
 * registers) and writes nothing but its result. It is built for the host
 * too, where it is unit-tested (test/unit/test_dabt.c) and fuzzed
 * (test/fuzz/fuzz_dabt.c). `handle_dabt()` in vcpu.c calls it, then acts:
 * emulates the access, injects an abort, or stops the VM. It lives in this
 * header, `static inline`, because it is on the path of every trapped MMIO
 * access: inlined, the structure lives in registers; out of line, GCC builds
 * it in memory and the exit costs 20-30 instructions more.
 */
#ifndef BULWARK_ARCH_AARCH64_DABT_H
#define BULWARK_ARCH_AARCH64_DABT_H

#include <bulwark/types.h>

/* What to do with a stage-2 data abort. */
enum dabt_kind {
	DABT_EMULATE = 0,  /* an access to an emulated device with a valid syndrome */
	DABT_NO_SYNDROME,  /* an emulated device, but ESR_EL2.ISV = 0 (pair, writeback,
			    * exclusive, atomic, SIMD, DC ZVA...) or FAR not valid:
			    * cannot be emulated; the guest gets an external abort */
	DABT_S1PTW,        /* its stage-1 table walk touched memory that is not the
			    * VM's: stop the VM */
	DABT_UNMAPPED,     /* a translation, access-flag, permission or address-size
			    * fault outside the emulated devices: stop the VM */
	DABT_OTHER,        /* any other fault status (external abort, TLB conflict...):
			    * stop the VM, naming ESR_EL2 */
};

/* The emulated device an access is for (meaningful with DABT_EMULATE and
 * DABT_NO_SYNDROME). */
enum dabt_dev {
	DABT_DEV_NONE = 0,
	DABT_DEV_VGIC,     /* the distributor and redistributor window */
	DABT_DEV_VUART,    /* the PL011 */
	DABT_DEV_MGMT,     /* the management API's register page */
};

/* The guest-physical windows that `dabt_decode()` treats as emulated. */
#define DABT_VGIC_BASE 0x08000000ULL
#define DABT_VGIC_END  0x081a0000ULL /* distributor to the 8th redistributor frame */
#define DABT_VUART_BASE 0x09000000ULL
#define DABT_VUART_END  0x09001000ULL
#define DABT_MGMT_BASE 0x0f000000ULL
#define DABT_MGMT_END  0x0f001000ULL

/*
 * A decoded data abort.
 * @ipa: the guest-physical address accessed, to the byte (HPFAR_EL2 gives
 *	bits 12 and up, FAR_EL2 the rest). Always set.
 * @kind: enum dabt_kind. Always set.
 * @dev: enum dabt_dev.
 * The rest only with DABT_EMULATE:
 * @size: bytes accessed: 1, 2, 4 or 8 (ESR_EL2.SAS).
 * @reg: the register transferred (ESR_EL2.SRT): 0..30, or 31 for XZR/WZR
 *	(a load to it is discarded, a store from it stores 0).
 * @write: a store (ESR_EL2.WnR).
 * @sign_extend: a load that sign-extends (LDRSB/LDRSH/LDRSW; ESR_EL2.SSE).
 * @reg64: the register is 64 bits wide (Xt; ESR_EL2.SF); else a load writes
 *	zeros into bits 63:32.
 * @acq_rel: LDAR/STLR and friends (ESR_EL2.AR). The access is emulated in
 *	program order while the vCPU is stopped, which gives it the ordering
 *	it asks for.
 * @insn32: a 32-bit instruction (ESR_EL2.IL); else a 16-bit Thumb one: the
 *	PC moves on by 4 or 2.
 */
struct dabt_access {
	uint64_t ipa;
	uint8_t kind;
	uint8_t dev;
	uint8_t size;
	uint8_t reg;
	bool write;
	bool sign_extend;
	bool reg64;
	bool acq_rel;
	bool insn32;
};

/*
 * ESR_EL2's ISS for a data abort (Arm ARM, "ISS encoding for an exception
 * from a Data Abort"):
 *
 *   24 ISV   the fields 23:14 are valid (a single load or store of a
 *            general-purpose register, without writeback)
 *   23:22 SAS  access size: 1 << SAS bytes
 *   21 SSE   the load sign-extends
 *   20:16 SRT  the register transferred (31: XZR/WZR)
 *   15 SF    the register is 64 bits wide
 *   14 AR    acquire/release semantics
 *    8 CM    cache maintenance
 *    7 S1PTW the fault was on a stage-1 translation table walk
 *    6 WnR   a write
 *   5:0 DFSC fault status: 0x00-0x03 address size, 0x04-0x07 translation,
 *            0x08-0x0b access flag, 0x0c-0x0f permission; 0x10 and up
 *            external aborts, TLB conflicts and the like
 *
 * and bit 25 (IL) the instruction's length. The order of the checks is the
 * order of the questions: did the VM's own page tables lead here (S1PTW);
 * is this a fault of the kind an unmapped address gives; is it inside an
 * emulated device; can the access be emulated from its syndrome.
 */

#define DABT_ESR_IL (1ULL << 25)
#define DABT_ESR_ISV (1ULL << 24)
#define DABT_ESR_SAS_SHIFT 22
#define DABT_ESR_SSE (1ULL << 21)
#define DABT_ESR_SRT_SHIFT 16
#define DABT_ESR_SF (1ULL << 15)
#define DABT_ESR_AR (1ULL << 14)
#define DABT_ESR_S1PTW (1ULL << 7)
#define DABT_ESR_WNR (1ULL << 6)
#define DABT_ESR_DFSC_MASK 0x3fULL
#define DABT_DFSC_LAST_MAPPING_FAULT 0x0fULL /* address size, translation, access flag, permission */

#define DABT_HPFAR_FIPA_MASK 0x0000fffffffffff0ULL /* FIPA: IPA bits 51:12 in bits 47:4 */

/*
 * Decodes a data abort from a guest. @esr is ESR_EL2 (its EC is 0x24, a data
 * abort from a lower exception level, which the caller has checked), @far
 * is FAR_EL2 and @hpfar HPFAR_EL2 as read at the exception. Pure; any CPU,
 * any context.
 */
static inline struct dabt_access dabt_decode(uint64_t esr, uint64_t far, uint64_t hpfar)
{
	struct dabt_access a = { 0 };

	a.ipa = (hpfar & DABT_HPFAR_FIPA_MASK) << 8 | (far & 0xfff);
	if (esr & DABT_ESR_S1PTW) {
		a.kind = DABT_S1PTW;
		return a;
	}
	if ((esr & DABT_ESR_DFSC_MASK) > DABT_DFSC_LAST_MAPPING_FAULT) {
		a.kind = DABT_OTHER;
		return a;
	}
	if (a.ipa - DABT_VGIC_BASE < DABT_VGIC_END - DABT_VGIC_BASE) {
		a.dev = DABT_DEV_VGIC;
	} else if (a.ipa - DABT_VUART_BASE < DABT_VUART_END - DABT_VUART_BASE) {
		a.dev = DABT_DEV_VUART;
	} else if (a.ipa - DABT_MGMT_BASE < DABT_MGMT_END - DABT_MGMT_BASE) {
		a.dev = DABT_DEV_MGMT;
	} else {
		a.kind = DABT_UNMAPPED;
		return a;
	}
	if (!(esr & DABT_ESR_ISV)) {
		a.kind = DABT_NO_SYNDROME;
		return a;
	}
	a.kind = DABT_EMULATE;
	a.size = (uint8_t)(1u << ((esr >> DABT_ESR_SAS_SHIFT) & 3));
	a.reg = (uint8_t)((esr >> DABT_ESR_SRT_SHIFT) & 0x1f);
	a.write = (esr & DABT_ESR_WNR) != 0;
	a.sign_extend = (esr & DABT_ESR_SSE) != 0;
	a.reg64 = (esr & DABT_ESR_SF) != 0;
	a.acq_rel = (esr & DABT_ESR_AR) != 0;
	a.insn32 = (esr & DABT_ESR_IL) != 0;
	return a;
}

/*
 * The value a load of access @a writes into its register, given @val, what
 * the device returned (only its low @a.size bytes count): zero- or
 * sign-extended from the access size, and cut to 32 bits for a W register.
 */
static inline uint64_t dabt_load_value(struct dabt_access a, uint64_t val)
{
	unsigned drop = 64 - 8 * a.size;

	if (a.sign_extend)
		val = (uint64_t)((int64_t)(val << drop) >> drop);
	else
		val = val << drop >> drop;
	return a.reg64 ? val : val & 0xffffffffULL;
}

#endif
