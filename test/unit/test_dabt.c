/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The decoder of stage-2 data aborts (src/arch/aarch64/dabt.h): for each
 * load and store form that has a syndrome, the exact access it describes;
 * for each one that must not be emulated, the exact refusal; and the value
 * each kind of load leaves in its register.
 *
 * With BULWARK_SEED_DIR set, every syndrome decoded here is also written to
 * that directory in the input format of test/fuzz/fuzz_dabt.c (ESR_EL2,
 * FAR_EL2, HPFAR_EL2 and a device value, 8 bytes each, little-endian): the
 * fuzzer's seed corpus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/arch/aarch64/dabt.h"

#define EC_DABT_LOW (0x24ULL << 26)
#define IL (1ULL << 25)
#define ISV (1ULL << 24)
#define SAS(n) ((uint64_t)(n) << 22)  /* 0: byte, 1: halfword, 2: word, 3: doubleword */
#define SSE (1ULL << 21)
#define SRT(n) ((uint64_t)(n) << 16)
#define SF (1ULL << 15)
#define AR (1ULL << 14)
#define FNV (1ULL << 10)
#define EA (1ULL << 9)
#define CM (1ULL << 8)
#define S1PTW (1ULL << 7)
#define WNR (1ULL << 6)
#define DFSC_TRANS_L1 0x05ULL
#define DFSC_TRANS_L2 0x06ULL
#define DFSC_TRANS_L3 0x07ULL

#define GICD_TYPER 0x08000004ULL
#define GICR0_WAKER 0x080a0014ULL
#define UARTDR 0x09000000ULL
#define UARTFR 0x09000018ULL

static unsigned seed_count;

static void write_seed(uint64_t esr, uint64_t far, uint64_t hpfar, uint64_t val)
{
	const char *dir = getenv("BULWARK_SEED_DIR");
	uint64_t words[4] = { esr, far, hpfar, val };
	uint8_t bytes[32];
	char path[512];
	FILE *f;

	if (!dir)
		return;
	for (unsigned i = 0; i < 32; i++)
		bytes[i] = (uint8_t)(words[i / 8] >> (8 * (i % 8)));
	snprintf(path, sizeof(path), "%s/dabt-%04u", dir, seed_count++);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, sizeof(bytes), f), sizeof(bytes));
	fclose(f);
}

/* HPFAR_EL2 for a faulting IPA: FIPA (IPA bits 51:12) in bits 47:4. */
static uint64_t hpfar_of(uint64_t ipa)
{
	return (ipa >> 12) << 4;
}

/* The abort a guest access to @ipa from virtual address @va takes. */
static struct dabt_access decode_va(uint64_t esr, uint64_t va, uint64_t ipa)
{
	write_seed(esr, va, hpfar_of(ipa), 0x8877665544332211ULL);
	return dabt_decode(esr, va, hpfar_of(ipa));
}

/* The same, with the MMU off (VA == IPA). */
static struct dabt_access decode(uint64_t esr, uint64_t ipa)
{
	return decode_va(esr, ipa, ipa);
}

struct expect {
	enum dabt_kind kind;
	enum dabt_dev dev;
	uint64_t ipa;
	unsigned size, reg;
	bool write, sign_extend, reg64, acq_rel, insn32;
};

static void check(struct dabt_access a, struct expect e)
{
	assert_int_equal(a.kind, e.kind);
	assert_int_equal(a.dev, e.dev);
	assert_int_equal(a.ipa, e.ipa);
	assert_int_equal(a.size, e.size);
	assert_int_equal(a.reg, e.reg);
	assert_int_equal(a.write, e.write);
	assert_int_equal(a.sign_extend, e.sign_extend);
	assert_int_equal(a.reg64, e.reg64);
	assert_int_equal(a.acq_rel, e.acq_rel);
	assert_int_equal(a.insn32, e.insn32);
}

