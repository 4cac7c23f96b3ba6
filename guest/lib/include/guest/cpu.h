/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vCPUs: identity, count, and starting a function on another vCPU.
 *
 * vCPU i has MPIDR affinity Aff0 = i (the Bulwark platform, and QEMU virt
 * up to 16 CPUs). TPIDR_EL1 holds the calling vCPU's index.
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include <guest/sysreg.h>

#define GUEST_MAX_CPUS 8
#define GUEST_STACK_SIZE 16384

static inline unsigned cpu_index(void)
{
	return (unsigned)read_sysreg(tpidr_el1);
}

/* MPIDR affinity of vCPU `idx`. */
static inline uint64_t cpu_mpidr(unsigned idx)
{
	return idx;
}

/* This vCPU's MPIDR_EL1 as read (with bit 31 set). */
static inline uint64_t cpu_read_mpidr(void)
{
	return read_sysreg(mpidr_el1);
}

/* Number of vCPUs, at most GUEST_MAX_CPUS and at most the devicetree's CPU
 * nodes: the first index for which PSCI AFFINITY_INFO answers
 * INVALID_PARAMETERS (asked once, then cached). */
unsigned cpu_count(void);

typedef void (*cpu_fn_t)(void *arg);

/* Starts vCPU `idx` (1..cpu_count()-1) with PSCI CPU_ON; once its GIC CPU
 * interface is set up it calls `fn(arg)` with IRQs masked, then turns itself
 * off with CPU_OFF. Returns the raw CPU_ON result. Call from vCPU 0 only. */
int64_t cpu_start(unsigned idx, cpu_fn_t fn, void *arg);

/* Waits up to `ms` milliseconds until vCPU `idx`, started by `cpu_start()`,
 * has stopped (its function returned, or it took an unexpected exception)
 * and PSCI AFFINITY_INFO reports it OFF. Waiting on AFFINITY_INFO alone is
 * not enough: QEMU 7.2 reports OFF between CPU_ON and the vCPU's start. */
bool cpu_wait_off(unsigned idx, unsigned ms);

/* Turns the calling secondary vCPU off (PSCI CPU_OFF) after recording that
 * it stopped. Never returns. */
__attribute__((noreturn)) void cpu_stop_self(void);

/* Entry point for CPU_ON (crt0.S); x0 = context id = vCPU index. */
void guest_secondary_entry(void);

/* Called from crt0.S. */
void cpu_boot_secondary(unsigned idx);

#endif /* GUEST_CPU_H */
