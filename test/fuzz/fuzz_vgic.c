/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: the emulated GICv3 (src/arch/aarch64/vgic.c) driven by
 * a hostile guest, over the fake list registers (src/arch/fake/vgic_lr.c).
 *
 * Input: one byte of configuration (1..4 vCPUs, 1, 2, 4 or 16 list
 * registers, 5..8 priority bits), then a sequence of operations: MMIO reads
 * and writes anywhere in the distributor and redistributor windows with
 * sizes 1/2/4/8 (and to named registers, to get deep quickly), ICC_SGI1R
 * writes, injections, line levels, flush and sync of a vCPU, the
 * guest's CPU interface acknowledging and ending interrupts in its list
 * registers, and the physical timer PPI firing into the exit vector's fast
 * path (src/arch/fake/vgic_lr.c plays guest.S). After every operation the
 * bookkeeping is checked: no list register used twice, `lr_used` matching
 * the list registers, `in_lr` consistent, nothing the vGIC does not track
 * left in a list register (but what the vector put in the timer's, until
 * the next sync), SPI targets inside the VM, priorities within the
 * implemented bits, `timer_lr` matching the timer PPI's state; after a
 * flush, the best interrupts went in and underflow is asked for exactly
 * when some had to wait. When the vector delivers the timer, the same
 * interrupt is also given to the C path (inject, sync, flush) from the
 * state before: both must leave the same list register and timer state.
 * Likewise a passed-through SPI injected from the exit path straight into
 * a list register (vgic_inject_local()) against inject and flush.
 * Every 64 operations and at the end, each register in the VM's fast-MMIO
 * table reads the same through vgic_mmio() from every vCPU.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulwark/arch/fake/vgic.h>
#include <bulwark/fastmmio.h>
#include <bulwark/vgic.h>
#include <bulwark/vm.h>

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vm vm;

void vcpu_kick(struct vcpu *v, uint32_t req)
{
	if (v < vm.vcpus || v >= vm.vcpus + vm.vcpu_count) {
		fprintf(stderr, "fuzz_vgic: kick of a vCPU outside the VM\n");
		abort();
	}
	__atomic_or_fetch(&v->requests, req, __ATOMIC_RELAXED);
}


static void fail(const char *what, unsigned c, unsigned x)
{
	fprintf(stderr, "fuzz_vgic: %s (vCPU %u, %u)\n", what, c, x);
	abort();
}

static struct vgic_irq *irq_of(unsigned c, uint32_t id)
{
	return id < 32 ? &vm.vcpus[c].vgic.priv[id] : &vm.vgic.spi[id - 32];
}

static bool deliverable(unsigned c, uint32_t id)
{
	const struct vgic_irq *irq = irq_of(c, id);

	/* Pending: latched, or a level-sensitive input held high. */
	bool pending = irq->pending || (!irq->edge && irq->level);

	return irq->enabled && pending && !irq->in_lr && !irq->active &&
	       (id < 32 || ((vm.vgic.ctlr & 2) && irq->target == c));
}

