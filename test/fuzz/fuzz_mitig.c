/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mitigation option parser (`bulwark.mitigations=`) on any bytes, the
 * packed choices of the system description (any 32-bit code, for a VM),
 * and detection and policy on any CPU identity: no crash, no out-of-bounds
 * access, and the invariants the entry sequence and the guests rely on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bulwark/mitig.h>

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct mitig_cpu_id id;
	struct mitig_cpu_facts f;
	struct mitig_plan p;
	struct mitig_choice c = { .profile = (enum mitig_profile)(take(&in, 1) % 3) };
	uint32_t built = (uint32_t)take(&in, 1) & MITIG_MOD_ALL;
	uint32_t vm_code = (uint32_t)take(&in, 4);
	struct mitig_choice vm = { .profile = MITIG_PROFILE_SYSTEM };
	bool has_vm = vm_code != 0 && mitig_choice_decode(vm_code, true, &vm) == 0;
	char why[96];

	memset(&id, 0, sizeof(id));
	id.midr = take(&in, 8);
	id.pfr0 = take(&in, 8);
	id.pfr1 = take(&in, 8);
	id.isar1 = take(&in, 8);
	id.isar2 = take(&in, 8);
	id.mmfr1 = take(&in, 8);
	id.fw_wa1 = (int32_t)take(&in, 4);
	id.fw_wa2 = (int32_t)take(&in, 4);
	id.fw_wa3 = (int32_t)take(&in, 4);
	id.sls_built = take(&in, 1) & 1;

	/* The rest of the input is the option text. */
	if (mitig_parse((const char *)in.p, in.left, &c, why, sizeof(why)) == 0) {
		if (c.force_on & c.force_off)
			abort();
		if ((c.force_on | c.force_off) & ~MITIG_MOD_ALL)
			abort();
		if ((c.force_on | c.force_off) & (1u << MITIG_MOD_NOSPEC))
			abort();
	} else if (strnlen(why, sizeof(why)) == 0) {
		abort(); /* every error says what is wrong */
	}
	if (has_vm) {
		/* A valid VM code: only per-VM modules, and it packs back the same. */
		if ((vm.force_on | vm.force_off) & ~MITIG_MOD_PER_VM || (vm.force_on & vm.force_off))
			abort();
		if (mitig_choice_encode(&vm) != vm_code)
			abort();
		char text[128];
		struct mitig_choice again = { .profile = MITIG_PROFILE_SYSTEM };

		/* Its text parses back to the same choice. */
		mitig_choice_format(&vm, text, sizeof(text));
		if (text[0] && (mitig_parse(text, strlen(text), &again, why, sizeof(why)) ||
				mitig_choice_encode(&again) != vm_code))
			abort();
	}
	mitig_detect(&id, &f);
	mitig_resolve(&f, built, &c, has_vm ? &vm : NULL, &p);
	uint32_t on = mitig_enabled(&c) & ~MITIG_MOD_PER_VM;

	/* What the VM decides: its overrides, else its profile, else the system's. */
	for (unsigned m = 0; m < MITIG_MOD_COUNT; m++) {
		uint32_t bit = 1u << m;

		if (!(MITIG_MOD_PER_VM & bit))
			continue;
		if (has_vm && ((vm.force_on | vm.force_off) & bit))
			on |= vm.force_on & bit;
		else if (has_vm && vm.profile < MITIG_PROFILE_COUNT)
			on |= mitig_enabled(&(struct mitig_choice){ .profile = vm.profile }) & bit;
		else
			on |= mitig_enabled(&c) & bit;
	}
	on &= built;

	/* Nothing runs on entry that is not built and switched on. */
	if ((p.entry_flags & (1u << MITIG_ENTRY_LOOP_BIT | 1u << MITIG_ENTRY_CLRBHB_BIT)) &&
	    !(on & (1u << MITIG_MOD_BHB)))
		abort();
	if ((p.entry_flags & (1u << MITIG_ENTRY_FW_BIT)) &&
	    !(on & (1u << MITIG_MOD_BHB | 1u << MITIG_MOD_BPI)))
		abort();
	if ((p.entry_flags & (1u << MITIG_ENTRY_LOOP_BIT)) &&
	    ((p.entry_flags >> MITIG_ENTRY_LOOP_SHIFT) & 0xff) == 0)
		abort(); /* a loop of 0 iterations would run 256 */
	/* A workaround call is offered only where the entry does its work. */
	if ((p.guest_flags & (1u << MITIG_GUEST_WA1_BIT)) &&
	    !(p.entry_flags & (1u << MITIG_ENTRY_FW_BIT)))
		abort();
	if (p.guest_flags && !(on & (1u << MITIG_MOD_SMCCC)))
		abort();
	for (unsigned i = 0; i < MITIG_ISSUE_COUNT; i++)
		if (!p.e[i].why || !p.e[i].note)
			abort();
	return 0;
}
