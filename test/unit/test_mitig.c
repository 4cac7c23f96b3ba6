/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mitigation detection and policy (src/core/mitig.c): the facts of every core
 * QEMU can emulate, from their real MIDR and ID register values; ID
 * registers and firmware answers overriding the core table; errata revision
 * ranges; each profile, override and build option; what guests are told;
 * and the option parser, with the exact message of every error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <bulwark/mitig.h>
#include <bulwark/package.h>

#define WA1 0x80008000u
#define WA2 0x80007fffu
#define WA3 0x80003fffu

/* QEMU 7.2's values (read at EL2 by Bulwark on each -cpu model). */
#define MIDR_A53 0x410fd034ULL   /* r0p4 */
#define MIDR_A57 0x411fd070ULL   /* r1p0 */
#define MIDR_A72 0x410fd083ULL   /* r0p3 */
#define MIDR_A76 0x414fd0b1ULL   /* r4p1 */
#define MIDR_N1 0x414fd0c1ULL    /* r4p1 */
#define MIDR_MAX 0x000f0510ULL   /* implementer 0 */
#define PFR0_CSV2(v) ((uint64_t)(v) << 56)
#define PFR0_CSV3 (1ULL << 60)
#define PFR1_SSBS (1ULL << 4)
#define ISAR2_CLRBHB (1ULL << 28)
#define MMFR1_ECBHB (1ULL << 60)

static const struct mitig_choice balanced = { .profile = MITIG_PROFILE_BALANCED };
static const struct mitig_choice hardened = { .profile = MITIG_PROFILE_HARDENED };
static const struct mitig_choice throughput = { .profile = MITIG_PROFILE_THROUGHPUT };

static struct mitig_cpu_id id_of(uint64_t midr, uint64_t pfr0, uint64_t pfr1)
{
	struct mitig_cpu_id id = { .midr = midr, .pfr0 = pfr0, .pfr1 = pfr1,
				   .fw_wa1 = MITIG_FW_NO_SMCCC, .fw_wa2 = MITIG_FW_NO_SMCCC,
				   .fw_wa3 = MITIG_FW_NO_SMCCC, .sls_built = true };
	return id;
}

static void plan_of(const struct mitig_cpu_id *id, const struct mitig_choice *c, uint32_t built,
		    struct mitig_cpu_facts *f, struct mitig_plan *p)
{
	mitig_detect(id, f);
	mitig_resolve(f, built, c, NULL, p);
}

static void test_cortex_a53(void **state)
{
	struct mitig_cpu_id id = id_of(MIDR_A53, 0, 0);
	struct mitig_cpu_facts f;
	struct mitig_plan p;

	(void)state;
	plan_of(&id, &balanced, MITIG_MOD_ALL, &f, &p);
	assert_string_equal(f.core, "Cortex-A53");
	for (unsigned i = MITIG_ISSUE_SPECTRE_V1; i <= MITIG_ISSUE_MELTDOWN; i++)
		assert_int_equal(f.affected[i], MITIG_NOT_AFFECTED);
	assert_int_equal(f.affected[MITIG_ISSUE_ERR_A53_843419], MITIG_AFFECTED);
	assert_int_equal(f.affected[MITIG_ISSUE_ERR_A57_832075], MITIG_NOT_AFFECTED);
	assert_int_equal(p.entry_flags, 0);
	assert_int_equal(p.guest_wa[0], SMCCC_RET_UNAFFECTED);
	assert_int_equal(p.guest_wa[1], SMCCC_RET_NOT_REQUIRED);
	assert_int_equal(p.guest_wa[2], SMCCC_RET_UNAFFECTED);
	assert_false(p.ssbd_el2);
}