/* A refusal carries the address and, inside a device window, the device. */
static void check_refused(struct dabt_access a, enum dabt_kind kind, enum dabt_dev dev,
			  uint64_t ipa)
{
	check(a, (struct expect){ .kind = kind, .dev = dev, .ipa = ipa });
}

/* ---- Accesses with a syndrome: emulated ---------------------------------- */

/* LDR W1, [X0] of GICD_TYPER. */
static void test_ldr_w(void **state)
{
	(void)state;
	check(decode(EC_DABT_LOW | IL | ISV | SAS(2) | SRT(1) | DFSC_TRANS_L2, GICD_TYPER),
	      (struct expect){ DABT_EMULATE, DABT_DEV_VGIC, GICD_TYPER, 4, 1, false, false, false,
			       false, true });
}

/* LDR X30, [X0]: a doubleword into the last general register. */
static void test_ldr_x30(void **state)
{
	(void)state;
	check(decode(EC_DABT_LOW | IL | ISV | SAS(3) | SRT(30) | SF | DFSC_TRANS_L3,
		     0x08000100ULL),
	      (struct expect){ DABT_EMULATE, DABT_DEV_VGIC, 0x08000100ULL, 8, 30, false, false,
			       true, false, true });
}

/* STRB W2, [X0] to UARTDR. */
static void test_strb(void **state)
{
	(void)state;
	check(decode(EC_DABT_LOW | IL | ISV | SAS(0) | SRT(2) | WNR | DFSC_TRANS_L3, UARTDR),
	      (struct expect){ DABT_EMULATE, DABT_DEV_VUART, UARTDR, 1, 2, true, false, false,
			       false, true });
}

/* STRH, STR W, STR X: every store size. */
static void test_store_sizes(void **state)
{
	(void)state;
	for (unsigned sas = 0; sas < 4; sas++) {
		uint64_t esr = EC_DABT_LOW | IL | ISV | SAS(sas) | SRT(9) | WNR | DFSC_TRANS_L1 |
			       (sas == 3 ? SF : 0);

		check(decode(esr, GICR0_WAKER),
		      (struct expect){ DABT_EMULATE, DABT_DEV_VGIC, GICR0_WAKER, 1u << sas, 9,
				       true, false, sas == 3, false, true });
	}
}

/* STR XZR / LDR WZR: register 31 is the zero register, passed through as 31. */
static void test_zero_register(void **state)
{
	(void)state;
	check(decode(EC_DABT_LOW | IL | ISV | SAS(3) | SRT(31) | SF | WNR | DFSC_TRANS_L3,
		     0x08000108ULL),
	      (struct expect){ DABT_EMULATE, DABT_DEV_VGIC, 0x08000108ULL, 8, 31, true, false,
			       true, false, true });
	check(decode(EC_DABT_LOW | IL | ISV | SAS(2) | SRT(31) | DFSC_TRANS_L3, UARTFR),
	      (struct expect){ DABT_EMULATE, DABT_DEV_VUART, UARTFR, 4, 31, false, false, false,
			       false, true });
}

/* LDRSB X3, LDRSH W4, LDRSW X5: sign-extending loads. */
static void test_sign_extending_loads(void **state)
{
	(void)state;
	check(decode(EC_DABT_LOW | IL | ISV | SAS(0) | SSE | SRT(3) | SF | DFSC_TRANS_L3, UARTFR),
	      (struct expect){ DABT_EMULATE, DABT_DEV_VUART, UARTFR, 1, 3, false, true, true,
			       false, true });
	check(decode(EC_DABT_LOW | IL | ISV | SAS(1) | SSE | SRT(4) | DFSC_TRANS_L3, UARTFR),
	      (struct expect){ DABT_EMULATE, DABT_DEV_VUART, UARTFR, 2, 4, false, true, false,
			       false, true });
	check(decode(EC_DABT_LOW | IL | ISV | SAS(2) | SSE | SRT(5) | SF | DFSC_TRANS_L3,
		     GICD_TYPER),
	      (struct expect){ DABT_EMULATE, DABT_DEV_VGIC, GICD_TYPER, 4, 5, false, true, true,
			       false, true });
}

