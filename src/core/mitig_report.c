/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mitigation modules at EL2: the operator's choice, every CPU's plan,
 * the posture report at boot and the queries of the guest-exit path and the
 * management plane (include/bulwark/mitig.h).
 *
 * A CPU's plan is written by that CPU: before it is marked online (its
 * `percpu.online` store releases it), and again when it boots a vCPU of a
 * VM whose choice differs from the one it was planned for.
 */
#include <bulwark/arch/boot.h>
#include <bulwark/arch/mitig.h>
#include <bulwark/boot.h>
#include <bulwark/console.h>
#include <bulwark/cpu.h>
#include <bulwark/fmt.h>
#include <bulwark/init.h>
#include <bulwark/mitig.h>
#include <bulwark/string.h>

#ifndef MITIG_BUILT
#error "MITIG_BUILT must come from the build (MITIGATIONS=)"
#endif

extern struct hw_desc boot_hw;

static struct mitig_choice choice = { .profile = MITIG_PROFILE_BALANCED };
static const char *choice_from = "default";
static struct mitig_cpu_id ids[BULWARK_MAX_CPUS];
static struct mitig_cpu_facts facts[BULWARK_MAX_CPUS];
/* The packed choice of the VM each CPU was given to at boot, 0 if none. */
static uint32_t vm_codes[BULWARK_MAX_CPUS];

uint32_t mitig_built(void)
{
	return MITIG_BUILT;
}

const struct mitig_choice *mitig_choice_get(void)
{
	return &choice;
}

void __init mitig_boot_choice(uint32_t pkg_code, const char *option)
{
	char why[96];

	/* pkg_decode() has checked the code; checked again, as it costs nothing. */
	if (pkg_code && mitig_choice_decode(pkg_code, false, &choice) == 0)
		choice_from = "system description";
	if (!option)
		return;
	if (mitig_parse(option, strlen(option), &choice, why, sizeof(why))) {
		pr_err("boot: bulwark.mitigations: %s\n", why);
		pr_err("boot: stopped.\n");
		arch_cpu_halt();
	}
	choice_from = pkg_code ? "bulwark.mitigations=, over the system description's"
			       : "bulwark.mitigations=";
}

void __init mitig_vm_cpus(uint64_t cpu_mask, uint32_t code)
{
	for (unsigned c = 0; c < BULWARK_MAX_CPUS && c < 64; c++)
		if (cpu_mask & (1ULL << c))
			vm_codes[c] = code;
}

/* Resolves and applies the plan of the calling CPU @cpu for VM choice @code. */
static void plan_cpu(unsigned cpu, uint32_t code)
{
	struct mitig_choice vm = { .profile = MITIG_PROFILE_SYSTEM };
	struct mitig_plan plan;
	bool has_vm = code && mitig_choice_decode(code, true, &vm) == 0;

	mitig_resolve(&facts[cpu], MITIG_BUILT, &choice, has_vm ? &vm : NULL, &plan);
	arch_mitig_apply(&facts[cpu], &plan);
	mitig_plan_set(cpu, &plan);
}

void mitig_cpu_init(unsigned cpu)
{
	if (cpu >= BULWARK_MAX_CPUS)
		return;
	arch_mitig_read_id(boot_hw.psci, &ids[cpu]);
	mitig_detect(&ids[cpu], &facts[cpu]);
	plan_cpu(cpu, vm_codes[cpu]);
}

void mitig_cpu_enter_vm(unsigned cpu, uint32_t code)
{
	const struct mitig_plan *p = mitig_plan_get(cpu);

	if (!p || p->vm_code == code)
		return;
	plan_cpu(cpu, code);
	char what[64];

	if (!mitig_vm_code_format(code, what, sizeof(what)))
		fmt_snprintf(what, sizeof(what), "the system's");
	pr_info("mitig: cpu%u changed VM: now %s (bwctl posture shows it)\n", cpu, what);
}

static void print_modules(const char *what, uint32_t mask, const char *sign)
{
	char buf[96];
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned m = 0; m < MITIG_MOD_COUNT; m++) {
		if (!(mask & (1u << m)))
			continue;
		n += (size_t)fmt_snprintf(buf + n, sizeof(buf) - n, "%s%s%s", n ? " " : "",
					  sign, mitig_module_name((enum mitig_module)m));
		if (n >= sizeof(buf))
			break;
	}
	pr_info("mitigations: %s: %s\n", what, n ? buf : "none");
}

