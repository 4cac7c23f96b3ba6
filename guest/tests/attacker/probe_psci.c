/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Firmware-call probes: PSCI with CPUs that are not the VM's, bad entry
 * points and wrong states; SYSTEM_RESET; unknown SMCCC function IDs over HVC
 * and SMC; non-zero immediates; function IDs with x0[63:32] set.
 */
#include "attacker.h"

#define PSCI_CPU_ON_32 0x84000003u
#define PSCI_AFFINITY_INFO_32 0x84000004u
#define PSCI_CPU_SUSPEND_32 0x84000001u
#define PSCI_MIGRATE_64 0xc4000005u
#define PSCI_MIGRATE_INFO_UP_CPU_64 0xc4000007u
#define PSCI_SYSTEM_SUSPEND_64 0xc400000eu
#define PSCI_NOT_SUPPORTED_U64 0xffffffffffffffffULL

static int64_t hvc(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3)
{
	return (int64_t)hvc_0(x0, x1, x2, x3);
}

/* Checks `calls` results against one wanted value; notes the first few wrong. */
struct tally {
	unsigned n, wrong;
};

static void tally(struct probe_ctx *c, struct tally *t, const char *what, uint64_t arg,
		  int64_t got, int64_t want)
{
	t->n++;
	if (got != want && t->wrong++ < 4)
		fail(c, "%s(0x%llx) = %lld (want %lld)", what, (unsigned long long)arg,
		     (long long)got, (long long)want);
}

static volatile unsigned helper_ticks;

static void helper_spin(void *arg)
{
	(void)arg;
	for (;;) {
		__atomic_fetch_add(&helper_ticks, 1, __ATOMIC_RELAXED);
		timer_delay_us(1000);
	}
}

bool probe_psci_cpu_on_bad_mpidr(struct probe_ctx *c)
{
	static const uint64_t mpidrs[] = {
		0x100, 0x101, 0x10000, 0x10001, 0x100000000ULL, 0x100000001ULL, 0x80000000,
		0x80000001, 2, 7, 8, 0xff, 0xff00ffffffULL, 1ULL << 63, 0xffffffffffffffffULL,
	};
	struct tally t = { 0, 0 };

	for (size_t i = 0; i < ARRAY_SIZE(mpidrs); i++)
		tally(c, &t, "CPU_ON", mpidrs[i],
		      hvc(PSCI_CPU_ON_64, mpidrs[i], (uintptr_t)guest_secondary_entry, 1), -2);
	/* SMC32 form: only the low 32 bits count, so Aff3 (bit 32) is dropped there. */
	tally(c, &t, "CPU_ON32", 0x100, hvc(PSCI_CPU_ON_32, 0x100, (uintptr_t)guest_secondary_entry, 1), -2);
	note(c, "%u CPU_ON calls with MPIDRs not its own, %u wrong", t.n, t.wrong);
	expect_eq(c, "AFFINITY_INFO(1) after them", (uint64_t)psci_affinity_info(1, 0), PSCI_AFF_OFF);
	expect_eq(c, "control: its own vCPU 1 starts", start_helper(1, helper_spin, NULL), 1);
	return c->ok;
}

bool probe_psci_cpu_on_bad_entry(struct probe_ctx *c)
{
	uintptr_t base = boot_ram_base(), end = base + boot_ram_size();
	const uint64_t entries[] = {
		0, 0x09000000, 0x08000000, base - 4, end, end - 2, base + 0x200002, 1ULL << 39,
		0x40000000ULL + (1ULL << 32), 0xffffffffffffffffULL, 0xfffffffffffffffcULL,
	};
	struct tally t = { 0, 0 };

	for (size_t i = 0; i < ARRAY_SIZE(entries); i++)
		tally(c, &t, "CPU_ON(1, entry)", entries[i], hvc(PSCI_CPU_ON_64, 1, entries[i], 1), -9);
	note(c, "%u CPU_ON calls with bad entry points, %u wrong", t.n, t.wrong);
	expect_eq(c, "AFFINITY_INFO(1) after them", (uint64_t)psci_affinity_info(1, 0), PSCI_AFF_OFF);
	expect_eq(c, "control: a good entry starts vCPU 1", start_helper(1, helper_spin, NULL), 1);
	return c->ok;
}

