/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fast reads: per VM, a table of emulated registers whose current value the
 * hypervisor keeps ready, so that the data-abort exit vector
 * (src/arch/aarch64/guest.S, `guest_mmio_read`) answers a guest's read of
 * one of them without saving the guest's registers or entering C.
 *
 * A device model may put a register in the table when a read of it
 *  - has no side effect,
 *  - returns the same for every vCPU of the VM, and
 *  - is answered by the model, for that exact address and size, with the
 *    value in the table: the model stores every new value of the register
 *    into its entry (`fastread_set()`) under its own lock, whenever it
 *    changes. Most such registers never change (identification and type
 *    registers); a status register that changes with the device's state
 *    (the PL011's UARTFR) is kept up to date the same way.
 * A read in the vector then returns the value of some instant, as a read
 * under the model's lock would. Everything else (writes, other sizes,
 * unaligned or sign-extending loads, loads without syndrome, an address not
 * in the table) takes the full exit to the model's C code, which stays the
 * reference: the table is a cache of its answers, and correctness never
 * depends on what is in it. Unit tests and fuzzers compare the two.
 *
 * The table is open-addressed with one probe: an entry goes into the slot
 * its address and size hash to, or nowhere if that slot is taken by another
 * register (which then keeps being answered by C). The hash is computed
 * the same way in guest.S; its constants make the registers of today's
 * devices (vGIC with 8 vCPUs, PL011) fall into different slots but one.
 *
 * Entries are added while the VM is being created, before any vCPU runs;
 * the key of an entry never changes afterwards, its value only as above.
 */
#ifndef BULWARK_FASTREAD_H
#define BULWARK_FASTREAD_H

#include <bulwark/types.h>

#define FASTREAD_SLOTS 128     /* a power of two */
#define FASTREAD_HASH_SHIFT 13 /* spreads the vGIC's 128 KiB redistributor frames */
#define FASTREAD_SIZE_SHIFT 4  /* spreads the sizes of one register */

struct fastread {
	uint64_t key; /* fastread_key(); 0: empty */
	uint64_t val; /* the register's value, zero-extended from its size */
};

/* The key of a read of 2^@size_log2 bytes at guest-physical @ipa: bit 2
 * marks a used entry, bits 1:0 are the size as ESR_EL2.ISS.SAS gives it. */
static inline uint64_t fastread_key(uint64_t ipa, unsigned size_log2)
{
	return ipa << 3 | 4 | (size_log2 & 3);
}

static inline unsigned fastread_slot(uint64_t ipa, unsigned size_log2)
{
	return (unsigned)(((ipa ^ (ipa >> FASTREAD_HASH_SHIFT)) >> 2) +
			  ((uint64_t)size_log2 << FASTREAD_SIZE_SHIFT)) & (FASTREAD_SLOTS - 1);
}

/*
 * Puts the register at @ipa, @size bytes (1, 2, 4 or 8, naturally aligned)
 * with value @val in @table. Returns the entry's value word, which the
 * device model updates with `fastread_set()`; or NULL when the slot is
 * another register's (or the arguments are not a register), and the C path
 * keeps answering this one. Adding the same register again updates its
 * value. Only while the VM is created, before its vCPUs run.
 */
static inline uint64_t *fastread_add(struct fastread *table, uint64_t ipa, unsigned size,
				     uint64_t val)
{
	unsigned log2 = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : size == 8 ? 3 : 4;

	if (log2 > 3 || (ipa & (size - 1)) || ipa >> 48)
		return NULL;
	struct fastread *e = &table[fastread_slot(ipa, log2)];
	uint64_t key = fastread_key(ipa, log2);

	if (e->key && e->key != key)
		return NULL;
	if (size < 8)
		val &= (1ULL << (8 * size)) - 1;
	e->val = val;
	__atomic_store_n(&e->key, key, __ATOMIC_RELEASE);
	return &e->val;
}

/* Stores a new value of a register added with `fastread_add()` (@slot may
 * be NULL: then it is not in the table). Under the device model's lock. */
static inline void fastread_set(uint64_t *slot, uint64_t val)
{
	if (slot)
		__atomic_store_n(slot, val, __ATOMIC_RELAXED);
}

#endif
