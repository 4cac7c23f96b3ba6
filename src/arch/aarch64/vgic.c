/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual GICv3 distributor and redistributors (see include/bulwark/vgic.h).
 * Every register the guest writes is decoded here against the VM's own
 * interrupts only: an INTID outside the VM's range reads as zero and
 * ignores writes, an SGI targets only the VM's own vCPUs.
 */
#include <bulwark/drivers/gicv3_regs.h>
#include <bulwark/arch/cpu.h>
#include <bulwark/nospec.h>
#include <bulwark/fastmmio.h>
#include <bulwark/string.h>
#include <bulwark/vgic.h>
#include <bulwark/vm.h>

#define GICD_CTLR_GRP1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)


#define IIDR_BULWARK 0x0100043b /* Arm implementer code, product 1 */

enum bitreg { BR_GROUP, BR_SENABLE, BR_CENABLE, BR_SPEND, BR_CPEND, BR_SACTIVE, BR_CACTIVE };

static struct vgic_irq *irq_of(struct vm *vm, struct vcpu *v, uint32_t intid)
{
	if (intid < 32)
		return &v->vgic.priv[nospec_index(intid, 32)];
	if (intid < VGIC_NR_IRQS)
		return &vm->vgic.spi[nospec_index(intid - 32, VGIC_NR_IRQS - 32)];
	return NULL;
}

static struct vcpu *target_of(struct vm *vm, struct vcpu *v, uint32_t intid,
			      const struct vgic_irq *irq)
{
	return intid < 32 ? v : &vm->vcpus[irq->target];
}

/* Pending: latched (an edge, or a write to ISPENDR) or a level input held high. */
static bool is_pending(const struct vgic_irq *irq)
{
	return irq->pending || (!irq->edge && irq->level);
}

static uint32_t intid_of(struct vm *vm, struct vcpu *target, const struct vgic_irq *irq)
{
	if (irq >= target->vgic.priv && irq < target->vgic.priv + 32)
		return (uint32_t)(irq - target->vgic.priv);
	return 32 + (uint32_t)(irq - vm->vgic.spi);
}

/*
 * After a change to @irq: if it can now be delivered, note it in its
 * vCPU's candidate set (a superset, pruned by `vgic_flush`) and tell it.
 */
static void irq_update(struct vm *vm, struct vcpu *target, struct vgic_irq *irq)
{
	if (!irq->enabled || !is_pending(irq))
		return;
	if (!irq->in_lr) {
		uint32_t id = intid_of(vm, target, irq);

		target->vgic.maybe[id / 32] |= 1u << (id % 32);
	}
	/* Even when it is in a list register already (being handled): the vCPU
	 * must look at it (vgic_sync), or the new edge would wait for some
	 * unrelated exit while the guest sleeps. */
	vcpu_kick(target, VCPU_REQ_INJECT);
}

/*
 * Recomputes `timer_lr` of @v (see include/bulwark/vgic.h): non-zero only
 * when, were the physical timer PPI to fire now, the C path would put it
 * straight into the timer's list register, as `lr_fill()` does: enabled,
 * not pending already, and either in its list register (which the vector
 * uses only once the guest has ended what is there) or not active.
 * Caller holds the vGIC lock.
 */
static void timer_lr_update(struct vm *vm, struct vcpu *v)
{
	const struct vgic_irq *t = &v->vgic.priv[VGIC_INTID_VTIMER];
	uint64_t val = 0;

	if (vm->vgic.lr_first && t->enabled && !t->pending && (t->in_lr || !t->active))
		val = LR_VINTID(VGIC_INTID_VTIMER) | LR_PRIORITY(t->priority) | LR_GROUP1 |
		      LR_PENDING | LR_HW | LR_PINTID(VGIC_INTID_VTIMER);
	__atomic_store_n(&v->vgic.timer_lr, val, __ATOMIC_RELAXED);
}

/*
 * The vector delivered the timer PPI in its list register since the last
 * look (`timer_fast`): take it into the state, as if `vgic_flush()` had put
 * it there. If the guest has already ended it, there is nothing to take.
 * Caller holds the vGIC lock, on the vCPU's own CPU.
 */
