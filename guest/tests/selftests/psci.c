/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PSCI and SMCCC as the platform provides them over HVC #0.
 */
#include <testfw/test.h>

#define INVALID_MPIDR 0xfefefeULL /* Aff2.Aff1.Aff0 = 0xfe: no such vCPU */
#define PSCI_UNKNOWN_FID 0x8400001fu /* reserved in the PSCI range */

TEST(psci, version)
{
	int64_t v = psci_version();

	gprintf("  PSCI version %lld.%lld\n", (long long)(v >> 16), (long long)(v & 0xffff));
	EXPECT_EQ(v >> 16, 1);
	EXPECT_GE(v, 0x10000);
	EXPECT_LE(v, 0x1ffff);
}

TEST(psci, features)
{
	EXPECT_EQ(psci_features(PSCI_VERSION), PSCI_RET_SUCCESS);
	EXPECT_EQ(psci_features(PSCI_CPU_ON_64), PSCI_RET_SUCCESS);
	EXPECT_EQ(psci_features(PSCI_CPU_OFF), PSCI_RET_SUCCESS);
	EXPECT_EQ(psci_features(PSCI_AFFINITY_INFO_64), PSCI_RET_SUCCESS);
	EXPECT_EQ(psci_features(PSCI_SYSTEM_OFF), PSCI_RET_SUCCESS);
	EXPECT_EQ(psci_features(PSCI_SYSTEM_RESET), PSCI_RET_SUCCESS);
	EXPECT_EQ(psci_features(PSCI_FEATURES), PSCI_RET_SUCCESS);
	EXPECT_EQ(psci_features(PSCI_UNKNOWN_FID), PSCI_RET_NOT_SUPPORTED);
	EXPECT_EQ(psci_features(0xc400001fu), PSCI_RET_NOT_SUPPORTED);
}

/*
 * SMCCC_VERSION is discovered through PSCI_FEATURES (SMCCC 1.1, 7.2). A
 * platform that answers NOT_SUPPORTED implements SMCCC 1.0, where
 * SMCCC_VERSION itself must then not be relied on.
 */
TEST(psci, smccc_version)
{
	int64_t f = psci_features(SMCCC_VERSION), v;

	if (f == PSCI_RET_NOT_SUPPORTED)
		TEST_SKIP("PSCI_FEATURES(SMCCC_VERSION) = NOT_SUPPORTED: SMCCC 1.0");
	EXPECT_EQ(f, PSCI_RET_SUCCESS);
	v = smccc_version();
	gprintf("  SMCCC version %lld.%lld\n", (long long)(v >> 16), (long long)(v & 0xffff));
	EXPECT_EQ(v >> 16, 1);
	EXPECT_GE(v, 0x10001);
	/* SMCCC_ARCH_FEATURES on an unknown Arm architecture function. */
	EXPECT_EQ(smccc_arch_features(0x8000ff00u), PSCI_RET_NOT_SUPPORTED);
	/* WORKAROUND_1 (docs/mitigations.md): 1 where the CPU is not affected,
	 * which a CPU reporting CSV2 is not; else 0 (offered: the call then
	 * returns 0 at once) or -1 (not offered). */
	f = smccc_arch_features(SMCCC_ARCH_WORKAROUND_1);
	if (read_sysreg(id_aa64pfr0_el1) >> 56 & 0xf)
		EXPECT_EQ(f, 1);
	else if (f != 0 && f != PSCI_RET_NOT_SUPPORTED)
		TEST_FAIL("SMCCC_ARCH_FEATURES(WORKAROUND_1) = %lld, not 0 or -1", (long long)f);
	if (f == 0)
		EXPECT_EQ((int64_t)smccc_hvc(SMCCC_ARCH_WORKAROUND_1, 0, 0, 0).x0, 0);
	else
		EXPECT_EQ((int64_t)smccc_hvc(SMCCC_ARCH_WORKAROUND_1, 0, 0, 0).x0,
			  PSCI_RET_NOT_SUPPORTED);
}

/* An unknown function returns NOT_SUPPORTED in all 64 bits of x0 (SMCCC
 * 1.1, 5.2), never an undefined-instruction exception, in every service
 * range, and even for an ID outside the SMCCC fast-call format. */
TEST(psci, unknown_function)
{
	static const uint32_t fids[] = {
		PSCI_UNKNOWN_FID, 0xc400001fu, 0x8600ff00u /* standard hypervisor */,
		0xc3000000u /* OEM */, 0x82000000u /* SiP */, 0x12345678u /* not a fast call */,
	};

	for (unsigned i = 0; i < ARRAY_SIZE(fids); i++) {
		struct smccc_res r = smccc_hvc(fids[i], 1, 2, 3);
		if ((int64_t)r.x0 != PSCI_RET_NOT_SUPPORTED)
			TEST_FAIL("function 0x%08x returned x0 = 0x%llx", fids[i],
				  (unsigned long long)r.x0);
	}
}

TEST(psci, affinity_info)
{
	unsigned n = cpu_count();

	EXPECT_EQ(psci_affinity_info(cpu_mpidr(0), 0), PSCI_AFF_ON);
	/* This vCPU as MPIDR_EL1 reads, with its RES1 bit 31: affinity only. */
	EXPECT_EQ(psci_affinity_info(cpu_read_mpidr() & MPIDR_AFF_MASK, 0), PSCI_AFF_ON);
	for (unsigned i = 1; i < n; i++)
		EXPECT_EQ(psci_affinity_info(cpu_mpidr(i), 0), PSCI_AFF_OFF);
	EXPECT_EQ(psci_affinity_info(cpu_mpidr(n), 0), PSCI_RET_INVALID_PARAMETERS);
	EXPECT_EQ(psci_affinity_info(INVALID_MPIDR, 0), PSCI_RET_INVALID_PARAMETERS);
	gprintf("  %u vCPUs\n", n);
}

