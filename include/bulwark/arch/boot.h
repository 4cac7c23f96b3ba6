/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The arch contract for bringing the machine up: translation on, other CPUs
 * started, counters and the CPU's own identity. ISA-neutral on purpose.
 */
#ifndef BULWARK_ARCH_BOOT_H
#define BULWARK_ARCH_BOOT_H

#include <bulwark/hwdesc.h>
#include <bulwark/types.h>

/*
 * Turns on address translation for the running CPU with the hypervisor
 * table rooted at @root (identity-mapped image), and records the settings
 * so that secondary CPUs use the same. Boot CPU, MMU off at entry, on at
 * return.
 */
void arch_mmu_enable(paddr_t root);

/*
 * Asks the firmware to start the CPU with hardware ID @hwid at the
 * secondary entry point, where it will find @index. Returns 0, or the
 * firmware's negative error code.
 */
int arch_cpu_start(const struct hw_desc *hw, uint64_t hwid, unsigned index);

/* Hardware ID (MPIDR affinity fields) of the running CPU. */
uint64_t arch_cpu_hwid(void);

/* A free-running counter and its frequency in Hz. */
uint64_t arch_counter(void);
uint64_t arch_counter_freq(void);

/* Stops the running CPU for good, interrupts masked. */
NORETURN void arch_cpu_halt(void);

/* Writes back and invalidates data cache lines covering [begin, begin+size). */
void arch_cache_clean_inval(uintptr_t begin, size_t size);

/* Whether the CPU enforces BTI landing pads on guarded pages. */
bool arch_has_bti(void);

/* Prints the CPU model, the firmware interface and the hardening features
 * in force on this CPU (PAC, BTI, SLS, stack protector, WXN). */
void arch_report(const struct hw_desc *hw);

#endif
