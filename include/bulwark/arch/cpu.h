/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The arch contract for the CPU itself: waiting, waking, barriers and the
 * identity of the running CPU. Implemented by src/arch/aarch64 (EL2) and
 * src/arch/fake (host tests).
 */
#ifndef BULWARK_ARCH_CPU_H
#define BULWARK_ARCH_CPU_H

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

#endif