static void check(void)
{
	static uint8_t seen_priv[VCPU_MAX][32], seen_spi[VGIC_NR_SPIS];
	unsigned nr = vm.vgic.nr_lrs;
	uint8_t mask = (uint8_t)(0xff << (8 - vm.vgic.pri_bits));

	memset(seen_priv, 0, sizeof(seen_priv));
	memset(seen_spi, 0, sizeof(seen_spi));
	for (unsigned c = 0; c < vm.vcpu_count; c++) {
		struct vgic_cpu *vc = &vm.vcpus[c].vgic;

		if (nr < 32 && (vc->lr_used >> nr))
			fail("lr_used names a list register that does not exist", c, vc->lr_used);
		for (unsigned l = 0; l < VGIC_MAX_LRS && l < fake_vgic.lr_count; l++) {
			uint64_t hw = fake_vgic.lr[vm.vcpus[c].pcpu][l];

			if (!(vc->lr_used & (1u << l))) {
				/* The vector's delivery, not yet taken in by a sync. */
				bool fast = l == VGIC_TIMER_LR && vc->timer_fast &&
					    LR_VINTID(hw) == VGIC_INTID_VTIMER;

				if (hw != 0 && !fast)
					fail("a list register the vGIC does not track holds something",
					     c, l);
				continue;
			}
			if (vm.vgic.lr_first && (l == VGIC_TIMER_LR) != (vc->lr_intid[l] == 27))
				fail("the timer's list register holds another, or the timer another",
				     c, l);
			uint32_t id = vc->lr_intid[l];

			if (id >= VGIC_NR_IRQS)
				fail("lr_intid out of range", c, id);
			struct vgic_irq *irq = irq_of(c, id);

			if (!irq->in_lr || irq->lr != l)
				fail("in_lr/lr do not match the list register", c, id);
			if (LR_VINTID(hw) != id)
				fail("list register holds another INTID", c, l);
			if ((hw & LR_HW) && ((hw >> 32) & 0x3ff) != id)
				fail("HW list register with another pINTID", c, l);
			uint8_t *seen = id < 32 ? &seen_priv[c][id] : &seen_spi[id - 32];

			if ((*seen)++)
				fail("interrupt in two list registers", c, id);
		}
		const struct vgic_irq *t = &vc->priv[VGIC_INTID_VTIMER];
		uint64_t want = 0;

		if (vm.vgic.lr_first && t->enabled && !t->pending && (t->in_lr || !t->active))
			want = LR_VINTID(27) | LR_PINTID(27) | LR_HW | LR_GROUP1 | LR_PENDING |
			       LR_PRIORITY(t->priority);
		if (vc->timer_lr != want)
			fail("timer_lr does not follow the timer PPI's state", c, 27);
		for (uint32_t id = 0; id < 32; id++) {
			const struct vgic_irq *irq = &vc->priv[id];

			if (irq->in_lr && !seen_priv[c][id])
				fail("in_lr without a list register", c, id);
			if (irq->priority & ~mask)
				fail("priority has unimplemented bits", c, id);
			if (id < 16 && !irq->edge)
				fail("SGI became level-sensitive", c, id);
		}
	}
	for (uint32_t i = 0; i < VGIC_NR_SPIS; i++) {
		const struct vgic_irq *irq = &vm.vgic.spi[i];

		if (irq->in_lr && !seen_spi[i])
			fail("SPI in_lr without a list register", 0, i + 32);
		if (irq->target >= vm.vcpu_count)
			fail("SPI routed outside the VM", irq->target, i + 32);
		if (irq->priority & ~mask)
			fail("SPI priority has unimplemented bits", 0, i + 32);
	}
	if (vm.vgic.ctlr & ~2u)
		fail("GICD_CTLR holds bits it does not implement", 0, vm.vgic.ctlr);
}

static void flush(unsigned c)
{
	struct vcpu *v = &vm.vcpus[c];
	uint32_t before = v->vgic.lr_used;

	fake_vgic_select(v->pcpu);
	vgic_flush(v);
	check();
	unsigned nr = vm.vgic.nr_lrs;
	/* The list registers the interrupts other than the timer's share. */
	uint32_t all = (nr >= 32 ? ~0u : (1u << nr) - 1) & ~((1u << vm.vgic.lr_first) - 1);
	int worst_new = -1; /* the lowest priority (highest value) just put in */

	for (unsigned l = vm.vgic.lr_first; l < nr; l++) {
		if ((v->vgic.lr_used & ~before) & (1u << l)) {
			unsigned prio = irq_of(c, v->vgic.lr_intid[l])->priority;

			if ((int)prio > worst_new)
				worst_new = (int)prio;
		}
	}
	bool left = false;

	for (uint32_t id = 0; id < VGIC_NR_IRQS; id++) {
		if (!deliverable(c, id))
			continue;
		if (vm.vgic.lr_first && id == VGIC_INTID_VTIMER)
			fail("the timer waits while its list register is free", c, id);
		left = true;
		if (worst_new >= 0 && irq_of(c, id)->priority < worst_new)
			fail("a better interrupt was left out of the list registers", c, id);
	}
	if (left && (v->vgic.lr_used & all) != all)
		fail("an interrupt waits while a list register is free", c, v->vgic.lr_used);
	if (fake_vgic.underflow[v->pcpu] != left)
		fail("underflow maintenance does not match what waits", c, left);
	if (v->requests & VCPU_REQ_INJECT)
		fail("flush left the inject request set", c, 0);
}

static void sync_(unsigned c)
{
	struct vcpu *v = &vm.vcpus[c];

	fake_vgic_select(v->pcpu);
	vgic_sync(v);
	/* Every list register the guest has finished with is given back. */
	for (unsigned l = 0; l < vm.vgic.nr_lrs; l++)
		if ((v->vgic.lr_used & (1u << l)) && !fake_vgic_lr_state(l))
			fail("sync kept a finished list register", c, l);
}