/* A57 and A72 without firmware help: BHB loop of 8, Spectre-v2 and -v4 not mitigated. */
static void check_a57_a72(uint64_t midr, const char *name, bool errata_57)
{
	struct mitig_cpu_id id = id_of(midr, 0, 0);
	struct mitig_cpu_facts f;
	struct mitig_plan p;

	plan_of(&id, &balanced, MITIG_MOD_ALL, &f, &p);
	assert_string_equal(f.core, name);
	assert_int_equal(f.affected[MITIG_ISSUE_SPECTRE_V2], MITIG_AFFECTED);
	assert_int_equal(f.affected[MITIG_ISSUE_SPECTRE_BHB], MITIG_AFFECTED);
	assert_int_equal(f.affected[MITIG_ISSUE_SPECTRE_V4], MITIG_AFFECTED);
	assert_int_equal(f.affected[MITIG_ISSUE_MELTDOWN], MITIG_NOT_AFFECTED);
	assert_int_equal(f.affected[MITIG_ISSUE_ERR_A57_832075],
			 errata_57 ? MITIG_AFFECTED : MITIG_NOT_AFFECTED);
	assert_false(p.e[MITIG_ISSUE_SPECTRE_V2].active);
	assert_string_equal(p.e[MITIG_ISSUE_SPECTRE_V2].note,
			    "the firmware has no SMCCC 1.1 (no ARCH_WORKAROUND_1)");
	assert_true(p.e[MITIG_ISSUE_SPECTRE_BHB].active);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].method, MITIG_METHOD_BHB_LOOP);
	assert_int_equal(p.entry_flags, 1u << MITIG_ENTRY_LOOP_BIT | 8u << MITIG_ENTRY_LOOP_SHIFT);
	assert_false(p.e[MITIG_ISSUE_SPECTRE_V4].active);
	assert_false(p.ssbd_el2);
	/* Nothing to offer a guest: BHB alone does not make ARCH_WORKAROUND_3. */
	assert_int_equal(p.guest_wa[0], SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(p.guest_wa[1], SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(p.guest_wa[2], SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(p.guest_flags, 0);
}

static void test_cortex_a57(void **state)
{
	(void)state;
	check_a57_a72(MIDR_A57, "Cortex-A57", true);
}

static void test_cortex_a72(void **state)
{
	(void)state;
	check_a57_a72(MIDR_A72, "Cortex-A72", false);
}

static void check_a76_n1(uint64_t midr, const char *name)
{
	struct mitig_cpu_id id = id_of(midr, PFR0_CSV2(1) | PFR0_CSV3, PFR1_SSBS);
	struct mitig_cpu_facts f;
	struct mitig_plan p;

	plan_of(&id, &balanced, MITIG_MOD_ALL, &f, &p);
	assert_string_equal(f.core, name);
	assert_int_equal(f.affected[MITIG_ISSUE_SPECTRE_V2], MITIG_NOT_AFFECTED);
	assert_string_equal(f.why[MITIG_ISSUE_SPECTRE_V2], "CSV2");
	assert_int_equal(f.affected[MITIG_ISSUE_SPECTRE_BHB], MITIG_AFFECTED);
	assert_int_equal(f.affected[MITIG_ISSUE_MELTDOWN], MITIG_NOT_AFFECTED);
	assert_int_equal(f.affected[MITIG_ISSUE_ERR_A76_1165522], MITIG_NOT_AFFECTED); /* r4p1 */
	assert_int_equal(p.entry_flags, 1u << MITIG_ENTRY_LOOP_BIT | 24u << MITIG_ENTRY_LOOP_SHIFT);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_V4].method, MITIG_METHOD_SSBS);
	assert_true(p.ssbd_el2);
	assert_int_equal(p.guest_wa[0], SMCCC_RET_UNAFFECTED);
	assert_int_equal(p.guest_wa[1], SMCCC_RET_NOT_SUPPORTED); /* the guest uses SSBS */
	assert_int_equal(p.guest_wa[2], SMCCC_RET_SUCCESS);
	assert_int_equal(p.guest_flags, 1u << MITIG_GUEST_WA3_BIT);
}

static void test_cortex_a76(void **state)
{
	(void)state;
	check_a76_n1(MIDR_A76, "Cortex-A76");
}

static void test_neoverse_n1(void **state)
{
	(void)state;
	check_a76_n1(MIDR_N1, "Neoverse-N1");
}

