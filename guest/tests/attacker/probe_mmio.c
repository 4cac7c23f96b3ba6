/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MMIO probes against the devices the hypervisor emulates (the PL011 at
 * 0x0900_0000, the GIC distributor and redistributors): every access size,
 * unaligned accesses, and the instruction forms that leave the hypervisor
 * no syndrome to decode (ESR_EL2.ISV = 0), which it must answer with a data
 * abort injected into the guest, never a guess.
 */
#include "attacker.h"

#define UART PL011_BASE
#define UART_IMSC (UART + 0x038)
#define UART_FR (UART + 0x018)
#define UART_PERIPHID0 (UART + 0xfe0)
#define UART_PCELLID3 (UART + 0xffc)
#define GICD_PRIO40 (GICD_BASE + GICD_IPRIORITYR + 40)

/* An injected abort: EC 0x25 (from EL1), synchronous external abort, FAR = a. */
static void expect_abort(struct probe_ctx *c, const char *what, uintptr_t a, unsigned before)
{
	if (trap.count != before + 1) {
		fail(c, "%s: %u exceptions (want 1)", what, trap.count - before);
		return;
	}
	if (ESR_EC(trap.esr) != EC_DABT_CUR || ESR_DFSC(trap.esr) != DFSC_SEA || trap.far != a)
		fail(c, "%s: %s (want EC 0x25 DFSC 0x10 FAR 0x%lx)", what, trap_str(),
		     (unsigned long)a);
	else
		note(c, "%s: abort", what);
}

bool probe_mmio_sizes(struct probe_ctx *c)
{
	trap_begin();
	/* The UART: 1, 2 and 4 bytes emulated, 8 bytes RAZ/WI. */
	expect_eq(c, "UART PeriphID0 ldrb", ld8(UART_PERIPHID0), 0x11);
	expect_eq(c, "ldrh", ld16(UART_PERIPHID0), 0x11);
	expect_eq(c, "ldr w", ld32(UART_PERIPHID0), 0x11);
	expect_eq(c, "ldr x", ld64(UART_PERIPHID0), 0);
	st8(UART_IMSC, 0x10);
	expect_eq(c, "IMSC after strb 0x10", ld32(UART_IMSC), 0x10);
	st16(UART_IMSC, 0x20);
	expect_eq(c, "after strh 0x20", ld32(UART_IMSC), 0x20);
	st32(UART_IMSC, 0x40);
	expect_eq(c, "after str w 0x40", ld32(UART_IMSC), 0x40);
	st64(UART_IMSC, 0x7f);
	expect_eq(c, "after str x 0x7f (ignored)", ld32(UART_IMSC), 0x40);
	st32(UART_IMSC, 0);
	/* The distributor: priorities by byte or word, nothing else by halfword. */
	st8(GICD_PRIO40, 0x80);
	expect_eq(c, "IPRIORITYR(40) ldrb after strb 0x80", ld8(GICD_PRIO40), 0x80);
	st16(GICD_PRIO40, 0x4040);
	expect_eq(c, "ldrh (RAZ)", ld16(GICD_PRIO40), 0);
	expect_eq(c, "ldrb after strh (ignored)", ld8(GICD_PRIO40), 0x80);
	expect_eq(c, "GICD_CTLR ldr x (RAZ)", ld64(GICD_BASE + GICD_CTLR), 0);
	expect_eq(c, "GICD_TYPER ldrb (RAZ)", ld8(GICD_BASE + GICD_TYPER), 0);
	expect_eq(c, "IROUTER(40) ldr x", ld64(GICD_BASE + GICD_IROUTER + 8 * 40), 0);
	expect_eq(c, "GICR_TYPER ldr x", ld64(GICR_BASE + GICR_TYPER), 0x10);
	expect_eq(c, "GICR_TYPER ldr w (RAZ)", ld32(GICR_BASE + GICR_TYPER), 0);
	trap_end();
	expect_eq(c, "exceptions", trap.count, 0);
	return c->ok;
}

/*
 * With the MMU off every access is to Device memory, where an unaligned
 * access is an alignment fault taken at EL1. QEMU 7.2 does not check that:
 * the access then reaches stage 2, and the hypervisor must answer it as
 * reserved (RAZ/WI) rather than emulate a register at the rounded address.
 */