/* What the vector's delivery of the timer PPI leaves behind, once synced. */
struct timer_view {
	uint64_t lr;
	uint8_t in_lr, lr_index, pending, active, hw;
	bool used;
};

static struct timer_view timer_view(unsigned c)
{
	const struct vcpu *v = &vm.vcpus[c];
	const struct vgic_irq *t = &v->vgic.priv[VGIC_INTID_VTIMER];

	return (struct timer_view){
		.lr = fake_vgic.lr[v->pcpu][VGIC_TIMER_LR],
		.in_lr = t->in_lr, .lr_index = t->in_lr ? t->lr : 0, .pending = t->pending,
		.active = t->active, .hw = t->hw,
		.used = (v->vgic.lr_used >> VGIC_TIMER_LR) & 1,
	};
}

/* The physical timer PPI fires while vCPU c runs. */
static void timer_fires(unsigned c)
{
	static struct vm before, fast;
	static struct fake_vgic fbefore, ffast;
	struct vcpu *v = &vm.vcpus[c];

	fake_vgic_select(v->pcpu);
	before = vm;
	fbefore = fake_vgic;
	if (!fake_vgic_timer_vector(v))
		return; /* vm_handle_irqs() injects it: the fuzzer's op 5 does that */
	check();
	fast = vm;
	ffast = fake_vgic;
	/* The C path from the same state: the exit's sync, the injection, the
	 * sync and flush before entry. */
	vm = before;
	fake_vgic = fbefore;
	vgic_sync(v);
	vgic_inject(v, VGIC_INTID_VTIMER, true);
	vgic_sync(v);
	vgic_flush(v);
	struct timer_view slow = timer_view(c);

	/* Back to the vector's outcome, taken in by the next exit's sync. */
	vm = fast;
	fake_vgic = ffast;
	vgic_sync(v);
	struct timer_view got = timer_view(c);

	if (got.lr != slow.lr || got.in_lr != slow.in_lr || got.lr_index != slow.lr_index ||
	    got.pending != slow.pending || got.active != slow.active || got.hw != slow.hw ||
	    got.used != slow.used)
		fail("the vector delivered the timer otherwise than the C path", c,
		     (unsigned)(got.lr != slow.lr));
}

/*
 * A passed-through SPI reaches the CPU of vCPU c, which is out of its guest
 * with its list registers synced (the exit path): vgic_inject_local() must
 * leave the vGIC and the list registers as the C path does (inject, then
 * the flush before entry); when it says it did the flush's work, without
 * a flush, a kick or an inject request.
 */
static void spi_arrives(unsigned c, uint32_t id)
{
	static struct vm before, slow;
	static struct fake_vgic fbefore, fslow;
	struct vcpu *v = &vm.vcpus[c];

	fake_vgic_select(v->pcpu);
	vgic_sync(v); /* the exit's */
	check();
	before = vm;
	fbefore = fake_vgic;
	vgic_inject(v, id, true);
	vgic_flush(v);
	slow = vm;
	fslow = fake_vgic;
	vm = before;
	fake_vgic = fbefore;

	bool done = vgic_inject_local(v, id);

	check();
	if (done) {
		if (id < 32 || id >= VGIC_NR_IRQS)
			fail("an interrupt that is no SPI went straight in", c, id);
		for (unsigned i = 0; i < vm.vcpu_count; i++)
			if (vm.vcpus[i].requests != before.vcpus[i].requests)
				fail("a direct injection kicked a vCPU", i, id);
	} else {
		vgic_flush(v);
	}
	if (memcmp(vm.vgic.spi, slow.vgic.spi, sizeof(vm.vgic.spi)) ||
	    vm.vgic.ctlr != slow.vgic.ctlr)
		fail("a direct injection left other SPI state than the C path", c, id);
	for (unsigned i = 0; i < vm.vcpu_count; i++)
		if (memcmp(&vm.vcpus[i].vgic, &slow.vcpus[i].vgic, sizeof(struct vgic_cpu)))
			fail("a direct injection left other vCPU state than the C path", i, id);
	if (memcmp(fake_vgic.lr, fslow.lr, sizeof(fake_vgic.lr)) ||
	    memcmp(fake_vgic.underflow, fslow.underflow, sizeof(fake_vgic.underflow)))
		fail("a direct injection left other list registers than the C path", c, id);
	if (!done)
		return;
	/* The state after both is the same; the C path's flush also cleared
	 * requests, which the direct path must not have needed. */
	for (unsigned i = 0; i < vm.vcpu_count; i++)
		vm.vcpus[i].requests = slow.vcpus[i].requests;
}

