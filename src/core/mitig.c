/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU-vulnerability detection and mitigation policy (include/bulwark/mitig.h).
 * Pure functions: the same code runs at EL2 and in the host unit tests.
 *
 * The per-core facts below are Arm's published ones (the Cortex-A and
 * Neoverse security advisories, the Spectre-BHB whitepaper's loop counts,
 * the cores' errata notices). A fact an ID register states wins over the
 * table: a core that reports CSV2 is not affected by Spectre-v2 whatever its
 * name.
 */
#include <bulwark/fmt.h>
#include <bulwark/mitig.h>
#include <bulwark/package.h>
#include <bulwark/string.h>

/* The packed form (include/bulwark/package.h) numbers modules as we do. */
_Static_assert(MITIG_MOD_BPI == 0 && MITIG_MOD_BHB == 1 && MITIG_MOD_SSBD == 2 &&
	       MITIG_MOD_FLUSH == 3 && MITIG_MOD_NOSPEC == 4 && MITIG_MOD_SMCCC == 5 &&
	       MITIG_MOD_COUNT == 6, "BWPKG_MITIG_* module bits");
_Static_assert(MITIG_PROFILE_HARDENED == 0 && MITIG_PROFILE_BALANCED == 1 &&
	       MITIG_PROFILE_THROUGHPUT == 2 && MITIG_PROFILE_COUNT == BWPKG_MITIG_PROFILES,
	       "BWPKG_MITIG_PROFILE: profile + 1");
_Static_assert(BWPKG_MITIG_VM_MODS == MITIG_MOD_PER_VM &&
	       BWPKG_MITIG_SYS_MODS == (MITIG_MOD_ALL & ~(1u << MITIG_MOD_NOSPEC)),
	       "BWPKG_MITIG_*_MODS");

#define ARM 0x41u
#define PART(impl, part) ((uint32_t)(impl) << 12 | (part))

/* What Arm publishes about a core. */
struct core_info {
	uint32_t id;            /* PART(implementer, part number) */
	const char *name;
	bool v1, v2, v4, meltdown;
	uint8_t bhb_loop;       /* loop count; 0 with bhb_fw false: not affected */
	bool bhb_fw;            /* affected by BHB, mitigated by firmware only */
};

static const struct core_info cores[] = {
	/*  id                  name            v1     v2     v4     md     loop fw */
	{ PART(ARM, 0xd04), "Cortex-A35",  false, false, false, false, 0, false },
	{ PART(ARM, 0xd03), "Cortex-A53",  false, false, false, false, 0, false },
	{ PART(ARM, 0xd05), "Cortex-A55",  false, false, false, false, 0, false },
	{ PART(ARM, 0xd07), "Cortex-A57",  true,  true,  true,  false, 8, false },
	{ PART(ARM, 0xd08), "Cortex-A72",  true,  true,  true,  false, 8, false },
	{ PART(ARM, 0xd09), "Cortex-A73",  true,  true,  true,  false, 0, true },
	{ PART(ARM, 0xd0a), "Cortex-A75",  true,  true,  true,  true,  0, true },
	{ PART(ARM, 0xd0b), "Cortex-A76",  true,  false, true,  false, 24, false },
	{ PART(ARM, 0xd0d), "Cortex-A77",  true,  false, true,  false, 24, false },
	{ PART(ARM, 0xd0c), "Neoverse-N1", true,  false, true,  false, 24, false },
	{ PART(ARM, 0xd41), "Cortex-A78",  true,  false, true,  false, 32, false },
	{ PART(ARM, 0xd4b), "Cortex-A78C", true,  false, true,  false, 32, false },
	{ PART(ARM, 0xd44), "Cortex-X1",   true,  false, true,  false, 32, false },
	{ PART(ARM, 0xd40), "Neoverse-V1", true,  false, true,  false, 32, false },
	{ PART(ARM, 0xd47), "Cortex-A710", true,  false, true,  false, 32, false },
	{ PART(ARM, 0xd48), "Cortex-X2",   true,  false, true,  false, 32, false },
	{ PART(ARM, 0xd49), "Neoverse-N2", true,  false, true,  false, 32, false },
};

/* The longest loop Arm publishes: what the hardened profile uses on a core
 * it does not know. */
#define BHB_LOOP_MAX 32