/* LDAR X6 and STLR W7: acquire/release is reported. */
static void test_acquire_release(void **state)
{
	(void)state;
	check(decode(EC_DABT_LOW | IL | ISV | SAS(3) | SRT(6) | SF | AR | DFSC_TRANS_L3,
		     0x08000100ULL),
	      (struct expect){ DABT_EMULATE, DABT_DEV_VGIC, 0x08000100ULL, 8, 6, false, false,
			       true, true, true });
	check(decode(EC_DABT_LOW | IL | ISV | SAS(2) | SRT(7) | AR | WNR | DFSC_TRANS_L3, UARTDR),
	      (struct expect){ DABT_EMULATE, DABT_DEV_VUART, UARTDR, 4, 7, true, false, false,
			       true, true });
}

/* A 16-bit Thumb LDR R1, [R0] at AArch32 EL0: IL = 0, the PC moves by 2. */
static void test_thumb16(void **state)
{
	(void)state;
	check(decode(EC_DABT_LOW | ISV | SAS(2) | SRT(1) | DFSC_TRANS_L3, UARTFR),
	      (struct expect){ DABT_EMULATE, DABT_DEV_VUART, UARTFR, 4, 1, false, false, false,
			       false, false });
}

/* The IPA is HPFAR's page and FAR's offset; FAR's page (the VA) does not count. */
static void test_ipa_from_hpfar_and_far(void **state)
{
	(void)state;
	check(decode_va(EC_DABT_LOW | IL | ISV | SAS(2) | SRT(0) | DFSC_TRANS_L3,
			0xffff800012345004ULL, GICD_TYPER),
	      (struct expect){ DABT_EMULATE, DABT_DEV_VGIC, GICD_TYPER, 4, 0, false, false, false,
			       false, true });
	/* HPFAR bit 63 (NS) and the RES0 bits 62:48 are not address bits. */
	uint64_t esr = EC_DABT_LOW | IL | ISV | SAS(2) | SRT(0) | DFSC_TRANS_L3;
	uint64_t hpfar = hpfar_of(UARTFR) | 0xffff000000000000ULL;

	write_seed(esr, UARTFR, hpfar, 0);
	check(dabt_decode(esr, UARTFR, hpfar),
	      (struct expect){ DABT_EMULATE, DABT_DEV_VUART, UARTFR, 4, 0, false, false, false,
			       false, true });
	/* FIPA's top bits (47:44) are IPA bits 51:48 (52-bit IPAs). */
	check_refused(decode(esr, 0x000f000009000018ULL), DABT_UNMAPPED, DABT_DEV_NONE,
		      0x000f000009000018ULL);
}

/* Every fault status of the "not mapped for this access" kind is decoded:
 * address size (0-3), translation (4-7), access flag (8-b), permission (c-f). */
static void test_mapping_fault_codes(void **state)
{
	(void)state;
	for (uint64_t dfsc = 0; dfsc <= 0xf; dfsc++)
		check(decode(EC_DABT_LOW | IL | ISV | SAS(2) | SRT(2) | dfsc, GICD_TYPER),
		      (struct expect){ DABT_EMULATE, DABT_DEV_VGIC, GICD_TYPER, 4, 2, false, false,
				       false, false, true });
}

