/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: PSCI and SMCCC calls (src/arch/aarch64/psci.c) from a
 * hostile guest, with the VM core replaced by test/unit/fake_vm.c.
 *
 * Input: one byte of configuration (vCPU count 1..8, RAM size), then calls:
 * the calling vCPU, the HVC immediate, x0..x3, and a byte that turns vCPUs
 * on, off or running between calls. After every call: x1..x30 unchanged, the
 * VM lock released, the result one PSCI allows, an exit only from CPU_OFF,
 * SYSTEM_OFF or SYSTEM_RESET, and a vCPU started only by a valid CPU_ON (a
 * vCPU of this VM, a 4-byte aligned entry in its RAM, 32-bit arguments for
 * the SMC32 form).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulwark/vm.h>

#include "../../src/arch/aarch64/psci.h"
#include "../unit/fake_vm.h"

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vm vm;


static void fail(const char *what, uint64_t fn)
{
	fprintf(stderr, "fuzz_psci: %s (function %#llx)\n", what, (unsigned long long)fn);
	abort();
}

/* A register value: often a small or meaningful one, else raw bytes. */
static uint64_t arg(struct input *in)
{
	unsigned k = (unsigned)take(in, 1);

	switch (k & 7) {
	case 0: return take(in, 1);
	case 1: return vm.cfg.mem_base + (take(in, 4) % (vm.cfg.mem_size + 16));
	case 2: return (take(in, 4) << 32) | take(in, 1);
	default: return take(in, 8);
	}
}

static const uint32_t fns[] = {
	PSCI_VERSION, PSCI_CPU_SUSPEND, PSCI_CPU_OFF, PSCI_CPU_ON, PSCI_AFFINITY_INFO,
	PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, PSCI_FEATURES,
	SMCCC_VERSION, SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	unsigned cfg = (unsigned)take(&in, 1);

	fake_vm_init(&vm, 1 + (cfg & 7), 0x40000000, (6ULL + (cfg >> 3)) << 21);
	for (unsigned steps = 0; in.left && steps < 1024; steps++) {
		unsigned c = (unsigned)take(&in, 1);
		struct vcpu *v = &vm.vcpus[c % vm.vcpu_count];
		unsigned f = (unsigned)take(&in, 1);
		uint64_t fn = f < 0xc0 ? fns[f % ARRAY_SIZE(fns)] | (f & 0x10 ? PSCI_64 : 0)
				       : (f < 0xf0 ? (uint32_t)take(&in, 4) : take(&in, 8));
		uint32_t imm = (c & 0x80) ? (uint32_t)take(&in, 2) : 0;
		uint64_t before[31];
		enum vm_state state = vm.state;
		enum vcpu_power power[VCPU_MAX];

		v->arch.x[0] = fn;
		for (unsigned i = 1; i < 4; i++)
			v->arch.x[i] = arg(&in);
		for (unsigned i = 4; i < 31; i++)
			v->arch.x[i] = 0x5a5a5a5a00000000ULL | i;
		memcpy(before, v->arch.x, sizeof(before));
		for (unsigned i = 0; i < vm.vcpu_count; i++)
			power[i] = vm.vcpus[i].power;
		fake_vm_calls.power_on = 0;
		fake_vm_calls.stop = 0;

		int r = psci_handle(v, imm);

		if (memcmp(&v->arch.x[1], &before[1], 30 * sizeof(uint64_t)) != 0)
			fail("x1..x30 changed", fn);
		if (vm.lock.next != vm.lock.owner)
			fail("VM lock left held", fn);
		if (fake_vm_calls.lock_violations)
			fail("vcpu_power_on_locked without the VM lock", fn);
		bool call = imm == 0 && (fn >> 32) == 0;
		bool smc64 = fn & PSCI_64;
		uint32_t id = (uint32_t)fn;

		if (r != -1 && r != VCPU_EXIT_OFF && r != VCPU_EXIT_STOP && r != VCPU_EXIT_RESET)
			fail("unknown result", fn);
		if ((r == VCPU_EXIT_OFF) != (call && id == PSCI_CPU_OFF) ||
		    (r == VCPU_EXIT_STOP) != (call && id == PSCI_SYSTEM_OFF) ||
		    (r == VCPU_EXIT_RESET) != (call && id == PSCI_SYSTEM_RESET))
			fail("exit from the wrong call", fn);
		if (fake_vm_calls.stop && !(call && id == PSCI_SYSTEM_OFF))
			fail("VM stopped by the wrong call", fn);
		if (vm.state != state && !(call && id == PSCI_SYSTEM_OFF))
			fail("VM state changed", fn);
		if (r == -1) {
			int64_t x0 = (int64_t)v->arch.x[0];

			if (!(x0 == 0 || x0 == 1 || x0 == 2 || x0 == 0x10001 || x0 == -1 ||
			      x0 == -2 || x0 == -3 || x0 == -4 || x0 == -5 || x0 == -9))
				fail("result PSCI does not define", fn);
			if (!call && x0 != -1)
				fail("not a firmware call, but answered", fn);
		}
		if (fake_vm_calls.power_on) {
			struct vcpu *t = fake_vm_calls.power_on_vcpu;
			uint64_t mpidr = smc64 ? before[1] : (uint32_t)before[1];

			if (!call || (id & ~PSCI_64) != PSCI_CPU_ON)
				fail("vCPU started by the wrong call", fn);
			if (t < vm.vcpus || t >= vm.vcpus + vm.vcpu_count || mpidr != t->index)
				fail("vCPU started that the MPIDR does not name", fn);
			if ((fake_vm_calls.power_on_pc & 3) ||
			    fake_vm_calls.power_on_pc < vm.cfg.mem_base ||
			    fake_vm_calls.power_on_pc > vm.cfg.mem_base + vm.cfg.mem_size - 4)
				fail("vCPU started outside its RAM", fn);
			if (!smc64 && (fake_vm_calls.power_on_pc >> 32 || fake_vm_calls.power_on_arg >> 32))
				fail("SMC32 argument not truncated", fn);
		}
		for (unsigned i = 0; i < vm.vcpu_count; i++) {
			if (vm.vcpus[i].power == power[i])
				continue;
			bool started = fake_vm_calls.power_on && &vm.vcpus[i] == fake_vm_calls.power_on_vcpu;

			if (!started && !(call && id == PSCI_SYSTEM_OFF))
				fail("a vCPU's power changed", fn);
		}
		/* Between calls, vCPUs start running, stop, or the VM comes back. */
		unsigned ev = (unsigned)take(&in, 1);
		struct vcpu *w = &vm.vcpus[(ev >> 2) % vm.vcpu_count];

		switch (ev & 3) {
		case 1: w->running = w->power == VCPU_ON; break;
		case 2: w->power = VCPU_OFF; w->running = 0; break;
		case 3: if (ev & 0x80) vm.state = VM_STATE_RUNNING; break;
		default: break;
		}
	}
	return 0;
}