bool probe_mmio_unaligned(struct probe_ctx *c)
{
	static const struct { const char *what; uintptr_t a; unsigned size; bool store; } acc[] = {
		{ "ldr w UART+1", UART + 1, 4, false }, { "ldrh UART+0x39", UART + 0x39, 2, false },
		{ "ldr x GICD+4", GICD_BASE + 4, 8, false }, { "ldr w GICD+0x102", GICD_BASE + 0x102, 4, false },
		{ "str w UART+0x35", UART + 0x35, 4, true }, { "strh UART+0x37", UART + 0x37, 2, true },
		{ "str w GICD+0x106", GICD_BASE + 0x106, 4, true }, { "str x GICD+0x6144", GICD_BASE + 0x6144, 8, true },
	};
	unsigned faults = 0, raz = 0;

	for (size_t i = 0; i < ARRAY_SIZE(acc); i++) {
		uint64_t v = 0;

		trap_begin();
		if (acc[i].store)
			acc[i].size == 8 ? st64(acc[i].a, ~0ULL) : acc[i].size == 4 ? st32(acc[i].a, ~0ULL)
									  : st16(acc[i].a, ~0ULL);
		else
			v = acc[i].size == 8 ? ld64(acc[i].a) : acc[i].size == 4 ? ld32(acc[i].a)
										 : ld16(acc[i].a);
		trap_end();
		if (trap.count == 1 && ESR_EC(trap.esr) == EC_DABT_CUR &&
		    ESR_DFSC(trap.esr) == DFSC_ALIGNMENT && trap.far == acc[i].a)
			faults++;
		else if (trap.count == 0 && v == 0)
			raz++;
		else
			fail(c, "%s: %s, value 0x%llx", acc[i].what, trap_str(), (unsigned long long)v);
	}
	note(c, "%u alignment faults at EL1, %u answered RAZ/WI by the hypervisor", faults, raz);
	/* The stores must not have reached the registers they overlap. */
	expect_eq(c, "UARTIMSC", ld32(UART_IMSC), 0);
	expect_eq(c, "GICD_ISENABLER1", ld32(GICD_BASE + GICD_ISENABLER + 4), 0);
	expect_eq(c, "GICD_ISENABLER2", ld32(GICD_BASE + GICD_ISENABLER + 8), 0);
	expect_eq(c, "IROUTER(40)", ld64(GICD_BASE + GICD_IROUTER + 8 * 40), 0);
	expect_eq(c, "IROUTER(41)", ld64(GICD_BASE + GICD_IROUTER + 8 * 41), 0);
	return c->ok;
}

bool probe_mmio_writeback(struct probe_ctx *c)
{
	struct pair r;
	unsigned n;

	trap_begin();
	n = trap.count;
	r = ins_ldr_post(GICD_BASE + GICD_TYPER);
	expect_abort(c, "ldr x, [x], #8", GICD_BASE + GICD_TYPER, n);
	expect_eq(c, "value", r.a, POISON);
	expect_eq(c, "base", r.b, GICD_BASE + GICD_TYPER);
	n = trap.count;
	r = ins_str_pre(UART + 0x34, 0x7ff); /* writes IMSC (0x38) */
	expect_abort(c, "str w, [x, #4]!", UART_IMSC, n);
	expect_eq(c, "base", r.a, UART + 0x34);
	expect_eq(c, "IMSC", ld32(UART_IMSC), 0);
	trap_end();
	return c->ok;
}

bool probe_mmio_pair(struct probe_ctx *c)
{
	struct pair r;
	unsigned n;

	trap_begin();
	n = trap.count;
	r = ins_ldp(GICD_BASE);
	expect_abort(c, "ldp w, w", GICD_BASE, n);
	expect_eq(c, "values", r.a == POISON && r.b == POISON, 1);
	n = trap.count;
	ins_stp(UART_IMSC, 0x7ff);
	expect_abort(c, "stp w, w", UART_IMSC, n);
	expect_eq(c, "IMSC", ld32(UART_IMSC), 0);
	trap_end();
	return c->ok;
}

bool probe_mmio_exclusive(struct probe_ctx *c)
{
	uint64_t v, s;
	unsigned n;

	trap_begin();
	n = trap.count;
	v = ins_ldxr(UART_FR);
	expect_abort(c, "ldxr", UART_FR, n);
	expect_eq(c, "value", v, POISON);
	n = trap.count;
	s = ins_stxr(UART_IMSC, 0x7ff);
	/* Without a reservation STXR may fail without an access at all. */
	if (trap.count == n)
		note(c, "stxr: no access, status %llu", (unsigned long long)s);
	else
		expect_abort(c, "stxr", UART_IMSC, n);
	if (trap.count == n && s == 0)
		fail(c, "stxr reported success");
	expect_eq(c, "IMSC", ld32(UART_IMSC), 0);
	trap_end();
	return c->ok;
}

static bool has_lse(void)
{
	return ((read_sysreg(id_aa64isar0_el1) >> 20) & 0xf) >= 2;
}

