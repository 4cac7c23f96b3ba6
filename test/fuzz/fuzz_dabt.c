/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: the decoder of stage-2 data aborts
 * (src/arch/aarch64/dabt.h), over any ESR_EL2, FAR_EL2 and HPFAR_EL2.
 *
 * Input: records of four little-endian 64-bit words: ESR_EL2, FAR_EL2,
 * HPFAR_EL2 and the value a device returns. Every decoded access is checked
 * against the architecture's rules, written here a second time and
 * differently: the IPA is HPFAR's page and FAR's offset; S1PTW wins, then a
 * fault status above 0x0f, then the address (inside an emulated window or
 * not), then ISV; only an access with a syndrome carries size, register and
 * flags, and those are the syndrome's; only the syndrome's bits 25:0 count;
 * a naturally aligned access stays inside its window; and the value a load
 * leaves in its register is the device's, cut to the access size and
 * extended as the instruction says. Seeds: test/unit/test_dabt.c writes
 * every syndrome it decodes when BULWARK_SEED_DIR is set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../src/arch/aarch64/dabt.h"

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *rule, uint64_t esr, uint64_t far, uint64_t hpfar)
{
	fprintf(stderr, "fuzz_dabt: %s (ESR %#llx FAR %#llx HPFAR %#llx)\n", rule,
		(unsigned long long)esr, (unsigned long long)far, (unsigned long long)hpfar);
	abort();
}

static unsigned bit(uint64_t v, unsigned n)
{
	return (unsigned)(v >> n) & 1;
}

/* The load's result, by the Arm ARM's pseudocode: Extend(data, regsize, !SSE). */
static uint64_t reference_load(unsigned size, bool sse, bool sf, uint64_t val)
{
	uint64_t r;

	switch (size) {
	case 1: r = sse ? (uint64_t)(int64_t)(int8_t)(uint8_t)val : (uint8_t)val; break;
	case 2: r = sse ? (uint64_t)(int64_t)(int16_t)(uint16_t)val : (uint16_t)val; break;
	case 4: r = sse ? (uint64_t)(int64_t)(int32_t)(uint32_t)val : (uint32_t)val; break;
	default: r = val; break;
	}
	return sf ? r : (uint32_t)r;
}

static void check_one(uint64_t esr, uint64_t far, uint64_t hpfar, uint64_t val)
{
	struct dabt_access a = dabt_decode(esr, far, hpfar);
	struct dabt_access low = dabt_decode(esr & ((1ULL << 26) - 1), far, hpfar);
	uint64_t ipa = ((hpfar >> 4) & ((1ULL << 44) - 1)) << 12 | (far & 0xfff);
	bool in_vgic = ipa >= 0x08000000ULL && ipa < 0x081a0000ULL;
	bool in_vuart = ipa >= 0x09000000ULL && ipa < 0x09001000ULL;
	bool in_mgmt = ipa >= 0x0f000000ULL && ipa < 0x0f001000ULL;
	unsigned dfsc = (unsigned)esr & 0x3f;

	if (a.ipa != ipa)
		broken("IPA is not HPFAR.FIPA:FAR[11:0]", esr, far, hpfar);
	if (a.kind != low.kind || a.dev != low.dev || a.size != low.size || a.reg != low.reg ||
	    a.write != low.write || a.sign_extend != low.sign_extend || a.reg64 != low.reg64 ||
	    a.acq_rel != low.acq_rel || a.insn32 != low.insn32)
		broken("ESR bits above 25 (EC, ISS2) changed the decoding", esr, far, hpfar);

	enum dabt_kind want;
	enum dabt_dev dev = DABT_DEV_NONE;

	if (bit(esr, 7))
		want = DABT_S1PTW;
	else if (dfsc > 0x0f)
		want = DABT_OTHER;
	else if (!in_vgic && !in_vuart && !in_mgmt)
		want = DABT_UNMAPPED;
	else {
		dev = in_vgic ? DABT_DEV_VGIC : in_vuart ? DABT_DEV_VUART : DABT_DEV_MGMT;
		want = bit(esr, 24) ? DABT_EMULATE : DABT_NO_SYNDROME;
	}
	if (a.kind != want)
		broken("wrong kind", esr, far, hpfar);
	if (a.dev != dev)
		broken("wrong device", esr, far, hpfar);
	if (a.kind != DABT_EMULATE) {
		if (a.size || a.reg || a.write || a.sign_extend || a.reg64 || a.acq_rel || a.insn32)
			broken("a refused abort carries syndrome fields", esr, far, hpfar);
		return;
	}
	if (a.size != 1u << ((esr >> 22) & 3) || a.reg != ((esr >> 16) & 0x1f) ||
	    a.write != bit(esr, 6) || a.sign_extend != bit(esr, 21) || a.reg64 != bit(esr, 15) ||
	    a.acq_rel != bit(esr, 14) || a.insn32 != bit(esr, 25))
		broken("access fields differ from the syndrome", esr, far, hpfar);
	if ((a.ipa & (a.size - 1)) == 0) {
		uint64_t end = a.ipa + a.size - 1;
		bool stays = a.dev == DABT_DEV_VGIC ? end < 0x081a0000ULL :
			     a.dev == DABT_DEV_VUART ? end < 0x09001000ULL : end < 0x0f001000ULL;

		if (!stays)
			broken("an aligned access runs past its window", esr, far, hpfar);
	}
	if (dabt_load_value(a, val) != reference_load(a.size, a.sign_extend, a.reg64, val))
		broken("loaded value", esr, far, hpfar);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };

	while (in.left) {
		uint64_t esr = take(&in, 8), far = take(&in, 8), hpfar = take(&in, 8);

		check_one(esr, far, hpfar, take(&in, 8));
	}
	return 0;
}