/* QEMU's -cpu max: implementer 0, CSV2 2, CSV3, SSBS 2. */
static void test_qemu_max(void **state)
{
	struct mitig_cpu_id id = id_of(MIDR_MAX, PFR0_CSV2(2) | PFR0_CSV3, 2ULL << 4);
	struct mitig_cpu_facts f;
	struct mitig_plan p;

	(void)state;
	plan_of(&id, &balanced, MITIG_MOD_ALL, &f, &p);
	assert_string_equal(f.core, "unknown core");
	assert_int_equal(f.affected[MITIG_ISSUE_SPECTRE_V2], MITIG_NOT_AFFECTED);
	assert_int_equal(f.affected[MITIG_ISSUE_SPECTRE_BHB], MITIG_UNKNOWN);
	assert_int_equal(f.affected[MITIG_ISSUE_SPECTRE_V4], MITIG_UNKNOWN);
	assert_int_equal(f.affected[MITIG_ISSUE_MELTDOWN], MITIG_NOT_AFFECTED);
	assert_int_equal(p.entry_flags, 0); /* balanced leaves unknown cores alone */
	assert_true(p.ssbd_el2);            /* but SSBS costs nothing to use */
	assert_int_equal(p.guest_wa[2], SMCCC_RET_NOT_SUPPORTED);
	/* Hardened: the longest published loop. */
	plan_of(&id, &hardened, MITIG_MOD_ALL, &f, &p);
	assert_int_equal(p.entry_flags, 1u << MITIG_ENTRY_LOOP_BIT | 32u << MITIG_ENTRY_LOOP_SHIFT);
	assert_int_equal(p.guest_wa[2], SMCCC_RET_SUCCESS);
	/* CSV2_3 on an unknown core: not affected, in every profile. */
	id.pfr0 = PFR0_CSV2(3);
	plan_of(&id, &hardened, MITIG_MOD_ALL, &f, &p);
	assert_int_equal(f.affected[MITIG_ISSUE_SPECTRE_BHB], MITIG_NOT_AFFECTED);
	assert_string_equal(f.why[MITIG_ISSUE_SPECTRE_BHB], "CSV2_3");
	assert_int_equal(p.entry_flags, 0);
}

/* The ID registers win over the core table. */
static void test_id_registers_win(void **state)
{
	struct mitig_cpu_id id = id_of(MIDR_A57, PFR0_CSV2(1), 0);
	struct mitig_cpu_facts f;
	struct mitig_plan p;

	(void)state;
	plan_of(&id, &balanced, MITIG_MOD_ALL, &f, &p);
	assert_int_equal(f.affected[MITIG_ISSUE_SPECTRE_V2], MITIG_NOT_AFFECTED);
	id.mmfr1 = MMFR1_ECBHB;
	plan_of(&id, &balanced, MITIG_MOD_ALL, &f, &p);
	assert_int_equal(f.affected[MITIG_ISSUE_SPECTRE_BHB], MITIG_NOT_AFFECTED);
	assert_string_equal(f.why[MITIG_ISSUE_SPECTRE_BHB], "ECBHB");
	assert_int_equal(p.entry_flags, 0);
	/* CLRBHB is preferred to the loop. */
	id.mmfr1 = 0;
	id.isar2 = ISAR2_CLRBHB;
	plan_of(&id, &balanced, MITIG_MOD_ALL, &f, &p);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].method, MITIG_METHOD_CLRBHB);
	assert_int_equal(p.entry_flags, 1u << MITIG_ENTRY_CLRBHB_BIT);
}

