/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only stand-ins for the VM core functions PSCI calls
 * (`vm_vcpu_by_mpidr`, `vm_ipa_is_ram`, `vcpu_power_on_locked`, `vm_stop`).
 * They follow src/core/vm.c, record their calls, and assert that
 * `vcpu_power_on_locked` runs with `vm->lock` held.
 */
#ifndef BULWARK_TEST_FAKE_VM_H
#define BULWARK_TEST_FAKE_VM_H

#include <bulwark/vm.h>

struct fake_vm_calls {
	unsigned power_on;            /* vcpu_power_on_locked() calls */
	struct vcpu *power_on_vcpu;   /* its last arguments */
	uint64_t power_on_pc, power_on_arg;
	unsigned stop;                /* vm_stop() calls */
	char stop_reason[96];
	unsigned lock_violations;     /* power-on without vm->lock held */
};

extern struct fake_vm_calls fake_vm_calls;

/* Sets up @vm with @vcpus vCPUs (vCPU 0 on, running), RAM at
 * [@mem_base, @mem_base + @mem_size), state RUNNING; clears the records. */
void fake_vm_init(struct vm *vm, unsigned vcpus, uint64_t mem_base, uint64_t mem_size);

#endif
