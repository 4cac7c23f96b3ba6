/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test-and-set spinlock. With the MMU off every data access is
 * Device-nGnRnE; exclusives there work on QEMU and under a hypervisor that
 * gives guest RAM a cacheable stage-2 type with FWB, but are CONSTRAINED
 * UNPREDICTABLE elsewhere: fine for test guests, not a pattern for an OS.
 */
#ifndef GUEST_LOCK_H
#define GUEST_LOCK_H

#include <stdint.h>

#include <guest/sysreg.h>

struct spinlock {
	uint32_t locked;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif /* GUEST_LOCK_H */
