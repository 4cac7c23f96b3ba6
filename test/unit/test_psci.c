/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PSCI 1.1 and SMCCC 1.1 as a guest sees them (src/arch/aarch64/psci.c),
 * with the VM core it calls replaced by test/unit/fake_vm.c. Every function
 * ID, the SMC32 argument truncation, a non-zero immediate, x0 with upper
 * bits set, bad arguments of every kind; every call must leave x1-x30 as
 * they were.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bulwark/mitig.h>
#include <bulwark/vm.h>

#include "../../src/arch/aarch64/psci.h"
#include "fake_vm.h"

#define CONTINUE (-1)
#define NOT_SUPPORTED 0xffffffffffffffffULL
#define INVALID_PARAMETERS 0xfffffffffffffffeULL
#define DENIED 0xfffffffffffffffdULL
#define ALREADY_ON 0xfffffffffffffffcULL
#define ON_PENDING 0xfffffffffffffffbULL
#define INVALID_ADDRESS 0xfffffffffffffff7ULL

#define MEM_BASE 0x40000000ULL
#define MEM_SIZE (64ULL << 20)

static struct vm vm;

static int setup(void **state)
{
	(void)state;
	fake_vm_init(&vm, 4, MEM_BASE, MEM_SIZE);
	return 0;
}

static uint64_t reg_fill(unsigned i)
{
	return 0x5a5a000000000000ULL | (uint64_t)i << 8 | i;
}

/* Calls @fn from vCPU @c with x1..x3 and HVC immediate @imm; checks that
 * x1..x30 come back unchanged and returns psci_handle()'s result. */
static int call_imm(unsigned c, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint32_t imm)
{
	struct vcpu *v = &vm.vcpus[c];
	uint64_t before[31];

	for (unsigned i = 4; i < 31; i++)
		v->arch.x[i] = reg_fill(i);
	v->arch.x[0] = fn;
	v->arch.x[1] = a1;
	v->arch.x[2] = a2;
	v->arch.x[3] = a3;
	memcpy(before, v->arch.x, sizeof(before));
	int r = psci_handle(v, imm);

	assert_memory_equal(&v->arch.x[1], &before[1], 30 * sizeof(uint64_t));
	assert_int_equal(vm.lock.next, vm.lock.owner); /* the VM lock was released */
	return r;
}

static int call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return call_imm(0, fn, a1, a2, a3, 0);
}

static uint64_t x0(void)
{
	return vm.vcpus[0].arch.x[0];
}

/* The state psci.c may change: power and boot address of the vCPUs, the
 * VM's state. Everything else must stay as it was. */
static void assert_nothing_happened(void)
{
	assert_int_equal(fake_vm_calls.power_on, 0);
	assert_int_equal(fake_vm_calls.stop, 0);
	assert_int_equal(vm.state, VM_STATE_RUNNING);
	for (unsigned i = 1; i < vm.vcpu_count; i++)
		assert_int_equal(vm.vcpus[i].power, VCPU_OFF);
}

/* ---- Discovery ------------------------------------------------------------ */

static void test_version(void **state)
{
	(void)state;
	assert_int_equal(call(PSCI_VERSION, 0, 0, 0), CONTINUE);
	assert_int_equal(x0(), 0x10001); /* 1.1 */
	assert_int_equal(call(SMCCC_VERSION, 0, 0, 0), CONTINUE);
	assert_int_equal(x0(), 0x10001);
	/* Arguments do not matter. */
	assert_int_equal(call(PSCI_VERSION, ~0ULL, ~0ULL, ~0ULL), CONTINUE);
	assert_int_equal(x0(), 0x10001);
	/* There is no SMC64 PSCI_VERSION. */
	assert_int_equal(call(PSCI_VERSION | PSCI_64, 0, 0, 0), CONTINUE);
	assert_int_equal(x0(), NOT_SUPPORTED);
	assert_nothing_happened();
}