static void timer_adopt(struct vcpu *v)
{
	struct vgic_cpu *vc = &v->vgic;
	struct vgic_irq *t = &vc->priv[VGIC_INTID_VTIMER];
	uint64_t val;

	vc->timer_fast = 0;
	val = arch_vgic_lr_read(VGIC_TIMER_LR);
	if (t->in_lr) {
		/* Known already: the caller reads its state back. But the guest may
		 * have ended what C put there (a software-pended timer, not HW) and
		 * the vector refilled the register: it always writes the HW form. */
		if ((val & LR_STATE_MASK) && (val & LR_HW) && t->lr == VGIC_TIMER_LR)
			t->hw = 1;
		return;
	}
	if (!(val & LR_STATE_MASK) || LR_VINTID(val) != VGIC_INTID_VTIMER) {
		if (val)
			arch_vgic_lr_write(VGIC_TIMER_LR, 0); /* as vgic_sync() leaves one it retires */
		return;
	}
	t->in_lr = 1;
	t->lr = VGIC_TIMER_LR;
	t->hw = 1;
	vc->lr_used |= 1u << VGIC_TIMER_LR;
	vc->lr_intid[VGIC_TIMER_LR] = VGIC_INTID_VTIMER;
}

void vgic_reset(struct vm *vm)
{
	struct vgic_dist *d = &vm->vgic;

	sl_init(&d->lock);
	d->ctlr = 0;
	d->nr_lrs = MIN(arch_vgic_lr_count(), VGIC_MAX_LRS);
	d->lr_first = d->nr_lrs >= 2 ? VGIC_TIMER_LR + 1 : 0;
	d->pri_bits = arch_vgic_pri_bits();
	memset(d->spi, 0, sizeof(d->spi));
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++)
		d->spi[i].level = 0;
	for (unsigned c = 0; c < vm->vcpu_count; c++) {
		struct vgic_cpu *vc = &vm->vcpus[c].vgic;

		memset(vc, 0, sizeof(*vc));
		vc->sleeping = true;
		for (unsigned i = 0; i < 16; i++) {
			vc->priv[i].edge = 1; /* SGIs are edge-triggered */
			vc->priv[i].enabled = 0;
		}
	}
}

static uint8_t prio_mask(const struct vm *vm)
{
	return (uint8_t)(0xff << (8 - vm->vgic.pri_bits));
}

/* Registers with one bit per interrupt, 32 interrupts per word. */
static uint32_t bits_read(struct vm *vm, struct vcpu *v, uint32_t first, enum bitreg r)
{
	uint32_t val = 0;

	for (unsigned i = 0; i < 32; i++) {
		struct vgic_irq *irq = irq_of(vm, v, first + i);
		bool bit;

		if (!irq)
			break;
		switch (r) {
		case BR_GROUP: bit = true; break;
		case BR_SENABLE: case BR_CENABLE: bit = irq->enabled; break;
		case BR_SPEND: case BR_CPEND: bit = is_pending(irq) || (irq->in_lr && !irq->active); break;
		default: bit = irq->active; break;
		}
		val |= (uint32_t)bit << i;
	}
	return val;
}

static void bits_write(struct vm *vm, struct vcpu *v, uint32_t first, enum bitreg r, uint32_t val)
{
	for (unsigned i = 0; i < 32; i++) {
		struct vgic_irq *irq = irq_of(vm, v, first + i);

		if (!irq)
			break;
		if (!(val & (1u << i)))
			continue;
		switch (r) {
		case BR_SENABLE: irq->enabled = 1; break;
		case BR_CENABLE: irq->enabled = 0; break;
		case BR_SPEND: irq->pending = 1; break;
		case BR_CPEND:
			/* Hardware-linked and never put in a list register (it was
			 * disabled, say): its physical interrupt waits, active, for
			 * an EOI that will now never come. Release it, or the
			 * device (the vCPU's own timer) never interrupts again. */
			if (irq->pending && irq->hw && !irq->in_lr) {
				arch_vgic_hw_release(target_of(vm, v, first + i, irq), first + i);
				irq->hw = 0;
			}
			irq->pending = 0;
			break;
		case BR_SACTIVE: irq->active = 1; break;
		case BR_CACTIVE: irq->active = 0; break;
		default: break; /* groups: all group 1, RAO/WI */
		}
		irq_update(vm, target_of(vm, v, first + i, irq), irq);
	}
}