/* An erratum: the core and its affected variant/revision range (rv = variant << 4 | revision). */
struct erratum {
	enum mitig_issue issue;
	uint32_t id;
	uint8_t rv_lo, rv_hi;
	enum mitig_method method;
	const char *note;
};

static const struct erratum errata[] = {
	{ MITIG_ISSUE_ERR_A53_843419, PART(ARM, 0xd03), 0x00, 0x04, MITIG_METHOD_NOT_NEEDED,
	  "linked with --fix-cortex-a53-843419 (GCC's default here)" },
	{ MITIG_ISSUE_ERR_A57_832075, PART(ARM, 0xd07), 0x00, 0x12, MITIG_METHOD_NOT_NEEDED,
	  "the drivers use no load-acquire on Device memory" },
	{ MITIG_ISSUE_ERR_A57_834220, PART(ARM, 0xd07), 0x00, 0x12, MITIG_METHOD_NONE,
	  "a misreported fault can only stop or confuse the faulting VM" },
	{ MITIG_ISSUE_ERR_A76_1165522, PART(ARM, 0xd0b), 0x00, 0x20, MITIG_METHOD_NOT_NEEDED,
	  "a CPU never switches EL1 or stage-2 context between VMs" },
};

static unsigned field(uint64_t reg, unsigned shift)
{
	return (unsigned)((reg >> shift) & 0xf);
}

static const struct core_info *core_lookup(uint64_t midr)
{
	uint32_t id = PART((midr >> 24) & 0xff, (midr >> 4) & 0xfff);

	for (size_t i = 0; i < ARRAY_SIZE(cores); i++)
		if (cores[i].id == id)
			return &cores[i];
	return NULL;
}

static void set(struct mitig_cpu_facts *f, enum mitig_issue i, enum mitig_affected a,
		const char *why)
{
	f->affected[i] = a;
	f->why[i] = why;
}