static void test_psci_features(void **state)
{
	static const uint32_t supported[] = {
		PSCI_VERSION, PSCI_CPU_OFF, PSCI_CPU_ON, PSCI_CPU_ON | PSCI_64, PSCI_AFFINITY_INFO,
		PSCI_AFFINITY_INFO | PSCI_64, PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF,
		PSCI_SYSTEM_RESET, PSCI_FEATURES, SMCCC_VERSION,
	};
	static const uint32_t unsupported[] = {
		0, 0x84000005, /* MIGRATE */ 0x84000007, /* MIGRATE_INFO_UP_CPU */
		0x8400000b, 0x8400000c, 0x8400000d, 0x8400000e, /* SYSTEM_SUSPEND */
		0x8400000f, 0x84000010, 0x84000011, 0x84000012, /* SYSTEM_RESET2 */
		0x84000013, 0x84000014, 0x84000015, 0x840000ff,
		PSCI_VERSION | PSCI_64, PSCI_CPU_OFF | PSCI_64, PSCI_SYSTEM_OFF | PSCI_64,
		PSCI_SYSTEM_RESET | PSCI_64, PSCI_FEATURES | PSCI_64, 0xc4000012,
		SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1, SMCCC_ARCH_WORKAROUND_2,
		SMCCC_ARCH_WORKAROUND_3, 0x80000002, 0xffffffff, 0x04000000,
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(supported); i++) {
		assert_int_equal(call(PSCI_FEATURES, supported[i], 0, 0), CONTINUE);
		assert_int_equal(x0(), 0);
	}
	/* CPU_SUSPEND: original power-state format, no OS-initiated mode. */
	assert_int_equal(call(PSCI_FEATURES, PSCI_CPU_SUSPEND, 0, 0), CONTINUE);
	assert_int_equal(x0(), 0);
	assert_int_equal(call(PSCI_FEATURES, PSCI_CPU_SUSPEND | PSCI_64, 0, 0), CONTINUE);
	assert_int_equal(x0(), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(unsupported); i++) {
		assert_int_equal(call(PSCI_FEATURES, unsupported[i], 0, 0), CONTINUE);
		assert_int_equal(x0(), NOT_SUPPORTED);
	}
	/* PSCI_FEATURES is an SMC32 call: only w1 is the function ID. */
	assert_int_equal(call(PSCI_FEATURES, 0xffffffff00000000ULL | PSCI_CPU_ON, 0, 0), CONTINUE);
	assert_int_equal(x0(), 0);
	assert_nothing_happened();
}

static void test_smccc_arch_features(void **state)
{
	static const uint32_t unsupported[] = {
		SMCCC_ARCH_WORKAROUND_1, SMCCC_ARCH_WORKAROUND_2, SMCCC_ARCH_WORKAROUND_3,
		SMCCC_ARCH_FEATURES, PSCI_VERSION, 0x80000002, 0x8000ff00, 0,
	};

	(void)state;
	assert_int_equal(call(SMCCC_ARCH_FEATURES, SMCCC_VERSION, 0, 0), CONTINUE);
	assert_int_equal(x0(), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(unsupported); i++) {
		assert_int_equal(call(SMCCC_ARCH_FEATURES, unsupported[i], 0, 0), CONTINUE);
		assert_int_equal(x0(), NOT_SUPPORTED);
	}
	/* SMC32: upper bits of x1 are not part of the argument. */
	assert_int_equal(call(SMCCC_ARCH_FEATURES, 0x1234567800000000ULL | SMCCC_VERSION, 0, 0),
			 CONTINUE);
	assert_int_equal(x0(), 0);
	/* The workarounds themselves are not offered either. */
	assert_int_equal(call(SMCCC_ARCH_WORKAROUND_1, 0, 0, 0), CONTINUE);
	assert_int_equal(x0(), NOT_SUPPORTED);
	assert_nothing_happened();
}

static void test_migrate_info_type(void **state)
{
	(void)state;
	assert_int_equal(call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), CONTINUE);
	assert_int_equal(x0(), 2); /* no Trusted OS */
	assert_int_equal(call(PSCI_MIGRATE_INFO_TYPE | PSCI_64, 0, 0, 0), CONTINUE);
	assert_int_equal(x0(), NOT_SUPPORTED);
	assert_nothing_happened();
}

