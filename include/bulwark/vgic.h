/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual GICv3: an emulated distributor and one redistributor per vCPU for
 * each VM, with injection through the CPU's list registers.
 *
 * The guest programs the distributor and redistributors through trapped MMIO
 * (`vgic_mmio()`), and uses the CPU interface system registers directly
 * (ICC_* at EL1 reach the virtual CPU interface); only ICC_SGI1R_EL1 traps.
 *
 * Each interrupt has its state here (enabled, pending, active, priority,
 * configuration, target). Before a vCPU enters its guest, `vgic_flush()`
 * puts its highest-priority pending interrupts into free list registers;
 * after it leaves, `vgic_sync()` reads back what the guest acknowledged and
 * ended. With more pending than list registers, the underflow maintenance
 * interrupt brings the vCPU back to refill them.
 *
 * The virtual timer's PPI has a list register of its own (`VGIC_TIMER_LR`,
 * when the CPU has two or more): the IRQ exit vector (guest.S) delivers it
 * there without entering C whenever `vgic_cpu.timer_lr` says the C path
 * would do exactly that, and `vgic_sync()` takes the result into this state
 * at the next exit. Every other interrupt uses the other list registers.
 *
 * Locking: one lock per VM (`vgic_dist.lock`) covers every interrupt of that
 * VM; it nests inside nothing but the VM lock.
 */
#ifndef BULWARK_VGIC_H
#define BULWARK_VGIC_H

#include <bulwark/spinlock.h>
#include <bulwark/types.h>

#define VGIC_NR_IRQS 256        /* SGIs, PPIs and SPIs 32..255 */
#define VGIC_NR_SPIS (VGIC_NR_IRQS - 32)
#define VGIC_MAX_LRS 16
#define VGIC_DIST_BASE 0x08000000ULL
#define VGIC_DIST_SIZE 0x10000ULL
#define VGIC_REDIST_BASE 0x080a0000ULL
#define VGIC_REDIST_FRAME 0x20000ULL
#define VGIC_INTID_VTIMER 27
#define VGIC_INTID_PTIMER 30
#define VGIC_INTID_MAINT 25
#define VGIC_TIMER_LR 0         /* the virtual timer's list register (guest.S writes ICH_LR0_EL2) */

struct vgic_irq {
	uint8_t priority;
	uint8_t enabled : 1;
	uint8_t pending : 1;      /* latched (edge) or set by a write to ISPENDR */
	uint8_t active : 1;
	uint8_t level : 1;        /* input line, for level-sensitive emulated sources */
	uint8_t edge : 1;         /* ICFGR: edge-triggered */
	uint8_t hw : 1;           /* forwarded from a physical interrupt of the same INTID */
	uint8_t in_lr : 1;
	uint8_t target;           /* vCPU index (SPIs) */
	uint8_t lr;               /* list register index while in_lr */
};

struct vgic_cpu {
	struct vgic_irq priv[32];  /* SGIs and PPIs of this vCPU */
	bool sleeping;             /* GICR_WAKER.ProcessorSleep */
	uint32_t lr_used;          /* list registers holding an interrupt */
	uint32_t maybe[VGIC_NR_IRQS / 32]; /* INTIDs that may be deliverable to it */
	uint16_t lr_intid[VGIC_MAX_LRS];
	/*
	 * The virtual timer's fast path. `timer_lr` is the list register value
	 * that delivers the timer PPI as the C path would (HW = 1, the guest's
	 * priority, group 1, pending), when delivering it now is what the C
	 * path would do: the PPI enabled, not pending nor active here, and its
	 * list register free once the hardware says so. Otherwise 0, and the
	 * IRQ exit vector leaves the interrupt to C. Written under the VM's
	 * vGIC lock (by any CPU: another vCPU may program this redistributor),
	 * read by the vector without it, one 64-bit single-copy-atomic load.
	 * `timer_fast` is set by the vector when it wrote the list register and
	 * cleared by `vgic_sync()`, both on this vCPU's own CPU.
	 */
	uint64_t timer_lr;
	uint8_t timer_fast;
};

struct vgic_dist {
	struct spinlock lock;
	uint32_t ctlr;
	unsigned nr_lrs;
	unsigned lr_first;         /* first list register of interrupts other than the
				    * timer's: 1 when VGIC_TIMER_LR is the timer's, 0 when
				    * the CPU has a single list register (no fast path) */
	unsigned pri_bits;
	struct vgic_irq spi[VGIC_NR_SPIS];
};