bool probe_mmio_atomic(struct probe_ctx *c)
{
	uint64_t v;
	unsigned n;

	if (!has_lse()) {
		note(c, "no LSE atomics on this CPU: nothing to probe");
		return true;
	}
	trap_begin();
	n = trap.count;
	v = ins_ldadd(UART_IMSC, 1);
	expect_abort(c, "ldadd", UART_IMSC, n);
	expect_eq(c, "old", v, POISON);
	n = trap.count;
	v = ins_swp(GICD_PRIO40, 0x40);
	expect_abort(c, "swp", GICD_PRIO40, n);
	n = trap.count;
	v = ins_cas(UART_IMSC, 0x7ff);
	expect_abort(c, "cas", UART_IMSC, n);
	expect_eq(c, "IMSC", ld32(UART_IMSC), 0);
	trap_end();
	return c->ok;
}

bool probe_mmio_simd(struct probe_ctx *c)
{
	struct pair r;
	unsigned n;

	write_sysreg(cpacr_el1, 3ULL << 20); /* FPEN */
	isb();
	trap_begin();
	n = trap.count;
	r = ins_ldr_q(UART_PERIPHID0);
	expect_abort(c, "ldr q0", UART_PERIPHID0, n);
	expect_eq(c, "q0 low", r.a, POISON);
	n = trap.count;
	r = ins_ld1(GICD_BASE);
	expect_abort(c, "ld1 {v0.4s}", GICD_BASE, n);
	n = trap.count;
	ins_str_s(UART_IMSC, 0x7ff);
	expect_abort(c, "str s0", UART_IMSC, n);
	expect_eq(c, "IMSC", ld32(UART_IMSC), 0);
	trap_end();
	write_sysreg(cpacr_el1, 0);
	isb();
	return c->ok;
}

bool probe_mmio_dczva(struct probe_ctx *c)
{
	uint64_t dczid = read_sysreg(dczid_el0);

	if (dczid & 0x10) {
		note(c, "DC ZVA prohibited (DCZID_EL0.DZP): nothing to probe");
		return true;
	}
	st32(UART_IMSC, 0x7ff);
	trap_begin();
	ins_dc_zva(UART);
	trap_end();
	if (trap.count == 1 && ESR_EC(trap.esr) == EC_DABT_CUR &&
	    (ESR_DFSC(trap.esr) == DFSC_SEA || ESR_DFSC(trap.esr) == DFSC_ALIGNMENT))
		note(c, "dc zva on the UART page: %s (%s)", trap_str(),
		     ESR_DFSC(trap.esr) == DFSC_SEA ? "injected abort" : "alignment fault at EL1");
	else
		fail(c, "dc zva on the UART page: %s", trap_str());
	expect_eq(c, "IMSC not zeroed", ld32(UART_IMSC), 0x7ff);
	st32(UART_IMSC, 0);
	return c->ok;
}

bool probe_mmio_acqrel(struct probe_ctx *c)
{
	trap_begin();
	expect_eq(c, "ldar UARTFR", ins_ldar(UART_FR) & 0x90, 0x90);
	ins_stlr(UART_IMSC, 0x50);
	expect_eq(c, "IMSC after stlr", ins_ldar(UART_IMSC), 0x50);
	st32(UART_IMSC, 0);
	expect_eq(c, "ldrsb x PCellID3", ins_ldrsb_x(UART_PCELLID3), 0xffffffffffffffb1ULL);
	expect_eq(c, "ldrsb w PCellID3", ins_ldrsb_w(UART_PCELLID3), 0xffffffb1ULL);
	expect_eq(c, "ldrsh x PCellID3", ins_ldrsh_x(UART_PCELLID3), 0xb1);
	expect_eq(c, "ldrsw x PCellID3", ins_ldrsw_x(UART_PCELLID3), 0xb1);
	st8(GICD_PRIO40, 0xf8);
	expect_eq(c, "ldrsb x IPRIORITYR(40)", ins_ldrsb_x(GICD_PRIO40), (uint64_t)-8);
	trap_end();
	expect_eq(c, "exceptions", trap.count, 0);
	return c->ok;
}

/* A 32-bit store writes 32 bits: what the register holds above them is not
 * part of the access. */
bool probe_mmio_str_upper(struct probe_ctx *c)
{
	uintptr_t r40 = GICD_BASE + GICD_IROUTER + 8 * 40;

	st64(r40, 0);
	st32(r40, 0xffffffff00000001ULL); /* str w: stores 0x00000001, Aff0 = vCPU 1 */
	expect_eq(c, "IROUTER(40) after str w of 1 (x[63:32] set)", mmio_read64(r40), 1);
	st64(r40, 0);
	st32(r40, 1);
	expect_eq(c, "control: after str w of 1 (x[63:32] clear)", mmio_read64(r40), 1);
	st64(r40, 0);
	return c->ok;
}

