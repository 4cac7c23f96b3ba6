/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU-vulnerability mitigations: detection, policy and the posture report.
 *
 * Three steps, each its own function so that the first two run on the host
 * under the unit tests and the fuzzer:
 *
 * 1. Detection (`mitig_detect()`, pure): a CPU's identification registers
 *    and its firmware's SMCCC answers (`struct mitig_cpu_id`, read by the
 *    arch code on every CPU) become the facts of that CPU: for every known
 *    issue whether it is affected, why, and which means to mitigate it the
 *    CPU and the firmware offer.
 * 2. Policy (`mitig_resolve()`, pure): the facts, the modules this build
 *    contains and the modules the operator switched on (a profile and its
 *    overrides, `mitig_parse()`) give the plan of that CPU: for every issue
 *    the mitigation in force and who chose it, the flags the guest-entry
 *    sequence reads, and the answers a guest gets to SMCCC_ARCH_FEATURES.
 * 3. Applying the plan and reporting it (`mitig_cpu_init()`,
 *    `mitig_report()`, `mitig_posture_get()`), at EL2.
 *
 * Heterogeneous systems are handled per CPU: every CPU detects, resolves
 * and applies its own plan.
 */
#ifndef BULWARK_MITIG_H
#define BULWARK_MITIG_H

/* Guest-entry flags in `struct percpu` (`mitig_entry`), read by mitig_asm.h. */
#define MITIG_ENTRY_FW_BIT 0     /* SMC with the function ID in `mitig_fw_fn` */
#define MITIG_ENTRY_CLRBHB_BIT 1 /* CLRBHB; ISB */
#define MITIG_ENTRY_LOOP_BIT 2   /* the BHB branch loop, count in bits 8-15 */
#define MITIG_ENTRY_LOOP_SHIFT 8
/* Guest-visible workaround calls in `struct percpu` (`mitig_guest`). */
#define MITIG_GUEST_WA1_BIT 0    /* ARCH_WORKAROUND_1 offered: the call returns 0 */
#define MITIG_GUEST_WA3_BIT 1    /* ARCH_WORKAROUND_3 offered: the call returns 0 */

#ifndef __ASSEMBLER__
#include <bulwark/types.h>

/* The known issues, one row each per CPU in the posture report. */
enum mitig_issue {
	MITIG_ISSUE_SPECTRE_V1,   /* bounds check bypass, CVE-2017-5753 */
	MITIG_ISSUE_SPECTRE_V2,   /* branch target injection, CVE-2017-5715 */
	MITIG_ISSUE_SPECTRE_BHB,  /* branch history injection, CVE-2022-23960 */
	MITIG_ISSUE_SPECTRE_V4,   /* speculative store bypass, CVE-2018-3639 */
	MITIG_ISSUE_MELTDOWN,     /* rogue data cache load, CVE-2017-5754 */
	MITIG_ISSUE_SLS,          /* straight-line speculation */
	MITIG_ISSUE_VM_SWITCH,    /* predictor, L1D and TLB state left by one VM for the next */
	MITIG_ISSUE_ERR_A53_843419,  /* ADRP at page end: wrong address (build-time fix) */
	MITIG_ISSUE_ERR_A57_832075,  /* load-acquire from Device memory can deadlock */
	MITIG_ISSUE_ERR_A57_834220,  /* stage-2 fault reported instead of a stage-1 one */
	MITIG_ISSUE_ERR_A76_1165522, /* speculative AT during a context switch */
	MITIG_ISSUE_COUNT
};

/* The mitigation modules: each is a build option and a boot option. */
enum mitig_module {
	MITIG_MOD_BPI,    /* "bpi": branch predictor invalidation on entry from a guest */
	MITIG_MOD_BHB,    /* "bhb": branch history clearing on entry from a guest */
	MITIG_MOD_SSBD,   /* "ssbd": speculative store bypass disabled at EL2 */
	MITIG_MOD_FLUSH,  /* "flush": predictor, L1D and TLB flush when a CPU changes VM */
	MITIG_MOD_NOSPEC, /* "nospec": index masking after bounds checks on guest input */
	MITIG_MOD_SMCCC,  /* "smccc": SMCCC workaround calls offered to guests */
	MITIG_MOD_COUNT
};