/* The first and last bytes of each window are the device's. */
static void test_window_edges(void **state)
{
	static const struct {
		uint64_t ipa;
		enum dabt_dev dev;
	} in[] = {
		{ 0x08000000ULL, DABT_DEV_VGIC }, { 0x0800ffffULL, DABT_DEV_VGIC },
		{ 0x08080000ULL, DABT_DEV_VGIC }, /* the host's ITS frame: the vGIC's window */
		{ 0x081a0000ULL - 1, DABT_DEV_VGIC }, { 0x09000000ULL, DABT_DEV_VUART },
		{ 0x09000fffULL, DABT_DEV_VUART }, { 0x0f000000ULL, DABT_DEV_MGMT },
		{ 0x0f000fffULL, DABT_DEV_MGMT },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		check(decode(EC_DABT_LOW | IL | ISV | SAS(0) | SRT(1) | DFSC_TRANS_L3, in[i].ipa),
		      (struct expect){ DABT_EMULATE, in[i].dev, in[i].ipa, 1, 1, false, false,
				       false, false, true });
}

/* ---- Refusals --------------------------------------------------------------- */

/* Just outside each window, in RAM, in holes, at the top of the IPA space:
 * unmapped, whatever the syndrome says. */
static void test_unmapped(void **state)
{
	static const uint64_t out[] = {
		0, 0x07ffffffULL, 0x081a0000ULL, 0x08ffffffULL, 0x09001000ULL, 0x09010000ULL,
		0x0b000000ULL, 0x0effffffULL, 0x0f001000ULL, 0x40000000ULL, 0x7ffffff000ULL,
		0x8000000000ULL,
		0x1000000000000ULL, 0x000fffffffffffffULL,
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		check_refused(decode(EC_DABT_LOW | IL | ISV | SAS(2) | SRT(1) | DFSC_TRANS_L3,
				     out[i]), DABT_UNMAPPED, DABT_DEV_NONE, out[i]);
		check_refused(decode(EC_DABT_LOW | IL | WNR | DFSC_TRANS_L1, out[i]),
			      DABT_UNMAPPED, DABT_DEV_NONE, out[i]);
	}
}

/* LDP, writeback, LDXR, atomics, SIMD, DC ZVA on a device: no syndrome. */
static void test_no_syndrome(void **state)
{
	(void)state;
	check_refused(decode(EC_DABT_LOW | IL | DFSC_TRANS_L3, GICD_TYPER), DABT_NO_SYNDROME,
		      DABT_DEV_VGIC, GICD_TYPER);
	check_refused(decode(EC_DABT_LOW | IL | WNR | DFSC_TRANS_L3, UARTDR), DABT_NO_SYNDROME,
		      DABT_DEV_VUART, UARTDR);
	/* DC ZVA / DC CIVAC: CM set, WnR set, no ISV. */
	check_refused(decode(EC_DABT_LOW | IL | CM | WNR | DFSC_TRANS_L3, 0x08000040ULL),
		      DABT_NO_SYNDROME, DABT_DEV_VGIC, 0x08000040ULL);
	/* Without ISV the other fields are not trusted, whatever they hold. */
	check_refused(decode(EC_DABT_LOW | IL | SAS(3) | SSE | SRT(5) | SF | AR | WNR |
			     DFSC_TRANS_L3, UARTFR), DABT_NO_SYNDROME, DABT_DEV_VUART, UARTFR);
}

/* A fault on the stage-1 walk: its page tables are outside its memory. This
 * wins over everything else, even an emulated device's address with a
 * valid syndrome. */
static void test_s1ptw(void **state)
{
	(void)state;
	check_refused(decode(EC_DABT_LOW | IL | S1PTW | DFSC_TRANS_L1, 0x0b000000ULL),
		      DABT_S1PTW, DABT_DEV_NONE, 0x0b000000ULL);
	check_refused(decode(EC_DABT_LOW | IL | ISV | SAS(2) | SRT(1) | S1PTW | DFSC_TRANS_L3,
			     GICD_TYPER), DABT_S1PTW, DABT_DEV_NONE, GICD_TYPER);
	check_refused(decode(EC_DABT_LOW | IL | S1PTW | 0x10, UARTDR), DABT_S1PTW, DABT_DEV_NONE,
		      UARTDR);
}

/* External aborts, parity errors, alignment, TLB conflicts, lockdown,
 * unsupported atomics: not an unmapped address, not emulated anywhere. */
static void test_other_fault_codes(void **state)
{
	static const uint64_t dfsc[] = { 0x10, 0x11, 0x13, 0x14, 0x15, 0x17, 0x18, 0x1c, 0x1f,
					 0x21, 0x30, 0x31, 0x34, 0x35, 0x3f };

	(void)state;
	for (unsigned i = 0; i < sizeof(dfsc) / sizeof(dfsc[0]); i++) {
		check_refused(decode(EC_DABT_LOW | IL | ISV | SAS(2) | SRT(1) | dfsc[i], GICD_TYPER),
			      DABT_OTHER, DABT_DEV_NONE, GICD_TYPER);
		check_refused(decode(EC_DABT_LOW | IL | EA | FNV | dfsc[i], 0x40001000ULL),
			      DABT_OTHER, DABT_DEV_NONE, 0x40001000ULL);
	}
}

/* ---- The value a load leaves in its register --------------------------- */

static uint64_t load(unsigned sas, bool sse, bool sf, uint64_t val)
{
	uint64_t esr = EC_DABT_LOW | IL | ISV | SAS(sas) | SRT(0) | DFSC_TRANS_L3 |
		       (sse ? SSE : 0) | (sf ? SF : 0);
	struct dabt_access a;

	write_seed(esr, UARTFR, hpfar_of(UARTFR), val);
	a = dabt_decode(esr, UARTFR, hpfar_of(UARTFR));
	assert_int_equal(a.kind, DABT_EMULATE);
	return dabt_load_value(a, val);
}

static void test_load_values(void **state)
{
	static const struct {
		unsigned sas;
		bool sse, sf;
		uint64_t val, want;
		const char *insn;
	} t[] = {
		{ 0, false, false, 0xffffffffffffff80ULL, 0x80ULL, "LDRB W" },
		{ 0, true, true, 0x80ULL, 0xffffffffffffff80ULL, "LDRSB X" },
		{ 0, true, false, 0x80ULL, 0xffffff80ULL, "LDRSB W" },
		{ 0, true, true, 0x17fULL, 0x7fULL, "LDRSB X, positive" },
		{ 1, false, false, 0x12348765ULL, 0x8765ULL, "LDRH W" },
		{ 1, true, true, 0x8765ULL, 0xffffffffffff8765ULL, "LDRSH X" },
		{ 1, true, false, 0xaaaa8765ULL, 0xffff8765ULL, "LDRSH W" },
		{ 2, false, false, 0xdeadbeef80000001ULL, 0x80000001ULL, "LDR W" },
		{ 2, true, true, 0x80000001ULL, 0xffffffff80000001ULL, "LDRSW X" },
		{ 2, true, true, 0xffffffff7fffffffULL, 0x7fffffffULL, "LDRSW X, positive" },
		{ 3, false, true, 0x8000000000000001ULL, 0x8000000000000001ULL, "LDR X" },
		{ 3, true, true, 0x8000000000000001ULL, 0x8000000000000001ULL, "SSE on 8 bytes" },
		{ 3, false, false, 0x8000000180000002ULL, 0x80000002ULL, "SF = 0 on 8 bytes" },
		{ 2, false, true, 0x00000000ffffffffULL, 0xffffffffULL, "LDR W as X (SF = 1)" },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t got = load(t[i].sas, t[i].sse, t[i].sf, t[i].val);

		if (got != t[i].want)
			fail_msg("%s of %#llx: got %#llx, expected %#llx", t[i].insn,
				 (unsigned long long)t[i].val, (unsigned long long)got,
				 (unsigned long long)t[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ldr_w),
		cmocka_unit_test(test_ldr_x30),
		cmocka_unit_test(test_strb),
		cmocka_unit_test(test_store_sizes),
		cmocka_unit_test(test_zero_register),
		cmocka_unit_test(test_sign_extending_loads),
		cmocka_unit_test(test_acquire_release),
		cmocka_unit_test(test_thumb16),
		cmocka_unit_test(test_ipa_from_hpfar_and_far),
		cmocka_unit_test(test_mapping_fault_codes),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_unmapped),
		cmocka_unit_test(test_no_syndrome),
		cmocka_unit_test(test_s1ptw),
		cmocka_unit_test(test_other_fault_codes),
		cmocka_unit_test(test_load_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
