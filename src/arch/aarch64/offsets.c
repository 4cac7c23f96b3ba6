/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Structure offsets for assembly. The build compiles this file to assembly
 * and turns each `->NAME value` marker into a #define in
 * build/include/bulwark/offsets.h.
 */
#include <bulwark/arch/aarch64/frame.h>
#include <bulwark/arch/vcpu.h>
#include <bulwark/cpu.h>
#include <stddef.h>

#define DEFINE(sym, val) __asm__ volatile("\n->" #sym " %0" : : "i"(val))

void offsets(void);
void offsets(void)
{
	DEFINE(PERCPU_SIZE, sizeof(struct percpu));
	DEFINE(PERCPU_EMERG_SP, offsetof(struct percpu, emerg_sp));
	DEFINE(PERCPU_HAS_PAC, offsetof(struct percpu, has_pac));
	DEFINE(PERCPU_APIA, offsetof(struct percpu, apia));
	DEFINE(PERCPU_MITIG_ENTRY, offsetof(struct percpu, mitig_entry));
	DEFINE(PERCPU_MITIG_FW_FN, offsetof(struct percpu, mitig_fw_fn));
	DEFINE(PERCPU_MITIG_GUEST, offsetof(struct percpu, mitig_guest));
	DEFINE(VCPU_X0, offsetof(struct arch_vcpu, x));
	DEFINE(VCPU_PC, offsetof(struct arch_vcpu, pc));
	DEFINE(VCPU_APIA, offsetof(struct arch_vcpu, apia));
	DEFINE(FRAME_SIZE, sizeof(struct exc_frame));
	DEFINE(FRAME_X0, offsetof(struct exc_frame, x[0]));
	DEFINE(FRAME_X1, offsetof(struct exc_frame, x[1]));
	DEFINE(FRAME_X3, offsetof(struct exc_frame, x[3]));
	DEFINE(FRAME_SP, offsetof(struct exc_frame, sp));
	DEFINE(FRAME_ELR, offsetof(struct exc_frame, elr));
	DEFINE(FRAME_ESR, offsetof(struct exc_frame, esr));
}