/* The part shared by GICD (SPIs) and the redistributor's SGI frame (0..31). */
static bool irq_regs(struct vm *vm, struct vcpu *v, uint32_t off, uint32_t base_intid,
		     uint32_t count, unsigned size, bool write, uint64_t *val)
{
	static const struct { uint32_t off; enum bitreg r; } bitregs[] = {
		{ GICD_IGROUPR, BR_GROUP },	  { GICD_ISENABLER, BR_SENABLE },
		{ GICD_ICENABLER, BR_CENABLE }, { GICD_ISPENDR, BR_SPEND },
		{ GICD_ICPENDR, BR_CPEND },	  { GICD_ISACTIVER, BR_SACTIVE },
		{ GICD_ICACTIVER, BR_CACTIVE },
	};

	for (unsigned k = 0; k < ARRAY_SIZE(bitregs); k++) {
		uint32_t start = bitregs[k].off + base_intid / 8;

		if (off < start || off >= start + count / 8)
			continue;
		if (size != 4)
			return false;
		uint32_t first = base_intid + (off - start) * 8;

		if (write)
			bits_write(vm, v, first, bitregs[k].r, (uint32_t)*val);
		else
			*val = bits_read(vm, v, first, bitregs[k].r);
		return true;
	}
	if (off >= GICD_IPRIORITYR + base_intid && off < GICD_IPRIORITYR + base_intid + count) {
		if (size != 1 && size != 4)
			return false;
		uint32_t first = base_intid + off - GICD_IPRIORITYR - base_intid;

		if (!write)
			*val = 0;
		for (unsigned i = 0; i < size; i++) {
			struct vgic_irq *irq = irq_of(vm, v, first + i);

			if (!irq)
				break;
			if (write)
				irq->priority = (uint8_t)(*val >> (8 * i)) & prio_mask(vm);
			else
				*val |= (uint64_t)irq->priority << (8 * i);
		}
		return true;
	}
	if (off >= GICD_ICFGR + base_intid / 4 && off < GICD_ICFGR + (base_intid + count) / 4) {
		if (size != 4)
			return false;
		uint32_t first = base_intid + (off - GICD_ICFGR - base_intid / 4) * 4;

		if (!write)
			*val = 0;
		for (unsigned i = 0; i < 16; i++) {
			struct vgic_irq *irq = irq_of(vm, v, first + i);

			if (!irq)
				break;
			if (!write)
				*val |= (uint64_t)irq->edge << (2 * i + 1);
			else if (first + i >= 16) /* SGIs are always edge */
				irq->edge = (*val >> (2 * i + 1)) & 1;
		}
		return true;
	}
	return false;
}

