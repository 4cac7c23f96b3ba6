/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The IRQ handler registry: one callback per INTID, shared by all vCPUs
 * (SGIs and PPIs are banked in the GIC, not here: a handler that cares which
 * vCPU it runs on calls `cpu_index()`).
 *
 * The IRQ vector acknowledges each pending interrupt, calls its handler with
 * IRQs masked, and ends it (EOI) afterwards. An INTID without a handler is
 * reported once, disabled at the GIC and ended.
 */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

typedef void (*irq_handler_t)(unsigned intid, void *arg);

/* Installs `fn` (NULL removes it) for `intid` < 1020. Any vCPU; takes effect
 * for the next interrupt. Returns 0, or -1 for a bad INTID. */
int irq_register(unsigned intid, irq_handler_t fn, void *arg);

/* Called by the exception code for an IRQ: handles every pending one. */
void irq_dispatch(void);

/* INTID the calling vCPU is handling, or -1 outside a handler. */
int irq_current(void);

/* Ends the interrupt the calling vCPU is handling, if any: used when an
 * exception in a handler abandons it. */
void irq_abandon(void);

#endif /* GUEST_IRQ_H */