bool probe_psci_cpu_on_running(struct probe_ctx *c)
{
	if (!start_helper(1, helper_spin, NULL)) {
		fail(c, "vCPU 1 did not start");
		return false;
	}
	expect_eq(c, "CPU_ON(1) of running vCPU 1",
		  (uint64_t)hvc(PSCI_CPU_ON_64, 1, (uintptr_t)guest_secondary_entry, 1),
		  (uint64_t)PSCI_RET_ALREADY_ON);
	expect_eq(c, "CPU_ON(0) of itself",
		  (uint64_t)hvc(PSCI_CPU_ON_64, 0, (uintptr_t)guest_secondary_entry, 0),
		  (uint64_t)PSCI_RET_ALREADY_ON);
	expect_eq(c, "AFFINITY_INFO(1)", (uint64_t)psci_affinity_info(1, 0), PSCI_AFF_ON);
	unsigned before = helper_ticks;

	timer_delay_us(20000);
	expect_eq(c, "vCPU 1 still running", helper_ticks > before, 1);
	return c->ok;
}

bool probe_psci_cpu_off_last(struct probe_ctx *c)
{
	int64_t r;

	gprintf("PROBE %s: CPU_OFF of its last vCPU now\n", c->name);
	console_flush();
	r = psci_cpu_off();
	fail(c, "CPU_OFF returned %lld", (long long)r);
	return false;
}

bool probe_psci_affinity_foreign(struct probe_ctx *c)
{
	static const uint64_t mpidrs[] = {
		1, 2, 7, 8, 0xff, 0x100, 0x10000, 0x100000000ULL, 0x80000000, 0x80000001,
		0xff00ffffffULL, 0xffffffffffffffffULL,
	};
	struct tally t = { 0, 0 };

	for (size_t i = 0; i < ARRAY_SIZE(mpidrs); i++)
		tally(c, &t, "AFFINITY_INFO", mpidrs[i], hvc(PSCI_AFFINITY_INFO_64, mpidrs[i], 0, 0), -2);
	tally(c, &t, "AFFINITY_INFO32", 0x100, hvc(PSCI_AFFINITY_INFO_32, 0x100, 0, 0), -2);
	tally(c, &t, "AFFINITY_INFO(0, level 1)", 0, hvc(PSCI_AFFINITY_INFO_64, 0, 1, 0), -2);
	tally(c, &t, "AFFINITY_INFO(0, level 3)", 0, hvc(PSCI_AFFINITY_INFO_64, 0, 3, 0), -2);
	note(c, "%u AFFINITY_INFO calls, %u wrong", t.n, t.wrong);
	expect_eq(c, "control: AFFINITY_INFO(0)", (uint64_t)hvc(PSCI_AFFINITY_INFO_64, 0, 0, 0), 0);
	return c->ok;
}

/* The console input: the scenario types a key once the VM has been reset. */
static int uart_getc_wait(unsigned ms)
{
	uint64_t end = timer_count() + timer_ms_to_ticks(ms);

	while (timer_count() < end) {
		if (!(mmio_read32(PL011_BASE + PL011_FR) & PL011_FR_RXFE))
			return (int)(mmio_read32(PL011_BASE + PL011_DR) & 0xff);
		timer_delay_us(1000);
	}
	return -1;
}

/* Is this the boot after the reset? The scenario types 'R' once it has seen
 * the hypervisor restart this VM; the first boot waits for nothing. */
static bool second_boot(struct probe_ctx *c)
{
	int k;

	gprintf("PROBE %s: waiting for a key (the scenario types one after the reset)\n", c->name);
	k = uart_getc_wait(1000);
	return k == 'R';
}

