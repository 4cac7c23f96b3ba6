/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host-test view into the fake list registers (src/arch/fake/vgic_lr.c).
 *
 * The fake holds one bank of list registers per physical CPU (the real ones
 * are per CPU too); `arch_vgic_*` act on the selected bank. Tests and fuzzers
 * select the bank of the vCPU they flush or sync, and play the guest's CPU
 * interface on it: acknowledging an interrupt moves its list register from
 * pending to active, ending it (EOI with EOImode 0) moves it from active to
 * invalid. An access to a list register the fake does not implement aborts.
 */
#ifndef BULWARK_ARCH_FAKE_VGIC_H
#define BULWARK_ARCH_FAKE_VGIC_H

#include <bulwark/types.h>
#include <bulwark/vgic.h>

#define FAKE_VGIC_BANKS 8
#define FAKE_VGIC_DEFAULT_LRS 4
#define FAKE_VGIC_DEFAULT_PRI_BITS 5
#define FAKE_VGIC_SPURIOUS 1023u

struct fake_vgic {
	unsigned lr_count;                       /* what `arch_vgic_lr_count()` reports */
	unsigned pri_bits;                       /* what `arch_vgic_pri_bits()` reports */
	unsigned bank;                           /* the bank `arch_vgic_*` act on */
	uint64_t lr[FAKE_VGIC_BANKS][VGIC_MAX_LRS];
	bool underflow[FAKE_VGIC_BANKS];         /* last `arch_vgic_underflow()` per bank */
	unsigned lr_writes, underflow_calls, cpu_resets;
	unsigned hw_releases;                    /* `arch_vgic_hw_release()` calls */
	unsigned hw_released_cpu;                /* the last one's vCPU's physical CPU */
	uint32_t hw_released_intid;              /* and its INTID */
};

extern struct fake_vgic fake_vgic;

/* Every bank empty, 4 list registers, 5 priority bits, bank 0 selected. */
void fake_vgic_reset(void);
/* Selects the bank (physical CPU) the arch functions act on. */
void fake_vgic_select(unsigned bank);

/* The state bits (LR_PENDING, LR_ACTIVE or both) of list register @lr. */
uint64_t fake_vgic_lr_state(unsigned lr);
/* The list register holding virtual INTID @intid in a valid state, or -1. */
int fake_vgic_find(uint32_t intid);
/* Guest: reads ICC_IAR1_EL1. Takes the pending list register with the
 * highest priority (lowest value; lowest index on a tie) to active and
 * returns its vINTID, or FAKE_VGIC_SPURIOUS when nothing is pending. */
uint32_t fake_vgic_guest_ack(void);
/* Guest: ICC_EOIR1_EL1 for list register @lr: active -> invalid,
 * pending+active -> pending. A list register in another state is left alone. */
void fake_vgic_guest_eoi(unsigned lr);
/* Guest: acknowledge and end interrupt @intid; false if it is not pending
 * in any list register. */
bool fake_vgic_guest_handle(uint32_t intid);

struct vcpu;
/* The physical virtual-timer PPI fires while @v runs on the selected bank:
 * does what the IRQ exit vector (src/arch/aarch64/guest.S, `guest_irq`)
 * does. Returns true when it delivered it there (list register
 * VGIC_TIMER_LR written from `timer_lr`, `timer_fast` set), false when the
 * vector would leave it to the C path. */
bool fake_vgic_timer_vector(struct vcpu *v);

#endif