/* ---- CPU power ------------------------------------------------------------- */

static void test_cpu_suspend(void **state)
{
	(void)state;
	assert_int_equal(call(PSCI_CPU_SUSPEND, 0, MEM_BASE, 0), CONTINUE);
	assert_int_equal(x0(), 0);
	assert_int_equal(call(PSCI_CPU_SUSPEND | PSCI_64, 0x10000, 0, ~0ULL), CONTINUE);
	assert_int_equal(x0(), 0);
	assert_nothing_happened();
	assert_int_equal(vm.vcpus[0].power, VCPU_ON);
}

static void test_cpu_off(void **state)
{
	(void)state;
	assert_int_equal(call(PSCI_CPU_OFF, 0, 0, 0), VCPU_EXIT_OFF);
	assert_int_equal(x0(), PSCI_CPU_OFF); /* does not return on success */
	assert_int_equal(call_imm(2, PSCI_CPU_OFF, 1, 2, 3, 0), VCPU_EXIT_OFF);
	assert_int_equal(fake_vm_calls.stop, 0);
	assert_int_equal(call(PSCI_CPU_OFF | PSCI_64, 0, 0, 0), CONTINUE);
	assert_int_equal(x0(), NOT_SUPPORTED);
}

static void test_cpu_on(void **state)
{
	(void)state;
	assert_int_equal(call(PSCI_CPU_ON | PSCI_64, 2, MEM_BASE + 0x80000, 0xdeadbeefcafef00dULL),
			 CONTINUE);
	assert_int_equal(x0(), 0);
	assert_int_equal(fake_vm_calls.power_on, 1);
	assert_ptr_equal(fake_vm_calls.power_on_vcpu, &vm.vcpus[2]);
	assert_int_equal(fake_vm_calls.power_on_pc, MEM_BASE + 0x80000);
	assert_int_equal(fake_vm_calls.power_on_arg, 0xdeadbeefcafef00dULL);
	assert_int_equal(fake_vm_calls.lock_violations, 0);
	assert_int_equal(vm.vcpus[2].power, VCPU_ON);
	assert_int_equal(vm.vcpus[2].boot_pc, MEM_BASE + 0x80000);
	/* Again, before it runs: ON_PENDING. Once it runs: ALREADY_ON. */
	assert_int_equal(call(PSCI_CPU_ON | PSCI_64, 2, MEM_BASE, 0), CONTINUE);
	assert_int_equal(x0(), ON_PENDING);
	vm.vcpus[2].running = 1;
	assert_int_equal(call(PSCI_CPU_ON | PSCI_64, 2, MEM_BASE, 0), CONTINUE);
	assert_int_equal(x0(), ALREADY_ON);
	assert_int_equal(vm.vcpus[2].boot_pc, MEM_BASE + 0x80000); /* unchanged */
	/* Itself. */
	assert_int_equal(call(PSCI_CPU_ON, 0, MEM_BASE, 0), CONTINUE);
	assert_int_equal(x0(), ALREADY_ON);
	/* The first and last byte of RAM that can hold an instruction. */
	assert_int_equal(call(PSCI_CPU_ON, 1, MEM_BASE, 0), CONTINUE);
	assert_int_equal(x0(), 0);
	assert_int_equal(call(PSCI_CPU_ON | PSCI_64, 3, MEM_BASE + MEM_SIZE - 4, 0), CONTINUE);
	assert_int_equal(x0(), 0);
	assert_int_equal(fake_vm_calls.lock_violations, 0);
}

