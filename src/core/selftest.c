/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot-argument driven self-tests: `bulwark.selftest=NAME` makes the
 * hypervisor break one of its own rules on purpose, so that the system
 * tests can check that the hardware catches it and that the fault report
 * says so. Each probe must end in a fatal report; if it returns, the
 * protection it probes is missing and that is reported as a failure.
 */
#include <bulwark/boot.h>
#include <bulwark/console.h>
#include <bulwark/init.h>
#include <bulwark/string.h>

static const uint64_t ro_value = 0x5a5a;
static uint32_t data_code[4] __attribute__((aligned(16))) = { 0xd65f03c0 /* ret */ };

static uint32_t __init init_only(void)
{
	return 7;
}

static unsigned __attribute__((noinline)) deep(unsigned n)
{
	volatile uint8_t frame[512];

	frame[0] = (uint8_t)n;
	if (n > 1000000)
		return frame[0];
	return deep(n + 1) + frame[0];
}

static void __attribute__((noinline)) pac_callee(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Overwrites its own saved return address with an unsigned one. */
static void __attribute__((noinline)) pac_victim(void)
{
	pac_callee();
	__asm__ volatile("adr x9, 1f\n"
			 "str x9, [x29, #8]\n"
			 "1:\n" ::: "x9", "memory");
}

typedef uint32_t (*fn_t)(void);

static void probe(const char *name)
{
	pr_info("selftest: %s: running\n", name);
	if (strcmp(name, "write-rodata") == 0) {
		uintptr_t addr = (uintptr_t)&ro_value;

		__asm__ volatile("" : "+r"(addr));
		*(volatile uint64_t *)addr = 1;
	} else if (strcmp(name, "exec-data") == 0) {
		fn_t f = (fn_t)(uintptr_t)data_code;

		f();
	} else if (strcmp(name, "null-read") == 0 || strcmp(name, "fault-cpu1") == 0) {
		uintptr_t addr = 8;

		__asm__ volatile("" : "+r"(addr)); /* hide the constant from the compiler */
		(void)*(volatile uint64_t *)addr;
	} else if (strcmp(name, "stack-overflow") == 0) {
		deep(0);
	} else if (strcmp(name, "init-after-boot") == 0) {
		fn_t f = init_only;

		__asm__ volatile("" : "+r"(f));
		f();
	} else if (strcmp(name, "pac") == 0) {
		pac_victim();
	} else {
		pr_warn("selftest: unknown test '%s'\n", name);
		return;
	}
	pr_err("selftest: %s: FAILED, the protection did not trigger\n", name);
}

void selftest_run(enum selftest_phase phase, unsigned cpu)
{
	char name[32];

	if (!hwdesc_bootarg(&boot_hw, "bulwark.selftest", name, sizeof(name)))
		return;
	if (phase == SELFTEST_SECONDARY) {
		if (cpu == 1 && strcmp(name, "fault-cpu1") == 0)
			probe(name);
		return;
	}
	if (strcmp(name, "fault-cpu1") != 0)
		probe(name);
}