struct vm;
struct vcpu;

/* Resets the VM's interrupt state (boot and SYSTEM_RESET). */
void vgic_reset(struct vm *vm);
/* Emulates an access of @size bytes at guest-physical @ipa. Returns false if
 * @ipa is not a vGIC register frame of this VM. `*val` is the value read or
 * written. */
bool vgic_mmio(struct vcpu *v, uint64_t ipa, unsigned size, bool write, uint64_t *val);
/* Puts the vGIC's registers of fixed value (GICD_TYPER, GICD_IIDR,
 * GICD_PIDR2, and each redistributor's GICR_TYPER, GICR_IIDR, GICR_PIDR2)
 * in the VM's fast-read table (include/bulwark/fastmmio.h). Once, when the
 * VM is created, after vgic_reset(). */
void vgic_add_fast_reads(struct vm *vm);
/* Emulates a guest write of ICC_SGI1R_EL1. */
void vgic_sgi1r(struct vcpu *v, uint64_t val);
/* Marks @intid pending for the vCPU @v (PPIs/SGIs) or its VM (SPIs). A
 * hardware-forwarded interrupt (@hw) is deactivated by the guest's EOI. */
void vgic_inject(struct vcpu *v, uint32_t intid, bool hw);
/*
 * A hardware-forwarded SPI (@intid 32..255) for @v, from the exit path:
 * the caller runs on @v's own CPU between an exit and the next entry, after
 * the exit's `vgic_sync()`, so this CPU's list registers are @v's. Marks
 * it pending as `vgic_inject(v, intid, true)` does and, when `vgic_flush()`
 * would now put it straight into a list register (it targets @v, is
 * deliverable, a list register is free and no other interrupt waits for
 * one of @v's), writes that list register itself and neither kicks @v nor
 * asks for a flush. Returns true if it did; otherwise it has done exactly
 * what `vgic_inject()` does (the flush before entry delivers it). Either
 * way the state after the next flush is the same (test/fuzz/fuzz_vgic.c
 * compares both ways). Takes the VM's vGIC lock.
 */
bool vgic_inject_local(struct vcpu *v, uint32_t intid);
/* Sets the line level of a level-sensitive emulated SPI. */
void vgic_set_level(struct vm *vm, uint32_t intid, bool level);
/* List-register handling around guest entry; the vCPU's own CPU. */
void vgic_flush(struct vcpu *v);
void vgic_sync(struct vcpu *v);
/* Whether `vgic_sync()` has anything to look at: a list register in use,
 * or one the timer's fast path filled. */
static inline bool vgic_sync_needed(const struct vgic_cpu *vc)
{
	return vc->lr_used != 0 || vc->timer_fast != 0;
}

/* The list-register contract, implemented with ICH_* registers at EL2 and
 * by a fake on the host. */
unsigned arch_vgic_lr_count(void);
unsigned arch_vgic_pri_bits(void);
uint64_t arch_vgic_lr_read(unsigned lr);
void arch_vgic_lr_write(unsigned lr, uint64_t val);
/* Asks for a maintenance interrupt once the list registers run empty. */
void arch_vgic_underflow(bool enable);
/* Resets the virtual CPU interface (ICH_VMCR_EL2, APRs) for a new boot. */
void arch_vgic_cpu_reset(void);
/* Deactivates the physical interrupt @intid linked to a virtual one of
 * @target that will never reach a list register (the guest cleared it
 * pending first): a PPI on @target's CPU, or an SPI. Any CPU may call it. */
void arch_vgic_hw_release(const struct vcpu *target, uint32_t intid);

/* List register fields (GICv3 ICH_LR<n>_EL2). */
#define LR_VINTID(x) ((uint64_t)(x) & 0xffffffffULL)
#define LR_PINTID(x) (((uint64_t)(x) & 0x3ff) << 32)
#define LR_PRIORITY(p) ((uint64_t)(p) << 48)
#define LR_GROUP1 (1ULL << 60)
#define LR_HW (1ULL << 61)
#define LR_STATE_SHIFT 62
#define LR_PENDING (1ULL << 62)
#define LR_ACTIVE (2ULL << 62)
#define LR_STATE_MASK (3ULL << 62)

#endif