/* SMC32: every argument is 32 bits; the upper halves are ignored. */
static void test_cpu_on_smc32_truncates(void **state)
{
	(void)state;
	assert_int_equal(call(PSCI_CPU_ON, 0xffffffff00000001ULL, 0xabcd000000000000ULL | MEM_BASE,
			      0x1111111122222222ULL),
			 CONTINUE);
	assert_int_equal(x0(), 0);
	assert_ptr_equal(fake_vm_calls.power_on_vcpu, &vm.vcpus[1]);
	assert_int_equal(fake_vm_calls.power_on_pc, MEM_BASE);
	assert_int_equal(fake_vm_calls.power_on_arg, 0x22222222);
	/* The same registers with SMC64: the upper bits count, and are wrong. */
	assert_int_equal(call(PSCI_CPU_ON | PSCI_64, 0xffffffff00000002ULL, MEM_BASE, 0), CONTINUE);
	assert_int_equal(x0(), INVALID_PARAMETERS);
	assert_int_equal(call(PSCI_CPU_ON | PSCI_64, 2, 0xabcd000000000000ULL | MEM_BASE, 0),
			 CONTINUE);
	assert_int_equal(x0(), INVALID_ADDRESS);
	assert_int_equal(vm.vcpus[2].power, VCPU_OFF);
}

static void test_cpu_on_bad_mpidr(void **state)
{
	static const uint64_t bad[] = {
		4, 7, 8, 0xff, 0x100, 0x10000, 0x100000000ULL,
		0x80000001ULL, /* bit 31 is RES1 in MPIDR_EL1, but MBZ in target_cpu */
		0x8000000000000000ULL, ~0ULL,
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(call(PSCI_CPU_ON | PSCI_64, bad[i], MEM_BASE, 0), CONTINUE);
		assert_int_equal(x0(), INVALID_PARAMETERS);
	}
	/* A bad MPIDR wins over a bad address. */
	assert_int_equal(call(PSCI_CPU_ON | PSCI_64, 9, 3, 0), CONTINUE);
	assert_int_equal(x0(), INVALID_PARAMETERS);
	/* A one-vCPU VM has nobody to start. */
	fake_vm_init(&vm, 1, MEM_BASE, MEM_SIZE);
	assert_int_equal(call(PSCI_CPU_ON, 1, MEM_BASE, 0), CONTINUE);
	assert_int_equal(x0(), INVALID_PARAMETERS);
	assert_nothing_happened();
}

static void test_cpu_on_bad_entry(void **state)
{
	static const uint64_t bad[] = {
		MEM_BASE + 1, MEM_BASE + 2, MEM_BASE + 0x1003, /* not 4-byte aligned */
		MEM_BASE - 4, 0, 0x08000000, 0x09000000,      /* not RAM */
		MEM_BASE + MEM_SIZE, MEM_BASE + MEM_SIZE - 2,
		MEM_BASE + MEM_SIZE + 0x1000, ~0ULL - 3, ~0ULL,
		MEM_BASE + (1ULL << 32),                       /* RAM only modulo 2^32 */
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(call(PSCI_CPU_ON | PSCI_64, 1, bad[i], 0), CONTINUE);
		assert_int_equal(x0(), INVALID_ADDRESS);
	}
	assert_nothing_happened();
}

static void test_cpu_on_when_vm_not_running(void **state)
{
	(void)state;
	vm.state = VM_STATE_RESETTING;
	assert_int_equal(call(PSCI_CPU_ON, 1, MEM_BASE, 0), CONTINUE);
	assert_int_equal(x0(), DENIED);
	assert_int_equal(vm.vcpus[1].power, VCPU_OFF);
	vm.state = VM_STATE_STOPPED;
	assert_int_equal(call(PSCI_CPU_ON, 1, MEM_BASE, 0), CONTINUE);
	assert_int_equal(x0(), DENIED);
	assert_int_equal(vm.vcpus[1].power, VCPU_OFF);
}