void mitig_detect(const struct mitig_cpu_id *id, struct mitig_cpu_facts *f)
{
	const struct core_info *c = core_lookup(id->midr);
	unsigned csv2 = field(id->pfr0, 56);

	memset(f, 0, sizeof(*f));
	f->core = c ? c->name : "unknown core";
	f->csv2 = csv2 >= 1;
	f->csv2_3 = csv2 >= 3;
	f->csv3 = field(id->pfr0, 60) >= 1;
	f->ssbs = field(id->pfr1, 4) >= 1;
	f->sb = field(id->isar1, 36) >= 1;
	f->clrbhb = field(id->isar2, 28) >= 1;
	f->ecbhb = field(id->mmfr1, 60) >= 1;
	f->fw_smccc = id->fw_wa1 != MITIG_FW_NO_SMCCC;
	f->fw_wa1 = f->fw_smccc && id->fw_wa1 == SMCCC_RET_SUCCESS;
	f->fw_wa2 = f->fw_smccc && id->fw_wa2 == SMCCC_RET_SUCCESS;
	f->fw_wa2_not_required = f->fw_smccc && id->fw_wa2 == SMCCC_RET_NOT_REQUIRED;
	f->fw_wa3 = f->fw_smccc && id->fw_wa3 == SMCCC_RET_SUCCESS;
	f->pac_on = id->pac_on;
	f->bti_on = id->bti_on;
	f->sls_built = id->sls_built;

	/* Spectre-v1: every core that speculates past a conditional branch. */
	if (c)
		set(f, MITIG_ISSUE_SPECTRE_V1, c->v1 ? MITIG_AFFECTED : MITIG_NOT_AFFECTED, c->name);
	else
		set(f, MITIG_ISSUE_SPECTRE_V1, MITIG_UNKNOWN, "unknown core");

	/* Spectre-v2: CSV2 says no; then the firmware; then the core table. */
	if (f->csv2)
		set(f, MITIG_ISSUE_SPECTRE_V2, MITIG_NOT_AFFECTED, "CSV2");
	else if (f->fw_smccc && id->fw_wa1 == SMCCC_RET_UNAFFECTED)
		set(f, MITIG_ISSUE_SPECTRE_V2, MITIG_NOT_AFFECTED, "firmware");
	else if (c)
		set(f, MITIG_ISSUE_SPECTRE_V2, c->v2 ? MITIG_AFFECTED : MITIG_NOT_AFFECTED, c->name);
	else
		set(f, MITIG_ISSUE_SPECTRE_V2, MITIG_UNKNOWN, "unknown core, no CSV2");

	/* Spectre-BHB: CSV2_3 or ECBHB say no; a core with CLRBHB, a known loop
	 * count or a firmware call is affected. */
	if (f->csv2_3)
		set(f, MITIG_ISSUE_SPECTRE_BHB, MITIG_NOT_AFFECTED, "CSV2_3");
	else if (f->ecbhb)
		set(f, MITIG_ISSUE_SPECTRE_BHB, MITIG_NOT_AFFECTED, "ECBHB");
	else if (f->fw_smccc && id->fw_wa3 == SMCCC_RET_UNAFFECTED)
		set(f, MITIG_ISSUE_SPECTRE_BHB, MITIG_NOT_AFFECTED, "firmware");
	else if (c && (c->bhb_loop || c->bhb_fw))
		set(f, MITIG_ISSUE_SPECTRE_BHB, MITIG_AFFECTED, c->name);
	else if (f->clrbhb)
		set(f, MITIG_ISSUE_SPECTRE_BHB, MITIG_AFFECTED, "CLRBHB implemented");
	else if (f->fw_wa3)
		set(f, MITIG_ISSUE_SPECTRE_BHB, MITIG_AFFECTED, "firmware offers ARCH_WORKAROUND_3");
	else if (c)
		set(f, MITIG_ISSUE_SPECTRE_BHB, MITIG_NOT_AFFECTED, c->name);
	else
		set(f, MITIG_ISSUE_SPECTRE_BHB, MITIG_UNKNOWN, "unknown core, no CSV2_3/ECBHB/CLRBHB");
	f->bhb_loop = c ? c->bhb_loop : 0;

	/* Spectre-v4: SSBS is a means, not a verdict; the firmware may know. */
	if (f->fw_smccc && id->fw_wa2 == SMCCC_RET_UNAFFECTED)
		set(f, MITIG_ISSUE_SPECTRE_V4, MITIG_NOT_AFFECTED, "firmware");
	else if (c)
		set(f, MITIG_ISSUE_SPECTRE_V4, c->v4 ? MITIG_AFFECTED : MITIG_NOT_AFFECTED, c->name);
	else
		set(f, MITIG_ISSUE_SPECTRE_V4, MITIG_UNKNOWN, "unknown core");

	if (f->csv3)
		set(f, MITIG_ISSUE_MELTDOWN, MITIG_NOT_AFFECTED, "CSV3");
	else if (c)
		set(f, MITIG_ISSUE_MELTDOWN, c->meltdown ? MITIG_AFFECTED : MITIG_NOT_AFFECTED, c->name);
	else
		set(f, MITIG_ISSUE_MELTDOWN, MITIG_UNKNOWN, "unknown core, no CSV3");

	set(f, MITIG_ISSUE_SLS, MITIG_AFFECTED, "Arm: assume every core");
	set(f, MITIG_ISSUE_VM_SWITCH, MITIG_AFFECTED, "predictors, L1D, TLB are per core");

	unsigned rv = (unsigned)(((id->midr >> 16) & 0xf0) | (id->midr & 0xf));

	for (size_t i = 0; i < ARRAY_SIZE(errata); i++) {
		const struct erratum *e = &errata[i];
		bool on = c && c->id == e->id && rv >= e->rv_lo && rv <= e->rv_hi;

		set(f, e->issue, on ? MITIG_AFFECTED : MITIG_NOT_AFFECTED,
		    on ? "core and revision" : "other core or revision");
	}
}

/* Modules each profile switches on. */
static const uint32_t profile_modules[MITIG_PROFILE_COUNT] = {
	[MITIG_PROFILE_HARDENED] = MITIG_MOD_ALL,
	[MITIG_PROFILE_BALANCED] = (1u << MITIG_MOD_BPI) | (1u << MITIG_MOD_BHB) |
				   (1u << MITIG_MOD_SSBD) | (1u << MITIG_MOD_NOSPEC) |
				   (1u << MITIG_MOD_SMCCC),
	[MITIG_PROFILE_THROUGHPUT] = (1u << MITIG_MOD_NOSPEC) | (1u << MITIG_MOD_SMCCC),
};