bool probe_psci_system_reset(struct probe_ctx *c)
{
	if (second_boot(c)) {
		note(c, "booted again after SYSTEM_RESET (key received)");
		return true;
	}
	gprintf("PROBE %s: first boot: SYSTEM_RESET now\n", c->name);
	console_flush();
	int64_t r = psci_system_reset();
	fail(c, "SYSTEM_RESET returned %lld", (long long)r);
	return false;
}

#define MARK 0x5eed5eed12345678ULL

static bool has_pauth(void)
{
	return (read_sysreg(id_aa64isar1_el1) & 0xff0) != 0; /* APA or API */
}

static void fp_enable(void)
{
	write_sysreg(cpacr_el1, 3ULL << 20);
	isb();
}

bool probe_psci_reset_state(struct probe_ctx *c)
{
	static const char *const names[] = {
		"v31", "FPCR", "APIBKeyLo_EL1", "APDAKeyLo_EL1", "APDBKeyLo_EL1", "APGAKeyLo_EL1",
		"TPIDR_EL0",
	};
	uint64_t got[ARRAY_SIZE(names)];
	unsigned leaked = 0;

	if (!second_boot(c)) {
		fp_enable();
		fp_set_v31(MARK);
		write_sysreg(fpcr, 3ULL << 22); /* RMode = toward zero */
		if (has_pauth()) {
			write_sysreg(s3_0_c2_c1_2, MARK);  /* APIBKeyLo_EL1 */
			write_sysreg(s3_0_c2_c2_0, MARK);  /* APDAKeyLo_EL1 */
			write_sysreg(s3_0_c2_c2_2, MARK);  /* APDBKeyLo_EL1 */
			write_sysreg(s3_0_c2_c3_0, MARK);  /* APGAKeyLo_EL1 */
		}
		write_sysreg(tpidr_el0, MARK);
		isb();
		gprintf("PROBE %s: first boot: state marked, SYSTEM_RESET now\n", c->name);
		console_flush();
		int64_t r = psci_system_reset();
		fail(c, "SYSTEM_RESET returned %lld", (long long)r);
		return false;
	}
	fp_enable();
	got[0] = fp_get_v31();
	got[1] = read_sysreg(fpcr) == (3ULL << 22) ? MARK : 0;
	got[2] = has_pauth() ? read_sysreg(s3_0_c2_c1_2) : 0;
	got[3] = has_pauth() ? read_sysreg(s3_0_c2_c2_0) : 0;
	got[4] = has_pauth() ? read_sysreg(s3_0_c2_c2_2) : 0;
	got[5] = has_pauth() ? read_sysreg(s3_0_c2_c3_0) : 0;
	got[6] = read_sysreg(tpidr_el0);
	write_sysreg(cpacr_el1, 0);
	isb();
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (got[i] == MARK) {
			leaked++;
			fail(c, "%s of the previous boot survived SYSTEM_RESET", names[i]);
		}
	}
	note(c, "second boot: %u of %u marked registers survived", leaked,
	     (unsigned)ARRAY_SIZE(names));
	return c->ok;
}