/* The fast-MMIO table answers as vgic_mmio() does, for every vCPU. */
static void check_fast_reads(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < FASTMMIO_SLOTS; i++) {
		const struct fastmmio *e = &vm.fastmmio[i];

		if (!e->key)
			continue;
		uint64_t ipa = e->key >> 4;
		unsigned size = 1u << (e->key & 3);

		if (e->key & 4)
			fail("a fast write in the vGIC's table", 0, (unsigned)ipa);

		for (unsigned c = 0; c < vm.vcpu_count; c++) {
			uint64_t v = 0;

			if (!vgic_mmio(&vm.vcpus[c], ipa, size, false, &v) || v != e->val)
				fail("a fast read gives otherwise than vgic_mmio()", c,
				     (unsigned)ipa);
		}
		n++;
	}
	if (n != 3 + 4 * vm.vcpu_count)
		fail("the fast-MMIO table lost registers", 0, n);
}

static void reset_all(void)
{
	vgic_reset(&vm);
	for (unsigned c = 0; c < vm.vcpu_count; c++) {
		fake_vgic_select(vm.vcpus[c].pcpu);
		arch_vgic_cpu_reset();
	}
}

/* Named registers: base offset and bytes per INTID step (0: a single one). */
static const struct {
	uint32_t off;
	unsigned per32;
	unsigned size;
} regs[] = {
	{ 0x0000, 0, 4 },    /* CTLR */
	{ 0x0080, 4, 4 },    /* IGROUPR */
	{ 0x0100, 4, 4 },    /* ISENABLER */
	{ 0x0180, 4, 4 },    /* ICENABLER */
	{ 0x0200, 4, 4 },    /* ISPENDR */
	{ 0x0280, 4, 4 },    /* ICPENDR */
	{ 0x0300, 4, 4 },    /* ISACTIVER */
	{ 0x0380, 4, 4 },    /* ICACTIVER */
	{ 0x0400, 32, 4 },   /* IPRIORITYR, words */
	{ 0x0400, 32, 1 },   /* IPRIORITYR, bytes */
	{ 0x0c00, 8, 4 },    /* ICFGR */
	{ 0x6000, 256, 8 },  /* IROUTER */
	{ 0x0014, 0, 4 },    /* GICR_WAKER */
	{ 0x0008, 0, 8 },    /* GICR_TYPER */
};