#define MITIG_MOD_ALL ((1u << MITIG_MOD_COUNT) - 1)
/*
 * The modules decided per CPU, and so per VM (vCPUs are pinned, CPUs not
 * shared): the guest-entry sequence, SSBD at EL2 and the SMCCC answers. The
 * others (flush, nospec) are the system's.
 */
#define MITIG_MOD_PER_VM ((1u << MITIG_MOD_BPI) | (1u << MITIG_MOD_BHB) | \
			  (1u << MITIG_MOD_SSBD) | (1u << MITIG_MOD_SMCCC))

enum mitig_profile {
	MITIG_PROFILE_HARDENED,   /* everything on; unknown cores treated as affected */
	MITIG_PROFILE_BALANCED,   /* the default */
	MITIG_PROFILE_THROUGHPUT, /* only what costs nothing on the guest-exit path */
	MITIG_PROFILE_COUNT
};

/* In a VM's choice: no profile of its own, the system's applies. */
#define MITIG_PROFILE_SYSTEM MITIG_PROFILE_COUNT

/*
 * What an operator asked for: a profile and per-module deviations from it;
 * for the whole system, or for one VM (then `profile` may be
 * MITIG_PROFILE_SYSTEM and only MITIG_MOD_PER_VM modules count).
 */
struct mitig_choice {
	enum mitig_profile profile;
	uint32_t force_on;  /* modules switched on beyond the profile (bit = enum mitig_module) */
	uint32_t force_off; /* modules switched off; never overlaps force_on */
};

/*
 * Firmware answers, as SMCCC_ARCH_FEATURES gives them, or
 * MITIG_FW_NO_SMCCC when the firmware has no SMCCC 1.1 (no conduit, PSCI
 * older than 1.0, or PSCI_FEATURES(SMCCC_VERSION) not supported), in which
 * case the workaround calls cannot be asked about and are not used.
 */
#define MITIG_FW_NO_SMCCC INT32_MIN
#define SMCCC_RET_SUCCESS 0
#define SMCCC_RET_NOT_SUPPORTED (-1)
#define SMCCC_RET_NOT_REQUIRED (-2)
#define SMCCC_RET_UNAFFECTED 1 /* ARCH_WORKAROUND_1/3: "this PE is not affected" */

/* The identity of one CPU, as the arch code reads it on that CPU. */
struct mitig_cpu_id {
	uint64_t midr, revidr;
	uint64_t pfr0, pfr1;       /* ID_AA64PFR0_EL1, ID_AA64PFR1_EL1 */
	uint64_t isar1, isar2;     /* ID_AA64ISAR1_EL1, ID_AA64ISAR2_EL1 */
	uint64_t mmfr1;            /* ID_AA64MMFR1_EL1 */
	int32_t fw_wa1, fw_wa2, fw_wa3; /* SMCCC_ARCH_FEATURES(ARCH_WORKAROUND_n) */
	bool pac_on, bti_on;       /* the hypervisor's own hardening in force on it */
	bool sls_built;            /* built with -mharden-sls=all */
};

enum mitig_affected {
	MITIG_NOT_AFFECTED,
	MITIG_AFFECTED,
	MITIG_UNKNOWN,   /* an unknown core without the ID register that would say */
};

/* What one CPU is and offers (mitig_detect()). */
struct mitig_cpu_facts {
	const char *core;                      /* "Cortex-A57", ... or "unknown" */
	enum mitig_affected affected[MITIG_ISSUE_COUNT];
	const char *why[MITIG_ISSUE_COUNT];    /* what decided `affected`, e.g. "CSV2" */
	uint8_t bhb_loop;     /* Arm's published BHB loop count for the core, 0 if none */
	bool csv2, csv2_3, csv3, ssbs, sb, clrbhb, ecbhb;
	bool fw_smccc;        /* the firmware answered SMCCC_ARCH_FEATURES */
	bool fw_wa1, fw_wa2, fw_wa3;           /* the firmware implements the call */
	bool fw_wa2_not_required;              /* firmware: WA2 permanently on / not needed */
	bool pac_on, bti_on, sls_built;
};