static bool dist_access(struct vm *vm, struct vcpu *v, uint32_t off, unsigned size, bool write,
			uint64_t *val)
{
	if (off >= GICD_IROUTER + 32 * 8 && off < GICD_IROUTER + VGIC_NR_IRQS * 8) {
		struct vgic_irq *irq = &vm->vgic.spi[(off - GICD_IROUTER) / 8 - 32];

		if (size == 4) { /* each half on its own: the upper one (Aff3) is 0 */
			if (!write)
				*val = (off & 4) ? 0 : irq->target;
			else if (!(off & 4))
				irq->target = (*val & 0xff) < vm->vcpu_count && !(*val & 0xffffff00)
						      ? (uint8_t)(*val & 0xff) : 0;
			if (write)
				irq_update(vm, &vm->vcpus[irq->target], irq);
			return true;
		}
		if (size != 8)
			return false;
		if (!write) {
			*val = irq->target; /* Aff0 = vCPU index */
		} else {
			uint64_t aff0 = *val & 0xff;

			/* IRM or an affinity outside the VM: deliver to vCPU 0. */
			irq->target = (*val & (1ULL << 31)) || (*val & 0xff00ffff00ULL) ||
					      aff0 >= vm->vcpu_count
					      ? 0
					      : (uint8_t)aff0;
			irq_update(vm, &vm->vcpus[irq->target], irq);
		}
		return true;
	}
	if (off >= GICD_IGROUPR + 4 && off < GICD_IROUTER)
		return irq_regs(vm, v, off, 32, VGIC_NR_SPIS, size, write, val);
	if (size != 4)
		return false;
	switch (off) {
	case GICD_CTLR:
		if (write) {
			vm->vgic.ctlr = (uint32_t)*val & GICD_CTLR_GRP1;
			for (unsigned i = 0; i < VGIC_NR_SPIS; i++)
				irq_update(vm, &vm->vcpus[vm->vgic.spi[i].target], &vm->vgic.spi[i]);
		} else {
			*val = vm->vgic.ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
		}
		return true;
	case GICD_TYPER:
		/* ITLinesNumber, 10 INTID bits, no LPIs, no message-based SPIs. */
		*val = write ? *val : ((VGIC_NR_IRQS / 32 - 1) | (9u << 19));
		return true;
	case GICD_IIDR:
		*val = write ? *val : IIDR_BULWARK;
		return true;
	case GICD_PIDR2:
		*val = write ? *val : 0x3b; /* ArchRev 3 */
		return true;
	}
	return false;
}

static bool redist_access(struct vm *vm, struct vcpu *v, struct vcpu *rv, uint32_t off,
			  unsigned size, bool write, uint64_t *val)
{
	(void)v;
	if (off >= GICR_SGI)
		return irq_regs(vm, rv, off - GICR_SGI, 0, 32, size, write, val);
	switch (off) {
	case GICR_TYPER:
		if (size != 8)
			return false;
		if (!write)
			*val = (uint64_t)rv->index << 32 | (uint64_t)rv->index << 8 |
			       (rv->index == vm->vcpu_count - 1 ? 1u << 4 : 0);
		return true;
	case GICR_TYPER + 4: /* upper half: affinity */
		if (size != 4)
			return false;
		if (!write)
			*val = rv->index;
		return true;
	case GICR_WAKER:
		if (size != 4)
			return false;
		if (write)
			rv->vgic.sleeping = (*val >> 1) & 1;
		else
			*val = rv->vgic.sleeping ? (3u << 1) : 0;
		return true;
	case GICR_IIDR:
		if (size == 4 && !write)
			*val = IIDR_BULWARK;
		return size == 4;
	case GICR_PIDR2:
		if (size == 4 && !write)
			*val = 0x3b;
		return size == 4;
	}
	return false;
}

bool vgic_mmio(struct vcpu *v, uint64_t ipa, unsigned size, bool write, uint64_t *val)
{
	struct vm *vm = v->vm;
	bool known;

	if (ipa & (size - 1)) { /* not naturally aligned: RAZ/WI */
		bool ours = (ipa >= VGIC_DIST_BASE && ipa < VGIC_DIST_BASE + VGIC_DIST_SIZE) ||
			    (ipa >= VGIC_REDIST_BASE &&
			     ipa < VGIC_REDIST_BASE + vm->vcpu_count * VGIC_REDIST_FRAME);

		if (ours && !write)
			*val = 0;
		return ours;
	}

	if (ipa >= VGIC_DIST_BASE && ipa < VGIC_DIST_BASE + VGIC_DIST_SIZE) {
		sl_lock(&vm->vgic.lock);
		known = dist_access(vm, v, (uint32_t)(ipa - VGIC_DIST_BASE), size, write, val);
	} else if (ipa >= VGIC_REDIST_BASE &&
		   ipa < VGIC_REDIST_BASE + vm->vcpu_count * VGIC_REDIST_FRAME) {
		uint64_t off = ipa - VGIC_REDIST_BASE;
		struct vcpu *rv = &vm->vcpus[nospec_index(off / VGIC_REDIST_FRAME, vm->vcpu_count)];

		sl_lock(&vm->vgic.lock);
		known = redist_access(vm, v, rv, (uint32_t)(off % VGIC_REDIST_FRAME), size, write,
				      val);
		if (write)
			timer_lr_update(vm, rv);
	} else {
		return false;
	}
	if (!known && !write)
		*val = 0; /* reserved or unimplemented: RAZ/WI */
	sl_unlock(&vm->vgic.lock);
	return true;
}