bool probe_psci_bad_args(struct probe_ctx *c)
{
	struct tally t = { 0, 0 };

	tally(c, &t, "PSCI_FEATURES", 0xffffffff, hvc(PSCI_FEATURES, 0xffffffff, 0, 0), -1);
	tally(c, &t, "PSCI_FEATURES", 0x12345678, hvc(PSCI_FEATURES, 0x12345678, 0, 0), -1);
	tally(c, &t, "PSCI_FEATURES", PSCI_MIGRATE_64, hvc(PSCI_FEATURES, PSCI_MIGRATE_64, 0, 0), -1);
	tally(c, &t, "MIGRATE", 0, hvc(PSCI_MIGRATE_64, 0, 0, 0), -1);
	tally(c, &t, "MIGRATE_INFO_UP_CPU", 0, hvc(PSCI_MIGRATE_INFO_UP_CPU_64, 0, 0, 0), -1);
	tally(c, &t, "SYSTEM_SUSPEND", 0, hvc(PSCI_SYSTEM_SUSPEND_64, boot_ram_base(), 0, 0), -1);
	tally(c, &t, "SMCCC_ARCH_FEATURES", 0xffffffff, hvc(SMCCC_ARCH_FEATURES, 0xffffffff, 0, 0), -1);
	/* CPU_SUSPEND with a garbage power state: a standby that returns at once. */
	tally(c, &t, "CPU_SUSPEND", 0xffffffff, hvc(PSCI_CPU_SUSPEND_64, 0xffffffff, 0, 0), 0);
	tally(c, &t, "CPU_SUSPEND32", 0, hvc(PSCI_CPU_SUSPEND_32, 0, 0x09000000, 0), 0);
	/* SYSTEM_OFF and SYSTEM_RESET ignore their arguments; here they must not
	 * be reached with bad ones through another ID. */
	tally(c, &t, "AFFINITY_INFO(0, level ~0)", 0, hvc(PSCI_AFFINITY_INFO_64, 0, ~0ULL, 0), -2);
	note(c, "%u calls, %u wrong", t.n, t.wrong);
	expect_eq(c, "PSCI_VERSION still", (uint64_t)psci_version(), 0x10001);
	return c->ok;
}

/* Unknown function IDs: a sample of every owner range, fast and yielding,
 * 32- and 64-bit, and IDs outside the SMCCC format. */
static const uint64_t unknown_ids[] = {
	0x80000002, 0x80007ffe, 0x8000ffff, 0x81000000, 0x8100ffff, 0x82000000, 0x8200ffff,
	0x83000000, 0x8300ffff, 0x84000005, 0x8400000b, 0x84000020, 0x8400ffff, 0x85000000,
	0x8500ffff, 0x86000000, 0x8600ffff, 0x87000000, 0xaf00ffff, 0xb0000000, 0xb1000000,
	0xbf00ffff, 0xc0000000, 0xc1000000, 0xc2000000, 0xc3000000, 0xc4000000, 0xc400000a,
	0xc4000020, 0xc5000000, 0xc6000000, 0xf0000000, 0xff00ffff, 0xffffffff, 0x00000000,
	0x01000000, 0x04000000, 0x40000000, 0x44000003, 0x7fffffff, 0x80010000, 0x80ff0000,
	0x84010000,
};

static bool unknown_over(struct probe_ctx *c, conduit_fn call, const char *how)
{
	struct tally t = { 0, 0 };

	trap_begin();
	for (size_t i = 0; i < ARRAY_SIZE(unknown_ids); i++)
		tally(c, &t, how, unknown_ids[i], (int64_t)call(unknown_ids[i], 1, 2, 3), -1);
	trap_end();
	note(c, "%u unknown function IDs over %s, %u not NOT_SUPPORTED", t.n, how, t.wrong);
	expect_eq(c, "exceptions", trap.count, 0);
	return c->ok;
}

bool probe_hvc_unknown(struct probe_ctx *c)
{
	unknown_over(c, hvc_0, "HVC #0");
	expect_eq(c, "control: PSCI_VERSION", hvc_0(PSCI_VERSION, 0, 0, 0), 0x10001);
	return c->ok;
}

bool probe_smc_unknown(struct probe_ctx *c)
{
	unknown_over(c, smc_0, "SMC #0");
	expect_eq(c, "control: PSCI_VERSION over SMC", smc_0(PSCI_VERSION, 0, 0, 0), 0x10001);
	expect_eq(c, "control: PSCI_FEATURES(CPU_ON) over SMC",
		  smc_0(PSCI_FEATURES, PSCI_CPU_ON_64, 0, 0), 0);
	return c->ok;
}