/* How an issue is dealt with on a CPU. */
enum mitig_method {
	MITIG_METHOD_NONE,
	MITIG_METHOD_FW_WA1,      /* SMC ARCH_WORKAROUND_1 on every entry from a guest */
	MITIG_METHOD_FW_WA3,      /* SMC ARCH_WORKAROUND_3 on every entry from a guest */
	MITIG_METHOD_CLRBHB,      /* the CLRBHB instruction on every entry from a guest */
	MITIG_METHOD_BHB_LOOP,    /* the branch loop on every entry from a guest */
	MITIG_METHOD_SSBS,        /* PSTATE.SSBS = 0 at EL2 (SCTLR_EL2.DSSBS = 0) */
	MITIG_METHOD_FW_WA2,      /* ARCH_WORKAROUND_2 enabled once, for good */
	MITIG_METHOD_NOSPEC,      /* index masking (CSEL + CSDB) after bounds checks */
	MITIG_METHOD_SLS,         /* SB/DSB+ISB after every RET, BR, BLR (compiler) */
	MITIG_METHOD_EL2_REGIME,  /* EL2 has its own translation regime */
	MITIG_METHOD_NO_SWITCH,   /* a CPU never runs two VMs (vCPUs are pinned) */
	MITIG_METHOD_NOT_NEEDED,  /* the condition the erratum needs never arises */
	MITIG_METHOD_COUNT
};

/* Who chose the method of an entry. */
enum mitig_source {
	MITIG_SRC_HARDWARE,   /* nothing to choose: not affected */
	MITIG_SRC_PROFILE,    /* the profile's default */
	MITIG_SRC_OVERRIDE,   /* a per-module override of the operator */
	MITIG_SRC_BUILD,      /* the module is not built in */
	MITIG_SRC_FIXED,      /* not switchable: a property of the design or the build */
	MITIG_SRC_VM_PROFILE, /* the profile the VM on this CPU asked for */
	MITIG_SRC_VM_OVERRIDE, /* a per-module override of the VM on this CPU */
	MITIG_SRC_COUNT
};

/* One cell of the posture report: one CPU, one issue. */
struct mitig_posture_entry {
	enum mitig_affected affected;
	const char *why;            /* what decided `affected` */
	enum mitig_method method;   /* MITIG_METHOD_NONE: not mitigated */
	enum mitig_source source;
	int module;                 /* enum mitig_module deciding it, or -1 */
	bool active;                /* the method is in force (not just available) */
	const char *note;           /* why not mitigated, or a remark; "" if none */
};

/* The plan of one CPU (mitig_resolve()). */
struct mitig_plan {
	struct mitig_posture_entry e[MITIG_ISSUE_COUNT];
	uint32_t entry_flags;   /* MITIG_ENTRY_* */
	uint32_t fw_fn;         /* SMC function ID for MITIG_ENTRY_FW_BIT */
	uint32_t guest_flags;   /* MITIG_GUEST_* */
	int32_t guest_wa[3];    /* SMCCC_ARCH_FEATURES answers for ARCH_WORKAROUND_1..3 */
	bool ssbd_el2;          /* run EL2 with PSTATE.SSBS = 0 (SCTLR_EL2.DSSBS = 0) */
	bool fw_wa2_enable;     /* call ARCH_WORKAROUND_2(1) on this CPU */
	enum mitig_profile profile;    /* the system's profile */
	enum mitig_profile vm_profile; /* the VM's, or MITIG_PROFILE_SYSTEM */
	uint32_t vm_code;       /* the VM's choice as packed (BWPKG_MITIG_*), 0 if none */
};

/* Builds the facts of a CPU from its identity. Pure; any input is valid. */
void mitig_detect(const struct mitig_cpu_id *id, struct mitig_cpu_facts *out);

/*
 * The modules @choice switches on (bit = enum mitig_module), before the
 * build is taken into account.
 */
uint32_t mitig_enabled(const struct mitig_choice *choice);

/*
 * Decides the plan of a CPU with facts @f, in a build containing the modules
 * @built, for the system's @choice and the choice @vm of the VM that owns
 * the CPU (NULL: none; only its MITIG_MOD_PER_VM modules count, and its
 * profile, if it has one, replaces the system's for them). Pure.
 */
void mitig_resolve(const struct mitig_cpu_facts *f, uint32_t built,
		   const struct mitig_choice *choice, const struct mitig_choice *vm,
		   struct mitig_plan *out);

/*
 * A choice to and from its packed form (BWPKG_MITIG_*, include/bulwark/package.h).
 * mitig_choice_decode() starts from @out as given when @code has no profile
 * (0 leaves @out alone) and returns -1, @out unchanged, on an invalid code
 * (for a VM: @vm true). Pure.
 */
