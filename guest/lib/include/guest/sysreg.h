/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System-register, barrier and MMIO accessors for a guest at EL1.
 *
 * The runtime runs with the MMU off, so every data access is Device-nGnRnE
 * and must be naturally aligned (hence -mstrict-align). MMIO goes through
 * the `mmio_*` helpers: each is one plain LDR/STR with a base register only,
 * the form a hypervisor can decode from ESR_EL2 (ISV = 1) to emulate it.
 */
#ifndef GUEST_SYSREG_H
#define GUEST_SYSREG_H

#include <stdint.h>

#define read_sysreg(reg) __extension__({ \
	uint64_t v_; \
	__asm__ volatile("mrs %0, " #reg : "=r"(v_)); \
	v_; \
})
#define write_sysreg(reg, val) \
	__asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(val)) : "memory")

#define isb() __asm__ volatile("isb" : : : "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")
#define wfi() __asm__ volatile("wfi" : : : "memory")
#define cpu_relax() __asm__ volatile("yield" : : : "memory")

/* PSTATE.DAIF bits as MRS/MSR DAIF see them. */
#define DAIF_F (1u << 6)
#define DAIF_I (1u << 7)
#define DAIF_A (1u << 8)
#define DAIF_D (1u << 9)

/* Masks IRQ and FIQ; returns the previous DAIF for `irq_restore()`. */
static inline uint64_t irq_save(void)
{
	uint64_t daif = read_sysreg(daif);
	__asm__ volatile("msr daifset, #3" : : : "memory");
	return daif;
}

static inline void irq_restore(uint64_t daif)
{
	write_sysreg(daif, daif);
}

/* Unmasks IRQs (PSTATE.I = 0) on this vCPU. */
static inline void irq_unmask(void)
{
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}

/* Masks IRQs (PSTATE.I = 1) on this vCPU. */
static inline void irq_mask(void)
{
	__asm__ volatile("msr daifset, #2" : : : "memory");
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline uint64_t mmio_read64(uintptr_t addr)
{
	uint64_t v;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline void mmio_write64(uintptr_t addr, uint64_t v)
{
	__asm__ volatile("str %x0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

/* MPIDR_EL1 affinity fields Aff3.Aff2.Aff1.Aff0, without the U and MT bits
 * and the RES1 bit 31. */
#define MPIDR_AFF_MASK 0xff00ffffffULL

#endif /* GUEST_SYSREG_H */
