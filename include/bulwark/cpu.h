/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-CPU data and stacks.
 *
 * Each physical CPU has a `struct percpu`, reached through `cpu_this()`, and
 * a stack area laid out as [guard][emergency stack][guard][stack] where the
 * guard pages are left unmapped, so an overflow faults instead of silently
 * running into a neighbour. The emergency stack is where unexpected
 * exceptions are reported from.
 */
#ifndef BULWARK_CPU_H
#define BULWARK_CPU_H

#ifndef __ASSEMBLER__
#include <bulwark/types.h>
#endif

#ifndef BULWARK_MAX_CPUS
#error "BULWARK_MAX_CPUS must come from the build configuration"
#endif
#if BULWARK_MAX_CPUS < 1 || BULWARK_MAX_CPUS > 64
#error "BULWARK_MAX_CPUS must be between 1 and 64"
#endif

#define STACK_SIZE (16 * 1024)
#define EMERG_STACK_SIZE (4 * 1024)
#define STACK_GUARD_SIZE (4 * 1024)
#define STACK_STRIDE (2 * STACK_GUARD_SIZE + EMERG_STACK_SIZE + STACK_SIZE)

#ifndef __ASSEMBLER__
struct vcpu;

struct percpu {
	uint32_t index;     /* position in the CPU table; 0 is the boot CPU */
	uint32_t online;    /* set by the CPU itself once it is running */
	uint64_t hwid;      /* MPIDR affinity fields */
	uintptr_t emerg_sp; /* top of the emergency stack */
	uint32_t in_fatal;  /* a fatal report is under way on this CPU */
	uint32_t stopped;   /* stopped by a fatal exception */
	uint32_t has_pac;   /* pointer authentication in use at EL2 */
	uint64_t apia[2];   /* this CPU's EL2 APIA key, restored at each guest exit */
	struct vcpu *vcpu;  /* the vCPU pinned to this CPU, or NULL */
	uint32_t mitig_entry; /* guest-entry mitigations, MITIG_ENTRY_* (mitig_asm.h) */
	uint32_t mitig_fw_fn; /* the firmware call of MITIG_ENTRY_FW_BIT */
	uint32_t mitig_guest; /* workaround calls offered to the guest, MITIG_GUEST_* */
} __attribute__((aligned(64)));

extern struct percpu percpu[BULWARK_MAX_CPUS];
#endif

#endif
