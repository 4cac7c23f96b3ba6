/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attacker of the attack suite: one probe per boot, chosen by
 * `probe=NAME` in the bootargs (`probe=list` prints them all).
 *
 * A probe runs on vCPU 0 with IRQs masked. It either checks its own outcome
 * (an exception delivered to the guest, an error code, a value read back)
 * and returns the verdict, or does something the hypervisor must answer by
 * stopping the VM: then it returns only if it was not stopped, and that is
 * a failure. The framework prints, one line each:
 *
 *     PROBE NAME: START expected=...
 *     PROBE NAME: PASS expected=... got=...     (or FAIL)
 *     PROBE DONE
 *
 * then ends the VM with the GUEST_RESULT lines and SYSTEM_OFF.
 */
#ifndef ATTACKER_H
#define ATTACKER_H

#include <guest/guest.h>

#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* The victim's pattern region and tag (guest/tests/victim/victim.c). */
#define VICTIM_REGION_BASE 0x40400000UL
#define VICTIM_REGION_SIZE (4UL << 20)
#define VICTIM_TAG 0x56494354u /* "VICT" */

/* Loaded into an output register before an access that may be skipped by
 * the trap hook: still there afterwards means the access did not complete. */
#define POISON 0x0badc0de0badc0deULL

/* What a probe found: the `got=` text and the verdict. */
struct probe_ctx {
	const char *name;
	char got[512];
	size_t len;
	bool ok;
};

struct probe {
	const char *name;
	const char *expected;
	bool (*fn)(struct probe_ctx *c);
	unsigned vcpus; /* vCPUs the probe needs (the system description gives them) */
	bool no_delay;  /* starts at once: every boot of a reset loop */
};