uint32_t mitig_enabled(const struct mitig_choice *c)
{
	uint32_t on = c->profile < MITIG_PROFILE_COUNT ? profile_modules[c->profile] : 0;

	return ((on | c->force_on) & ~c->force_off) & MITIG_MOD_ALL;
}

/* Who decides each module on one CPU: the system's choice and its VM's. */
struct decided {
	uint32_t on;                               /* modules switched on */
	enum mitig_source src[MITIG_MOD_COUNT];    /* PROFILE, OVERRIDE or VM_* */
	enum mitig_profile profile;                /* for the per-VM modules */
};

static void decide(const struct mitig_choice *sys, const struct mitig_choice *vm,
		   struct decided *d)
{
	uint32_t sys_on = mitig_enabled(sys);
	bool vm_profile = vm && vm->profile < MITIG_PROFILE_COUNT;

	d->on = 0;
	d->profile = vm_profile ? vm->profile : sys->profile;
	for (unsigned m = 0; m < MITIG_MOD_COUNT; m++) {
		uint32_t bit = 1u << m;
		bool on;

		if (vm && (MITIG_MOD_PER_VM & bit) && ((vm->force_on | vm->force_off) & bit)) {
			on = vm->force_on & bit;
			d->src[m] = MITIG_SRC_VM_OVERRIDE;
		} else if (vm_profile && (MITIG_MOD_PER_VM & bit)) {
			on = profile_modules[vm->profile] & bit;
			d->src[m] = MITIG_SRC_VM_PROFILE;
		} else {
			on = sys_on & bit;
			d->src[m] = ((sys->force_on | sys->force_off) & bit) ? MITIG_SRC_OVERRIDE
									     : MITIG_SRC_PROFILE;
		}
		d->on |= on ? bit : 0;
	}
}

/* Fills entry @e for a switchable module, or returns false if it is on. */
static bool module_off(struct mitig_posture_entry *e, enum mitig_module m, uint32_t built,
		       const struct decided *d)
{
	static const char *const off_note[MITIG_SRC_COUNT] = {
		[MITIG_SRC_PROFILE] = "off in this profile",
		[MITIG_SRC_OVERRIDE] = "switched off",
		[MITIG_SRC_VM_PROFILE] = "off in the VM's profile",
		[MITIG_SRC_VM_OVERRIDE] = "switched off for the VM",
	};

	e->module = (int)m;
	if (!(built & (1u << m))) {
		e->source = MITIG_SRC_BUILD;
		e->note = "module not built";
		return true;
	}
	e->source = d->src[m];
	if (d->on & (1u << m))
		return false;
	e->note = off_note[d->src[m]];
	return true;
}

/* Whether an issue with verdict @a is to be mitigated under @d. */
static bool wanted(enum mitig_affected a, const struct decided *d)
{
	return a == MITIG_AFFECTED || (a == MITIG_UNKNOWN && d->profile == MITIG_PROFILE_HARDENED);
}

static void use(struct mitig_posture_entry *e, enum mitig_method m)
{
	e->method = m;
	e->active = true;
}

void mitig_resolve(const struct mitig_cpu_facts *f, uint32_t built,
		   const struct mitig_choice *c, const struct mitig_choice *vm,
		   struct mitig_plan *p)
{
	struct mitig_posture_entry *e;
	struct decided d;

	decide(c, vm, &d);
	memset(p, 0, sizeof(*p));
	p->profile = c->profile;
	p->vm_profile = vm && vm->profile < MITIG_PROFILE_COUNT ? vm->profile : MITIG_PROFILE_SYSTEM;
	p->vm_code = vm ? mitig_choice_encode(vm) : 0;
	for (unsigned i = 0; i < MITIG_ISSUE_COUNT; i++) {
		p->e[i].affected = f->affected[i];
		p->e[i].why = f->why[i] ? f->why[i] : "";
		p->e[i].module = -1;
		p->e[i].note = "";
		p->e[i].source = f->affected[i] == MITIG_NOT_AFFECTED ? MITIG_SRC_HARDWARE
								       : MITIG_SRC_FIXED;
	}