static void test_affinity_info(void **state)
{
	(void)state;
	assert_int_equal(call(PSCI_AFFINITY_INFO, 0, 0, 0), CONTINUE);
	assert_int_equal(x0(), 0); /* ON */
	assert_int_equal(call(PSCI_AFFINITY_INFO | PSCI_64, 3, 0, 0), CONTINUE);
	assert_int_equal(x0(), 1); /* OFF */
	vm.vcpus[3].power = VCPU_ON;
	assert_int_equal(call(PSCI_AFFINITY_INFO | PSCI_64, 3, 0, 0), CONTINUE);
	assert_int_equal(x0(), 0);
	/* Only affinity level 0 exists. */
	for (uint64_t level = 1; level < 4; level++) {
		assert_int_equal(call(PSCI_AFFINITY_INFO, 0, level, 0), CONTINUE);
		assert_int_equal(x0(), INVALID_PARAMETERS);
	}
	assert_int_equal(call(PSCI_AFFINITY_INFO | PSCI_64, 0, 1ULL << 32, 0), CONTINUE);
	assert_int_equal(x0(), INVALID_PARAMETERS);
	/* SMC32: the upper halves do not count. */
	assert_int_equal(call(PSCI_AFFINITY_INFO, 0xffffffff00000003ULL, 1ULL << 32, 0), CONTINUE);
	assert_int_equal(x0(), 0);
	/* Bad MPIDRs. */
	assert_int_equal(call(PSCI_AFFINITY_INFO, 4, 0, 0), CONTINUE);
	assert_int_equal(x0(), INVALID_PARAMETERS);
	assert_int_equal(call(PSCI_AFFINITY_INFO | PSCI_64, 0x100000000ULL, 0, 0), CONTINUE);
	assert_int_equal(x0(), INVALID_PARAMETERS);
	assert_int_equal(call(PSCI_AFFINITY_INFO | PSCI_64, 0x100, 0, 0), CONTINUE);
	assert_int_equal(x0(), INVALID_PARAMETERS);
	assert_int_equal(fake_vm_calls.power_on, 0);
}

/* ---- System power -------------------------------------------------------- */

static void test_system_off(void **state)
{
	(void)state;
	assert_int_equal(call(PSCI_SYSTEM_OFF, 0, 0, 0), VCPU_EXIT_STOP);
	assert_int_equal(fake_vm_calls.stop, 1);
	assert_string_equal(fake_vm_calls.stop_reason, "SYSTEM_OFF");
	assert_int_equal(vm.state, VM_STATE_STOPPED);
	assert_int_equal(x0(), PSCI_SYSTEM_OFF); /* does not return */
	/* From another vCPU, with junk in the arguments. */
	setup(NULL);
	assert_int_equal(call_imm(3, PSCI_SYSTEM_OFF, ~0ULL, ~0ULL, ~0ULL, 0), VCPU_EXIT_STOP);
	assert_int_equal(fake_vm_calls.stop, 1);
}

static void test_system_reset(void **state)
{
	(void)state;
	assert_int_equal(call(PSCI_SYSTEM_RESET, 0, 0, 0), VCPU_EXIT_RESET);
	assert_int_equal(fake_vm_calls.stop, 0); /* the core resets the VM */
	assert_int_equal(vm.state, VM_STATE_RUNNING);
	assert_int_equal(x0(), PSCI_SYSTEM_RESET);
	assert_int_equal(call_imm(1, PSCI_SYSTEM_RESET, ~0ULL, 0, 0, 0), VCPU_EXIT_RESET);
}

/* ---- What is not a PSCI call --------------------------------------------- */

/* HVC #n with n != 0 is not a firmware call: NOT_SUPPORTED, nothing done. */
static void test_nonzero_immediate(void **state)
{
	static const uint32_t imms[] = { 1, 2, 0x8000, 0xffff };
	static const uint32_t fns[] = { PSCI_VERSION, PSCI_CPU_OFF, PSCI_CPU_ON | PSCI_64,
					PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, PSCI_CPU_SUSPEND };

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(imms); i++) {
		for (unsigned f = 0; f < ARRAY_SIZE(fns); f++) {
			assert_int_equal(call_imm(0, fns[f], 1, MEM_BASE, 0, imms[i]), CONTINUE);
			assert_int_equal(x0(), NOT_SUPPORTED);
		}
	}
	assert_nothing_happened();
}

