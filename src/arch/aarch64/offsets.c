/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Structure offsets for assembly. The build compiles this file to assembly
 * and turns each `->NAME value` marker into a #define in
 * build/include/bulwark/offsets.h.
 */
#include <bulwark/arch/aarch64/frame.h>
#include <bulwark/arch/vcpu.h>
#include <bulwark/cpu.h>
#include <bulwark/vgic.h>
#include <bulwark/vm.h>
#include <stddef.h>

/* guest.S writes the timer's list register by name. */
_Static_assert(VGIC_TIMER_LR == 0, "guest.S writes ICH_LR0_EL2");
_Static_assert(sizeof(((struct vgic_cpu *)0)->timer_fast) == 1, "guest.S stores a byte");
/* guest.S finds the fast-MMIO table at the VM's address, 16 bytes a slot. */
_Static_assert(offsetof(struct vm, fastmmio) == 0, "guest.S: the table first in struct vm");
_Static_assert(sizeof(struct fastmmio) == 16, "guest.S: slot << 4");
_Static_assert(offsetof(struct fastmmio, val) == 8, "guest.S: ldp key, val");
_Static_assert(offsetof(struct spinlock, owner) == 4, "guest.S: the ticket lock");

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
	DEFINE(VCPU_TIMER_LR, offsetof(struct vcpu, vgic.timer_lr));
	DEFINE(VCPU_TIMER_FAST, offsetof(struct vcpu, vgic.timer_fast));
	DEFINE(VCPU_STATS_VTIMER_FAST, offsetof(struct vcpu, stats.vtimer_fast));
	DEFINE(VTIMER_INTID, VGIC_INTID_VTIMER);
	DEFINE(VCPU_VM, offsetof(struct vcpu, vm));
	DEFINE(VCPU_STATS_MMIO_FAST, offsetof(struct vcpu, stats.mmio_fast));
	DEFINE(FASTMMIO_SLOTS, FASTMMIO_SLOTS);
	DEFINE(FASTSINK_LOCK, offsetof(struct fastsink, lock));
	DEFINE(FASTSINK_LEN, offsetof(struct fastsink, len));
	DEFINE(FASTSINK_BUF, offsetof(struct fastsink, buf));
	DEFINE(FASTSINK_LIMIT, offsetof(struct fastsink, limit));
	DEFINE(FASTSINK_LO, offsetof(struct fastsink, lo));
	DEFINE(FASTSINK_HI, offsetof(struct fastsink, hi));
	DEFINE(FASTMMIO_HASH_SHIFT, FASTMMIO_HASH_SHIFT);
	DEFINE(FASTMMIO_KIND_SHIFT, FASTMMIO_KIND_SHIFT);
	DEFINE(FRAME_SIZE, sizeof(struct exc_frame));
	DEFINE(FRAME_X0, offsetof(struct exc_frame, x[0]));
	DEFINE(FRAME_X1, offsetof(struct exc_frame, x[1]));
	DEFINE(FRAME_X3, offsetof(struct exc_frame, x[3]));
	DEFINE(FRAME_SP, offsetof(struct exc_frame, sp));
	DEFINE(FRAME_ELR, offsetof(struct exc_frame, elr));
	DEFINE(FRAME_ESR, offsetof(struct exc_frame, esr));
}