void vgic_add_fast_reads(struct vm *vm)
{
	/* Identification and type registers: fixed for the VM's lifetime. */
	static const struct { uint32_t off; unsigned size; } dist[] = {
		{ GICD_TYPER, 4 }, { GICD_IIDR, 4 }, { GICD_PIDR2, 4 },
	}, redist[] = {
		{ GICR_TYPER, 8 }, { GICR_TYPER + 4, 4 }, { GICR_IIDR, 4 }, { GICR_PIDR2, 4 },
	};
	uint64_t val;

	/* The values are what vgic_mmio() answers, so that both ways agree. */
	for (unsigned i = 0; i < ARRAY_SIZE(dist); i++) {
		uint64_t ipa = VGIC_DIST_BASE + dist[i].off;

		vgic_mmio(&vm->vcpus[0], ipa, dist[i].size, false, &val);
		fastmmio_add_read(vm->fastmmio, ipa, dist[i].size, val);
	}
	for (unsigned c = 0; c < vm->vcpu_count; c++) {
		for (unsigned i = 0; i < ARRAY_SIZE(redist); i++) {
			uint64_t ipa = VGIC_REDIST_BASE + c * VGIC_REDIST_FRAME + redist[i].off;

			vgic_mmio(&vm->vcpus[0], ipa, redist[i].size, false, &val);
			fastmmio_add_read(vm->fastmmio, ipa, redist[i].size, val);
		}
	}
}

void vgic_sgi1r(struct vcpu *v, uint64_t val)
{
	struct vm *vm = v->vm;
	uint32_t intid = (val >> 24) & 0xf;
	bool all = (val >> 40) & 1;
	uint64_t upper = (val >> 16 & 0xff) | (val >> 32 & 0xff) << 8 | (val >> 48 & 0xff) << 16;
	unsigned rs = (val >> 44) & 0xf;

	sl_lock(&vm->vgic.lock);
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *t = &vm->vcpus[i];
		bool hit = all ? t != v
			       : upper == 0 && i / 16 == rs && (val & (1u << (i % 16)));

		if (!hit)
			continue;
		t->vgic.priv[intid].pending = 1;
		irq_update(vm, t, &t->vgic.priv[intid]);
	}
	sl_unlock(&vm->vgic.lock);
}

void vgic_inject(struct vcpu *v, uint32_t intid, bool hw)
{
	struct vm *vm = v->vm;

	sl_lock(&vm->vgic.lock);
	struct vgic_irq *irq = irq_of(vm, v, intid);

	if (irq) {
		irq->pending = 1;
		irq->hw = hw;
		irq_update(vm, target_of(vm, v, intid, irq), irq);
		if (intid == VGIC_INTID_VTIMER)
			timer_lr_update(vm, v);
	}
	sl_unlock(&vm->vgic.lock);
}

void vgic_set_level(struct vm *vm, uint32_t intid, bool level)
{
	if (intid < 32 || intid >= VGIC_NR_IRQS)
		return;
	sl_lock(&vm->vgic.lock);
	struct vgic_irq *irq = &vm->vgic.spi[intid - 32];

	bool rising = level && !irq->level;

	irq->level = level;
	if (rising && irq->edge)
		irq->pending = 1; /* configured edge-triggered: the rising edge latches */
	if (rising)
		irq_update(vm, &vm->vcpus[irq->target], irq);
	sl_unlock(&vm->vgic.lock);
}

static bool deliverable(const struct vm *vm, uint32_t intid, const struct vgic_irq *irq)
{
	return irq->enabled && is_pending(irq) && !irq->in_lr && !irq->active &&
	       (intid < 32 || (vm->vgic.ctlr & GICD_CTLR_GRP1));
}