	/* Spectre-v1: index masking is compiled code, on whenever it is built. */
	e = &p->e[MITIG_ISSUE_SPECTRE_V1];
	e->module = MITIG_MOD_NOSPEC;
	if (built & (1u << MITIG_MOD_NOSPEC)) {
		use(e, MITIG_METHOD_NOSPEC);
		e->source = MITIG_SRC_FIXED;
		if (e->affected == MITIG_NOT_AFFECTED)
			e->note = "built in anyway";
	} else {
		e->source = MITIG_SRC_BUILD;
		e->note = "module not built";
	}

	/* Spectre-v2: only the firmware can invalidate these cores' predictors. */
	e = &p->e[MITIG_ISSUE_SPECTRE_V2];
	if (!wanted(e->affected, &d)) {
		if (e->affected == MITIG_UNKNOWN)
			e->note = "only the hardened profile acts on unknown cores";
	} else if (!module_off(e, MITIG_MOD_BPI, built, &d)) {
		if (f->fw_wa1) {
			use(e, MITIG_METHOD_FW_WA1);
			p->entry_flags |= 1u << MITIG_ENTRY_FW_BIT;
			p->fw_fn = 0x80008000u;
		} else {
			e->note = f->fw_smccc ? "the firmware offers no ARCH_WORKAROUND_1"
					      : "the firmware has no SMCCC 1.1 (no ARCH_WORKAROUND_1)";
		}
	}

	/* Spectre-BHB: the instruction, else the loop, else the firmware. */
	e = &p->e[MITIG_ISSUE_SPECTRE_BHB];
	if (!wanted(e->affected, &d)) {
		if (e->affected == MITIG_UNKNOWN)
			e->note = "only the hardened profile acts on unknown cores";
	} else if (!module_off(e, MITIG_MOD_BHB, built, &d)) {
		unsigned loop = f->bhb_loop;

		if (!loop && e->affected == MITIG_UNKNOWN)
			loop = BHB_LOOP_MAX;
		if (f->clrbhb) {
			use(e, MITIG_METHOD_CLRBHB);
			p->entry_flags |= 1u << MITIG_ENTRY_CLRBHB_BIT;
		} else if (loop) {
			use(e, MITIG_METHOD_BHB_LOOP);
			p->entry_flags |= 1u << MITIG_ENTRY_LOOP_BIT | loop << MITIG_ENTRY_LOOP_SHIFT;
			if (!f->bhb_loop)
				e->note = "unknown core: Arm's longest published loop (32)";
		} else if (f->fw_wa3) {
			/* ARCH_WORKAROUND_3 does ARCH_WORKAROUND_1's work too: one call. */
			use(e, MITIG_METHOD_FW_WA3);
			p->entry_flags |= 1u << MITIG_ENTRY_FW_BIT;
			p->fw_fn = 0x80003fffu;
			if (p->e[MITIG_ISSUE_SPECTRE_V2].method == MITIG_METHOD_FW_WA1)
				p->e[MITIG_ISSUE_SPECTRE_V2].method = MITIG_METHOD_FW_WA3;
		} else {
			e->note = "no CLRBHB, no published loop count, no ARCH_WORKAROUND_3";
		}
	}

	/* Spectre-v4 at EL2: SSBS where the core has it, else the firmware for good. */
	e = &p->e[MITIG_ISSUE_SPECTRE_V4];
	if (f->fw_wa2_not_required && e->affected != MITIG_NOT_AFFECTED) {
		use(e, MITIG_METHOD_FW_WA2);
		e->note = "the firmware keeps it on";
	} else if (e->affected != MITIG_NOT_AFFECTED && !module_off(e, MITIG_MOD_SSBD, built, &d)) {
		if (f->ssbs) {
			use(e, MITIG_METHOD_SSBS);
			p->ssbd_el2 = true;
			e->note = "EL2 only: guests set their own PSTATE.SSBS";
		} else if (f->fw_wa2) {
			use(e, MITIG_METHOD_FW_WA2);
			p->fw_wa2_enable = true;
			e->note = "enabled for good on this CPU, guests included";
		} else {
			e->note = f->fw_smccc ? "no SSBS, the firmware offers no ARCH_WORKAROUND_2"
					      : "no SSBS, the firmware has no SMCCC 1.1 (no ARCH_WORKAROUND_2)";
		}
	}

	e = &p->e[MITIG_ISSUE_MELTDOWN];
	if (e->affected != MITIG_NOT_AFFECTED) {
		use(e, MITIG_METHOD_EL2_REGIME);
		e->note = "guests see CSV3 as it is and protect their own kernel";
	}