static void test_errata_revisions(void **state)
{
	struct mitig_cpu_facts f;
	struct mitig_cpu_id id = id_of(0x411fd072ULL, 0, 0); /* A57 r1p2: last affected */

	(void)state;
	mitig_detect(&id, &f);
	assert_int_equal(f.affected[MITIG_ISSUE_ERR_A57_832075], MITIG_AFFECTED);
	assert_int_equal(f.affected[MITIG_ISSUE_ERR_A57_834220], MITIG_AFFECTED);
	id.midr = 0x411fd073ULL; /* r1p3 */
	mitig_detect(&id, &f);
	assert_int_equal(f.affected[MITIG_ISSUE_ERR_A57_832075], MITIG_NOT_AFFECTED);
	id.midr = 0x412fd0b0ULL; /* A76 r2p0 */
	mitig_detect(&id, &f);
	assert_int_equal(f.affected[MITIG_ISSUE_ERR_A76_1165522], MITIG_AFFECTED);
	id.midr = 0x413fd0b0ULL; /* r3p0 */
	mitig_detect(&id, &f);
	assert_int_equal(f.affected[MITIG_ISSUE_ERR_A76_1165522], MITIG_NOT_AFFECTED);
}

/* Firmware that implements the workarounds (as TF-A does on an A57). */
static void test_firmware_workarounds(void **state)
{
	struct mitig_cpu_id id = id_of(MIDR_A57, 0, 0);
	struct mitig_cpu_facts f;
	struct mitig_plan p;

	(void)state;
	id.fw_wa1 = SMCCC_RET_SUCCESS;
	id.fw_wa2 = SMCCC_RET_SUCCESS;
	id.fw_wa3 = SMCCC_RET_NOT_SUPPORTED;
	plan_of(&id, &balanced, MITIG_MOD_ALL, &f, &p);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_V2].method, MITIG_METHOD_FW_WA1);
	assert_int_equal(p.fw_fn, WA1);
	assert_int_equal(p.entry_flags, 1u << MITIG_ENTRY_FW_BIT | 1u << MITIG_ENTRY_LOOP_BIT |
					  8u << MITIG_ENTRY_LOOP_SHIFT);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_V4].method, MITIG_METHOD_FW_WA2);
	assert_true(p.fw_wa2_enable);
	assert_int_equal(p.guest_wa[0], SMCCC_RET_SUCCESS);
	assert_int_equal(p.guest_wa[1], SMCCC_RET_NOT_REQUIRED);
	assert_int_equal(p.guest_wa[2], SMCCC_RET_SUCCESS);
	assert_int_equal(p.guest_flags, 1u << MITIG_GUEST_WA1_BIT | 1u << MITIG_GUEST_WA3_BIT);
	/* The firmware says the core is not affected: believed. */
	id.fw_wa1 = SMCCC_RET_UNAFFECTED;
	plan_of(&id, &balanced, MITIG_MOD_ALL, &f, &p);
	assert_int_equal(f.affected[MITIG_ISSUE_SPECTRE_V2], MITIG_NOT_AFFECTED);
	assert_string_equal(f.why[MITIG_ISSUE_SPECTRE_V2], "firmware");
	/* A firmware BHB call, on a core with no loop (Cortex-A73): one call does both. */
	id = id_of(0x410fd090ULL, 0, 0);
	id.fw_wa1 = SMCCC_RET_SUCCESS;
	id.fw_wa3 = SMCCC_RET_SUCCESS;
	plan_of(&id, &balanced, MITIG_MOD_ALL, &f, &p);
	assert_int_equal(p.fw_fn, WA3);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_V2].method, MITIG_METHOD_FW_WA3);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].method, MITIG_METHOD_FW_WA3);
	assert_int_equal(p.entry_flags, 1u << MITIG_ENTRY_FW_BIT);
}