/* Is @id of @vm the interrupt with a list register of its own? */
static bool has_own_lr(const struct vm *vm, uint32_t id)
{
	return vm->vgic.lr_first && id == VGIC_INTID_VTIMER;
}

/*
 * All list registers (but the timer's) are taken. If a deliverable
 * interrupt has a higher priority than some that the guest has not
 * acknowledged yet (pending, not active), take those back into the
 * distributor state so that it is not starved. Returns how many list
 * registers are free now.
 */
static unsigned evict_for_better(struct vm *vm, struct vcpu *v)
{
	struct vgic_cpu *vc = &v->vgic;
	unsigned best = 0x100, freed = 0;

	for (unsigned w = 0; w < VGIC_NR_IRQS / 32; w++) {
		for (uint32_t bits = vc->maybe[w]; bits; bits &= bits - 1) {
			uint32_t id = w * 32 + (uint32_t)__builtin_ctz(bits);
			struct vgic_irq *irq = irq_of(vm, v, id);

			if ((id < 32 || irq->target == v->index) && !has_own_lr(vm, id) &&
			    deliverable(vm, id, irq))
				best = MIN(best, (unsigned)irq->priority);
		}
	}
	if (best == 0x100)
		return 0;
	for (unsigned lr = vm->vgic.lr_first; lr < vm->vgic.nr_lrs; lr++) {
		if (!(vc->lr_used & (1u << lr)))
			continue;
		uint64_t val = arch_vgic_lr_read(lr);
		struct vgic_irq *irq = irq_of(vm, v, vc->lr_intid[lr]);

		if ((val & LR_STATE_MASK) != LR_PENDING || irq->priority <= best)
			continue;
		arch_vgic_lr_write(lr, 0);
		vc->lr_used &= ~(1u << lr);
		irq->in_lr = 0;
		irq->pending = 1;
		vc->maybe[vc->lr_intid[lr] / 32] |= 1u << (vc->lr_intid[lr] % 32);
		freed++;
	}
	return freed;
}

/* Puts interrupt @id into list register @lr, pending. Inlined in both
 * callers: out of line, its call costs every flush about 20 instructions. */
static inline __attribute__((always_inline)) void lr_fill(struct vgic_cpu *vc, unsigned lr,
							     uint32_t id, struct vgic_irq *irq)
{
	uint64_t val = LR_VINTID(id) | LR_PRIORITY(irq->priority) | LR_GROUP1 | LR_PENDING;

	if (irq->hw)
		val |= LR_HW | LR_PINTID(id);
	arch_vgic_lr_write(lr, val);
	irq->in_lr = 1;
	irq->lr = (uint8_t)lr;
	irq->pending = 0; /* the list register holds it now (as an ack clears a latch) */
	vc->lr_used |= 1u << lr;
	vc->lr_intid[lr] = (uint16_t)id;
	vc->maybe[id / 32] &= ~(1u << (id % 32));
}

bool vgic_inject_local(struct vcpu *v, uint32_t intid)
{
	struct vm *vm = v->vm;
	struct vgic_cpu *vc = &v->vgic;
	unsigned nr = vm->vgic.nr_lrs, lr = vm->vgic.lr_first;
	uint32_t waiting = 0;
	struct vgic_irq *irq;

	if (intid < 32 || intid >= VGIC_NR_IRQS) {
		vgic_inject(v, intid, true);
		return false;
	}
	sl_lock(&vm->vgic.lock);
	irq = &vm->vgic.spi[nospec_index(intid - 32, VGIC_NR_SPIS)];
	irq->pending = 1;
	irq->hw = 1;
	/* What vgic_flush() would do: with nothing else among the candidates
	 * (`maybe`, a superset, is empty) it fills the lowest free list
	 * register after the timer's with the one deliverable interrupt. */
	for (unsigned w = 0; w < VGIC_NR_IRQS / 32; w++)
		waiting |= vc->maybe[w];
	while (lr < nr && (vc->lr_used & (1u << lr)))
		lr++;
	if (irq->target != v->index || !deliverable(vm, intid, irq) || waiting || lr >= nr) {
		irq_update(vm, &vm->vcpus[irq->target], irq);
		sl_unlock(&vm->vgic.lock);
		return false;
	}
	lr_fill(vc, lr, intid, irq);
	v->stats.injected++;
	sl_unlock(&vm->vgic.lock);
	return true;
}

