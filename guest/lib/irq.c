/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The IRQ handler registry and the IRQ dispatch loop.
 */
#include <guest/guest.h>

struct irq_slot {
	irq_handler_t fn;
	void *arg;
};

static struct irq_slot handlers[GIC_MAX_INTID];
/* IAR of the interrupt each vCPU is handling, plus 1 (0: none). */
static uint32_t handling[GUEST_MAX_CPUS];
static struct spinlock registry_lock;

int irq_register(unsigned intid, irq_handler_t fn, void *arg)
{
	uint64_t daif;

	if (intid >= GIC_MAX_INTID)
		return -1;
	daif = irq_save();
	spin_lock(&registry_lock);
	handlers[intid].fn = fn;
	handlers[intid].arg = arg;
	spin_unlock(&registry_lock);
	irq_restore(daif);
	return 0;
}

void irq_dispatch(void)
{
	unsigned me = cpu_index();

	for (;;) {
		uint32_t iar = gic_ack();
		unsigned intid = iar & 0xffffff;
		struct irq_slot slot;

		if (intid >= GIC_MAX_INTID) /* 1023: nothing (more) pending */
			break;
		spin_lock(&registry_lock);
		slot = handlers[intid];
		spin_unlock(&registry_lock);
		handling[me] = iar + 1;
		if (slot.fn != NULL) {
			slot.fn(intid, slot.arg);
		} else {
			gprintf("irq: no handler for INTID %u on vCPU %u; disabling it\n",
				intid, me);
			gic_disable_intid(intid);
		}
		handling[me] = 0;
		gic_eoi(iar);
	}
}

int irq_current(void)
{
	uint32_t h = handling[cpu_index()];
	return h != 0 ? (int)((h - 1) & 0xffffff) : -1;
}

void irq_abandon(void)
{
	unsigned me = cpu_index();

	if (handling[me] != 0) {
		gic_eoi(handling[me] - 1);
		handling[me] = 0;
	}
}
