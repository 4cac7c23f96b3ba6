/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PSCI 1.1 and SMCCC 1.1 as a guest sees them. Every argument is checked
 * before anything changes; a bad call returns an error code in x0.
 * CPU_ON, CPU_OFF and AFFINITY_INFO act on the VM's own vCPUs only;
 * SYSTEM_OFF and SYSTEM_RESET stop or restart the calling VM only.
 */
#include <bulwark/console.h>
#include <bulwark/mitig.h>
#include <bulwark/vm.h>

#include "psci.h"

#define EXIT_CONTINUE (-1)

static void ret(struct vcpu *v, int64_t val)
{
	v->arch.x[0] = (uint64_t)val;
}

static int64_t cpu_on(struct vcpu *v, uint64_t mpidr, uint64_t pc, uint64_t ctx)
{
	struct vm *vm = v->vm;
	struct vcpu *t = vm_vcpu_by_mpidr(vm, mpidr);
	int64_t r;

	if (!t)
		return PSCI_INVALID_PARAMETERS;
	if ((pc & 3) || !vm_ipa_is_ram(vm, pc, 4))
		return PSCI_INVALID_ADDRESS;
	sl_lock(&vm->lock);
	r = vcpu_power_on_locked(t, pc, ctx);
	sl_unlock(&vm->lock);
	return r;
}

static int64_t affinity_info(struct vcpu *v, uint64_t mpidr, uint64_t level)
{
	struct vcpu *t;

	if (level != 0)
		return PSCI_INVALID_PARAMETERS;
	t = vm_vcpu_by_mpidr(v->vm, mpidr);
	if (!t)
		return PSCI_INVALID_PARAMETERS;
	return __atomic_load_n(&t->power, __ATOMIC_ACQUIRE) == VCPU_ON ? 0 : 1;
}

static int64_t features(uint32_t fn)
{
	switch (fn) {
	case PSCI_VERSION: case PSCI_CPU_OFF: case PSCI_CPU_ON: case PSCI_CPU_ON | PSCI_64:
	case PSCI_AFFINITY_INFO: case PSCI_AFFINITY_INFO | PSCI_64:
	case PSCI_MIGRATE_INFO_TYPE: case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES: case SMCCC_VERSION:
		return PSCI_SUCCESS;
	case PSCI_CPU_SUSPEND: case PSCI_CPU_SUSPEND | PSCI_64:
		return 0; /* original power-state format, no OS-initiated mode */
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

int psci_handle(struct vcpu *v, uint32_t imm)
{
	uint64_t *x = v->arch.x;
	uint32_t fn = (uint32_t)x[0];
	bool smc64 = fn & PSCI_64;
	uint64_t a1 = x[1], a2 = x[2], a3 = x[3];

	if (imm != 0 || (x[0] >> 32) != 0) {
		ret(v, PSCI_NOT_SUPPORTED);
		return EXIT_CONTINUE;
	}
	if (!smc64) { /* SMC32 calling convention: 32-bit arguments */
		a1 &= 0xffffffffULL;
		a2 &= 0xffffffffULL;
		a3 &= 0xffffffffULL;
	}
	switch (fn) {
	case PSCI_VERSION:
		ret(v, 0x10001); /* 1.1 */
		break;
	case SMCCC_VERSION:
		ret(v, 0x10001); /* 1.1 */
		break;
	case SMCCC_ARCH_FEATURES:
		/* The workarounds as this vCPU's physical CPU has them
		 * (include/bulwark/mitig.h); a1 is a 32-bit function ID. */
		if ((uint32_t)a1 == SMCCC_VERSION)
			ret(v, PSCI_SUCCESS);
		else
			ret(v, mitig_guest_features(v->pcpu, (uint32_t)a1));
		break;
	case SMCCC_ARCH_WORKAROUND_1:
	case SMCCC_ARCH_WORKAROUND_3:
		/* Offered only where the entry from the guest already did the
		 * work (the HVC form is answered in the vector). */
		ret(v, mitig_guest_call_offered(v->pcpu, fn) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED);
		break;
	case PSCI_FEATURES:
		ret(v, features((uint32_t)a1));
		break;
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_SUSPEND | PSCI_64:
		/* A standby: returning at once is a valid wake-up. */
		ret(v, PSCI_SUCCESS);
		break;
	case PSCI_CPU_OFF:
		return VCPU_EXIT_OFF;
	case PSCI_CPU_ON:
	case PSCI_CPU_ON | PSCI_64:
		ret(v, cpu_on(v, a1, a2, a3));
		break;
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO | PSCI_64:
		ret(v, affinity_info(v, a1, a2));
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		ret(v, 2); /* no Trusted OS to migrate */
		break;
	case PSCI_SYSTEM_OFF:
		vm_stop(v->vm, "SYSTEM_OFF");
		return VCPU_EXIT_STOP;
	case PSCI_SYSTEM_RESET:
		return VCPU_EXIT_RESET;
	default:
		ret(v, PSCI_NOT_SUPPORTED);
		break;
	}
	return EXIT_CONTINUE;
}