static void test_profiles_overrides_build(void **state)
{
	struct mitig_cpu_id id = id_of(MIDR_A76, PFR0_CSV2(1) | PFR0_CSV3, PFR1_SSBS);
	struct mitig_cpu_facts f;
	struct mitig_plan p;
	struct mitig_choice c = balanced;

	(void)state;
	plan_of(&id, &throughput, MITIG_MOD_ALL, &f, &p);
	assert_int_equal(p.entry_flags, 0);
	assert_false(p.ssbd_el2);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].source, MITIG_SRC_PROFILE);
	assert_string_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].note, "off in this profile");
	assert_int_equal(p.guest_wa[2], SMCCC_RET_NOT_SUPPORTED); /* BHB not cleared */
	assert_true(p.e[MITIG_ISSUE_SPECTRE_V1].active);          /* nospec stays */

	c.force_off = 1u << MITIG_MOD_BHB;
	plan_of(&id, &c, MITIG_MOD_ALL, &f, &p);
	assert_int_equal(p.entry_flags, 0);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].source, MITIG_SRC_OVERRIDE);
	assert_string_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].note, "switched off");

	c = throughput;
	c.force_on = 1u << MITIG_MOD_BHB;
	plan_of(&id, &c, MITIG_MOD_ALL, &f, &p);
	assert_int_equal(p.entry_flags, 1u << MITIG_ENTRY_LOOP_BIT | 24u << MITIG_ENTRY_LOOP_SHIFT);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].source, MITIG_SRC_OVERRIDE);

	/* Compiled out: whatever the profile says. */
	plan_of(&id, &hardened, 0, &f, &p);
	assert_int_equal(p.entry_flags, 0);
	assert_false(p.ssbd_el2);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].source, MITIG_SRC_BUILD);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_V1].source, MITIG_SRC_BUILD);
	assert_false(p.e[MITIG_ISSUE_SPECTRE_V1].active);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(p.guest_wa[i], SMCCC_RET_NOT_SUPPORTED);
	/* Not built with SLS hardening: said so. */
	id.sls_built = false;
	plan_of(&id, &hardened, MITIG_MOD_ALL, &f, &p);
	assert_false(p.e[MITIG_ISSUE_SLS].active);
	assert_int_equal(p.e[MITIG_ISSUE_SLS].source, MITIG_SRC_BUILD);
}

static void test_profile_modules(void **state)
{
	(void)state;
	assert_int_equal(mitig_enabled(&hardened), MITIG_MOD_ALL);
	assert_int_equal(mitig_enabled(&balanced),
			 MITIG_MOD_ALL & ~(1u << MITIG_MOD_FLUSH));
	assert_int_equal(mitig_enabled(&throughput),
			 1u << MITIG_MOD_NOSPEC | 1u << MITIG_MOD_SMCCC);
}

static int parse(const char *s, struct mitig_choice *c, char *why)
{
	return mitig_parse(s, strlen(s), c, why, 128);
}

static void test_parse_good(void **state)
{
	struct mitig_choice c = balanced;
	char why[128] = "";

	(void)state;
	assert_int_equal(parse("hardened", &c, why), 0);
	assert_int_equal(c.profile, MITIG_PROFILE_HARDENED);
	assert_int_equal(c.force_on | c.force_off, 0);
	assert_int_equal(parse("throughput,+bhb,-smccc,+flush", &c, why), 0);
	assert_int_equal(c.profile, MITIG_PROFILE_THROUGHPUT);
	assert_int_equal(c.force_on, 1u << MITIG_MOD_BHB | 1u << MITIG_MOD_FLUSH);
	assert_int_equal(c.force_off, 1u << MITIG_MOD_SMCCC);
	/* Overrides alone keep the profile given. */
	c = hardened;
	assert_int_equal(parse("-bpi", &c, why), 0);
	assert_int_equal(c.profile, MITIG_PROFILE_HARDENED);
	assert_int_equal(c.force_off, 1u << MITIG_MOD_BPI);
	/* Not NUL-terminated: only len bytes count. */
	assert_int_equal(mitig_parse("balancedXYZ", 8, &c, why, sizeof(why)), 0);
	assert_int_equal(c.profile, MITIG_PROFILE_BALANCED);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
		{ "", "empty (give a profile: hardened, balanced or throughput)" },
		{ "fast", "unknown profile 'fast' (known: hardened, balanced, throughput)" },
		{ "balanced,", "empty item at offset 9" },
		{ ",balanced", "empty item at offset 0" },
		{ "balanced,,-bhb", "empty item at offset 9" },
		{ "+bhb,balanced", "the profile 'balanced' must come first" },
		{ "balanced,hardened", "the profile 'hardened' must come first" },
		{ "balanced,+bogus", "unknown module 'bogus' (known: bpi, bhb, ssbd, flush, smccc)" },
		{ "balanced,+", "unknown module '' (known: bpi, bhb, ssbd, flush, smccc)" },
		{ "balanced,-nospec", "nospec is a build option only (MITIGATIONS=), not switched at boot" },
		{ "balanced,+bhb,-bhb", "module 'bhb' is given twice" },
		{ "balanced,-ssbd,-ssbd", "module 'ssbd' is given twice" },
		{ "bal anced", "item at offset 0: unprintable character" },
		{ "balanced,+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "item at offset 9 is too long" },
	};
	char why[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mitig_choice c = { .profile = MITIG_PROFILE_THROUGHPUT, .force_on = 7 };

		why[0] = '\0';
		assert_int_equal(parse(bad[i].in, &c, why), -1);
		assert_string_equal(why, bad[i].why);
		/* Unchanged on error. */
		assert_int_equal(c.profile, MITIG_PROFILE_THROUGHPUT);
		assert_int_equal(c.force_on, 7);
	}
}