void vgic_flush(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vgic_cpu *vc = &v->vgic;
	unsigned nr = vm->vgic.nr_lrs, first = vm->vgic.lr_first;
	uint32_t own = first ? 1u << VGIC_TIMER_LR : 0; /* the timer's list register */
	uint32_t cand[VGIC_MAX_LRS + 1];
	unsigned n = 0;
	bool left = false;

	sl_lock(&vm->vgic.lock);
	v->stats.flushes++;
	__atomic_and_fetch(&v->requests, ~VCPU_REQ_INJECT, __ATOMIC_RELAXED);
	if (vc->timer_fast)
		timer_adopt(v);
	unsigned free_lrs = nr - first - bit_count(vc->lr_used & ~own);

	if (free_lrs == 0)
		free_lrs = evict_for_better(vm, v);

	/* Keep the free_lrs highest-priority candidates, sorted (lowest value first). */
	for (unsigned w = 0; w < VGIC_NR_IRQS / 32; w++) {
		for (uint32_t bits = vc->maybe[w]; bits; bits &= bits - 1) {
			uint32_t id = w * 32 + (uint32_t)__builtin_ctz(bits);
			struct vgic_irq *irq = irq_of(vm, v, id);

			/* Not (or no longer) for this vCPU: every change that could make
			 * it deliverable again goes through irq_update(). */
			if ((id >= 32 && irq->target != v->index) || !deliverable(vm, id, irq)) {
				vc->maybe[w] &= ~(1u << (id % 32));
				continue;
			}
			if (has_own_lr(vm, id)) { /* not in_lr: its list register is free */
				lr_fill(vc, VGIC_TIMER_LR, id, irq);
				continue;
			}
			unsigned k = n;

			while (k > 0 && irq_of(vm, v, cand[k - 1])->priority > irq->priority) {
				cand[k] = cand[k - 1];
				k--;
			}
			cand[k] = id;
			if (n < free_lrs)
				n++;
			else
				left = true; /* one fell off the end */
		}
	}
	for (unsigned i = 0, lr = first; i < n; i++) {
		while (vc->lr_used & (1u << lr))
			lr++;
		lr_fill(vc, lr, cand[i], irq_of(vm, v, cand[i]));
		v->stats.injected++;
	}
	arch_vgic_underflow(left);
	timer_lr_update(vm, v);
	sl_unlock(&vm->vgic.lock);
}

void vgic_sync(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vgic_cpu *vc = &v->vgic;

	if (!vgic_sync_needed(vc))
		return;
	sl_lock(&vm->vgic.lock);
	if (vc->timer_fast)
		timer_adopt(v);
	for (unsigned lr = 0; lr < vm->vgic.nr_lrs; lr++) {
		if (!(vc->lr_used & (1u << lr)))
			continue;
		uint64_t val = arch_vgic_lr_read(lr);
		uint32_t id = vc->lr_intid[lr];
		struct vgic_irq *irq = irq_of(vm, v, id);

		irq->active = (val & LR_ACTIVE) != 0;
		if (val & LR_STATE_MASK) {
			/* Still there. A new edge that came meanwhile joins it: as
			 * pending-and-active it is taken again after this one ends. */
			if (irq->pending && !irq->hw) {
				arch_vgic_lr_write(lr, val | LR_PENDING);
				irq->pending = 0;
			}
			continue;
		}
		irq->in_lr = 0;
		vc->lr_used &= ~(1u << lr);
		arch_vgic_lr_write(lr, 0);
		/* A level still asserted, or a new edge, makes it pending again. */
		irq_update(vm, id < 32 ? v : &vm->vcpus[irq->target], irq);
	}
	timer_lr_update(vm, v);
	sl_unlock(&vm->vgic.lock);
}
