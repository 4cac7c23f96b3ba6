/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fast MMIO: per VM, a table of emulated-register accesses that the
 * data-abort exit vector (src/arch/aarch64/guest.S, `guest_mmio`) carries
 * out itself, without saving the guest's registers or entering C. Two kinds:
 *
 * Fast reads. A device model may put a register in the table when a read
 * of it
 *  - has no side effect,
 *  - returns the same for every vCPU of the VM, and
 *  - is answered by the model, for that exact address and size, with the
 *    value in the table: the model stores every new value of the register
 *    into its entry (`fastmmio_set()`) under its own lock, whenever it
 *    changes. Most such registers never change (identification and type
 *    registers); a status register that changes with the device's state
 *    (the PL011's UARTFR) is kept up to date the same way.
 * A read in the vector then returns the value of some instant, as a read
 * under the model's lock would.
 *
 * Fast writes to a byte sink. A device model may put a register in the
 * table when writing a byte to it, in a state the model chooses, only
 * appends that byte to a buffer of the model's (the PL011's UARTDR, while
 * the line is not full and the transmit interrupt status is already set:
 * the character joins the line being collected). The entry points to a
 * `struct fastsink`; under the model's lock, the vector appends the written
 * value's low byte if it lies in [lo, hi] and the buffer holds fewer than
 * `limit` bytes, and otherwise takes the full exit. The model keeps
 * `limit` (0 when every write must reach it) under the same lock.
 *
 * Everything else (other sizes, unaligned, sign-extending, pair or
 * exclusive accesses, 16-bit Thumb instructions, other fault kinds,
 * addresses not in the table) takes the full exit to the model's C code,
 * which stays the reference: the table only ever does what the model
 * would. Unit tests and fuzzers compare the two (src/arch/fake/fastmmio.c
 * plays the vector on the host).
 *
 * The table is open-addressed with one probe: an entry goes into the slot
 * its address, size and direction hash to, or nowhere if that slot is
 * taken by another (which then keeps being served by C). The hash is
 * computed the same way in guest.S; its constants make the registers of
 * today's devices (vGIC with 8 vCPUs, PL011) fall into different slots
 * but one.
 *
 * Entries are added while the VM is being created, before any vCPU runs;
 * the key of an entry never changes afterwards.
 */
#ifndef BULWARK_FASTMMIO_H
#define BULWARK_FASTMMIO_H

#include <bulwark/spinlock.h>
#include <bulwark/types.h>

#define FASTMMIO_SLOTS 128     /* a power of two */
#define FASTMMIO_HASH_SHIFT 13 /* spreads the vGIC's 128 KiB redistributor frames */
#define FASTMMIO_KIND_SHIFT 4  /* spreads the sizes and directions of one register */

struct fastmmio {
	uint64_t key; /* fastmmio_key(); 0: empty */
	uint64_t val; /* a read: the register's value, zero-extended from its size;
		       * a write: the address of its struct fastsink */
};

/* Where fast writes go: a buffer of a device model's, under its lock. */
struct fastsink {
	struct spinlock *lock; /* the model's lock: covers *len, buf and limit */
	unsigned *len;         /* bytes in buf */
	char *buf;
	uint32_t limit;        /* append only while *len < limit (0: never) */
	uint8_t lo, hi;        /* append only bytes lo..hi */
};

/* The kind of an access, as guest.S computes it from ESR_EL2: the size
 * (ISS.SAS: log2 of the bytes) and the direction (ISS.WnR) . */
static inline unsigned fastmmio_kind(unsigned size_log2, bool write)
{
	return (size_log2 & 3) | (write ? 4u : 0u);
}

/* The key of an access of kind @kind at guest-physical @ipa: bit 3 marks
 * a used entry, bits 2:0 are the kind. */
static inline uint64_t fastmmio_key(uint64_t ipa, unsigned kind)
{
	return ipa << 4 | 8 | (kind & 7);
}

static inline unsigned fastmmio_slot(uint64_t ipa, unsigned kind)
{
	return (unsigned)(((ipa ^ (ipa >> FASTMMIO_HASH_SHIFT)) >> 2) +
			  ((uint64_t)(kind & 7) << FASTMMIO_KIND_SHIFT)) & (FASTMMIO_SLOTS - 1);
}

/* Puts an entry in @table; NULL if the slot is another's or the access is
 * not a register's (a size of 1, 2, 4 or 8, naturally aligned, below 2^48).
 * The same access again replaces the value. */
static inline struct fastmmio *fastmmio_put(struct fastmmio *table, uint64_t ipa, unsigned size,
					    bool write, uint64_t val)
{
	unsigned log2 = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : size == 8 ? 3 : 4;

	if (log2 > 3 || (ipa & (size - 1)) || ipa >> 48)
		return NULL;
	unsigned kind = fastmmio_kind(log2, write);
	struct fastmmio *e = &table[fastmmio_slot(ipa, kind)];
	uint64_t key = fastmmio_key(ipa, kind);

	if (e->key && e->key != key)
		return NULL;
	e->val = val;
	__atomic_store_n(&e->key, key, __ATOMIC_RELEASE);
	return e;
}

/*
 * A fast read of the register at @ipa, @size bytes, with value @val (cut to
 * its size). Returns the entry's value word, which the device model updates
 * with `fastmmio_set()`; or NULL when the register is not in the table
 * (its slot is another's), and the C path keeps answering it. Only while
 * the VM is created, before its vCPUs run.
 */
static inline uint64_t *fastmmio_add_read(struct fastmmio *table, uint64_t ipa, unsigned size,
					  uint64_t val)
{
	if (size < 8)
		val &= (1ULL << (8 * size)) - 1;
	struct fastmmio *e = fastmmio_put(table, ipa, size, false, val);

	return e ? &e->val : NULL;
}

/* Fast writes of @size bytes at @ipa into @sink, which must live as long as
 * the VM. Returns false when the access is not in the table. */
static inline bool fastmmio_add_sink(struct fastmmio *table, uint64_t ipa, unsigned size,
				     struct fastsink *sink)
{
	return fastmmio_put(table, ipa, size, true, (uint64_t)(uintptr_t)sink) != NULL;
}

/* Stores a new value of a register added with `fastmmio_add_read()` (@slot
 * may be NULL: then it is not in the table). Under the device model's lock. */
static inline void fastmmio_set(uint64_t *slot, uint64_t val)
{
	if (slot)
		__atomic_store_n(slot, val, __ATOMIC_RELAXED);
}

/* Sets how many bytes fast writes may fill @sink's buffer to (0: none).
 * Under the device model's lock. */
static inline void fastsink_set_limit(struct fastsink *sink, uint32_t limit)
{
	__atomic_store_n(&sink->limit, limit, __ATOMIC_RELAXED);
}

#endif