/* The store the guest-exit path and the management plane read. */
/* A VM's choice decides its CPUs' per-VM modules; the system keeps the rest. */
static void test_vm_choice(void **state)
{
	struct mitig_cpu_id id = id_of(MIDR_A76, PFR0_CSV2(1) | PFR0_CSV3, PFR1_SSBS);
	struct mitig_cpu_facts f;
	struct mitig_plan p;
	struct mitig_choice sys = balanced, vm = { .profile = MITIG_PROFILE_SYSTEM };
	const uint32_t loop24 = 1u << MITIG_ENTRY_LOOP_BIT | 24u << MITIG_ENTRY_LOOP_SHIFT;

	(void)state;
	mitig_detect(&id, &f);
	/* No profile, no override: the system's plan, sources unchanged. */
	mitig_resolve(&f, MITIG_MOD_ALL, &sys, &vm, &p);
	assert_int_equal(p.entry_flags, loop24);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].source, MITIG_SRC_PROFILE);
	assert_int_equal(p.vm_profile, MITIG_PROFILE_SYSTEM);
	assert_int_equal(p.profile, MITIG_PROFILE_BALANCED);

	/* -bhb for the VM: no loop on its CPUs, said to be the VM's doing. */
	vm.force_off = 1u << MITIG_MOD_BHB;
	mitig_resolve(&f, MITIG_MOD_ALL, &sys, &vm, &p);
	assert_int_equal(p.entry_flags, 0);
	assert_false(p.e[MITIG_ISSUE_SPECTRE_BHB].active);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].source, MITIG_SRC_VM_OVERRIDE);
	assert_string_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].note, "switched off for the VM");
	assert_int_equal(p.guest_wa[2], SMCCC_RET_NOT_SUPPORTED); /* no longer done on entry */
	assert_int_equal(p.vm_code, mitig_choice_encode(&vm));

	/* A VM profile replaces the system's for the per-VM modules only,
	 * system overrides included; flush stays the system's. */
	sys = hardened;
	sys.force_on = 0;
	vm = (struct mitig_choice){ .profile = MITIG_PROFILE_THROUGHPUT };
	mitig_resolve(&f, MITIG_MOD_ALL, &sys, &vm, &p);
	assert_int_equal(p.entry_flags, 0);
	assert_false(p.ssbd_el2);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].source, MITIG_SRC_VM_PROFILE);
	assert_string_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].note, "off in the VM's profile");
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_V4].source, MITIG_SRC_VM_PROFILE);
	assert_string_equal(p.e[MITIG_ISSUE_VM_SWITCH].note, "flush module on, nothing to run it on yet");
	assert_int_equal(p.vm_profile, MITIG_PROFILE_THROUGHPUT);
	assert_int_equal(p.profile, MITIG_PROFILE_HARDENED);

	/* ... and the other way round: a hardened VM on a throughput system. */
	sys = throughput;
	vm = (struct mitig_choice){ .profile = MITIG_PROFILE_HARDENED, .force_off = 1u << MITIG_MOD_SSBD };
	mitig_resolve(&f, MITIG_MOD_ALL, &sys, &vm, &p);
	assert_int_equal(p.entry_flags, loop24);
	assert_false(p.ssbd_el2);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_V4].source, MITIG_SRC_VM_OVERRIDE);
	assert_string_equal(p.e[MITIG_ISSUE_VM_SWITCH].note, "flush module off");
	/* Unknown cores follow the VM's profile too. */
	id = id_of(MIDR_MAX, 0, 0);
	mitig_detect(&id, &f);
	mitig_resolve(&f, MITIG_MOD_ALL, &sys, &vm, &p);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].method, MITIG_METHOD_BHB_LOOP);
	mitig_resolve(&f, MITIG_MOD_ALL, &sys, NULL, &p);
	assert_false(p.e[MITIG_ISSUE_SPECTRE_BHB].active);

	/* A module not built stays off whatever the VM asks. */
	id = id_of(MIDR_A76, PFR0_CSV2(1) | PFR0_CSV3, PFR1_SSBS);
	mitig_detect(&id, &f);
	vm = (struct mitig_choice){ .profile = MITIG_PROFILE_SYSTEM, .force_on = 1u << MITIG_MOD_BHB };
	mitig_resolve(&f, MITIG_MOD_ALL & ~(1u << MITIG_MOD_BHB), &sys, &vm, &p);
	assert_int_equal(p.entry_flags, 0);
	assert_int_equal(p.e[MITIG_ISSUE_SPECTRE_BHB].source, MITIG_SRC_BUILD);
}

