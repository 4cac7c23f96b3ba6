/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ticket spinlock. Fair, so that no CPU starves printing or allocating. Built
 * on compiler atomics so the same code serves EL2 and host tests;
 * `arch_cpu_relax()` lets the arch wait cheaply (WFE on arm64).
 */
#ifndef BULWARK_SPINLOCK_H
#define BULWARK_SPINLOCK_H

#include <bulwark/arch/cpu.h>
#include <bulwark/types.h>

struct spinlock {
	uint32_t next;
	uint32_t owner;
};

#define SPINLOCK_INIT { 0, 0 }

static inline void sl_init(struct spinlock *l)
{
	l->next = 0;
	l->owner = 0;
}

static inline void sl_lock(struct spinlock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
}

/* Takes the lock only if it is free; returns true when taken. */
static inline bool sl_trylock(struct spinlock *l)
{
	uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint32_t expected = owner;

	return __atomic_compare_exchange_n(&l->next, &expected, owner + 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void sl_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
	arch_cpu_wake();
}

#endif