/* Do two CPUs report the same? Then they share the report's lines. */
static bool same_cpu(unsigned a, unsigned b)
{
	return ids[a].midr == ids[b].midr && ids[a].revidr == ids[b].revidr &&
	       memcmp(&facts[a], &facts[b], sizeof(facts[a])) == 0 &&
	       memcmp(mitig_plan_get(a), mitig_plan_get(b), sizeof(struct mitig_plan)) == 0;
}

static const char *verdict(enum mitig_affected a)
{
	return a == MITIG_AFFECTED ? "affected" : a == MITIG_NOT_AFFECTED ? "not affected" : "unknown";
}

static void report_group(unsigned first, unsigned last)
{
	const struct mitig_cpu_id *id = &ids[first];
	const struct mitig_cpu_facts *f = &facts[first];
	const struct mitig_plan *p = mitig_plan_get(first);
	char cpus[16];

	if (first == last)
		fmt_snprintf(cpus, sizeof(cpus), "cpu%u", first);
	else
		fmt_snprintf(cpus, sizeof(cpus), "cpu%u-%u", first, last);
	pr_info("mitig: %s %s r%lup%lu (MIDR %#lx, REVIDR %#lx): CSV2 %u CSV3 %u SSBS %u SB %u "
		"CLRBHB %u ECBHB %u; firmware %s\n",
		cpus, f->core, (id->midr >> 20) & 0xf, id->midr & 0xf, id->midr, id->revidr,
		(unsigned)((id->pfr0 >> 56) & 0xf), f->csv3, (unsigned)((id->pfr1 >> 4) & 0xf),
		f->sb, f->clrbhb, f->ecbhb,
		!f->fw_smccc ? "has no SMCCC 1.1 (no ARCH_WORKAROUND calls)"
		: f->fw_wa1 || f->fw_wa2 || f->fw_wa3 ? "offers ARCH_WORKAROUND calls"
						      : "offers no ARCH_WORKAROUND call");
	char what[64];

	if (mitig_vm_code_format(p->vm_code, what, sizeof(what)))
		pr_info("mitig: %s: owned by a VM with its own choice: %s\n", cpus, what);
	for (unsigned i = 0; i < MITIG_ISSUE_COUNT; i++) {
		const struct mitig_posture_entry *e = &p->e[i];
		char src[32];

		if (e->module >= 0)
			fmt_snprintf(src, sizeof(src), "%s, %s", mitig_module_name((enum mitig_module)e->module),
				     mitig_source_name(e->source));
		else
			fmt_snprintf(src, sizeof(src), "%s", mitig_source_name(e->source));
		char action[48];

		if (e->active && e->method == MITIG_METHOD_BHB_LOOP)
			fmt_snprintf(action, sizeof(action), "%s x%u", mitig_method_name(e->method),
				     (p->entry_flags >> MITIG_ENTRY_LOOP_SHIFT) & 0xff);
		else if (e->active)
			fmt_snprintf(action, sizeof(action), "%s", mitig_method_name(e->method));
		else
			fmt_snprintf(action, sizeof(action), "%s",
				     e->affected == MITIG_NOT_AFFECTED ? "nothing to do" : "NOT MITIGATED");
		pr_info("mitig: %s %s: %s (%s): %s%s%s [%s]\n", cpus,
			mitig_issue_name((enum mitig_issue)i), verdict(e->affected), e->why, action,
			e->note[0] ? "; " : "", e->note, src);
	}
	pr_info("mitig: %s guests: SMCCC_ARCH_FEATURES ARCH_WORKAROUND_1 %d, _2 %d, _3 %d\n", cpus,
		p->guest_wa[0], p->guest_wa[1], p->guest_wa[2]);
}

void mitig_report(unsigned cpu_count)
{
	uint32_t built = MITIG_BUILT;

	pr_info("mitigations: profile %s (%s)\n", mitig_profile_name(choice.profile), choice_from);
	print_modules("built", built, "");
	if (choice.force_on | choice.force_off) {
		if (choice.force_on)
			print_modules("deviation from the profile: switched on", choice.force_on, "+");
		if (choice.force_off)
			print_modules("deviation from the profile: switched off", choice.force_off, "-");
	} else {
		pr_info("mitigations: deviations from the profile: none\n");
	}
	if ((mitig_enabled(&choice) & ~built) != 0)
		print_modules("asked for but not built", mitig_enabled(&choice) & ~built, "");
	for (unsigned c = 0; c < cpu_count && c < BULWARK_MAX_CPUS;) {
		unsigned last = c;

		if (!mitig_plan_get(c)) {
			c++;
			continue;
		}
		while (last + 1 < cpu_count && mitig_plan_get(last + 1) && same_cpu(c, last + 1))
			last++;
		report_group(c, last);
		c = last + 1;
	}
}