TEST(psci, cpu_on_errors)
{
	EXPECT_EQ(psci_cpu_on(INVALID_MPIDR, (uintptr_t)guest_secondary_entry, 1),
		  PSCI_RET_INVALID_PARAMETERS);
	EXPECT_EQ(psci_cpu_on(cpu_mpidr(cpu_count()), (uintptr_t)guest_secondary_entry, 1),
		  PSCI_RET_INVALID_PARAMETERS);
	/* The caller itself is on. */
	EXPECT_EQ(psci_cpu_on(cpu_mpidr(0), (uintptr_t)guest_secondary_entry, 0),
		  PSCI_RET_ALREADY_ON);
}

static volatile unsigned on_counter, wrong_cpu;
static volatile unsigned release[GUEST_MAX_CPUS];

/* Runs on the started vCPU: checks it is the vCPU CPU_ON named (the runtime
 * took its index from the context id), counts itself, waits for vCPU 0's
 * go, returns (and the runtime calls CPU_OFF). */
static void count_and_wait(void *arg)
{
	unsigned idx = (unsigned)(uintptr_t)arg;

	if ((cpu_read_mpidr() & MPIDR_AFF_MASK) != cpu_mpidr(idx) || cpu_index() != idx)
		wrong_cpu++;
	__atomic_fetch_add(&on_counter, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&release[idx], __ATOMIC_ACQUIRE))
		cpu_relax();
}

TEST_SMP(psci, cpu_on_off, 2)
{
	unsigned n = cpu_count();

	on_counter = wrong_cpu = 0;
	/* Two rounds: a vCPU turned off can be turned on again. */
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 1; i < n; i++) {
			unsigned before = on_counter;
			int64_t r;

			release[i] = 0;
			ASSERT_EQ(cpu_start(i, count_and_wait, (void *)(uintptr_t)i), PSCI_RET_SUCCESS);
			if (!WAIT_UNTIL(on_counter == before + 1, 1000)) {
				TEST_FAIL("vCPU %u did not run its function (round %u)", i, round);
				testfw_abort();
			}
			EXPECT_EQ(psci_affinity_info(cpu_mpidr(i), 0), PSCI_AFF_ON);
			r = psci_cpu_on(cpu_mpidr(i), (uintptr_t)guest_secondary_entry, i);
			EXPECT_EQ(r, PSCI_RET_ALREADY_ON);
			__atomic_store_n(&release[i], 1, __ATOMIC_RELEASE);
			if (!WAIT_UNTIL(psci_affinity_info(cpu_mpidr(i), 0) == PSCI_AFF_OFF, 1000))
				TEST_FAIL("vCPU %u not OFF a second after CPU_OFF", i);
		}
	}
	EXPECT_EQ(on_counter, 2 * (n - 1));
	EXPECT_EQ(wrong_cpu, 0);
}

/* Every secondary vCPU on at once, all counting the same counter. */
static volatile unsigned shared_counter;

static void hammer(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < 1000; i++)
		__atomic_fetch_add(&shared_counter, 1, __ATOMIC_RELAXED);
}

TEST_SMP(psci, all_cpus_concurrently, 3)
{
	unsigned n = cpu_count();

	shared_counter = 0;
	for (unsigned i = 1; i < n; i++)
		ASSERT_EQ(cpu_start(i, hammer, NULL), PSCI_RET_SUCCESS);
	hammer(NULL);
	for (unsigned i = 1; i < n; i++)
		if (!cpu_wait_off(i, 1000))
			TEST_FAIL("vCPU %u not OFF after a second", i);
	EXPECT_EQ(shared_counter, 1000 * n);
}

/*
 * Between a successful CPU_ON and the target's own CPU_OFF, AFFINITY_INFO
 * says ON or ON_PENDING, never OFF, and a second CPU_ON is refused with
 * ALREADY_ON or ON_PENDING (PSCI 1.1, 5.6 and 6.6). QEMU 7.2's own PSCI
 * fails this: it marks the target on only once the target runs, so the
 * bare-QEMU scenarios exclude this test.
 */
TEST_SMP(psci, cpu_on_pending, 2)
{
	int64_t r;

	release[1] = 0;
	ASSERT_EQ(cpu_start(1, count_and_wait, (void *)(uintptr_t)1), PSCI_RET_SUCCESS);
	r = psci_affinity_info(cpu_mpidr(1), 0);
	if (r != PSCI_AFF_ON && r != PSCI_AFF_ON_PENDING)
		TEST_FAIL("AFFINITY_INFO right after CPU_ON: %lld, not ON (0) or ON_PENDING (2)",
			  (long long)r);
	r = psci_cpu_on(cpu_mpidr(1), (uintptr_t)guest_secondary_entry, 1);
	if (r != PSCI_RET_ALREADY_ON && r != PSCI_RET_ON_PENDING)
		TEST_FAIL("second CPU_ON: %lld, not ALREADY_ON (-4) or ON_PENDING (-5)",
			  (long long)r);
	__atomic_store_n(&release[1], 1, __ATOMIC_RELEASE);
	EXPECT_TRUE(cpu_wait_off(1, 1000));
}