bool probe_hvc_imm(struct probe_ctx *c)
{
	static const struct { const char *name; conduit_fn fn; } calls[] = {
		{ "HVC #1", hvc_1 }, { "HVC #0x42", hvc_0x42 }, { "HVC #0xffff", hvc_0xffff },
		{ "SMC #1", smc_1 }, { "SMC #0xffff", smc_0xffff },
	};
	static const uint64_t ids[] = {
		PSCI_VERSION, SMCCC_VERSION, PSCI_FEATURES, PSCI_AFFINITY_INFO_64, PSCI_SYSTEM_OFF,
		PSCI_SYSTEM_RESET, PSCI_CPU_OFF,
	};
	struct tally t = { 0, 0 };

	trap_begin();
	for (size_t k = 0; k < ARRAY_SIZE(calls); k++)
		for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
			tally(c, &t, calls[k].name, ids[i], (int64_t)calls[k].fn(ids[i], 0, 0, 0), -1);
	trap_end();
	note(c, "%u calls with a non-zero immediate (PSCI_VERSION, SYSTEM_OFF, SYSTEM_RESET, "
	     "CPU_OFF among them), %u not NOT_SUPPORTED; still running", t.n, t.wrong);
	expect_eq(c, "exceptions", trap.count, 0);
	return c->ok;
}

bool probe_hvc_x0_upper(struct probe_ctx *c)
{
	static const uint64_t ids[] = {
		1ULL << 32 | PSCI_VERSION, 0xffffffffULL << 32 | PSCI_VERSION,
		1ULL << 32 | SMCCC_VERSION, 1ULL << 63 | PSCI_FEATURES,
		0xffffffffULL << 32 | PSCI_SYSTEM_OFF, 0x100000000ULL | PSCI_SYSTEM_RESET,
		0x8000000000000000ULL | PSCI_CPU_OFF, 1ULL << 32 | PSCI_CPU_ON_64,
		1ULL << 32 | PSCI_AFFINITY_INFO_64,
	};
	struct tally t = { 0, 0 };

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		tally(c, &t, "HVC", ids[i], (int64_t)hvc_0(ids[i], 0, 0, 0), -1);
		tally(c, &t, "SMC", ids[i], (int64_t)smc_0(ids[i], 0, 0, 0), -1);
	}
	note(c, "%u calls with x0[63:32] set (SYSTEM_OFF, SYSTEM_RESET, CPU_OFF among them), "
	     "%u not NOT_SUPPORTED; still running", t.n, t.wrong);
	return c->ok;
}

static volatile unsigned race_runs;

static void race_fn(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&race_runs, 1, __ATOMIC_SEQ_CST);
}

/*
 * vCPU 1 turns itself off as soon as it has started, while vCPU 0 asks for
 * CPU_ON(1) as fast as it can for 1 s: every answer must be SUCCESS,
 * ALREADY_ON or ON_PENDING, every SUCCESS one run, and vCPU 1 off at the end.
 */
bool probe_psci_on_off_race(struct probe_ctx *c)
{
	uint64_t end = timer_count() + timer_ms_to_ticks(1000);
	unsigned ok = 0, on = 0, pending = 0, other = 0;
	int64_t last_other = 0;

	cpu_start(1, race_fn, NULL); /* the runtime keeps race_fn for vCPU 1 */
	ok++;
	while (timer_count() < end) {
		int64_t r = hvc(PSCI_CPU_ON_64, 1, (uintptr_t)guest_secondary_entry, 1);

		if (r == PSCI_RET_SUCCESS)
			ok++;
		else if (r == PSCI_RET_ALREADY_ON)
			on++;
		else if (r == PSCI_RET_ON_PENDING)
			pending++;
		else
			other++, last_other = r;
	}
	bool off = WAIT_UNTIL(psci_affinity_info(1, 0) == PSCI_AFF_OFF, 200);

	timer_delay_us(20000);
	note(c, "1 s of CPU_ON(1): %u SUCCESS, %u ALREADY_ON, %u ON_PENDING, %u other; vCPU 1 "
	     "ran %u times", ok, on, pending, other, race_runs);
	if (other)
		fail(c, "CPU_ON answered %lld", (long long)last_other);
	expect_eq(c, "runs == SUCCESS", race_runs == ok, 1);
	expect_eq(c, "vCPU 1 off at the end", off, 1);
	expect_eq(c, "more than 10 rounds", ok > 10, 1);
	return c->ok;
}