	e = &p->e[MITIG_ISSUE_SLS];
	if (f->sls_built) {
		use(e, MITIG_METHOD_SLS);
	} else {
		e->source = MITIG_SRC_BUILD;
		e->note = "not built with -mharden-sls=all";
	}

	e = &p->e[MITIG_ISSUE_VM_SWITCH];
	use(e, MITIG_METHOD_NO_SWITCH);
	e->module = MITIG_MOD_FLUSH;
	if (!(built & (1u << MITIG_MOD_FLUSH)))
		e->note = "flush module not built";
	else if (d.on & (1u << MITIG_MOD_FLUSH))
		e->note = "flush module on, nothing to run it on yet";
	else
		e->note = "flush module off";

	for (size_t i = 0; i < ARRAY_SIZE(errata); i++) {
		e = &p->e[errata[i].issue];
		if (e->affected != MITIG_AFFECTED)
			continue;
		e->method = errata[i].method;
		e->active = errata[i].method != MITIG_METHOD_NONE;
		e->note = errata[i].note;
	}

	/* What guests are told. A workaround call is offered only where the
	 * entry sequence does its work on every entry, so that the call itself
	 * can return at once. */
	p->guest_wa[0] = p->guest_wa[1] = p->guest_wa[2] = SMCCC_RET_NOT_SUPPORTED;
	if ((built & (1u << MITIG_MOD_SMCCC)) && (d.on & (1u << MITIG_MOD_SMCCC))) {
		const struct mitig_posture_entry *v2 = &p->e[MITIG_ISSUE_SPECTRE_V2];
		const struct mitig_posture_entry *bhb = &p->e[MITIG_ISSUE_SPECTRE_BHB];
		const struct mitig_posture_entry *v4 = &p->e[MITIG_ISSUE_SPECTRE_V4];
		bool v2_ok = v2->affected == MITIG_NOT_AFFECTED || v2->active;
		bool bhb_ok = bhb->affected == MITIG_NOT_AFFECTED || bhb->active;

		if (v2->affected == MITIG_NOT_AFFECTED) {
			p->guest_wa[0] = SMCCC_RET_UNAFFECTED;
		} else if (v2->active) {
			p->guest_wa[0] = SMCCC_RET_SUCCESS;
			p->guest_flags |= 1u << MITIG_GUEST_WA1_BIT;
		}
		if (v2->affected == MITIG_NOT_AFFECTED && bhb->affected == MITIG_NOT_AFFECTED) {
			p->guest_wa[2] = SMCCC_RET_UNAFFECTED;
		} else if (v2_ok && bhb_ok) {
			p->guest_wa[2] = SMCCC_RET_SUCCESS;
			p->guest_flags |= 1u << MITIG_GUEST_WA3_BIT;
		}
		/* No dynamic ARCH_WORKAROUND_2 is offered: NOT_REQUIRED where the
		 * core is not affected or the firmware keeps SSBD on for good;
		 * NOT_SUPPORTED otherwise (a guest on an SSBS core uses SSBS). */
		if (v4->affected == MITIG_NOT_AFFECTED ||
		    (v4->method == MITIG_METHOD_FW_WA2 && v4->active))
			p->guest_wa[1] = SMCCC_RET_NOT_REQUIRED;
	}
}

static const char *const module_names[MITIG_MOD_COUNT] = {
	"bpi", "bhb", "ssbd", "flush", "nospec", "smccc",
};
static const char *const profile_names[MITIG_PROFILE_COUNT] = {
	"hardened", "balanced", "throughput",
};
static const char *const issue_names[MITIG_ISSUE_COUNT] = {
	"spectre-v1", "spectre-v2", "spectre-bhb", "spectre-v4", "meltdown", "sls",
	"vm-switch", "erratum-a53-843419", "erratum-a57-832075", "erratum-a57-834220",
	"erratum-a76-1165522",
};
static const char *const method_names[MITIG_METHOD_COUNT] = {
	"none", "ARCH_WORKAROUND_1 on entry", "ARCH_WORKAROUND_3 on entry", "CLRBHB on entry",
	"BHB loop on entry", "SSBS=0 at EL2", "ARCH_WORKAROUND_2 on", "index masking",
	"SLS barriers", "separate EL2 regime", "no VM switch", "not needed",
};
static const char *const source_names[MITIG_SRC_COUNT] = {
	"hardware", "profile", "override", "build", "fixed", "vm profile", "vm override",
};