uint32_t mitig_choice_encode(const struct mitig_choice *c);
int mitig_choice_decode(uint32_t code, bool vm, struct mitig_choice *out);

/* "hardened,+flush,-bhb", or "+bhb" for a VM choice without a profile. */
void mitig_choice_format(const struct mitig_choice *c, char *buf, size_t size);
/* A VM's packed choice as text; false (and "") if @code is 0 or invalid. */
bool mitig_vm_code_format(uint32_t code, char *buf, size_t size);

/*
 * Parses a mitigation option: a profile name, then any number of
 * `,+MODULE` or `,-MODULE`, e.g. "balanced,-bhb,+flush"; or only
 * overrides ("-bhb"), which apply to @out's profile as given. @s has @len
 * bytes and need not be NUL-terminated. A module switched both ways is an
 * error. Returns 0, or -1 with @why (@why_size bytes) saying what is wrong;
 * @out is changed only on success.
 */
int mitig_parse(const char *s, size_t len, struct mitig_choice *out, char *why,
		size_t why_size);

/* Names for messages and the report (never NULL, "?" when out of range). */
const char *mitig_issue_name(enum mitig_issue i);
const char *mitig_module_name(enum mitig_module m);
const char *mitig_profile_name(enum mitig_profile p);
const char *mitig_method_name(enum mitig_method m);
const char *mitig_source_name(enum mitig_source s);

/*
 * The plan of each CPU, kept for the queries below: set once per CPU at
 * boot, by that CPU, before it runs a guest (mitig_cpu_init()).
 * mitig_plan_get() returns NULL for a CPU without a plan.
 */
void mitig_plan_set(unsigned cpu, const struct mitig_plan *p);
const struct mitig_plan *mitig_plan_get(unsigned cpu);

/* The modules compiled into this build (MITIG_BUILT, from the Makefile). */
uint32_t mitig_built(void);

/*
 * At EL2. The boot CPU calls mitig_boot_choice() once, before the other
 * CPUs start, with the system description's choice (@pkg_code, packed, 0
 * if none) and the boot arguments' `bulwark.mitigations=` value (NULL if
 * absent), which replaces it; a bad value stops the boot with a message.
 * It then gives every packed VM's choice for its CPUs (mitig_vm_cpus()).
 * Every CPU then calls mitig_cpu_init() on itself: it reads its identity,
 * resolves and applies its plan (entry flags, SSBD) before it runs any
 * guest. mitig_report() prints the choice and the posture of every online
 * CPU (boot CPU, after SMP).
 *
 * mitig_cpu_enter_vm() runs on a CPU before it boots a vCPU of a VM with
 * choice @code: when the CPU changed hands (a VM the management API created
 * on the CPUs of one destroyed) and the choice differs, it resolves and
 * applies the plan again.
 */
void mitig_boot_choice(uint32_t pkg_code, const char *option);
void mitig_vm_cpus(uint64_t cpu_mask, uint32_t code);
void mitig_cpu_init(unsigned cpu);
void mitig_cpu_enter_vm(unsigned cpu, uint32_t code);
void mitig_report(unsigned cpu_count);

/*
 * The posture of CPU @cpu for @issue, for the report and the management
 * plane, and the profiles that chose it (either may be NULL). Any CPU may
 * call it once the CPU has run mitig_cpu_init(); a plan changes only when a
 * CPU changes VM (mitig_cpu_enter_vm()), and a reader never sees it half
 * written. Returns 0, or -1 if @cpu or @issue is out of range or the CPU has
 * no plan (offline).
 */
int mitig_posture_get(unsigned cpu, enum mitig_issue issue, struct mitig_posture_entry *out,
		      enum mitig_profile *profile, enum mitig_profile *vm_profile);

/* The choice in force for the whole system (the profile and overrides). */
const struct mitig_choice *mitig_choice_get(void);

/*
 * The answer to a guest's SMCCC_ARCH_FEATURES(@fn) on physical CPU @cpu,
 * for fn = ARCH_WORKAROUND_1, _2 or _3; and whether the workaround call @fn
 * itself is offered there (it then returns 0: the entry sequence already did
 * the work). Called from the guest-exit path.
 */
int32_t mitig_guest_features(unsigned cpu, uint32_t fn);
bool mitig_guest_call_offered(unsigned cpu, uint32_t fn);

#endif /* !__ASSEMBLER__ */
#endif