/* The packed form of the system description, both ways, and its text. */
static void test_choice_packing(void **state)
{
	struct mitig_choice c = { .profile = MITIG_PROFILE_SYSTEM }, d;
	char why[128], text[64];

	(void)state;
	assert_int_equal(parse("-bhb,+ssbd", &c, why), 0);
	assert_int_equal(mitig_choice_encode(&c), bwpkg_mitig(0, 1u << 2, 1u << 1));
	mitig_choice_format(&c, text, sizeof(text));
	assert_string_equal(text, "-bhb,+ssbd"); /* in module order */
	d = (struct mitig_choice){ .profile = MITIG_PROFILE_SYSTEM };
	assert_int_equal(mitig_choice_decode(mitig_choice_encode(&c), true, &d), 0);
	assert_memory_equal(&c, &d, sizeof(c));

	c = (struct mitig_choice){ .profile = MITIG_PROFILE_BALANCED };
	assert_int_equal(parse("hardened,-flush", &c, why), 0);
	assert_int_equal(mitig_choice_encode(&c), bwpkg_mitig(1, 0, 1u << 3));
	mitig_choice_format(&c, text, sizeof(text));
	assert_string_equal(text, "hardened,-flush");
	/* flush is the system's: valid for the system, not for a VM. */
	assert_int_equal(mitig_choice_decode(mitig_choice_encode(&c), true, &d), -1);
	d = (struct mitig_choice){ .profile = MITIG_PROFILE_BALANCED };
	assert_int_equal(mitig_choice_decode(mitig_choice_encode(&c), false, &d), 0);
	assert_memory_equal(&c, &d, sizeof(c));

	/* A VM's code as text, for the report and the boot lines. */
	assert_false(mitig_vm_code_format(0, text, sizeof(text)));
	assert_string_equal(text, "");
	assert_false(mitig_vm_code_format(bwpkg_mitig(1, 1u << 3, 0), text, sizeof(text)));
	assert_string_equal(text, "");
	assert_true(mitig_vm_code_format(bwpkg_mitig(3, 0, 1u << 1), text, sizeof(text)));
	assert_string_equal(text, "throughput,-bhb");

	/* 0: nothing given, @out untouched; malformed codes refused. */
	d = throughput;
	assert_int_equal(mitig_choice_decode(0, false, &d), 0);
	assert_int_equal(d.profile, MITIG_PROFILE_THROUGHPUT);
	const uint32_t bad[] = {
		1,                                        /* no SET bit */
		bwpkg_mitig(4, 0, 0),                     /* no such profile */
		bwpkg_mitig(1, 1u << 4, 0),               /* nospec: build option only */
		bwpkg_mitig(1, 0, 1u << 6),               /* no such module */
		bwpkg_mitig(1, 1u << 1, 1u << 1),         /* on and off */
		bwpkg_mitig(1, 0, 0) | 1u << 24,          /* bits that mean nothing */
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = balanced;
		assert_int_equal(mitig_choice_decode(bad[i], false, &d), -1);
		assert_int_equal(mitig_choice_decode(bad[i], true, &d), -1);
		assert_memory_equal(&d, &balanced, sizeof(d));
	}
}