const char *mitig_issue_name(enum mitig_issue i)
{
	return (unsigned)i < MITIG_ISSUE_COUNT ? issue_names[i] : "?";
}

const char *mitig_module_name(enum mitig_module m)
{
	return (unsigned)m < MITIG_MOD_COUNT ? module_names[m] : "?";
}

const char *mitig_profile_name(enum mitig_profile p)
{
	return (unsigned)p < MITIG_PROFILE_COUNT ? profile_names[p] : "?";
}

const char *mitig_method_name(enum mitig_method m)
{
	return (unsigned)m < MITIG_METHOD_COUNT ? method_names[m] : "?";
}

const char *mitig_source_name(enum mitig_source s)
{
	return (unsigned)s < MITIG_SRC_COUNT ? source_names[s] : "?";
}

static bool token_is(const char *t, size_t len, const char *name)
{
	return strlen(name) == len && strncmp(t, name, len) == 0;
}

#define PARSE_BAD(...)                                         \
	do {                                                   \
		fmt_snprintf(why, why_size, __VA_ARGS__);      \
		return -1;                                     \
	} while (0)

int mitig_parse(const char *s, size_t len, struct mitig_choice *out, char *why,
		size_t why_size)
{
	struct mitig_choice c = *out;
	size_t pos = 0;
	unsigned n = 0;

	c.force_on = c.force_off = 0;
	if (len == 0)
		PARSE_BAD("empty (give a profile: hardened, balanced or throughput)");
	while (pos <= len) {
		size_t end = pos;

		while (end < len && s[end] != ',')
			end++;
		const char *t = s + pos;
		size_t tl = end - pos;

		if (tl == 0)
			PARSE_BAD("empty item at offset %zu", pos);
		if (tl > 32)
			PARSE_BAD("item at offset %zu is too long", pos);
		for (size_t k = 0; k < tl; k++)
			if (t[k] < 0x21 || t[k] > 0x7e)
				PARSE_BAD("item at offset %zu: unprintable character", pos);
		if (t[0] == '+' || t[0] == '-') {
			int m = -1;

			for (unsigned k = 0; k < MITIG_MOD_COUNT; k++)
				if (token_is(t + 1, tl - 1, module_names[k]))
					m = (int)k;
			if (m < 0)
				PARSE_BAD("unknown module '%.*s' (known: bpi, bhb, ssbd, flush, smccc)",
					  (int)(tl - 1), t + 1);
			if (m == MITIG_MOD_NOSPEC)
				PARSE_BAD("nospec is a build option only (MITIGATIONS=), not switched at boot");
			uint32_t bit = 1u << m;

			if ((c.force_on | c.force_off) & bit)
				PARSE_BAD("module '%s' is given twice", module_names[m]);
			if (t[0] == '+')
				c.force_on |= bit;
			else
				c.force_off |= bit;
		} else {
			int p = -1;

			for (unsigned k = 0; k < MITIG_PROFILE_COUNT; k++)
				if (token_is(t, tl, profile_names[k]))
					p = (int)k;
			if (p < 0)
				PARSE_BAD("unknown profile '%.*s' (known: hardened, balanced, throughput)",
					  (int)tl, t);
			if (n != 0)
				PARSE_BAD("the profile '%s' must come first", profile_names[p]);
			c.profile = (enum mitig_profile)p;
		}
		n++;
		pos = end + 1;
	}
	*out = c;
	return 0;
}

uint32_t mitig_choice_encode(const struct mitig_choice *c)
{
	unsigned profile = c->profile < MITIG_PROFILE_COUNT ? (unsigned)c->profile + 1 : 0;

	return bwpkg_mitig(profile, c->force_on & MITIG_MOD_ALL, c->force_off & MITIG_MOD_ALL);
}

int mitig_choice_decode(uint32_t code, bool vm, struct mitig_choice *out)
{
	if (!bwpkg_mitig_valid(code, vm))
		return -1;
	if (code == 0)
		return 0;
	if (BWPKG_MITIG_PROFILE(code))
		out->profile = (enum mitig_profile)(BWPKG_MITIG_PROFILE(code) - 1);
	out->force_on = BWPKG_MITIG_ON(code);
	out->force_off = BWPKG_MITIG_OFF(code);
	return 0;
}