static void mmio(unsigned caller, uint64_t ipa, unsigned size, bool write, uint64_t val)
{
	bool in_dist = ipa >= VGIC_DIST_BASE && ipa < VGIC_DIST_BASE + VGIC_DIST_SIZE;
	bool in_redist = ipa >= VGIC_REDIST_BASE &&
			 ipa < VGIC_REDIST_BASE + vm.vcpu_count * VGIC_REDIST_FRAME;
	uint64_t v = val;
	bool claimed = vgic_mmio(&vm.vcpus[caller], ipa, size, write, &v);

	if (claimed != (in_dist || in_redist))
		fail("MMIO claimed outside, or not claimed inside, the VM's frames", caller,
		     (unsigned)(ipa - VGIC_DIST_BASE));
	if (!claimed && v != val)
		fail("unclaimed MMIO changed the value", caller, 0);
	if (claimed && write && v != val)
		fail("MMIO write changed the guest's value", caller, 0);
	/* The trap handler does not cut a read to its size: the vGIC must. */
	if (claimed && !write && size < 8 && (v >> (8 * size)))
		fail("MMIO read wider than the access", caller, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned lrs[] = { 4, 1, 2, 16 };
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	struct input in = { data, size };
	unsigned cfg = (unsigned)take(&in, 1);

	memset(&vm, 0, sizeof(vm));
	fake_vgic_reset();
	fake_vgic.lr_count = lrs[(cfg >> 2) & 3];
	fake_vgic.pri_bits = 5 + ((cfg >> 4) & 3);
	vm.vcpu_count = 1 + (cfg & 3);
	for (unsigned i = 0; i < vm.vcpu_count; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].index = i;
		vm.vcpus[i].pcpu = (i + (cfg >> 6)) % FAKE_VGIC_BANKS; /* any physical CPU */
	}
	vgic_reset(&vm);
	vgic_add_fast_reads(&vm);
	check();
	check_fast_reads();

	for (unsigned steps = 0; in.left && steps < 4096; steps++) {
		unsigned op = (unsigned)take(&in, 1);
		unsigned c = (op >> 4) % vm.vcpu_count;

		switch (op & 0xf) {
		case 0: { /* raw MMIO in the distributor */
			uint32_t off = (uint32_t)take(&in, 2);
			unsigned a = (unsigned)take(&in, 1);

			mmio(c, VGIC_DIST_BASE + off, sizes[a & 3], a & 4, take(&in, 8));
			break;
		}
		case 1: { /* raw MMIO in a redistributor window, maybe past the VM's */
			uint32_t off = (uint32_t)take(&in, 3) % (VCPU_MAX * VGIC_REDIST_FRAME + 0x100);
			unsigned a = (unsigned)take(&in, 1);

			mmio(c, VGIC_REDIST_BASE + off, sizes[a & 3], a & 4, take(&in, 8));
			break;
		}
		case 2: case 3: { /* a named register, in GICD or a vCPU's frames */
			unsigned r = (unsigned)take(&in, 1), idx = (unsigned)take(&in, 1);
			unsigned a = (unsigned)take(&in, 1);
			unsigned k = r % ARRAY_SIZE(regs);
			uint32_t off = regs[k].off;

			if (regs[k].per32)
				off += (idx % regs[k].per32) * regs[k].size;
			uint64_t ipa = (a & 1) ? VGIC_DIST_BASE + off
					       : VGIC_REDIST_BASE + ((a >> 1) & 3) * VGIC_REDIST_FRAME +
						 (k >= 12 ? 0 : 0x10000) + off;

			mmio(c, ipa, regs[k].size, a & 8, take(&in, op & 1 ? 8 : 4));
			break;
		}
		case 4: /* ICC_SGI1R_EL1 */
			vgic_sgi1r(&vm.vcpus[c], take(&in, 8));
			break;
		case 5: { /* an interrupt for the VM, from hardware or an emulated device */
			uint32_t id = (uint32_t)take(&in, 2);

			vgic_inject(&vm.vcpus[c], id & 0x8000 ? id : id & 0xff, (id >> 14) & 1);
			break;
		}
		case 6: { /* a level-sensitive line */
			uint32_t id = (uint32_t)take(&in, 2);

			vgic_set_level(&vm, id & 0x8000 ? id : id & 0xff, (id >> 14) & 1);
			break;
		}
		case 7: case 8:
			flush(c);
			break;
		case 9: case 10:
			sync_(c);
			break;
		case 11: { /* the guest on vCPU c: acknowledge the best, or end one */
			unsigned a = (unsigned)take(&in, 1);

			fake_vgic_select(vm.vcpus[c].pcpu);
			if (a & 0x80)
				fake_vgic_guest_ack();
			else if ((a & 0xf) < fake_vgic.lr_count)
				fake_vgic_guest_eoi(a & 0xf);
			break;
		}
		case 12: { /* the guest takes and ends the best interrupt */
			fake_vgic_select(vm.vcpus[c].pcpu);
			uint32_t id = fake_vgic_guest_ack();

			if (id != FAKE_VGIC_SPURIOUS)
				fake_vgic_guest_eoi((unsigned)fake_vgic_find(id));
			break;
		}
		case 13: /* a full round trip: flush, the guest handles all, sync */
			flush(c);
			fake_vgic_select(vm.vcpus[c].pcpu);
			for (uint32_t id; (id = fake_vgic_guest_ack()) != FAKE_VGIC_SPURIOUS;)
				fake_vgic_guest_eoi((unsigned)fake_vgic_find(id));
			sync_(c);
			break;
		case 14: {
			unsigned b = (unsigned)take(&in, 1);

			if ((b & 0x3f) == 0)
				reset_all();
			else if (b & 0x80) /* a passed-through SPI (or not one) */
				spi_arrives(c, (uint32_t)take(&in, 1) + (b & 0x40 ? 32 : 0));
			break;
		}
		case 15:
			timer_fires(c);
			break;
		default:
			break;
		}
		check();
		if (steps % 64 == 63)
			check_fast_reads();
	}
	check_fast_reads();
	return 0;
}
