/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The arch contract for the CPU itself: waiting, waking, barriers and the
 * identity of the running CPU. Implemented by src/arch/aarch64 (EL2) and
 * src/arch/fake (host tests).
 */
#ifndef BULWARK_ARCH_CPU_H
#define BULWARK_ARCH_CPU_H

#include <stddef.h>
#include <stdint.h>

#if defined(BULWARK_ARCH_AARCH64)
static inline void arch_cpu_relax(void) { __asm__ volatile("wfe" ::: "memory"); }
static inline void arch_cpu_wake(void) { __asm__ volatile("dsb ishst; sev" ::: "memory"); }
/* Waits for an interrupt or event; returns on one. */
static inline void arch_cpu_idle(void) { __asm__ volatile("wfi" ::: "memory"); }
#else
static inline void arch_cpu_relax(void) { __asm__ volatile("" ::: "memory"); }
static inline void arch_cpu_wake(void) { }
static inline void arch_cpu_idle(void) { }
#endif

/* Index of the running CPU in the hypervisor's CPU table (0 = boot CPU). */
unsigned arch_cpu_index(void);

/* A firmware call (SMCCC 1.1 over SMC) from EL2: function @fn, arguments
 * @a1-@a3; returns x0. Only with an SMC conduit (hw_desc.psci). */
int64_t arch_fw_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

/* Zeroes @size bytes at @va, both multiples of 4 KiB, in memory the running
 * CPU has mapped normal (cacheable) and writable: with the CPU's
 * cache-block zeroing (DC ZVA) when it has it. */
void arch_zero_pages(void *va, size_t size);

/* Copies @size bytes from @src to @dst, all three multiples of 4 KiB, in
 * memory mapped normal: with the CPU's widest general-register accesses. */
void arch_copy_pages(void *dst, const void *src, size_t size);

#endif