void mitig_choice_format(const struct mitig_choice *c, char *buf, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (c->profile < MITIG_PROFILE_COUNT)
		n = (size_t)fmt_snprintf(buf, size, "%s", profile_names[c->profile]);
	for (unsigned m = 0; m < MITIG_MOD_COUNT && n < size; m++) {
		uint32_t bit = 1u << m;

		if ((c->force_on | c->force_off) & bit)
			n += (size_t)fmt_snprintf(buf + n, size - n, "%s%c%s", n ? "," : "",
						  c->force_on & bit ? '+' : '-', module_names[m]);
	}
}

bool mitig_vm_code_format(uint32_t code, char *buf, size_t size)
{
	struct mitig_choice c = { .profile = MITIG_PROFILE_SYSTEM };

	if (size)
		buf[0] = '\0';
	if (code == 0 || mitig_choice_decode(code, true, &c) != 0)
		return false;
	mitig_choice_format(&c, buf, size);
	return true;
}

/*
 * The plans of the CPUs, each written by its own CPU: at boot, and again
 * when it changes VM. A sequence count per plan (odd while written) lets
 * other CPUs read one whole; only the owner CPU writes.
 */
static struct mitig_plan plans[BULWARK_MAX_CPUS];
static bool planned[BULWARK_MAX_CPUS];
static uint32_t plan_seq[BULWARK_MAX_CPUS];

void mitig_plan_set(unsigned cpu, const struct mitig_plan *p)
{
	if (cpu >= BULWARK_MAX_CPUS)
		return;
	__atomic_store_n(&plan_seq[cpu], plan_seq[cpu] + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	plans[cpu] = *p;
	__atomic_store_n(&plan_seq[cpu], plan_seq[cpu] + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&planned[cpu], true, __ATOMIC_RELEASE);
}

const struct mitig_plan *mitig_plan_get(unsigned cpu)
{
	if (cpu >= BULWARK_MAX_CPUS || !__atomic_load_n(&planned[cpu], __ATOMIC_ACQUIRE))
		return NULL;
	return &plans[cpu];
}

int mitig_posture_get(unsigned cpu, enum mitig_issue issue, struct mitig_posture_entry *out,
		      enum mitig_profile *profile, enum mitig_profile *vm_profile)
{
	const struct mitig_plan *p = mitig_plan_get(cpu);
	uint32_t seq;
	struct mitig_posture_entry e;
	enum mitig_profile pr, vpr;

	if (!p || (unsigned)issue >= MITIG_ISSUE_COUNT)
		return -1;
	do {
		while ((seq = __atomic_load_n(&plan_seq[cpu], __ATOMIC_ACQUIRE)) & 1)
			;
		e = p->e[issue];
		pr = p->profile;
		vpr = p->vm_profile;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (__atomic_load_n(&plan_seq[cpu], __ATOMIC_RELAXED) != seq);
	*out = e;
	if (profile)
		*profile = pr;
	if (vm_profile)
		*vm_profile = vpr;
	return 0;
}

static int wa_index(uint32_t fn)
{
	switch (fn) {
	case 0x80008000u: return 0; /* ARCH_WORKAROUND_1 */
	case 0x80007fffu: return 1; /* ARCH_WORKAROUND_2 */
	case 0x80003fffu: return 2; /* ARCH_WORKAROUND_3 */
	default: return -1;
	}
}

int32_t mitig_guest_features(unsigned cpu, uint32_t fn)
{
	const struct mitig_plan *p = mitig_plan_get(cpu);
	int i = wa_index(fn);

	if (i < 0 || !p)
		return SMCCC_RET_NOT_SUPPORTED;
	return p->guest_wa[i];
}

bool mitig_guest_call_offered(unsigned cpu, uint32_t fn)
{
	const struct mitig_plan *p = mitig_plan_get(cpu);
	int i = wa_index(fn);

	if (!p || (i != 0 && i != 2))
		return false;
	return p->guest_flags & (1u << (i == 0 ? MITIG_GUEST_WA1_BIT : MITIG_GUEST_WA3_BIT));
}