/* A function ID is 32 bits: x0 with any upper bit set is no function. */
static void test_x0_upper_bits(void **state)
{
	static const uint32_t fns[] = { PSCI_VERSION, PSCI_CPU_OFF, PSCI_CPU_ON | PSCI_64,
					PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, SMCCC_VERSION };

	(void)state;
	for (unsigned f = 0; f < ARRAY_SIZE(fns); f++) {
		for (unsigned bit = 32; bit < 64; bit++) {
			assert_int_equal(call(1ULL << bit | fns[f], 1, MEM_BASE, 0), CONTINUE);
			assert_int_equal(x0(), NOT_SUPPORTED);
		}
	}
	assert_nothing_happened();
}

static void test_unknown_function_ids(void **state)
{
	static const uint32_t ids[] = {
		0, 1, 0x7fffffff, 0xffffffff,
		0x04000000, 0x44000003,             /* yielding calls */
		0x84000005, 0x84000007, 0x8400000b, 0x8400000e, 0x84000012, 0x840000ff,
		0x8400ffff, 0x84010000,
		0xc4000000, 0xc4000002, 0xc4000006, 0xc4000008, 0xc4000009, 0xc400000a,
		0xc4000012, 0xc40000ff,
		0x80000002, 0x80000003, 0x8000ff00, /* other arch calls */
		0xc0000000, 0xc0000001,             /* SMC64 arch calls do not exist */
		0x82000000, 0xc2000000,             /* SiP */
		0x83000000, 0xc3000000,             /* OEM */
		0x85000000, 0xc5000000,             /* standard hypervisor services */
		0x86000000, 0xc6000000,             /* vendor hypervisor (KVM's) */
		0xb0000000, 0xf0000000,             /* trusted applications */
		0xb2000000, 0xbf000000, 0xff000000, /* trusted OS */
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
		for (unsigned c = 0; c < 4; c++) {
			assert_int_equal(call_imm(c, ids[i], 1, MEM_BASE, 0, 0), CONTINUE);
			assert_int_equal(vm.vcpus[c].arch.x[0], NOT_SUPPORTED);
		}
	}
	assert_nothing_happened();
}

/* Every fast-call function ID of the PSCI and arch ranges, both
 * conventions, with hostile arguments: known answers or NOT_SUPPORTED,
 * and only CPU_ON, CPU_OFF and the system calls may act. */
static void test_every_function_id(void **state)
{
	static const uint32_t bases[] = { 0x84000000, 0xc4000000, 0x80000000, 0xc0000000 };

	(void)state;
	for (unsigned b = 0; b < ARRAY_SIZE(bases); b++) {
		for (uint32_t n = 0; n < 0x200; n++) {
			uint32_t fn = bases[b] + n;
			int r;

			setup(NULL);
			r = call(fn, ~0ULL, ~0ULL, ~0ULL);
			switch (fn) {
			case PSCI_CPU_OFF:
				assert_int_equal(r, VCPU_EXIT_OFF);
				break;
			case PSCI_SYSTEM_OFF:
				assert_int_equal(r, VCPU_EXIT_STOP);
				break;
			case PSCI_SYSTEM_RESET:
				assert_int_equal(r, VCPU_EXIT_RESET);
				break;
			case PSCI_VERSION: case SMCCC_VERSION:
				assert_int_equal(x0(), 0x10001);
				break;
			case PSCI_MIGRATE_INFO_TYPE:
				assert_int_equal(x0(), 2);
				break;
			case PSCI_CPU_SUSPEND: case PSCI_CPU_SUSPEND | PSCI_64:
				assert_int_equal(x0(), 0);
				break;
			case PSCI_CPU_ON: /* w1 = 0xffffffff: no such vCPU */
			case PSCI_CPU_ON | PSCI_64:
			case PSCI_AFFINITY_INFO:
			case PSCI_AFFINITY_INFO | PSCI_64:
				assert_int_equal(x0(), INVALID_PARAMETERS);
				break;
			case PSCI_FEATURES: case SMCCC_ARCH_FEATURES: /* of 0xffffffff */
			default:
				assert_int_equal(r, CONTINUE);
				assert_int_equal(x0(), NOT_SUPPORTED);
				break;
			}
			if (fn != PSCI_SYSTEM_OFF)
				assert_nothing_happened();
		}
	}
}

