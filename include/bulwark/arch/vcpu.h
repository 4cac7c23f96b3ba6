/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The arch contract for running a vCPU.
 *
 * A vCPU is pinned to one physical CPU that runs nothing else, so its EL1
 * system registers, FP/SIMD registers and timer stay live in the hardware
 * from one entry to the next; only the general-purpose registers, PC and
 * PSTATE are saved at each exit, plus the few registers the hypervisor
 * itself uses (the pointer-authentication key).
 */
#ifndef BULWARK_ARCH_VCPU_H
#define BULWARK_ARCH_VCPU_H

#include <bulwark/types.h>

struct arch_vcpu {
	uint64_t x[31];
	uint64_t pc;        /* ELR_EL2 */
	uint64_t pstate;    /* SPSR_EL2 */
	uint64_t apia[2];   /* the guest's APIA key, while the hypervisor runs */
};

struct vm;
struct vcpu;

/* Why `arch_vcpu_run()` returned to the core. */
enum vcpu_exit {
	VCPU_EXIT_REQUEST, /* a request bit is set: look at vcpu->requests */
	VCPU_EXIT_OFF,     /* the vCPU switched itself off (PSCI CPU_OFF) */
	VCPU_EXIT_STOP,    /* the VM was stopped (reason already recorded) */
	VCPU_EXIT_RESET,   /* the guest asked for SYSTEM_RESET */
};

/* Loads the VM's translation and trap configuration on this physical CPU,
 * and resets the vCPU's EL1 state for a fresh start at @pc with x0 = @arg. */
void arch_vcpu_boot(struct vcpu *v, uint64_t pc, uint64_t arg);
/* Runs the vCPU until the core has to act. */
enum vcpu_exit arch_vcpu_run(struct vcpu *v);
/* Leaves the VM's configuration on this CPU: no stage-2, timers quiet. */
void arch_vcpu_park(struct vcpu *v);
/* Per physical CPU setup of virtualization registers, at boot. */
void arch_virt_cpu_init(void);

#endif