struct a32_result a32_last;
struct guest_jmp_buf a32_jmp;

bool el0_run(uintptr_t entry, uint64_t r1, uint64_t spsr, struct a32_result *out)
{
	uint64_t vbar = read_sysreg(vbar_el1);

	if ((spsr & 0x10) && (read_sysreg(id_aa64pfr0_el1) & 0xf) != 2)
		return false; /* EL0 is AArch64 only */
	a32_last.esr = a32_last.elr = a32_last.r2 = a32_last.far = POISON;
	if (guest_setjmp(&a32_jmp) == 0) {
		write_sysreg(vbar_el1, (uintptr_t)a32_vectors);
		isb();
		el0_enter(entry, r1, spsr);
	}
	write_sysreg(vbar_el1, vbar);
	isb();
	*out = a32_last;
	return true;
}

/*
 * A 16-bit Thumb LDR at AArch32 EL0 (ESR_EL2.IL = 0) from the emulated
 * UART: the hypervisor must resume at the next 16-bit instruction, 2 bytes
 * on, not 4. The same code on RAM is the control.
 */
bool probe_mmio_a32_thumb(struct probe_ctx *c)
{
	static volatile uint32_t ram_word = 0x1234;
	struct a32_result r;
	uintptr_t svc = (uintptr_t)a32_thumb_mmio + 6;

	if (!el0_run((uintptr_t)a32_thumb_mmio, (uintptr_t)&ram_word, SPSR_A32_USR_THUMB, &r)) {
		note(c, "no AArch32 at EL0 on this CPU: nothing to probe");
		return true;
	}
	note(c, "control on RAM: ESR 0x%llx r2 %llu", (unsigned long long)r.esr,
	     (unsigned long long)r.r2);
	if (ESR_EC(r.esr) != 0x11 || r.r2 != 2) {
		fail(c, "the control did not reach the SVC with r2 = 2");
		return false;
	}
	el0_run((uintptr_t)a32_thumb_mmio, UART_FR, SPSR_A32_USR_THUMB, &r);
	note(c, "on the UART: exception EC 0x%02x at 0x%llx", (unsigned)ESR_EC(r.esr),
	     (unsigned long long)r.elr);
	expect_eq(c, "EC (SVC from AArch32)", ESR_EC(r.esr), 0x11);
	expect_eq(c, "ELR (past the SVC)", r.elr, svc + 2);
	if (!expect_eq(c, "r2 (both ADDS ran)", r.r2, 2) && r.r2 == 1)
		note(c, "the hypervisor resumed 4 bytes after the 16-bit LDR, skipping an "
		     "instruction (ESR_EL2.IL ignored)");
	return c->ok;
}

/*
 * An LDP from the emulated GIC at EL0: the abort the hypervisor injects must
 * look like one taken from EL0 (EC 0x24, the lower-EL vector), not EL1.
 * The same code on RAM is the control.
 */
bool probe_mmio_el0_pair(struct probe_ctx *c)
{
	static volatile uint64_t ram_pair = 0x0000000200000001ULL;
	struct a32_result r;

	el0_run((uintptr_t)a64_el0_ldp, (uintptr_t)&ram_pair, SPSR_A64_EL0T, &r);
	note(c, "control on RAM: EC 0x%02x, w2 0x%llx", (unsigned)ESR_EC(r.esr),
	     (unsigned long long)r.r2);
	if (ESR_EC(r.esr) != EC_SVC64 || r.r2 != 1) {
		fail(c, "the control did not reach the SVC with w2 = 1");
		return false;
	}
	el0_run((uintptr_t)a64_el0_ldp, GICD_BASE, SPSR_A64_EL0T, &r);
	expect_eq(c, "EC (data abort from EL0)", ESR_EC(r.esr), EC_DABT_LOW);
	expect_eq(c, "DFSC", ESR_DFSC(r.esr), DFSC_SEA);
	expect_eq(c, "ELR (the LDP)", r.elr, (uintptr_t)a64_el0_ldp);
	expect_eq(c, "FAR", r.far, GICD_BASE);
	expect_eq(c, "w2 untouched", r.r2, 0);
	return c->ok;
}

bool probe_mmio_exec(struct probe_ctx *c)
{
	void (*fn)(void) = (void (*)(void))UART;

	gprintf("PROBE %s: jumping to 0x%lx\n", c->name, (unsigned long)UART);
	fn();
	return expect_stop_after(c, "a jump into the emulated UART");
}
