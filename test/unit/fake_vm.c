/* SPDX-License-Identifier: Apache-2.0 */
/* Test-only VM core functions for PSCI (see fake_vm.h). */
#include <stdio.h>

#include <bulwark/string.h>
#include <bulwark/vm.h>

#include "fake_vm.h"

struct fake_vm_calls fake_vm_calls;

void fake_vm_init(struct vm *vm, unsigned vcpus, uint64_t mem_base, uint64_t mem_size)
{
	memset(vm, 0, sizeof(*vm));
	memset(&fake_vm_calls, 0, sizeof(fake_vm_calls));
	memcpy(vm->name, "psci", 5);
	vm->state = VM_STATE_RUNNING;
	vm->vcpu_count = vcpus;
	vm->cfg.vcpu_count = vcpus;
	vm->cfg.mem_base = mem_base;
	vm->cfg.mem_size = mem_size;
	for (unsigned i = 0; i < vcpus; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].index = i;
		vm->vcpus[i].pcpu = i;
	}
	vm->vcpus[0].power = VCPU_ON;
	vm->vcpus[0].running = 1;
}

/* As src/core/vm.c. */
struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	if (mpidr & ~0xffULL)
		return NULL;
	return mpidr < vm->vcpu_count ? &vm->vcpus[mpidr] : NULL;
}

/* As src/core/vm.c. */
bool vm_ipa_is_ram(const struct vm *vm, uint64_t ipa, uint64_t size)
{
	return ipa >= vm->cfg.mem_base && size <= vm->cfg.mem_size &&
	       ipa - vm->cfg.mem_base <= vm->cfg.mem_size - size;
}

/* As src/core/vm.c, without the kick; records the call. */
int vcpu_power_on_locked(struct vcpu *v, uint64_t pc, uint64_t arg)
{
	struct vm *vm = v->vm;

	fake_vm_calls.power_on++;
	fake_vm_calls.power_on_vcpu = v;
	fake_vm_calls.power_on_pc = pc;
	fake_vm_calls.power_on_arg = arg;
	if (vm->lock.next == vm->lock.owner) /* not held */
		fake_vm_calls.lock_violations++;
	if (vm->state != VM_STATE_RUNNING)
		return -3;
	if (v->power == VCPU_ON)
		return v->running ? -4 : -5;
	v->boot_pc = pc;
	v->boot_arg = arg;
	v->power = VCPU_ON;
	return 0;
}

/* As src/core/vm.c, without the kicks and the console; records the call. */
void vm_stop(struct vm *vm, const char *reason)
{
	fake_vm_calls.stop++;
	snprintf(fake_vm_calls.stop_reason, sizeof(fake_vm_calls.stop_reason), "%s", reason);
	if (vm->state == VM_STATE_STOPPED)
		return;
	vm->state = VM_STATE_STOPPED;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		vm->vcpus[i].power = VCPU_OFF;
}