/* Appends to the `got=` text ("; " between notes). */
void note(struct probe_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records `what=got`; a mismatch fails the probe and is noted with the wanted value. */
bool expect_eq(struct probe_ctx *c, const char *what, uint64_t got, uint64_t want);
/* Fails the probe with a note. */
void fail(struct probe_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Synchronous exceptions taken while the trap hook is installed: counted,
 * recorded (the last one) and stepped over (ELR + 4). */
struct trap_rec {
	unsigned count;
	uint64_t esr, far, elr;
};
extern volatile struct trap_rec trap;
void trap_begin(void);
void trap_end(void);
/* ESR of the last trap as "EC 0xNN ISS 0x..." for notes. */
const char *trap_str(void);
#define ESR_DFSC(esr) ((esr) & 0x3f)
#define DFSC_SEA 0x10       /* synchronous external abort */
#define DFSC_ALIGNMENT 0x21
#define EC_DABT_LOW 0x24

/* A probe that expects the VM to be stopped: prints what it is about to
 * do, and returns false (it was not stopped) with a note. */
bool expect_stop_after(struct probe_ctx *c, const char *what);

/* Counts IRQs by INTID on this VM (handlers installed by `irq_count_init`). */
void irq_count_init(void);
unsigned irq_seen(unsigned intid);
unsigned irq_seen_total(void);
void irq_count_reset(void);
/* Unmasks IRQs for `ms` milliseconds, then masks them again. */
void irq_window(unsigned ms);

/* Starts vCPU `idx` running `fn` (cpu_start), waits until it runs. */
bool start_helper(unsigned idx, cpu_fn_t fn, void *arg);

/* Access helpers: exactly one instruction at the access, so that the trap
 * hook can step over it. */
static inline uint64_t ld64(uintptr_t a)
{
	uint64_t v = POISON;
	__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(a) : "memory");
	return v;
}
static inline uint64_t ld32(uintptr_t a)
{
	uint64_t v = POISON;
	__asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
	return v;
}
static inline uint64_t ld16(uintptr_t a)
{
	uint64_t v = POISON;
	__asm__ volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
	return v;
}
static inline uint64_t ld8(uintptr_t a)
{
	uint64_t v = POISON;
	__asm__ volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
	return v;
}
static inline void st64(uintptr_t a, uint64_t v)
{
	__asm__ volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory");
}
static inline void st32(uintptr_t a, uint64_t v)
{
	__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}
static inline void st16(uintptr_t a, uint64_t v)
{
	__asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}
static inline void st8(uintptr_t a, uint64_t v)
{
	__asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}

/* insn.S: one instruction each at the access; outputs preloaded with POISON. */
struct pair {
	uint64_t a, b;
};
struct pair ins_ldr_post(uintptr_t a);          /* { value, base after } */
struct pair ins_str_pre(uintptr_t a, uint64_t v); /* { base after, 0 } */
struct pair ins_ldp(uintptr_t a);
void ins_stp(uintptr_t a, uint64_t v);
uint64_t ins_ldxr(uintptr_t a);
uint64_t ins_stxr(uintptr_t a, uint64_t v);     /* status */
uint64_t ins_ldadd(uintptr_t a, uint64_t v);
uint64_t ins_swp(uintptr_t a, uint64_t v);
uint64_t ins_cas(uintptr_t a, uint64_t v);
struct pair ins_ldr_q(uintptr_t a);
struct pair ins_ld1(uintptr_t a);
void ins_str_s(uintptr_t a, uint64_t v);
void ins_dc_zva(uintptr_t a);
uint64_t ins_ldar(uintptr_t a);
void ins_stlr(uintptr_t a, uint64_t v);
uint64_t ins_ldrsb_x(uintptr_t a);
uint64_t ins_ldrsb_w(uintptr_t a);
uint64_t ins_ldrsh_x(uintptr_t a);
uint64_t ins_ldrsw_x(uintptr_t a);
void fp_set_v31(uint64_t v);
uint64_t fp_get_v31(void);

/* HVC/SMC #imm with x0-x3 in; x0 out. */
typedef uint64_t (*conduit_fn)(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3);
uint64_t hvc_0(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3);
uint64_t hvc_1(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3);
uint64_t hvc_0x42(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3);
uint64_t hvc_0xffff(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3);
uint64_t smc_0(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3);
uint64_t smc_1(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3);
uint64_t smc_0xffff(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3);

/* EL0 (insn.S and probe_mmio.c): runs the code at `entry` at EL0 (SPSR
 * `spsr`: AArch32 Thumb User mode, or AArch64 EL0t) with x1/r1 = `r1` and
 * x2/r2 = 0 until it takes an exception to EL1; gives that exception's ESR,
 * ELR and FAR, and x2/r2 at that point. Returns false if the CPU has no
 * AArch32 at EL0 and AArch32 was asked for. */
#define SPSR_A32_USR_THUMB 0x1f0ULL /* M = User (0x10), T, A, I, F masked */
#define SPSR_A64_EL0T 0x3c0ULL      /* EL0t, D, A, I, F masked */
struct a32_result {
	uint64_t esr, elr, r2, far;
};
extern struct a32_result a32_last;
extern struct guest_jmp_buf a32_jmp;
extern char a32_vectors[], a32_thumb_mmio[], a64_el0_ldp[];
__attribute__((noreturn)) void el0_enter(uintptr_t entry, uint64_t r1, uint64_t spsr);
bool el0_run(uintptr_t entry, uint64_t r1, uint64_t spsr, struct a32_result *out);

/* The probes, by family. */
#define PROBE_FN(n) bool n(struct probe_ctx *c)
PROBE_FN(probe_mem_own_bounds);
PROBE_FN(probe_mem_ipa_not_pa);
PROBE_FN(probe_mem_past_end_read);
PROBE_FN(probe_mem_past_end_write);
PROBE_FN(probe_mem_past_end_exec);
PROBE_FN(probe_mem_below_base);
PROBE_FN(probe_mem_host_ram);
PROBE_FN(probe_mem_hole_write);
PROBE_FN(probe_mem_flash_write);
PROBE_FN(probe_mem_ipa_top);
PROBE_FN(probe_mem_ipa_2e39);
PROBE_FN(probe_mem_ipa_2e48);
PROBE_FN(probe_mem_va_top);
PROBE_FN(probe_mem_s1ptw);
PROBE_FN(probe_mem_vbar_unmapped);
PROBE_FN(probe_dev_pl031);
PROBE_FN(probe_dev_fwcfg);
PROBE_FN(probe_dev_virtio);
PROBE_FN(probe_dev_pcie_ecam);
PROBE_FN(probe_dev_pcie_high);
PROBE_FN(probe_dev_gic_its);

PROBE_FN(probe_gic_spi_beyond);
PROBE_FN(probe_gic_spi_own);
PROBE_FN(probe_gic_lr_overflow);
PROBE_FN(probe_gic_irouter_foreign);
PROBE_FN(probe_gic_sgi_targetlist);
PROBE_FN(probe_gic_sgi_affinity);
PROBE_FN(probe_gic_sgi_broadcast);
PROBE_FN(probe_gic_icc_sgi0r);
PROBE_FN(probe_gic_icc_sre);
PROBE_FN(probe_gic_icc_dir_pmr);
PROBE_FN(probe_gic_lpi);
PROBE_FN(probe_gic_legacy);
PROBE_FN(probe_gic_redist_beyond);
PROBE_FN(probe_gic_redist_past_window);

PROBE_FN(probe_psci_cpu_on_bad_mpidr);
PROBE_FN(probe_psci_cpu_on_bad_entry);
PROBE_FN(probe_psci_cpu_on_running);
PROBE_FN(probe_psci_cpu_off_last);
PROBE_FN(probe_psci_affinity_foreign);
PROBE_FN(probe_psci_system_reset);
PROBE_FN(probe_psci_reset_state);
PROBE_FN(probe_psci_bad_args);
PROBE_FN(probe_psci_on_off_race);
PROBE_FN(probe_hvc_unknown);
PROBE_FN(probe_smc_unknown);
PROBE_FN(probe_hvc_imm);
PROBE_FN(probe_hvc_x0_upper);

PROBE_FN(probe_mmio_sizes);
PROBE_FN(probe_mmio_unaligned);
PROBE_FN(probe_mmio_writeback);
PROBE_FN(probe_mmio_pair);
PROBE_FN(probe_mmio_exclusive);
PROBE_FN(probe_mmio_atomic);
PROBE_FN(probe_mmio_simd);
PROBE_FN(probe_mmio_dczva);
PROBE_FN(probe_mmio_acqrel);
PROBE_FN(probe_mmio_str_upper);
PROBE_FN(probe_mmio_a32_thumb);
PROBE_FN(probe_mmio_el0_pair);
PROBE_FN(probe_mmio_exec);

PROBE_FN(probe_sys_debug);
PROBE_FN(probe_sys_pmu);
PROBE_FN(probe_sys_impdef);
PROBE_FN(probe_sys_el2_regs);
PROBE_FN(probe_sys_setway);
PROBE_FN(probe_sys_cntp);
PROBE_FN(probe_sys_tlbi);
PROBE_FN(probe_sys_actlr);

PROBE_FN(probe_flood_sgi);
PROBE_FN(probe_flood_hvc);
PROBE_FN(probe_flood_console);
PROBE_FN(probe_flood_mmio);
PROBE_FN(probe_flood_notices);
PROBE_FN(probe_flood_console_partial);
PROBE_FN(probe_flood_reset);
PROBE_FN(probe_flood_vtimer);
PROBE_FN(probe_console_forge);

#endif /* ATTACKER_H */