/* The answers follow the plan of each vCPU's physical CPU (here a
 * Cortex-A76 for vCPU 0, a Cortex-A57 whose firmware has ARCH_WORKAROUND_1
 * for vCPU 1). Runs last: the plans stay set. */
static void test_smccc_workarounds_per_cpu(void **state)
{
	struct mitig_cpu_id a76 = { .midr = 0x414fd0b1, .pfr0 = 1ULL << 56 | 1ULL << 60,
				    .pfr1 = 1 << 4, .fw_wa1 = MITIG_FW_NO_SMCCC,
				    .fw_wa2 = MITIG_FW_NO_SMCCC, .fw_wa3 = MITIG_FW_NO_SMCCC };
	struct mitig_cpu_id a57 = { .midr = 0x411fd070, .fw_wa1 = 0, .fw_wa2 = -1, .fw_wa3 = -1 };
	struct mitig_choice c = { .profile = MITIG_PROFILE_BALANCED };
	struct mitig_cpu_facts f;
	struct mitig_plan p;

	(void)state;
	mitig_detect(&a76, &f);
	mitig_resolve(&f, MITIG_MOD_ALL, &c, NULL, &p);
	mitig_plan_set(0, &p);
	mitig_detect(&a57, &f);
	mitig_resolve(&f, MITIG_MOD_ALL, &c, NULL, &p);
	mitig_plan_set(1, &p);

	assert_int_equal(call_imm(0, SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1, 0, 0, 0), CONTINUE);
	assert_int_equal(x0(), 1);                  /* not affected: CSV2 */
	assert_int_equal(call_imm(0, SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_2, 0, 0, 0), CONTINUE);
	assert_int_equal(x0(), NOT_SUPPORTED);      /* the guest has SSBS */
	assert_int_equal(call_imm(0, SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_3, 0, 0, 0), CONTINUE);
	assert_int_equal(x0(), 0);                  /* BHB loop on entry */
	assert_int_equal(call_imm(0, SMCCC_ARCH_WORKAROUND_3, 0, 0, 0, 0), CONTINUE);
	assert_int_equal(x0(), 0);
	assert_int_equal(call_imm(0, SMCCC_ARCH_WORKAROUND_1, 0, 0, 0, 0), CONTINUE);
	assert_int_equal(x0(), NOT_SUPPORTED);      /* not offered there */

	assert_int_equal(call_imm(1, SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1, 0, 0, 0), CONTINUE);
	assert_int_equal(vm.vcpus[1].arch.x[0], 0); /* the firmware call on entry */
	assert_int_equal(call_imm(1, SMCCC_ARCH_WORKAROUND_1, 0, 0, 0, 0), CONTINUE);
	assert_int_equal(vm.vcpus[1].arch.x[0], 0);
	assert_int_equal(call_imm(1, SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_2, 0, 0, 0), CONTINUE);
	assert_int_equal(vm.vcpus[1].arch.x[0], NOT_SUPPORTED);
	/* The 64-bit forms do not exist. */
	assert_int_equal(call_imm(1, SMCCC_ARCH_WORKAROUND_1 | PSCI_64, 0, 0, 0, 0), CONTINUE);
	assert_int_equal(vm.vcpus[1].arch.x[0], NOT_SUPPORTED);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_version),
		T(test_psci_features),
		T(test_smccc_arch_features),
		T(test_migrate_info_type),
		T(test_cpu_suspend),
		T(test_cpu_off),
		T(test_cpu_on),
		T(test_cpu_on_smc32_truncates),
		T(test_cpu_on_bad_mpidr),
		T(test_cpu_on_bad_entry),
		T(test_cpu_on_when_vm_not_running),
		T(test_affinity_info),
		T(test_system_off),
		T(test_system_reset),
		T(test_nonzero_immediate),
		T(test_x0_upper_bits),
		T(test_unknown_function_ids),
		T(test_every_function_id),
		T(test_smccc_workarounds_per_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