static void test_posture_store(void **state)
{
	struct mitig_cpu_id id = id_of(MIDR_A76, PFR0_CSV2(1) | PFR0_CSV3, PFR1_SSBS);
	struct mitig_cpu_facts f;
	struct mitig_plan p;
	struct mitig_posture_entry e;

	(void)state;
	assert_int_equal(mitig_posture_get(0, MITIG_ISSUE_SPECTRE_BHB, &e, NULL, NULL), -1);
	assert_int_equal(mitig_guest_features(0, WA1), SMCCC_RET_NOT_SUPPORTED);
	plan_of(&id, &balanced, MITIG_MOD_ALL, &f, &p);
	mitig_plan_set(0, &p);
	assert_int_equal(mitig_posture_get(0, MITIG_ISSUE_SPECTRE_BHB, &e, NULL, NULL), 0);
	assert_int_equal(e.method, MITIG_METHOD_BHB_LOOP);
	assert_true(e.active);
	assert_int_equal(mitig_posture_get(0, MITIG_ISSUE_COUNT, &e, NULL, NULL), -1);
	assert_int_equal(mitig_posture_get(BULWARK_MAX_CPUS, MITIG_ISSUE_SPECTRE_V1, &e, NULL, NULL), -1);
	assert_int_equal(mitig_posture_get(1, MITIG_ISSUE_SPECTRE_V1, &e, NULL, NULL), -1);
	assert_int_equal(mitig_guest_features(0, WA1), SMCCC_RET_UNAFFECTED);
	assert_int_equal(mitig_guest_features(0, WA3), SMCCC_RET_SUCCESS);
	assert_int_equal(mitig_guest_features(0, 0x80000000u), SMCCC_RET_NOT_SUPPORTED);
	assert_true(mitig_guest_call_offered(0, WA3));
	assert_false(mitig_guest_call_offered(0, WA1));
	assert_false(mitig_guest_call_offered(0, WA2));
	assert_false(mitig_guest_call_offered(1, WA3));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(mitig_issue_name(MITIG_ISSUE_SPECTRE_BHB), "spectre-bhb");
	assert_string_equal(mitig_issue_name(MITIG_ISSUE_COUNT), "?");
	assert_string_equal(mitig_module_name(MITIG_MOD_SMCCC), "smccc");
	assert_string_equal(mitig_profile_name(MITIG_PROFILE_THROUGHPUT), "throughput");
	assert_string_equal(mitig_method_name(MITIG_METHOD_COUNT), "?");
	assert_string_equal(mitig_source_name(MITIG_SRC_OVERRIDE), "override");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cortex_a53),
		cmocka_unit_test(test_cortex_a57),
		cmocka_unit_test(test_cortex_a72),
		cmocka_unit_test(test_cortex_a76),
		cmocka_unit_test(test_neoverse_n1),
		cmocka_unit_test(test_qemu_max),
		cmocka_unit_test(test_id_registers_win),
		cmocka_unit_test(test_errata_revisions),
		cmocka_unit_test(test_firmware_workarounds),
		cmocka_unit_test(test_profiles_overrides_build),
		cmocka_unit_test(test_profile_modules),
		cmocka_unit_test(test_vm_choice),
		cmocka_unit_test(test_choice_packing),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_posture_store),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
