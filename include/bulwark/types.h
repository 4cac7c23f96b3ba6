/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Basic types shared by the hypervisor, its host-built tests and tools.
 *
 * Addresses that must not be mixed get their own one-member structs: a
 * physical address (`paddr_t`), a guest-physical address (`ipaddr_t`) and a
 * hypervisor virtual address (`vaddr_t`). Conversions are explicit.
 */
#ifndef BULWARK_TYPES_H
#define BULWARK_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct { uint64_t pa; } paddr_t;
typedef struct { uint64_t ipa; } ipaddr_t;
typedef struct { uintptr_t va; } vaddr_t;

static inline paddr_t pa_init(uint64_t a) { return (paddr_t){ a }; }
static inline uint64_t pa_addr(paddr_t p) { return p.pa; }
static inline paddr_t pa_add(paddr_t p, uint64_t n) { return (paddr_t){ p.pa + n }; }

static inline ipaddr_t ipa_init(uint64_t a) { return (ipaddr_t){ a }; }
static inline uint64_t ipa_addr(ipaddr_t p) { return p.ipa; }
static inline ipaddr_t ipa_add(ipaddr_t p, uint64_t n) { return (ipaddr_t){ p.ipa + n }; }

static inline vaddr_t va_init(uintptr_t a) { return (vaddr_t){ a }; }
static inline uintptr_t va_addr(vaddr_t v) { return v.va; }
static inline vaddr_t va_add(vaddr_t v, uintptr_t n) { return (vaddr_t){ v.va + n }; }
static inline void *va_ptr(vaddr_t v) { return (void *)v.va; }

#define PAGE_BITS 12
#define PAGE_SIZE (1UL << PAGE_BITS)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Number of set bits (no libgcc in EL2 builds, so no __builtin_popcount). */
static inline unsigned bit_count(uint64_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

#define UNUSED __attribute__((unused))
#define NORETURN __attribute__((noreturn))
#define PACKED __attribute__((packed))
#define SECTION(s) __attribute__((section(s)))

#endif
